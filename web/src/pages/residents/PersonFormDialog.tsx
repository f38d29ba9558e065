import { useEffect, useState } from 'react'
import { Alert, Checkbox, Col, DatePicker, Form, Input, Modal, Row, Select, Typography } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { api, errorMessage, unwrap, type ApiBody } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { UnitSelect } from '../../components/UnitSelect'
import {
  applyServerErrors, GENDERS, genderKey, PERSON_STATUSES, RELATIONS, relationKey, statusKey, tagName,
  type Gender, type PersonDetail, type PersonStatus, type Relation,
} from './model'
import { usePersonTags } from './usePersonTags'

type CreateBody = ApiBody<'/api/residents', 'post'>
type UpdateBody = ApiBody<'/api/residents/{id}', 'patch'>

interface Values {
  name: string
  gender?: Gender | null
  birthDate?: Dayjs | null
  idNumber?: string
  clearIdNumber?: boolean
  phone?: string
  clearPhone?: boolean
  ethnicity?: string
  unitId?: number | null
  room?: string
  relation?: Relation
  status?: PersonStatus
  tagIds?: number[]
  note?: string
}

const FIELDS = ['name', 'gender', 'birthDate', 'idNumber', 'phone', 'ethnicity', 'unitId', 'room', 'relation', 'status', 'tagIds', 'note', 'householdId']
const ID_SHAPE = /^\d{17}[\dXx]$/
const MOBILE_SHAPE = /^1[3-9]\d{9}$/
const text = (v: string | undefined): string | null => (v && v.trim() ? v.trim() : null)
const day = (v: Dayjs | null | undefined): string | null => (v ? v.format('YYYY-MM-DD') : null)
const sameList = (a: number[], b: number[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join()

export interface HouseholdTarget {
  id: number
  address: string
  hasHead: boolean
}

/**
 * Registers a resident (`person` null) or edits one. Server refusals land on the field they concern
 * (身份证号无效, 出生日期与身份证号不一致, 已有其他居民登记了该身份证号 …) and in a summary above the form.
 * An edit sends only what changed, so a new identity number re-derives the birth date and gender.
 */
export function PersonFormDialog({
  open, person, household, onClose, onSaved,
}: {
  open: boolean
  person: PersonDetail | null
  /** Registering a new member straight into this household (its address is taken). */
  household?: HouseholdTarget | null
  onClose: () => void
  onSaved: (saved: PersonDetail) => void
}) {
  const { t, lang } = useI18n()
  const [form] = Form.useForm<Values>()
  const { tags } = usePersonTags(true)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const editing = person !== null
  const inHousehold = editing ? person.householdId !== null : !!household

  useEffect(() => {
    if (open) setError(null)
  }, [open])

  const initialValues: Partial<Values> = person
    ? {
        name: person.name, gender: person.gender, birthDate: person.birthDate ? dayjs(person.birthDate) : null, ethnicity: person.ethnicity ?? undefined,
        unitId: person.unitId, room: person.room ?? undefined, status: person.status, tagIds: person.tags.map((tag) => tag.id), note: person.note ?? undefined,
      }
    : { relation: household ? (household.hasHead ? 'spouse' : 'head') : undefined, tagIds: [] }

  const toCreate = (v: Values): CreateBody => ({
    name: v.name.trim(), gender: v.gender ?? null, birthDate: day(v.birthDate), idNumber: text(v.idNumber), phone: text(v.phone),
    ethnicity: text(v.ethnicity), room: household ? undefined : text(v.room), tagIds: v.tagIds ?? [], note: text(v.note),
    ...(household ? { householdId: household.id, relation: v.relation ?? 'other' } : { unitId: v.unitId ?? undefined }),
  })

  const toUpdate = (p: PersonDetail, v: Values): UpdateBody => {
    const patch: UpdateBody = {}
    if (v.name.trim() !== p.name) patch.name = v.name.trim()
    if ((v.gender ?? null) !== p.gender) patch.gender = v.gender ?? null
    if (day(v.birthDate) !== p.birthDate) patch.birthDate = day(v.birthDate)
    if (text(v.idNumber)) patch.idNumber = text(v.idNumber)
    else if (v.clearIdNumber) patch.idNumber = null
    if (text(v.phone)) patch.phone = text(v.phone)
    else if (v.clearPhone) patch.phone = null
    if (text(v.ethnicity) !== p.ethnicity) patch.ethnicity = text(v.ethnicity)
    if (!inHousehold && v.unitId && v.unitId !== p.unitId) patch.unitId = v.unitId
    if (!inHousehold && text(v.room) !== p.room) patch.room = text(v.room)
    if (v.status && v.status !== p.status) patch.status = v.status
    if (!sameList(v.tagIds ?? [], p.tags.map((tag) => tag.id))) patch.tagIds = v.tagIds ?? []
    if (text(v.note) !== p.note) patch.note = text(v.note)
    return patch
  }

  const submit = async (values: Values) => {
    setSaving(true)
    setError(null)
    try {
      let saved: PersonDetail
      if (person) {
        const patch = toUpdate(person, values)
        saved = Object.keys(patch).length === 0 ? person : await unwrap(api.PATCH('/api/residents/{id}', { params: { path: { id: person.id } }, body: patch }))
      } else {
        saved = await unwrap(api.POST('/api/residents', { body: toCreate(values) }))
      }
      onSaved(saved)
    } catch (err) {
      applyServerErrors(form, err, t, FIELDS)
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  const tagOptions = tags.filter((tag) => !tag.archived || person?.tags.some((own) => own.id === tag.id)).map((tag) => ({ value: tag.id, label: tagName(tag, lang) }))

  return (
    <Modal
      open={open}
      title={editing ? t('residents.edit.title', { name: person.name }) : t('residents.create.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={saving}
      destroyOnHidden
      width={720}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="person-form-error" />}
      {household && (
        <Alert type="info" showIcon title={t('residents.create.intoHousehold', { address: household.address })} style={{ marginBottom: 16 }} />
      )}
      <Form form={form} layout="vertical" initialValues={initialValues} onFinish={(v) => void submit(v)} requiredMark={false} preserve={false} data-testid="person-form">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('residents.name')} rules={[{ required: true, whitespace: true, message: t('residents.problem.required') }, { max: 50 }]}>
              <Input autoComplete="off" data-testid="person-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="idNumber"
              label={t('residents.idNumber')}
              extra={editing ? (person.idNumberMasked ? t('residents.edit.keepNumber', { masked: person.idNumberMasked }) : t('residents.notRecorded')) : t('residents.create.idHint')}
              rules={[{ pattern: ID_SHAPE, message: t('residents.problem.idShape'), transform: (v: string | undefined) => v?.trim() }]}
            >
              <Input autoComplete="off" maxLength={18} data-testid="person-id-number" />
            </Form.Item>
          </Col>
          {editing && person.idNumberMasked && (
            <Col xs={24} sm={{ span: 12, offset: 12 }} style={{ marginTop: -16 }}>
              <Form.Item name="clearIdNumber" valuePropName="checked">
                <Checkbox>{t('residents.edit.clearIdNumber')}</Checkbox>
              </Form.Item>
            </Col>
          )}
          <Col xs={12} sm={6}>
            <Form.Item name="gender" label={t('residents.gender')}>
              <Select allowClear options={GENDERS.map((g) => ({ value: g, label: t(genderKey(g)) }))} data-testid="person-gender" />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item name="birthDate" label={t('residents.birthDate')}>
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs())} data-testid="person-birth-date" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="phone"
              label={t('residents.phone')}
              extra={editing && person.phoneMasked ? t('residents.edit.keepNumber', { masked: person.phoneMasked }) : undefined}
              rules={[{ pattern: MOBILE_SHAPE, message: t('residents.problem.invalid_mobile'), transform: (v: string | undefined) => v?.replace(/[\s-]/g, '') }]}
            >
              <Input autoComplete="off" maxLength={20} inputMode="tel" data-testid="person-phone" />
            </Form.Item>
          </Col>
          {editing && person.phoneMasked && (
            <Col xs={24} sm={{ span: 12, offset: 12 }} style={{ marginTop: -16 }}>
              <Form.Item name="clearPhone" valuePropName="checked">
                <Checkbox>{t('residents.edit.clearPhone')}</Checkbox>
              </Form.Item>
            </Col>
          )}
          {household ? (
            <Col xs={24} sm={12}>
              <Form.Item name="relation" label={t('residents.relation')} rules={[{ required: true }]}>
                <Select options={RELATIONS.filter((r) => r !== 'head' || !household.hasHead).map((r) => ({ value: r, label: t(relationKey(r)) }))} data-testid="person-relation" />
              </Form.Item>
            </Col>
          ) : inHousehold && person ? (
            <Col xs={24}>
              <Form.Item label={t('residents.address')} extra={t('residents.edit.addressFollowsHousehold')}>
                <Typography.Text>{person.address}</Typography.Text>
              </Form.Item>
            </Col>
          ) : (
            <>
              <Col xs={24} sm={12}>
                <Form.Item name="unitId" label={t('residents.unit')} extra={t('residents.unitHint')} rules={[{ required: true, message: t('residents.unitRequired') }]}>
                  <UnitSelect style={{ width: '100%' }} data-testid="person-unit" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="room" label={t('residents.room')} rules={[{ max: 50 }]}>
                  <Input autoComplete="off" placeholder={t('residents.roomPlaceholder')} data-testid="person-room" />
                </Form.Item>
              </Col>
            </>
          )}
          <Col xs={12} sm={6}>
            <Form.Item name="ethnicity" label={t('residents.ethnicity')} rules={[{ max: 20 }]}>
              <Input autoComplete="off" placeholder={t('residents.ethnicityPlaceholder')} />
            </Form.Item>
          </Col>
          {editing && (
            <Col xs={12} sm={6}>
              <Form.Item name="status" label={t('residents.status')}>
                <Select options={PERSON_STATUSES.map((s) => ({ value: s, label: t(statusKey(s)) }))} data-testid="person-status" />
              </Form.Item>
            </Col>
          )}
          <Col xs={24} sm={editing ? 12 : 18}>
            <Form.Item name="tagIds" label={t('residents.tags')}>
              <Select mode="multiple" allowClear options={tagOptions} optionFilterProp="label" data-testid="person-tags" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="note" label={t('residents.note')} rules={[{ max: 500 }]}>
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  )
}
