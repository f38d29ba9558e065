import { useEffect, useState } from 'react'
import { Alert, Checkbox, Empty, Flex, Form, Input, Radio, Select, Spin, Typography } from 'antd'
import { errorMessage } from '../../../api/client'
import { useI18n } from '../../../app/i18n'
import { loadChildren } from '../loaders'
import { restructureOps } from '../restructureApi'
import { UnitPicker } from '../UnitPicker'
import { CommonFields, commonBody, commonInitialValues, Wizard, type CommonValues } from '../Wizard'
import type { MergeVillagesBody, UnitNode } from '../types'

interface Values extends CommonValues {
  townId?: number
  mode: 'new' | 'existing'
  villageIds?: number[]
  name?: string
  code?: string
  address?: string
  newVillageId?: number
}

/** 村庄合并: villages of a town become grid villages (网格村) of a new village (新村), party branches under its committee. */
export function MergeVillagesWizard({ initialUnitId }: { initialUnitId: number | null }) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const townId = Form.useWatch('townId', { form, preserve: true })
  const mode = Form.useWatch('mode', { form, preserve: true }) ?? 'new'
  const [villages, setVillages] = useState<UnitNode[]>([])
  const [newVillages, setNewVillages] = useState<UnitNode[]>([])
  const [loading, setLoading] = useState(false)
  const [loadError, setLoadError] = useState<string | null>(null)

  useEffect(() => {
    if (!townId) {
      setVillages([])
      setNewVillages([])
      return
    }
    let current = true
    setLoading(true)
    Promise.all([loadChildren(townId, { type: 'village' }), loadChildren(townId, { type: 'new_village' })]).then(
      ([v, nv]) => {
        if (!current) return
        setVillages(v)
        setNewVillages(nv)
        setLoadError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (!current) return
        setLoadError(errorMessage(err))
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
  }, [townId])

  const pickStep = (
    <>
      <Form.Item name="townId" label={t('units.merge.town')} rules={[{ required: true, message: t('units.merge.townRequired') }]}>
        <UnitPicker types={['town', 'subdistrict']} onChange={() => form.setFieldsValue({ villageIds: [], newVillageId: undefined })} data-testid="merge-town" style={{ width: 360, maxWidth: '100%' }} />
      </Form.Item>
      {loadError && <Alert type="error" showIcon title={loadError} style={{ marginBottom: 16 }} />}
      {townId && (
        <Spin spinning={loading}>
          <Form.Item
            name="villageIds"
            label={t('units.merge.villages')}
            extra={t('units.merge.villagesHelp')}
            rules={[{ required: true, type: 'array', min: 1, message: t('units.merge.villagesRequired') }]}
          >
            {villages.length ? (
              <Checkbox.Group data-testid="merge-villages">
                <Flex wrap gap={8}>
                  {villages.map((v) => (
                    <Checkbox key={v.id} value={v.id} style={{ minWidth: 160 }}>
                      {v.name}
                      {v.code && <Typography.Text type="secondary" style={{ fontSize: 12 }}> {v.code}</Typography.Text>}
                    </Checkbox>
                  ))}
                </Flex>
              </Checkbox.Group>
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={loading ? t('app.loading') : t('units.merge.noVillages')} />
            )}
          </Form.Item>
        </Spin>
      )}
    </>
  )

  const targetStep = (
    <>
      <Form.Item name="mode" label={t('units.merge.mode')}>
        <Radio.Group
          optionType="button"
          options={[
            { value: 'new', label: t('units.merge.modeNew') },
            { value: 'existing', label: t('units.merge.modeExisting'), disabled: newVillages.length === 0 },
          ]}
        />
      </Form.Item>
      {mode === 'new' ? (
        <>
          <Form.Item name="name" label={t('units.merge.newName')} rules={[{ required: true, whitespace: true, message: t('units.merge.newNameRequired') }, { max: 100 }]}>
            <Input placeholder={t('units.merge.newNamePlaceholder')} data-testid="merge-new-name" style={{ maxWidth: 360 }} />
          </Form.Item>
          <Form.Item
            name="code"
            label={t('units.field.code')}
            extra={t('units.merge.codeHelp')}
            rules={[{ pattern: /^\d{12}$/, message: t('units.merge.codeRule') }]}
          >
            <Input style={{ maxWidth: 240 }} data-testid="merge-new-code" />
          </Form.Item>
          <Form.Item name="address" label={t('units.field.address')} rules={[{ max: 300 }]}>
            <Input style={{ maxWidth: 480 }} />
          </Form.Item>
        </>
      ) : (
        <Form.Item name="newVillageId" label={t('units.merge.existing')} rules={[{ required: true, message: t('units.merge.existingRequired') }]}>
          <Select options={newVillages.map((v) => ({ value: v.id, label: v.name }))} style={{ maxWidth: 360 }} />
        </Form.Item>
      )}
      <CommonFields />
    </>
  )

  const body = (): MergeVillagesBody => {
    const v = form.getFieldsValue(true) as Values
    const villageIds = v.villageIds ?? []
    if (v.mode === 'existing' && v.newVillageId) return { villageIds, newVillageId: v.newVillageId, ...commonBody(v) }
    return {
      villageIds,
      newVillage: { townId: v.townId as number, name: (v.name ?? '').trim(), code: v.code?.trim() || undefined, address: v.address?.trim() || undefined },
      ...commonBody(v),
    }
  }

  return (
      <Wizard
        form={form}
        op={restructureOps['merge-villages']}
        steps={[
          {
            title: t('units.merge.step.villages'),
            content: pickStep,
            check: () => {
              const ids = (form.getFieldValue('villageIds') as number[] | undefined) ?? []
              return ids.length < 2 && newVillages.length === 0 ? t('units.merge.atLeastTwo') : null
            },
          },
          {
            title: t('units.merge.step.target'),
            content: targetStep,
            check: () => {
              const ids = (form.getFieldValue('villageIds') as number[] | undefined) ?? []
              return mode === 'new' && ids.length < 2 ? t('units.merge.atLeastTwo') : null
            },
          },
        ]}
        body={body}
        resultUnitId={(result) => result.createdUnits.find((c) => c.ref === 'new_village')?.id ?? result.plan.moved[0]?.to.id ?? result.event.anchorUnitId}
        initialValues={{ mode: 'new', townId: initialUnitId ?? undefined, ...commonInitialValues() }}
      />
  )
}
