/** Start a transfer of membership (internal, outbound or inbound), and receive or cancel one in transit. */
import { useEffect } from 'react'
import { App, DatePicker, Form, Input, Modal, Radio, Select } from 'antd'
import type { Dayjs } from 'dayjs'
import { api, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { ErrorAlert } from '../units/ErrorAlert'
import { afterShanghaiToday, shanghaiToday } from '../units/meta'
import type { CreateTransferBody, MemberDetail, TransferView } from './meta'
import { OrgSelect, PersonSelect } from './pickers'
import { useSaving } from '../../components/useSaving'

const HOLDING = ['general_branch', 'branch', 'temporary_branch', 'group'] as const
const future = afterShanghaiToday
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined)

interface StartValues {
  direction: CreateTransferBody['direction']
  personId?: number
  toOrgId?: number
  externalOrgName?: string
  stage?: 'probationary' | 'full'
  joinedDate?: Dayjs | null
  fullDate?: Dayjs | null
  issuedDate: Dayjs
  letterNo?: string
  note?: string
}

/** With a member: an internal or outbound transfer of that member. Without: an inbound transfer of a resident. */
export function StartTransferDialog({ open, member, onClose, onDone }: { open: boolean; member: MemberDetail | null; onClose: () => void; onDone: (t: TransferView) => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<StartValues>()
  const direction = Form.useWatch<StartValues['direction'] | undefined>('direction', form) ?? (member ? 'internal' : 'inbound')
  const stage = Form.useWatch<StartValues['stage']>('stage', form)
  const { saving, error, setError, run } = useSaving()

  useEffect(() => {
    if (open) {
      form.resetFields()
      form.setFieldsValue({ direction: member ? 'internal' : 'inbound', issuedDate: shanghaiToday(), stage: 'full' })
      setError(null)
    }
  }, [open, member?.id])

  const submit = (v: StartValues) =>
    run(async () => {
      const body: CreateTransferBody = {
        direction: v.direction,
        issuedDate: v.issuedDate.format('YYYY-MM-DD'),
        letterNo: v.letterNo?.trim() || undefined,
        note: v.note?.trim() || undefined,
      }
      if (member) body.memberId = member.id
      if (v.direction === 'internal' || v.direction === 'inbound') body.toOrgId = v.toOrgId
      if (v.direction !== 'internal') body.externalOrgName = v.externalOrgName?.trim()
      if (v.direction === 'inbound') {
        body.personId = v.personId
        body.stage = v.stage
        body.joinedDate = day(v.joinedDate)
        body.fullDate = v.stage === 'full' ? day(v.fullDate) : undefined
      }
      const created = await unwrap(api.POST('/api/party/transfers', { body }))
      void message.success(t('party.transfer.started'))
      onDone(created)
    })

  return (
    <Modal open={open} title={member ? t('party.transfer.startFor', { name: member.name }) : t('party.transfer.inbound')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} forceRender width={600}>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        {member && (
          <Form.Item name="direction" label={t('party.transfer.direction')}>
            <Radio.Group optionType="button" options={[{ value: 'internal', label: t('party.direction.internal') }, { value: 'outbound', label: t('party.direction.outbound') }]} />
          </Form.Item>
        )}
        {direction === 'inbound' && (
          <>
            <Form.Item name="personId" label={t('party.member.person')} rules={[{ required: true, message: t('party.officers.personRequired') }]}>
              <PersonSelect style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="stage" label={t('party.member.membership')}>
              <Select options={[{ value: 'full', label: t('party.membership.full') }, { value: 'probationary', label: t('party.membership.probationary') }]} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="joinedDate" label={t('party.member.joinedDate')} rules={[{ required: true, message: t('party.step.dateRequired') }]}>
              <DatePicker disabledDate={future} />
            </Form.Item>
            {stage === 'full' && (
              <Form.Item name="fullDate" label={t('party.member.fullDate')}>
                <DatePicker disabledDate={future} />
              </Form.Item>
            )}
          </>
        )}
        {direction !== 'outbound' && (
          <Form.Item name="toOrgId" label={t('party.transfer.toOrg')} rules={[{ required: true, message: t('party.member.orgRequired') }]}>
            <OrgSelect kinds={HOLDING} style={{ width: '100%' }} data-testid="transfer-to-org" />
          </Form.Item>
        )}
        {direction !== 'internal' && (
          <Form.Item
            name="externalOrgName"
            label={direction === 'outbound' ? t('party.transfer.externalTo') : t('party.transfer.externalFrom')}
            rules={[{ required: true, whitespace: true, message: t('party.transfer.externalRequired') }, { max: 200 }]}
          >
            <Input placeholder={t('party.transfer.externalPlaceholder')} />
          </Form.Item>
        )}
        <Form.Item name="issuedDate" label={t('party.transfer.issuedDate')} rules={[{ required: true, message: t('party.step.dateRequired') }]}>
          <DatePicker disabledDate={future} />
        </Form.Item>
        <Form.Item name="letterNo" label={t('party.transfer.letterNo')} rules={[{ max: 50 }]}>
          <Input style={{ maxWidth: 240 }} />
        </Form.Item>
        <Form.Item name="note" label={t('party.step.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** Confirms receipt (with the date) or cancels a transfer in transit. */
export function TransferActionDialog({ transfer, action, onClose, onDone }: {
  transfer: TransferView | null
  action: 'receive' | 'cancel'
  onClose: () => void
  onDone: (t: TransferView) => void
}) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ receivedDate?: Dayjs; note?: string }>()
  const { saving, error, setError, run } = useSaving()

  useEffect(() => {
    if (transfer) {
      form.resetFields()
      form.setFieldsValue({ receivedDate: shanghaiToday() })
      setError(null)
    }
  }, [transfer?.id, action])

  const submit = (v: { receivedDate?: Dayjs; note?: string }) =>
    run(async () => {
      if (!transfer) return
      const done =
        action === 'receive'
          ? await unwrap(api.POST('/api/party/transfers/{id}/receive', { params: { path: { id: transfer.id } }, body: { receivedDate: (v.receivedDate ?? shanghaiToday()).format('YYYY-MM-DD') } }))
          : await unwrap(api.POST('/api/party/transfers/{id}/cancel', { params: { path: { id: transfer.id } }, body: { note: v.note?.trim() || undefined } }))
      void message.success(action === 'receive' ? t('party.transfer.receivedDone') : t('party.transfer.cancelledDone'))
      onDone(done)
    })

  return (
    <Modal
      open={transfer !== null}
      title={action === 'receive' ? t('party.transfer.receive') : t('party.transfer.cancel')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={action === 'receive' ? t('party.transfer.receive') : t('party.transfer.cancel')}
      okButtonProps={{ danger: action === 'cancel' }}
      confirmLoading={saving}
      forceRender
    >
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      {transfer && (
        <p>
          {transfer.name}: {transfer.fromOrgName ?? transfer.externalOrgName ?? '—'} → {transfer.toOrgName ?? transfer.externalOrgName ?? '—'}
        </p>
      )}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        {action === 'receive' ? (
          <Form.Item name="receivedDate" label={t('party.transfer.receivedDate')} rules={[{ required: true, message: t('party.step.dateRequired') }]}>
            <DatePicker disabledDate={future} />
          </Form.Item>
        ) : (
          <Form.Item name="note" label={t('party.transfer.cancelReason')}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  )
}
