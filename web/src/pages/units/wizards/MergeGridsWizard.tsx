import { useEffect, useState } from 'react'
import { Alert, Checkbox, Empty, Flex, Form, Input, Radio, Select, Spin, Typography } from 'antd'
import { errorMessage } from '../../../api/client'
import { useI18n } from '../../../app/i18n'
import { loadChildren } from '../loaders'
import { restructureOps } from '../restructureApi'
import { UnitPicker } from '../UnitPicker'
import { CommonFields, commonBody, commonInitialValues, Wizard, type CommonValues } from '../Wizard'
import type { MergeGridsBody, UnitNode } from '../types'

interface Values extends CommonValues {
  parentId?: number
  gridIds?: number[]
  mode: 'existing' | 'new'
  targetGridId?: number
  name?: string
  code?: string
}

/** 网格合并: two or more grids of one community (or village) become one. */
export function MergeGridsWizard({ initialUnitId }: { initialUnitId: number | null }) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const parentId = Form.useWatch('parentId', { form, preserve: true })
  const gridIds = Form.useWatch<number[] | undefined>('gridIds', { form, preserve: true }) ?? []
  const mode = Form.useWatch<Values['mode'] | undefined>('mode', { form, preserve: true }) ?? 'existing'
  const [grids, setGrids] = useState<UnitNode[]>([])
  const [loading, setLoading] = useState(false)
  const [loadError, setLoadError] = useState<string | null>(null)

  useEffect(() => {
    if (!parentId) {
      setGrids([])
      return
    }
    let current = true
    setLoading(true)
    loadChildren(parentId, { type: 'grid' }).then(
      (items) => {
        if (!current) return
        setGrids(items)
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
  }, [parentId])

  const body = (): MergeGridsBody => {
    const v = form.getFieldsValue(true) as Values
    const common = commonBody(v)
    if (v.mode === 'new') return { gridIds: v.gridIds ?? [], newGrid: { name: (v.name ?? '').trim(), code: v.code?.trim() || undefined }, ...common }
    return { gridIds: v.gridIds ?? [], targetGridId: v.targetGridId, ...common }
  }

  return (
    <Wizard
      form={form}
      op={restructureOps['merge-grids']}
      steps={[
        {
          title: t('units.mergeGrids.step.grids'),
          content: (
            <>
              <Form.Item name="parentId" label={t('units.mergeGrids.parent')} rules={[{ required: true, message: t('units.wizard.unitRequired') }]}>
                <UnitPicker types={['community', 'village', 'new_village']} onChange={() => form.setFieldsValue({ gridIds: [], targetGridId: undefined })} style={{ width: 360, maxWidth: '100%' }} />
              </Form.Item>
              {loadError && <Alert type="error" showIcon title={loadError} style={{ marginBottom: 16 }} />}
              {parentId && (
                <Spin spinning={loading}>
                  <Form.Item name="gridIds" label={t('units.mergeGrids.grids')} rules={[{ required: true, type: 'array', min: 2, message: t('units.mergeGrids.atLeastTwo') }]}>
                    {grids.length ? (
                      <Checkbox.Group>
                        <Flex wrap gap={8}>
                          {grids.map((g) => (
                            <Checkbox key={g.id} value={g.id} style={{ minWidth: 160 }}>
                              {g.name}
                              {g.code && <Typography.Text type="secondary" style={{ fontSize: 12 }}> {g.code}</Typography.Text>}
                            </Checkbox>
                          ))}
                        </Flex>
                      </Checkbox.Group>
                    ) : (
                      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={loading ? t('app.loading') : t('units.mergeGrids.noGrids')} />
                    )}
                  </Form.Item>
                </Spin>
              )}
            </>
          ),
        },
        {
          title: t('units.mergeGrids.step.target'),
          content: (
            <>
              <Form.Item name="mode" label={t('units.mergeGrids.mode')}>
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: 'existing', label: t('units.mergeGrids.modeExisting') },
                    { value: 'new', label: t('units.mergeGrids.modeNew') },
                  ]}
                />
              </Form.Item>
              {mode === 'existing' ? (
                <Form.Item name="targetGridId" label={t('units.mergeGrids.target')} rules={[{ required: true, message: t('units.mergeGrids.targetRequired') }]}>
                  <Select options={grids.filter((g) => gridIds.includes(g.id)).map((g) => ({ value: g.id, label: g.name }))} style={{ maxWidth: 360 }} />
                </Form.Item>
              ) : (
                <>
                  <Form.Item name="name" label={t('units.mergeGrids.newName')} rules={[{ required: true, whitespace: true, message: t('units.redivide.nameRequired') }, { max: 100 }]}>
                    <Input style={{ maxWidth: 360 }} />
                  </Form.Item>
                  <Form.Item name="code" label={t('units.field.code')} extra={t('units.redivide.codePlaceholder')} rules={[{ pattern: /^\d{15}$/, message: t('units.redivide.codeRule') }]}>
                    <Input style={{ maxWidth: 240 }} />
                  </Form.Item>
                </>
              )}
              <CommonFields />
            </>
          ),
        },
      ]}
      body={body}
      resultUnitId={(r) => r.createdUnits[0]?.id ?? (form.getFieldValue('targetGridId') as number | undefined) ?? r.event.anchorUnitId}
      initialValues={{ parentId: initialUnitId ?? undefined, mode: 'existing', ...commonInitialValues() }}
    />
  )
}
