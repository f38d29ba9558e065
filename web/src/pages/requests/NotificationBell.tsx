/**
 * The bell in the header: the unread count of the in-app inbox (GET /api/notifications), the
 * latest notifications in a popover; opening one marks it read and goes to its case.
 */
import { useCallback, useEffect, useState } from 'react'
import { Badge, Button, Empty, Flex, Popover, Typography } from 'antd'
import { BellOutlined } from '@ant-design/icons'
import { useNavigate } from 'react-router-dom'
import { api, unwrap, type ApiResult } from '../../api/client'
import { formatTime, useI18n } from '../../app/i18n'

type NotificationPage = ApiResult<'/api/notifications', 'get'>
type Notification = NotificationPage['items'][number]

const POLL_MS = 60_000

export function NotificationBell() {
  const { t } = useI18n()
  const navigate = useNavigate()
  const [page, setPage] = useState<NotificationPage | null>(null)
  const [open, setOpen] = useState(false)

  const load = useCallback(() => {
    unwrap(api.GET('/api/notifications', { params: { query: { pageSize: 10 } } })).then(setPage, () => undefined)
  }, [])

  useEffect(() => {
    load()
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') load()
    }, POLL_MS)
    return () => window.clearInterval(timer)
  }, [load])

  const openOne = async (n: Notification) => {
    setOpen(false)
    if (!n.readAt) {
      try {
        await unwrap(api.POST('/api/notifications/{id}/read', { params: { path: { id: n.id } } }))
      } catch {
        // Reading it matters more than the mark; the count catches up on the next poll.
      }
      load()
    }
    if (n.requestId !== null) void navigate(`/requests/${n.requestId}`)
  }

  const content = (
    <Flex vertical style={{ width: 320, maxWidth: '80vw' }} data-testid="notifications-list">
      {!page || page.items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('requests.notify.empty')} />
      ) : (
        page.items.map((n) => (
          <Button
            key={n.id}
            type="text"
            onClick={() => void openOne(n)}
            style={{ height: 'auto', padding: '8px 8px', textAlign: 'left', display: 'block', whiteSpace: 'normal' }}
            data-testid="notification-item"
          >
            <Flex vertical gap={2}>
              <Typography.Text strong={!n.readAt} ellipsis>{n.title}</Typography.Text>
              {n.body && <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>{n.body}</Typography.Text>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatTime(n.createdAt)}</Typography.Text>
            </Flex>
          </Button>
        ))
      )}
    </Flex>
  )

  const unread = page?.unread ?? 0
  return (
    <Popover
      content={content}
      title={t('requests.notify.title', { n: unread })}
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={(next) => {
        setOpen(next)
        if (next) load()
      }}
    >
      <Button type="text" aria-label={t('requests.notify.title', { n: unread })} data-testid="notifications-bell" style={{ paddingInline: 6 }}>
        <Badge count={unread} size="small" overflowCount={99} data-testid="notifications-count">
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  )
}
