import { useEffect, useState } from 'react'
import { Alert, Button, Flex, Form, Input, Select, Space, Spin, Table, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { errorMessage } from '../../../api/client'
import { useI18n } from '../../../app/i18n'
import { loadChildren } from '../loaders'
import { checkRule } from '../formRules'
import { UnitTypeTag } from '../meta'
import { restructureOps } from '../restructureApi'
import { UnitPicker } from '../UnitPicker'
import { CommonFields, commonBody, commonInitialValues, Wizard, type CommonValues } from '../Wizard'
import type { SplitBody, UnitNode } from '../types'

interface Part {
  name?: string
  code?: string
  address?: string
}

interface Values extends CommonValues {
  unitId?: number
  parts?: Part[]
}

/** 拆分: a unit becomes several new units of its type; each of its children goes to one of them. */
export function SplitWizard({ initialUnitId }: { initialUnitId: number | null }) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const unitId = Form.useWatch('unitId', { form, preserve: true })
  const parts = Form.useWatch<Part[] | undefined>('parts', { form, preserve: true }) ?? []
  const [children, setChildren] = useState<UnitNode[]>([])
  const [loading, setLoading] = useState(false)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [assignment, setAssignment] = useState<Record<number, number>>({})

  useEffect(() => {
    setAssignment({})
    if (!unitId) {
      setChildren([])
      return
    }
    let current = true
    setLoading(true)
    loadChildren(unitId).then(
      (items) => {
        if (!current) return
        setChildren(items)
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
  }, [unitId])

  const partOptions = parts.map((p, i) => ({ value: i, label: p?.name?.trim() || t('units.split.partN', { n: i + 1 }) }))
  const unassigned = children.filter((c) => assignment[c.id] === undefined)

  const body = (): SplitBody => {
    const v = form.getFieldsValue(true) as Values
    return {
      unitId: v.unitId as number,
      parts: (v.parts ?? []).map((p, i) => ({
        name: (p.name ?? '').trim(),
        code: p.code?.trim() || undefined,
        address: p.address?.trim() || undefined,
        childIds: children.filter((c) => assignment[c.id] === i).map((c) => c.id),
      })),
      ...commonBody(v),
    }
  }

  return (
    <Wizard
      form={form}
      op={restructureOps.split}
      steps={[
        {
          title: t('units.split.step.parts'),
          content: (
            <>
              <Form.Item name="unitId" label={t('units.split.unit')} rules={[{ required: true, message: t('units.wizard.unitRequired') }]}>
                <UnitPicker style={{ width: 360, maxWidth: '100%' }} />
              </Form.Item>
              {loadError && <Alert type="error" showIcon title={loadError} style={{ marginBottom: 16 }} />}
              <Form.List
                name="parts"
                rules={[
                  checkRule((value: Part[] | undefined) => (!value || value.length < 2 ? t('units.split.atLeastTwo') : null)),
                ]}
              >
                {(fields, { add, remove }, { errors }) => (
                  <Flex vertical>
                    {fields.map((field, i) => (
                      <Flex key={field.key} gap={8} wrap align="flex-start">
                        <Typography.Text type="secondary" style={{ width: 28, paddingTop: 5 }}>
                          {i + 1}.
                        </Typography.Text>
                        <Form.Item name={[field.name, 'name']} rules={[{ required: true, whitespace: true, message: t('units.redivide.nameRequired') }, { max: 100 }]} style={{ flex: '1 1 200px' }}>
                          <Input placeholder={t('units.field.name')} />
                        </Form.Item>
                        <Form.Item name={[field.name, 'code']} rules={[{ pattern: /^[0-9A-Za-z-]{1,32}$/, message: t('units.edit.codeRule') }]} style={{ flex: '0 1 180px' }}>
                          <Input placeholder={t('units.field.code')} />
                        </Form.Item>
                        <Form.Item name={[field.name, 'address']} rules={[{ max: 300 }]} style={{ flex: '1 1 200px' }}>
                          <Input placeholder={t('units.field.address')} />
                        </Form.Item>
                        <Button
                          icon={<DeleteOutlined />}
                          aria-label={t('units.split.removePart')}
                          onClick={() => {
                            remove(field.name)
                            setAssignment((a) => Object.fromEntries(Object.entries(a).flatMap(([id, p]) => (p === i ? [] : [[id, p > i ? p - 1 : p]]))))
                          }}
                        />
                      </Flex>
                    ))}
                    <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} style={{ maxWidth: 320 }}>
                      {t('units.split.addPart')}
                    </Button>
                    <Form.ErrorList errors={errors} />
                  </Flex>
                )}
              </Form.List>
            </>
          ),
        },
        {
          title: t('units.split.step.assign'),
          check: () => (unassigned.length ? t('units.redivide.mustAssign', { names: unassigned.map((c) => c.name).join('、') }) : null),
          content: (
            <Spin spinning={loading}>
              <Table<UnitNode>
                size="small"
                rowKey="id"
                dataSource={children}
                pagination={children.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
                scroll={{ x: 'max-content' }}
                locale={{ emptyText: t('units.split.noChildren') }}
                columns={[
                  { title: t('units.field.name'), dataIndex: 'name', render: (name: string, row) => <Space size={4}><UnitTypeTag type={row.type} />{name}</Space> },
                  {
                    title: t('units.split.toPart'),
                    key: 'part',
                    render: (_: unknown, row) => (
                      <Select
                        value={assignment[row.id]}
                        onChange={(p?: number) => setAssignment((a) => {
                          const next = { ...a }
                          if (p === undefined) delete next[row.id]
                          else next[row.id] = p
                          return next
                        })}
                        options={partOptions}
                        allowClear
                        placeholder={t('units.redivide.choose')}
                        style={{ width: 200 }}
                      />
                    ),
                  },
                ]}
              />
              <div style={{ marginTop: 16 }}>
                <CommonFields />
              </div>
            </Spin>
          ),
        },
      ]}
      body={body}
      resultUnitId={(r) => r.createdUnits[0]?.id ?? r.event.anchorUnitId}
      initialValues={{ unitId: initialUnitId ?? undefined, parts: [{}, {}], ...commonInitialValues() }}
    />
  )
}
