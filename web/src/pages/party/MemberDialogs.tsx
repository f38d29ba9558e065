/** Record the next development step (checked against the pipeline rules before sending), and edit a member's flags. */
import { useEffect, useMemo, useState } from 'react'
import { Alert, App, DatePicker, Flex, Form, Input, Modal, Select, Switch, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { api, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { ErrorAlert } from '../units/ErrorAlert'
import { afterShanghaiToday, shanghaiToday, todayInShanghai } from '../units/meta'
import { checkRule } from '../units/formRules'
import { checkNewStep, nextStepAfter, positionOf, reviewTimeline, type StepRecord } from '../../../../src/modules/party/development-rules'
import { flagMessage, REPRESENTATIVE_LEVELS, steps, type MemberDetail, type RepresentativeLevel, type Step } from './meta'

interface StepValues {
  step: Step
  date?: Dayjs | null
  sponsor1?: string
  sponsor2?: string
  note?: string
}

const factsOf = (m: MemberDetail) => ({ stage: m.stage, joinedDate: m.joinedDate, birthDate: m.birthDate })
const recordedOf = (m: MemberDetail): StepRecord[] => m.timeline.map((s) => ({ step: s.step, date: s.date, sponsors: s.sponsors }))

/** The step that may come next for this member, or null when the pipeline is complete. */
export const nextStepOf = (m: MemberDetail): Step | null => nextStepAfter(positionOf(factsOf(m), recordedOf(m)))

export function AddStepDialog({ member, onClose, onSaved }: { member: MemberDetail | null; onClose: () => void; onSaved: (m: MemberDetail) => void }) {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<StepValues>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const step = Form.useWatch<Step | undefined>('step', form)
  const date = Form.useWatch<Dayjs | null | undefined>('date', form)
  const sponsor1 = Form.useWatch<string | undefined>('sponsor1', form)
  const sponsor2 = Form.useWatch<string | undefined>('sponsor2', form)
  const expected = member ? nextStepOf(member) : null

  useEffect(() => {
    if (member) {
      form.resetFields()
      form.setFieldsValue({ step: expected ?? undefined, date: shanghaiToday() })
      setError(null)
    }
  }, [member?.id, member?.updatedAt])

  const sponsorsOf = (v: { sponsor1?: string; sponsor2?: string }) => [v.sponsor1, v.sponsor2].map((s) => s?.trim() ?? '').filter(Boolean)

  // What the rules will say about this step once recorded: shown before saving, so a flagged date is a choice.
  const foreseen = useMemo(() => {
    if (!member || !step || !date || step !== expected) return []
    const record = { step, date: date.format('YYYY-MM-DD'), sponsors: sponsorsOf({ sponsor1, sponsor2 }) }
    if (checkNewStep(factsOf(member), recordedOf(member), record, todayInShanghai())) return []
    const review = reviewTimeline(factsOf(member), [...recordedOf(member), record], todayInShanghai())
    return review.stepFlags[review.stepFlags.length - 1] ?? []
  }, [member, step, date, sponsor1, sponsor2, expected])

  const submit = async (v: StepValues) => {
    if (!member) return
    setSaving(true)
    setError(null)
    try {
      const saved = await unwrap(
        api.POST('/api/party/members/{id}/steps', {
          params: { path: { id: member.id } },
          body: { step: v.step, date: (v.date as Dayjs).format('YYYY-MM-DD'), sponsors: v.step === 'admission' ? sponsorsOf(v) : undefined, note: v.note?.trim() || undefined },
        }),
      )
      const flagged = saved.timeline[saved.timeline.length - 1]?.flags ?? []
      if (flagged.length) void message.warning(t('party.step.savedFlagged'))
      else void message.success(t('party.step.saved'))
      onSaved(saved)
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal open={member !== null} title={t('party.step.add')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} forceRender width={560}>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item
          name="step"
          label={t('party.step.step')}
          rules={[
            { required: true, message: t('party.step.stepRequired') },
            checkRule((value: Step | undefined) =>
              value && value !== expected ? (expected ? t('party.step.outOfOrder', { step: t(`party.step.${expected}`) }) : t('party.step.complete')) : null,
            ),
          ]}
        >
          <Select options={steps.map((s) => ({ value: s, label: t(`party.step.${s}`) }))} data-testid="step-select" />
        </Form.Item>
        <Form.Item
          name="date"
          label={t('party.step.date')}
          rules={[
            { required: true, message: t('party.step.dateRequired') },
            checkRule((value: Dayjs | null | undefined) => {
              if (!member || !value || !step || step !== expected) return null
              // Only the date is checked here (sponsors have their own fields).
              const refusal = checkNewStep(factsOf(member), recordedOf(member), { step, date: value.format('YYYY-MM-DD'), sponsors: ['a', 'b'] }, todayInShanghai())
              if (refusal?.code !== 'invalid_step_date') return null
              return refusal.problem === 'in_future' ? t('party.step.inFuture') : t('party.step.beforePrevious', { date: refusal.previous ?? '' })
            }),
          ]}
        >
          <DatePicker disabledDate={afterShanghaiToday} data-testid="step-date" />
        </Form.Item>
        {step === 'admission' && (
          <Flex gap={8} wrap>
            <Form.Item name="sponsor1" label={t('party.step.sponsor1')} rules={[{ required: true, whitespace: true, message: t('party.step.sponsorRequired') }, { max: 50 }]} style={{ flex: '1 1 200px' }}>
              <Input data-testid="step-sponsor1" />
            </Form.Item>
            <Form.Item
              name="sponsor2"
              label={t('party.step.sponsor2')}
              dependencies={['sponsor1']}
              rules={[
                { required: true, whitespace: true, message: t('party.step.sponsorRequired') },
                { max: 50 },
                ({ getFieldValue }) =>
                  checkRule((value: string | undefined) =>
                    value?.trim() && value.trim() === (getFieldValue('sponsor1') as string | undefined)?.trim() ? t('party.step.sponsorsDiffer') : null,
                  ),
              ]}
              style={{ flex: '1 1 200px' }}
            >
              <Input data-testid="step-sponsor2" />
            </Form.Item>
          </Flex>
        )}
        <Form.Item name="note" label={t('party.step.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
      {foreseen.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('party.step.willBeFlagged')}
          description={foreseen.map((f) => (
            <div key={f.code}>{flagMessage(f.code, lang)}</div>
          ))}
          data-testid="step-foreseen-flags"
        />
      )}
      {member?.pending && member.pending.step === step && (member.pending.earliest || member.pending.dueBy) && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {member.pending.earliest && t('party.pending.earliest', { date: member.pending.earliest })} {member.pending.dueBy && t('party.pending.dueBy', { date: member.pending.dueBy })}
        </Typography.Paragraph>
      )}
    </Modal>
  )
}

interface EditValues {
  isRepresentative: boolean
  representativeLevel?: RepresentativeLevel | null
  status: 'active' | 'deceased' | 'removed'
}

/** 党代表 flag and level, and the record of death or removal. */
export function EditMemberDialog({ member, onClose, onSaved }: { member: MemberDetail | null; onClose: () => void; onSaved: (m: MemberDetail) => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<EditValues>()
  const representative = Form.useWatch<boolean | undefined>('isRepresentative', form)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (member) {
      form.setFieldsValue({
        isRepresentative: member.isRepresentative,
        representativeLevel: member.representativeLevel,
        status: member.status === 'deceased' || member.status === 'removed' ? member.status : 'active',
      })
      setError(null)
    }
  }, [member, form])

  const submit = async (v: EditValues) => {
    if (!member) return
    setSaving(true)
    setError(null)
    try {
      const body: { isRepresentative?: boolean; representativeLevel?: RepresentativeLevel | null; status?: 'active' | 'deceased' | 'removed' } = {}
      if (v.isRepresentative !== member.isRepresentative) body.isRepresentative = v.isRepresentative
      const level = v.isRepresentative ? (v.representativeLevel ?? null) : null
      if (level !== member.representativeLevel) body.representativeLevel = level
      if (v.status !== 'active' && v.status !== member.status) body.status = v.status
      const saved = Object.keys(body).length ? await unwrap(api.PATCH('/api/party/members/{id}', { params: { path: { id: member.id } }, body })) : member
      void message.success(t('party.saved'))
      onSaved(saved)
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal open={member !== null} title={t('party.member.edit')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} forceRender>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="isRepresentative" label={t('party.member.representative')} valuePropName="checked" extra={t('party.member.representativeHelp')}>
          <Switch data-testid="member-representative" />
        </Form.Item>
        {representative && (
          <Form.Item name="representativeLevel" label={t('party.member.level')}>
            <Select allowClear options={REPRESENTATIVE_LEVELS.map((l) => ({ value: l, label: t(`party.level.${l}`) }))} style={{ width: 200 }} />
          </Form.Item>
        )}
        <Form.Item name="status" label={t('party.member.status')} extra={t('party.member.statusHelp')}>
          <Select
            options={[
              { value: 'active', label: t('party.status.active'), disabled: member?.status !== 'active' },
              { value: 'deceased', label: t('party.status.deceased') },
              { value: 'removed', label: t('party.status.removed') },
            ]}
            style={{ width: 200 }}
          />
        </Form.Item>
      </Form>
    </Modal>
  )
}
