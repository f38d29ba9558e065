import { useRef, useState } from 'react'
import { Alert, App, Button, Dropdown, Form, Input, Modal, Progress, Typography } from 'antd'
import { DownloadOutlined, DownOutlined, UnlockOutlined } from '@ant-design/icons'
import { errorMessage } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { download, downloadJobOutput, waitForJob, type JobView } from './jobs'

export interface ExportOptions {
  unmasked?: boolean
  reason?: string
}

/**
 * The export button of a list, backed by the server's `/api/exports/<list>.xlsx` with the list's
 * current filters: a small export comes back as the file (200), a large one as a job (202) whose
 * progress is shown until the file is ready. With `unmaskable`, a second choice exports clear
 * identity and phone numbers after the user states a reason and confirms that it is audited.
 */
export function ExportButton({
  run, fileName, unmaskable = false, disabled = false,
}: {
  /** Calls the export route with `parseAs: 'blob'` and the list's filters plus these options. */
  run: (options: ExportOptions) => Promise<{ data?: unknown; response: Response }>
  /** Used when the server names no file. */
  fileName: string
  unmaskable?: boolean
  disabled?: boolean
}) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [busy, setBusy] = useState(false)
  const [job, setJob] = useState<JobView | null>(null)
  const [asking, setAsking] = useState(false)
  const [form] = Form.useForm<{ reason: string }>()
  const abort = useRef<AbortController | null>(null)

  const exportNow = async (options: ExportOptions) => {
    setBusy(true)
    try {
      const { data, response } = await run(options)
      if (response.status === 202) {
        const blob = data instanceof Blob ? data : await response.blob()
        const queued = JSON.parse(await blob.text()) as JobView
        setJob(queued)
        abort.current = new AbortController()
        const finished = await waitForJob(queued.id, setJob, abort.current.signal)
        if (abort.current.signal.aborted) {
          void message.info(t('imports.export.continuesInJobs'))
          return
        }
        if (finished.status === 'failed') throw new Error(finished.message ?? t('imports.job.failed'))
        await downloadJobOutput(finished)
        void message.success(t('imports.export.done', { count: finished.succeeded }))
      } else {
        const blob = data instanceof Blob ? data : await response.blob()
        await download(Promise.resolve({ data: blob, response }), `${fileName}.xlsx`)
        const rows = response.headers.get('x-export-rows')
        void message.success(rows ? t('imports.export.done', { count: rows }) : t('imports.export.downloaded'))
      }
    } catch (err) {
      void message.error(errorMessage(err))
    } finally {
      setBusy(false)
      setJob(null)
      abort.current = null
    }
  }

  const confirmUnmasked = async ({ reason }: { reason: string }) => {
    setAsking(false)
    form.resetFields()
    await exportNow({ unmasked: true, reason: reason.trim() })
  }

  const main = (
    <Button icon={<DownloadOutlined />} loading={busy} disabled={disabled} onClick={() => void exportNow({})} data-testid="export-excel">
      {t('table.export')}
    </Button>
  )

  return (
    <>
      {unmaskable ? (
        <Dropdown
          disabled={disabled || busy}
          trigger={['click']}
          menu={{
            items: [
              { key: 'masked', icon: <DownloadOutlined />, label: t('imports.export.masked') },
              { key: 'unmasked', icon: <UnlockOutlined />, label: t('imports.export.unmasked'), danger: true },
            ],
            onClick: ({ key }) => (key === 'unmasked' ? setAsking(true) : void exportNow({})),
          }}
        >
          <Button icon={<DownloadOutlined />} loading={busy} disabled={disabled} data-testid="export-excel">
            {t('table.export')} <DownOutlined />
          </Button>
        </Dropdown>
      ) : (
        main
      )}
      <Modal
        open={asking}
        title={t('imports.export.unmaskedTitle')}
        onCancel={() => setAsking(false)}
        onOk={() => form.submit()}
        okText={t('imports.export.unmaskedConfirm')}
        okButtonProps={{ danger: true }}
        destroyOnHidden
      >
        <Alert type="warning" showIcon title={t('imports.export.unmaskedWarning')} style={{ marginBottom: 16 }} />
        <Form form={form} layout="vertical" onFinish={(v) => void confirmUnmasked(v)} preserve={false}>
          <Form.Item
            name="reason"
            label={t('imports.export.reason')}
            rules={[
              {
                validator: (_, value: string | undefined) =>
                  (value ?? '').trim().length >= 2 ? Promise.resolve() : Promise.reject(new Error(t('imports.export.reasonRequired'))),
              },
            ]}
          >
            <Input.TextArea rows={3} maxLength={200} showCount data-testid="export-reason" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={job !== null}
        title={t('imports.export.running')}
        closable={false}
        mask={{ closable: false }}
        footer={[
          <Button key="background" onClick={() => abort.current?.abort()}>
            {t('imports.export.background')}
          </Button>,
        ]}
      >
        <Progress percent={Math.floor((job?.progress ?? 0) * 100)} status="active" />
        <Typography.Text type="secondary">{t('imports.job.progress', { done: job?.processed ?? 0, total: job?.total ?? 0 })}</Typography.Text>
      </Modal>
    </>
  )
}
