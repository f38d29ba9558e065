/** Small pieces the request pages share: status and priority tags, the due-time badge. */
import { Tag, Tooltip } from 'antd'
import { ClockCircleOutlined, PauseCircleOutlined } from '@ant-design/icons'
import { formatTime, useI18n } from '../../app/i18n'
import { dueColor, dueKeys, dueState, priorityColor, priorityKeys, statusColor, statusKeys, type Priority, type RequestStatus, type RequestSummary } from './model'

export function StatusTag({ status }: { status: RequestStatus }) {
  const { t } = useI18n()
  return <Tag color={statusColor[status]} data-testid="status-tag" data-status={status}>{t(statusKeys[status])}</Tag>
}

export function PriorityTag({ priority }: { priority: Priority }) {
  const { t } = useI18n()
  if (priority === 'general') return null
  return <Tag color={priorityColor[priority]}>{t(priorityKeys[priority])}</Tag>
}

type DueFields = Pick<RequestSummary, 'isOpen' | 'paused' | 'resolutionDueAt' | 'warnAt' | 'warned' | 'resolutionOverdue' | 'resolvedAt'>

/** The resolution deadline as a coloured tag: green in time, amber past 80 %, red overdue. */
export function DueBadge({ request }: { request: DueFields }) {
  const { t } = useI18n()
  const state = dueState(request)
  if (state === 'done') {
    return request.resolvedAt ? <span>{t('requests.due.resolvedAt', { time: formatTime(request.resolvedAt) })}</span> : <span>—</span>
  }
  if (state === 'none') return <span>—</span>
  const label = t(dueKeys[state])
  return (
    <Tooltip title={request.warnAt ? t('requests.due.warnAt', { time: formatTime(request.warnAt) }) : undefined}>
      <Tag color={dueColor[state]} icon={state === 'paused' ? <PauseCircleOutlined /> : <ClockCircleOutlined />} data-testid="due-badge" data-due={state}>
        {`${label} · ${formatTime(request.resolutionDueAt)}`}
      </Tag>
    </Tooltip>
  )
}
