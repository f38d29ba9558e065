/**
 * One dialog for every step of a case: the fields each step needs (reason, unit, person, template,
 * photos, the three questions …), sent with the version the page shows so a case someone else
 * changed meanwhile is refused (version_conflict) instead of overwritten.
 */
import { useEffect, useState } from 'react'
import { Alert, Form, Input, InputNumber, Modal, Radio, Select, Space, Typography } from 'antd'
import { api, ApiError, errorMessage, unwrap, type ApiResult } from '../../api/client'
import { useI18n, type MessageKey } from '../../app/i18n'
import { HandoffSelect } from './HandoffSelect'
import { PhotoPicker } from './PhotoPicker'
import { RatingForm } from './RatingForm'
import type { ActionName, RatingInput, RequestDetail, RequestSummary } from './model'

/** What a step needs to know about the case: its id, the version the caller saw, the unit holding it. */
export type CaseRef = Pick<RequestSummary, 'id' | 'version' | 'handlerUnitId'>

type Template = ApiResult<'/api/request-templates', 'get'>[number]
type Worker = ApiResult<'/api/units/{id}/assignment-policy', 'get'>['workers'][number]

/** A dialog the page can open: a step of the case, or a decision on one of its extensions / appeals / co-units. */
export type DialogSpec =
  | { kind: 'step'; action: Exclude<ActionName, 'decide_extension' | 'decide_appeal' | 'co_done' | 'unmask_phone'> }
  | { kind: 'decide_extension'; extensionId: number; approve: boolean }
  | { kind: 'decide_appeal'; appealId: number; approve: boolean }
  | { kind: 'co_done'; unitId: number; unitName: string }

export const actionLabels: Record<ActionName, MessageKey> = {
  accept: 'requests.action.accept', return: 'requests.action.return', dispatch: 'requests.action.dispatch', transfer: 'requests.action.transfer',
  assign: 'requests.action.assign', start: 'requests.action.start', pause: 'requests.action.pause', resume: 'requests.action.resume',
  resolve: 'requests.action.resolve', close: 'requests.action.close', reopen: 'requests.action.reopen', merge: 'requests.action.merge',
  add_co_units: 'requests.action.add_co_units', co_done: 'requests.action.co_done', request_extension: 'requests.action.request_extension',
  decide_extension: 'requests.action.decide_extension', note: 'requests.action.note', remind: 'requests.action.remind', callback: 'requests.action.callback',
  appeal: 'requests.action.appeal', decide_appeal: 'requests.action.decide_appeal', unmask_phone: 'requests.action.unmask_phone',
}

interface Values {
  note?: string
  reason?: string
  toUnitId?: number
  unitIds?: number[]
  assigneeId?: number
  intoId?: number
  amount?: number
  unit?: 'hours' | 'working_hours' | 'working_days'
  visibility?: 'internal' | 'public'
  appealKind?: 'malicious' | 'duplicate' | 'not_our_duty'
}

type Shape = { note: 'none' | 'optional' | 'required'; reason?: boolean; unit?: boolean; units?: boolean; assignee?: boolean; intoId?: boolean; extension?: boolean; visibility?: boolean; template?: boolean; photos?: boolean; appeal?: boolean; rating?: boolean }

function shapeOf(spec: DialogSpec): Shape {
  if (spec.kind === 'decide_extension' || spec.kind === 'decide_appeal') return { note: 'optional' }
  if (spec.kind === 'co_done') return { note: 'required' }
  switch (spec.action) {
    case 'accept': case 'start': case 'resume': case 'close': case 'remind': return { note: 'optional' }
    case 'return': case 'pause': case 'reopen': return { note: 'none', reason: true }
    case 'dispatch': return { note: 'optional', unit: true }
    case 'transfer': return { note: 'none', unit: true, reason: true }
    case 'assign': return { note: 'none', assignee: true }
    case 'resolve': return { note: 'required', template: true, photos: true }
    case 'merge': return { note: 'none', intoId: true }
    case 'add_co_units': return { note: 'optional', units: true }
    case 'request_extension': return { note: 'none', extension: true, reason: true }
    case 'note': return { note: 'required', visibility: true, template: true }
    case 'callback': return { note: 'none', rating: true }
    case 'appeal': return { note: 'none', appeal: true, reason: true }
  }
}

/** Sends the step; every route answers with the case as it is afterwards. */
async function send(spec: DialogSpec, r: CaseRef, v: Values, photoTokens: string[], rating: RatingInput | null): Promise<RequestDetail> {
  const path = { id: r.id }
  const version = r.version
  const note = v.note?.trim() || undefined
  const reason = v.reason?.trim() ?? ''
  if (spec.kind === 'decide_extension') {
    return unwrap(api.POST('/api/requests/{id}/extensions/{extensionId}/decision', { params: { path: { id: r.id, extensionId: spec.extensionId } }, body: { approve: spec.approve, ...(note ? { note } : {}) } }))
  }
  if (spec.kind === 'decide_appeal') {
    return unwrap(api.POST('/api/requests/{id}/appeals/{appealId}/decision', { params: { path: { id: r.id, appealId: spec.appealId } }, body: { approve: spec.approve, ...(note ? { note } : {}) } }))
  }
  if (spec.kind === 'co_done') {
    return unwrap(api.POST('/api/requests/{id}/co-units/{unitId}/done', { params: { path: { id: r.id, unitId: spec.unitId } }, body: { note: note ?? '' } }))
  }
  switch (spec.action) {
    case 'accept': return unwrap(api.POST('/api/requests/{id}/accept', { params: { path }, body: { version, note } }))
    case 'start': return unwrap(api.POST('/api/requests/{id}/start', { params: { path }, body: { version, note } }))
    case 'resume': return unwrap(api.POST('/api/requests/{id}/resume', { params: { path }, body: { version, note } }))
    case 'close': return unwrap(api.POST('/api/requests/{id}/close', { params: { path }, body: { version, note } }))
    case 'remind': return unwrap(api.POST('/api/requests/{id}/remind', { params: { path }, body: { note } }))
    case 'return': return unwrap(api.POST('/api/requests/{id}/return', { params: { path }, body: { version, reason } }))
    case 'pause': return unwrap(api.POST('/api/requests/{id}/pause', { params: { path }, body: { version, reason } }))
    case 'reopen': return unwrap(api.POST('/api/requests/{id}/reopen', { params: { path }, body: { version, reason } }))
    case 'dispatch': return unwrap(api.POST('/api/requests/{id}/dispatch', { params: { path }, body: { version, toUnitId: v.toUnitId ?? 0, note } }))
    case 'transfer': return unwrap(api.POST('/api/requests/{id}/transfer', { params: { path }, body: { version, toUnitId: v.toUnitId ?? 0, reason } }))
    case 'assign': return unwrap(api.POST('/api/requests/{id}/assign', { params: { path }, body: { version, assigneeId: v.assigneeId ?? 0 } }))
    case 'resolve': return unwrap(api.POST('/api/requests/{id}/resolve', { params: { path }, body: { version, note: note ?? '', ...(photoTokens.length ? { photoTokens } : {}) } }))
    case 'merge': return unwrap(api.POST('/api/requests/{id}/merge', { params: { path }, body: { version, intoId: v.intoId ?? 0 } }))
    case 'add_co_units': return unwrap(api.POST('/api/requests/{id}/co-units', { params: { path }, body: { version, unitIds: v.unitIds ?? [], note } }))
    case 'request_extension': return unwrap(api.POST('/api/requests/{id}/extensions', { params: { path }, body: { version, extra: { amount: v.amount ?? 0, unit: v.unit ?? 'working_days' }, reason } }))
    case 'note': return unwrap(api.POST('/api/requests/{id}/notes', { params: { path }, body: { text: note ?? '', visibility: v.visibility ?? 'internal' } }))
    case 'appeal': return unwrap(api.POST('/api/requests/{id}/appeals', { params: { path }, body: { kind: v.appealKind ?? 'duplicate', reason } }))
    case 'callback': {
      if (!rating) throw new Error('no answers')
      return unwrap(api.POST('/api/requests/{id}/callbacks', { params: { path }, body: rating }))
    }
  }
}

interface Props {
  spec: DialogSpec | null
  request: CaseRef
  onClose: () => void
  onDone: (next: RequestDetail) => void
  /** A refused step; the page shows version conflicts as a banner with a reload button. */
  onError: (error: ApiError) => void
}

export function ActionDialog({ spec, request, onClose, onDone, onError }: Props) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [photoTokens, setPhotoTokens] = useState<string[]>([])
  const [uploading, setUploading] = useState(false)
  const [templates, setTemplates] = useState<Template[]>([])
  const [workers, setWorkers] = useState<Worker[] | null>(null)
  const shape = spec ? shapeOf(spec) : null

  useEffect(() => {
    setError(null)
    setPhotoTokens([])
    form.resetFields()
    if (!spec || !shape) return
    let current = true
    if (shape.template) {
      unwrap(api.GET('/api/request-templates', { params: { query: request.handlerUnitId ? { unitId: request.handlerUnitId } : {} } })).then(
        (list) => current && setTemplates(list),
        () => current && setTemplates([]),
      )
    }
    if (shape.assignee && request.handlerUnitId) {
      setWorkers(null)
      unwrap(api.GET('/api/units/{id}/assignment-policy', { params: { path: { id: request.handlerUnitId } } })).then(
        (policy) => current && setWorkers(policy.workers),
        (err: unknown) => current && (setWorkers([]), setError(errorMessage(err))),
      )
    }
    return () => {
      current = false
    }
    // A new dialog (spec) starts afresh; the case's units are read when it opens.
  }, [spec])

  const title = !spec ? '' : spec.kind === 'step' ? t(actionLabels[spec.action])
    : spec.kind === 'co_done' ? `${t(actionLabels.co_done)} · ${spec.unitName}`
      : `${t(spec.kind === 'decide_extension' ? 'requests.extensions.title' : 'requests.appeals.title')} · ${spec.approve ? t('requests.dialog.approve') : t('requests.dialog.reject')}`

  const submit = async (rating: RatingInput | null = null) => {
    if (!spec) return
    const values = rating ? {} : await form.validateFields()
    setSaving(true)
    setError(null)
    try {
      const next = await send(spec, request, values, photoTokens, rating)
      onDone(next)
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'version_conflict' || err.code === 'request_not_found')) onError(err)
      else setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  const noteLabel = spec?.kind === 'step' && spec.action === 'resolve' ? t('requests.dialog.resolveNote')
    : spec?.kind === 'step' && spec.action === 'note' ? t('requests.dialog.noteText') : t('requests.dialog.note')

  return (
    <Modal
      open={spec !== null}
      title={title}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('common.ok')}
      okButtonProps={{ loading: saving, disabled: uploading, 'data-testid': 'dialog-ok' }}
      footer={shape?.rating ? null : undefined}
      destroyOnHidden
      width={560}
    >
      {shape && (
        <Form<Values> form={form} layout="vertical" initialValues={{ visibility: 'internal', unit: 'working_days', amount: 2, appealKind: 'duplicate' }} data-testid="action-dialog">
          {shape.unit && (
            <Form.Item name="toUnitId" label={t('requests.dialog.toUnit')} rules={[{ required: true, message: t('requests.dialog.unitRequired') }]}>
              <HandoffSelect requestId={request.id} kind={spec?.kind === 'step' && spec.action === 'transfer' ? 'transfer' : 'dispatch'} style={{ width: '100%' }} data-testid="dialog-unit" />
            </Form.Item>
          )}
          {shape.units && (
            <Form.Item name="unitIds" label={t('requests.dialog.coUnits')} rules={[{ required: true, type: 'array', min: 1, message: t('requests.dialog.unitRequired') }]}>
              <HandoffSelect requestId={request.id} kind="co_unit" mode="multiple" style={{ width: '100%' }} data-testid="dialog-units" />
            </Form.Item>
          )}
          {shape.assignee && (
            <Form.Item name="assigneeId" label={t('requests.dialog.assignee')} rules={[{ required: true, message: t('requests.dialog.assigneeRequired') }]}>
              <Select
                loading={workers === null}
                options={(workers ?? []).map((w) => ({ value: w.accountId, label: t('requests.dialog.workerLoad', { name: w.displayName, n: w.openCases }) }))}
                notFoundContent={t('requests.dialog.noWorkers')}
                data-testid="dialog-assignee"
              />
            </Form.Item>
          )}
          {shape.intoId && (
            <Form.Item name="intoId" label={t('requests.dialog.mergeInto')} rules={[{ required: true }]} extra={t('requests.dialog.mergeHint')}>
              <InputNumber min={1} precision={0} style={{ width: 200 }} prefix="#" data-testid="dialog-merge" />
            </Form.Item>
          )}
          {shape.extension && (
            <Form.Item label={t('requests.dialog.extra')} required>
              <Space.Compact>
                <Form.Item name="amount" noStyle rules={[{ required: true }]}>
                  <InputNumber min={0.5} max={10000} step={1} style={{ width: 120 }} data-testid="dialog-amount" />
                </Form.Item>
                <Form.Item name="unit" noStyle>
                  <Select
                    style={{ width: 140 }}
                    options={[
                      { value: 'working_days', label: t('requests.unit.working_days') },
                      { value: 'working_hours', label: t('requests.unit.working_hours') },
                      { value: 'hours', label: t('requests.unit.hours') },
                    ]}
                  />
                </Form.Item>
              </Space.Compact>
            </Form.Item>
          )}
          {shape.appeal && (
            <Form.Item name="appealKind" label={t('requests.dialog.appealKind')} rules={[{ required: true }]}>
              <Radio.Group
                options={[
                  { value: 'malicious', label: t('requests.appeal.malicious') },
                  { value: 'duplicate', label: t('requests.appeal.duplicate') },
                  { value: 'not_our_duty', label: t('requests.appeal.not_our_duty') },
                ]}
              />
            </Form.Item>
          )}
          {shape.reason && (
            <Form.Item name="reason" label={t('requests.dialog.reason')} rules={[{ required: true, whitespace: true, message: t('requests.dialog.reasonRequired') }, { max: 500 }]}>
              <Input.TextArea rows={3} maxLength={500} showCount data-testid="dialog-reason" />
            </Form.Item>
          )}
          {shape.template && templates.length > 0 && (
            <Form.Item label={t('requests.dialog.template')}>
              <Select
                allowClear
                placeholder={t('requests.dialog.templatePlaceholder')}
                options={templates.map((tpl) => ({ value: tpl.id, label: tpl.title }))}
                onChange={(id?: number) => {
                  const tpl = templates.find((x) => x.id === id)
                  if (tpl) form.setFieldValue('note', tpl.body)
                }}
                data-testid="dialog-template"
              />
            </Form.Item>
          )}
          {shape.note !== 'none' && (
            <Form.Item
              name="note"
              label={noteLabel}
              rules={[{ required: shape.note === 'required', whitespace: true, message: t('requests.dialog.noteRequired') }, { max: 2000 }]}
              extra={spec?.kind === 'step' && spec.action === 'resolve' ? t('requests.dialog.resolvePublic') : undefined}
            >
              <Input.TextArea rows={4} maxLength={2000} showCount data-testid="dialog-note" />
            </Form.Item>
          )}
          {shape.visibility && (
            <Form.Item name="visibility" label={t('requests.dialog.visibility')}>
              <Radio.Group options={[{ value: 'internal', label: t('requests.visibility.internal') }, { value: 'public', label: t('requests.visibility.public') }]} />
            </Form.Item>
          )}
          {shape.photos && (
            <Form.Item label={t('requests.dialog.photos')}>
              <PhotoPicker onChange={setPhotoTokens} onBusyChange={setUploading} />
            </Form.Item>
          )}
          {shape.rating && (
            <>
              <Typography.Paragraph type="secondary">{t('requests.dialog.callbackIntro')}</Typography.Paragraph>
              <RatingForm onSubmit={(answer) => submit(answer)} submitLabel={t('requests.dialog.callbackSave')} reopenHint={t('requests.dialog.callbackReopen')} />
            </>
          )}
          {error && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} data-testid="dialog-error" />}
        </Form>
      )}
    </Modal>
  )
}
