import { useEffect, useRef, useState } from 'react'
import {
  Alert, App, Button, Col, Descriptions, Flex, Form, Progress, Radio, Row, Space, Statistic, Tag, Typography, Upload, type UploadFile,
} from 'antd'
import { CloudUploadOutlined, DownloadOutlined, FileExcelOutlined, InboxOutlined } from '@ant-design/icons'
import { api, ApiError, errorMessage, unwrap } from '../../api/client'
import { formatTime, useI18n, type MessageKey } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { DataTable, type DataColumn } from '../../components/DataTable'
import { UnitSelect } from '../../components/UnitSelect'
import { download, downloadJobOutput, isFinished, waitForJob, type JobView } from './jobs'

type Kind = 'residents' | 'units' | 'members'
type Mode = 'valid_rows' | 'all_or_nothing'
const KINDS: Kind[] = ['residents', 'units', 'members']
const MAX_BYTES = 64 * 1024 * 1024

interface Values {
  kind: Kind
  unitId?: number
  mode: Mode
}

const JOB_KINDS: Record<string, MessageKey> = {
  import_residents: 'imports.jobKind.import_residents',
  import_units: 'imports.jobKind.import_units',
  import_members: 'imports.jobKind.import_members',
  export_residents: 'imports.jobKind.export_residents',
  export_units: 'imports.jobKind.export_units',
  export_members: 'imports.jobKind.export_members',
  export_audit: 'imports.jobKind.export_audit',
  export_accounts: 'imports.jobKind.export_accounts',
}
const STATUS_COLORS: Record<JobView['status'], string> = { queued: 'default', running: 'processing', done: 'success', failed: 'error' }

const listOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [])
const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {})
/** The uploaded file's name kept in a job's options. */
const fileNameOf = (options: unknown): string | null => {
  const name = record(options).fileName
  return typeof name === 'string' ? name : null
}

/** A refusal at upload time, with what the server says is wrong with the file (headers, size, rows). */
function UploadRefusal({ error }: { error: unknown }) {
  const { t } = useI18n()
  const details = error instanceof ApiError ? record(error.details) : {}
  const missing = listOf(details.missing)
  const unexpected = listOf(details.unexpected)
  const duplicated = listOf(details.duplicated)
  const expected = listOf(details.expected)
  const limit = typeof details.limit === 'number' ? details.limit : null
  return (
    <Alert
      type="error"
      showIcon
      title={errorMessage(error)}
      data-testid="import-refused"
      description={
        (missing.length > 0 || unexpected.length > 0 || duplicated.length > 0 || limit !== null) && (
          <Flex vertical gap={4}>
            {missing.length > 0 && <span>{t('imports.refused.missing')}{missing.join('、')}</span>}
            {unexpected.length > 0 && <span>{t('imports.refused.unexpected')}{unexpected.join('、')}</span>}
            {duplicated.length > 0 && <span>{t('imports.refused.duplicated')}{duplicated.join('、')}</span>}
            {expected.length > 0 && (
              <Typography.Text type="secondary">
                {t('imports.refused.expected')}
                {expected.join('、')}
              </Typography.Text>
            )}
            {limit !== null && <span>{t('imports.refused.limit', { limit: limit.toLocaleString() })}</span>}
          </Flex>
        )
      }
    />
  )
}

/** The running or finished import: progress, counts, message and the error report. */
function JobPanel({ job }: { job: JobView }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [downloading, setDownloading] = useState(false)
  const mode = record(job.options).mode
  const finished = isFinished(job)
  const ok = job.status === 'done' && job.failed === 0
  const getReport = async () => {
    setDownloading(true)
    try {
      await downloadJobOutput(job)
    } catch (err) {
      void message.error(errorMessage(err))
    } finally {
      setDownloading(false)
    }
  }

  return (
    <Flex vertical gap={12} data-testid="import-job" data-status={job.status}>
      <Space wrap>
        <Tag color={STATUS_COLORS[job.status]}>{t(`imports.job.status.${job.status}`)}</Tag>
        <Typography.Text type="secondary">
          #{job.id} · {fileNameOf(job.options) ?? ''} · {mode === 'all_or_nothing' ? t('imports.mode.all_or_nothing') : t('imports.mode.valid_rows')}
        </Typography.Text>
      </Space>
      <Progress
        percent={Math.floor(job.progress * 100)}
        status={job.status === 'failed' ? 'exception' : finished ? (ok ? 'success' : 'normal') : 'active'}
        data-testid="import-progress"
      />
      {!finished && <Typography.Text type="secondary">{t('imports.job.progress', { done: job.processed, total: job.total })}</Typography.Text>}
      {finished && job.status === 'done' && (
        <Row gutter={16}>
          <Col xs={8}>
            <Statistic title={t('imports.result.rows')} value={job.total} />
          </Col>
          <Col xs={8}>
            <Statistic title={t('imports.result.written')} value={job.succeeded} styles={{ content: { color: '#389e0d' } }} data-testid="import-written" />
          </Col>
          <Col xs={8}>
            <Statistic title={t('imports.result.failed')} value={job.failed} styles={{ content: { color: job.failed ? '#cf1322' : undefined } }} data-testid="import-failed" />
          </Col>
        </Row>
      )}
      {finished && job.message && (
        <Alert type={job.status === 'failed' ? 'error' : ok ? 'success' : 'warning'} showIcon title={job.message} data-testid="import-message" />
      )}
      {job.links.output && (
        <div>
          <Button icon={<DownloadOutlined />} onClick={() => void getReport()} loading={downloading} data-testid="import-report">
            {t('imports.result.report')}
          </Button>
        </div>
      )}
    </Flex>
  )
}

const NO_FILTERS = {}

/** The caller's own jobs, newest first; refreshed every few seconds while one of them is still running. */
function MyJobs({ reloadKey }: { reloadKey: number }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [running, setRunning] = useState(false)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (!running) return
    const timer = window.setTimeout(() => setTick((n) => n + 1), 3000)
    return () => window.clearTimeout(timer)
  }, [running, tick])
  const save = async (job: JobView) => {
    try {
      await downloadJobOutput(job)
    } catch (err) {
      void message.error(errorMessage(err))
    }
  }
  const columns: DataColumn<JobView>[] = [
    { key: 'id', title: '#', dataIndex: 'id' },
    { key: 'kind', title: t('imports.jobs.kind'), dataIndex: 'kind', render: (k: string) => (JOB_KINDS[k] ? t(JOB_KINDS[k]) : k), exportValue: (row) => (JOB_KINDS[row.kind] ? t(JOB_KINDS[row.kind] as MessageKey) : row.kind) },
    {
      key: 'file',
      title: t('imports.jobs.file'),
      dataIndex: 'options',
      render: (o: unknown) => fileNameOf(o) ?? '—',
      exportValue: (row) => fileNameOf(row.options),
    },
    {
      key: 'status',
      title: t('imports.jobs.status'),
      dataIndex: 'status',
      render: (s: JobView['status'], row) =>
        s === 'running' ? <Progress percent={Math.floor(row.progress * 100)} size="small" style={{ width: 120 }} /> : <Tag color={STATUS_COLORS[s]}>{t(`imports.job.status.${s}`)}</Tag>,
      exportValue: (row) => t(`imports.job.status.${row.status}`),
    },
    { key: 'succeeded', title: t('imports.jobs.succeeded'), dataIndex: 'succeeded', align: 'right' },
    { key: 'failed', title: t('imports.jobs.failed'), dataIndex: 'failed', align: 'right' },
    { key: 'message', title: t('imports.jobs.message'), dataIndex: 'message', responsive: ['lg'], render: (m: string | null) => <Typography.Text style={{ maxWidth: 240 }} ellipsis={{ tooltip: m }}>{m ?? ''}</Typography.Text> },
    { key: 'createdAt', title: t('imports.jobs.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatTime(v), exportValue: (row) => formatTime(row.createdAt, true) },
    {
      key: 'download',
      title: t('common.actions'),
      noExport: true,
      render: (_: unknown, row) =>
        row.links.output ? (
          <Button type="link" size="small" icon={<DownloadOutlined />} onClick={() => void save(row)} data-testid="job-download">
            {row.kind.startsWith('import_') ? t('imports.jobs.report') : t('imports.jobs.file')}
          </Button>
        ) : null,
    },
  ]
  return (
    <DataTable<JobView, typeof NO_FILTERS>
      columns={columns}
      rowKey="id"
      filters={NO_FILTERS}
      reloadKey={reloadKey + tick}
      defaultPageSize={10}
      exportFileName={t('imports.jobs.title')}
      fetchPage={async ({ page, pageSize }) => {
        const result = await unwrap(api.GET('/api/jobs', { params: { query: { page, pageSize } } }))
        setRunning(result.items.some((job) => !isFinished(job)))
        return result
      }}
    />
  )
}

export default function ImportsPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const kind = Form.useWatch('kind', form) ?? 'residents'
  const [file, setFile] = useState<UploadFile | null>(null)
  const [fileError, setFileError] = useState<string | null>(null)
  const [uploading, setUploading] = useState(false)
  const [refusal, setRefusal] = useState<unknown>(null)
  const [job, setJob] = useState<JobView | null>(null)
  const [jobsReload, setJobsReload] = useState(0)
  const [templateLoading, setTemplateLoading] = useState(false)
  const polling = useRef<AbortController | null>(null)

  useEffect(() => () => polling.current?.abort(), [])

  const getTemplate = async () => {
    setTemplateLoading(true)
    try {
      await download(api.GET('/api/imports/templates/{kind}', { params: { path: { kind } }, parseAs: 'blob' }), `${kind}.xlsx`)
    } catch (err) {
      void message.error(errorMessage(err))
    } finally {
      setTemplateLoading(false)
    }
  }

  const start = async (values: Values) => {
    const raw = file?.originFileObj
    if (!raw) {
      setFileError(t('imports.fileRequired'))
      return
    }
    if (values.unitId === undefined) return
    setUploading(true)
    setRefusal(null)
    setJob(null)
    polling.current?.abort()
    try {
      const body = new FormData()
      body.append('file', raw, raw.name)
      // The upload is multipart, which the OpenAPI document does not describe as a body.
      const queued = await unwrap(
        api.POST('/api/imports/{kind}', {
          params: { path: { kind: values.kind }, query: { mode: values.mode, unitId: values.unitId } },
          body: body as never,
        }),
      )
      setJob(queued)
      setJobsReload((n) => n + 1)
      setUploading(false)
      polling.current = new AbortController()
      const finished = await waitForJob(queued.id, setJob, polling.current.signal)
      if (isFinished(finished)) setJobsReload((n) => n + 1)
    } catch (err) {
      setRefusal(err)
    } finally {
      setUploading(false)
    }
  }

  return (
    <Flex vertical gap={16}>
      <PageCard title={t('imports.title')}>
        <Row gutter={[24, 16]}>
          <Col xs={24} lg={14}>
            <Form<Values>
              form={form}
              layout="vertical"
              initialValues={{ kind: 'residents', mode: 'valid_rows' }}
              onFinish={(v) => void start(v)}
              requiredMark={false}
              data-testid="import-form"
            >
              <Form.Item name="kind" label={t('imports.kind')}>
                <Radio.Group
                  optionType="button"
                  options={KINDS.map((k) => ({ value: k, label: t(`imports.kind.${k}`) }))}
                  onChange={() => setRefusal(null)}
                  data-testid="import-kind"
                />
              </Form.Item>
              <Typography.Paragraph type="secondary" style={{ marginTop: -12 }}>
                {t(`imports.kindHint.${kind}`)}{' '}
                <Button type="link" size="small" icon={<FileExcelOutlined />} onClick={() => void getTemplate()} loading={templateLoading} data-testid="import-template" style={{ paddingInline: 0 }}>
                  {t('imports.template')}
                </Button>
              </Typography.Paragraph>
              <Form.Item name="unitId" label={t('imports.unit')} extra={t('imports.unitHint')} rules={[{ required: true, message: t('imports.unitRequired') }]}>
                <UnitSelect style={{ width: '100%' }} data-testid="import-unit" />
              </Form.Item>
              <Form.Item label={t('imports.file')} required validateStatus={fileError ? 'error' : undefined} help={fileError ?? undefined}>
                <Upload.Dragger
                  accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  maxCount={1}
                  fileList={file ? [file] : []}
                  beforeUpload={(f) => {
                    if (f.size > MAX_BYTES) {
                      setFileError(t('imports.fileTooLarge'))
                      return Upload.LIST_IGNORE
                    }
                    setFileError(null)
                    setRefusal(null)
                    setFile({ uid: f.uid, name: f.name, size: f.size, type: f.type, originFileObj: f, status: 'done' })
                    // Kept here and sent with the form, not uploaded on its own.
                    return false
                  }}
                  onRemove={() => setFile(null)}
                  data-testid="import-file"
                >
                  <p className="ant-upload-drag-icon">
                    <InboxOutlined />
                  </p>
                  <p className="ant-upload-text">{t('imports.fileDrop')}</p>
                  <p className="ant-upload-hint">{t('imports.fileHint')}</p>
                </Upload.Dragger>
              </Form.Item>
              <Form.Item name="mode" label={t('imports.mode')}>
                <Radio.Group data-testid="import-mode">
                  <Flex vertical gap={8}>
                    <Radio value="valid_rows" data-testid="mode-valid-rows">
                      {t('imports.mode.valid_rows')}
                      <Typography.Text type="secondary"> — {t('imports.modeHint.valid_rows')}</Typography.Text>
                    </Radio>
                    <Radio value="all_or_nothing" data-testid="mode-all-or-nothing">
                      {t('imports.mode.all_or_nothing')}
                      <Typography.Text type="secondary"> — {t('imports.modeHint.all_or_nothing')}</Typography.Text>
                    </Radio>
                  </Flex>
                </Radio.Group>
              </Form.Item>
              <Button type="primary" htmlType="submit" icon={<CloudUploadOutlined />} loading={uploading} data-testid="import-start">
                {t('imports.start')}
              </Button>
            </Form>
          </Col>
          <Col xs={24} lg={10}>
            {refusal !== null && <UploadRefusal error={refusal} />}
            {job && <JobPanel job={job} />}
            {refusal === null && !job && (
              <Descriptions
                size="small"
                column={1}
                title={t('imports.howTitle')}
                items={[1, 2, 3, 4].map((n) => ({ key: n, label: n, children: t(`imports.how.${n}` as MessageKey) }))}
              />
            )}
          </Col>
        </Row>
      </PageCard>
      <PageCard title={t('imports.jobs.title')}>
        <MyJobs reloadKey={jobsReload} />
      </PageCard>
    </Flex>
  )
}
