import { useEffect, useMemo, useState } from 'react'
import { Alert, Button, Checkbox, Flex, Form, Input, InputNumber, Select, Space, Spin, Table, Tag, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { errorMessage } from '../../../api/client'
import { useI18n } from '../../../app/i18n'
import { loadChildren } from '../loaders'
import { checkRule } from '../formRules'
import { UnitTypeTag } from '../meta'
import { restructureOps } from '../restructureApi'
import { UnitPicker } from '../UnitPicker'
import { CommonFields, commonBody, commonInitialValues, Wizard, type CommonValues } from '../Wizard'
import type { RedivideGridsBody, UnitNode, UnitType } from '../types'

interface GridSpec {
  name?: string
  code?: string
}

interface Values extends CommonValues {
  communityId?: number
  grids?: GridSpec[]
  partyChain?: boolean
}

/** A compound or building to place in a new grid; `required` when its old grid is dissolved. */
interface Assignable {
  id: number
  name: string
  type: UnitType
  fromGrid: string | null
  required: boolean
}

interface OldGrid {
  grid: UnitNode
  children: UnitNode[]
}

/** 网格重新划分: the community's grids are replaced by new ones; every compound and building finds a new grid. */
export function RedivideGridsWizard({ initialUnitId }: { initialUnitId: number | null }) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const communityId = Form.useWatch('communityId', { form, preserve: true })
  const grids = Form.useWatch<GridSpec[] | undefined>('grids', { form, preserve: true })
  const [oldGrids, setOldGrids] = useState<OldGrid[]>([])
  const [loose, setLoose] = useState<UnitNode[]>([])
  const [loading, setLoading] = useState(false)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [assignment, setAssignment] = useState<Record<number, number>>({})
  const [selected, setSelected] = useState<number[]>([])
  const [bulkGrid, setBulkGrid] = useState<number | undefined>(undefined)
  const [gridCount, setGridCount] = useState<number | null>(null)

  useEffect(() => {
    setAssignment({})
    setSelected([])
    if (!communityId) {
      setOldGrids([])
      setLoose([])
      return
    }
    let current = true
    setLoading(true)
    ;(async () => {
      const [gridList, compounds] = await Promise.all([loadChildren(communityId, { type: 'grid' }), loadChildren(communityId, { type: 'compound' })])
      const withChildren = await Promise.all(gridList.map(async (grid) => ({ grid, children: grid.childCount > 0 ? await loadChildren(grid.id) : [] })))
      return { withChildren, compounds }
    })().then(
      ({ withChildren, compounds }) => {
        if (!current) return
        setOldGrids(withChildren)
        setLoose(compounds)
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
  }, [communityId])

  const assignables = useMemo<Assignable[]>(
    () => [
      ...oldGrids.flatMap(({ grid, children }) =>
        children
          .filter((c) => c.type === 'compound' || c.type === 'building')
          .map((c) => ({ id: c.id, name: c.name, type: c.type, fromGrid: grid.name, required: true })),
      ),
      ...loose.map((c) => ({ id: c.id, name: c.name, type: c.type, fromGrid: null, required: false })),
    ],
    [oldGrids, loose],
  )
  // Units under an old grid that are neither compounds nor buildings cannot be re-divided here.
  const blocking = oldGrids.flatMap(({ grid, children }) => children.filter((c) => c.type !== 'compound' && c.type !== 'building').map((c) => `${grid.name} / ${c.name}`))

  const gridNames = (grids ?? []).map((g, i) => g?.name?.trim() || t('units.redivide.gridN', { n: i + 1 }))
  const gridOptions = gridNames.map((name, i) => ({ value: i, label: name }))
  const perGrid = gridNames.map((_, i) => Object.values(assignment).filter((g) => g === i).length)

  const generate = () => {
    const n = gridCount ?? 0
    if (n < 1) return
    const existing = (form.getFieldValue('grids') as GridSpec[] | undefined) ?? []
    const next = Array.from({ length: n }, (_, i) => existing[i] ?? { name: t('units.redivide.defaultName', { n: i + 1 }) })
    form.setFieldsValue({ grids: next })
    setAssignment((a) => Object.fromEntries(Object.entries(a).filter(([, g]) => g < n)))
  }

  const assign = (ids: number[], grid: number | undefined) =>
    setAssignment((a) => {
      const next = { ...a }
      for (const id of ids) {
        if (grid === undefined) delete next[id]
        else next[id] = grid
      }
      return next
    })

  const pickStep = (
    <>
      <Form.Item name="communityId" label={t('units.redivide.community')} rules={[{ required: true, message: t('units.redivide.communityRequired') }]}>
        <UnitPicker types={['community']} data-testid="redivide-community" style={{ width: 360, maxWidth: '100%' }} />
      </Form.Item>
      {loadError && <Alert type="error" showIcon title={loadError} style={{ marginBottom: 16 }} />}
      {communityId && (
        <Spin spinning={loading}>
          <Typography.Paragraph data-testid="redivide-summary">
            {t('units.redivide.summary', { grids: oldGrids.length, units: assignables.length })}
          </Typography.Paragraph>
          <Flex wrap gap={8}>
            {oldGrids.map(({ grid, children }) => (
              <Tag key={grid.id} color="cyan">
                {grid.name} · {children.length}
              </Tag>
            ))}
          </Flex>
        </Spin>
      )}
    </>
  )

  const gridsStep = (
    <>
      <Form.Item label={t('units.redivide.count')} extra={t('units.redivide.countHelp')}>
        <Space.Compact>
          <InputNumber min={1} max={200} value={gridCount} onChange={(v) => setGridCount(v)} data-testid="redivide-count" />
          <Button onClick={generate} data-testid="redivide-generate">
            {t('units.redivide.generate')}
          </Button>
        </Space.Compact>
      </Form.Item>
      <Form.List
        name="grids"
        rules={[
          checkRule((value: GridSpec[] | undefined) => (!value || value.length < 1 ? t('units.redivide.gridsRequired') : null)),
        ]}
      >
        {(fields, { add, remove }, { errors }) => (
          <Flex vertical gap={0}>
            {fields.map((field, i) => (
              <Flex key={field.key} gap={8} align="flex-start" wrap>
                <Typography.Text type="secondary" style={{ width: 28, paddingTop: 5 }}>
                  {i + 1}.
                </Typography.Text>
                <Form.Item name={[field.name, 'name']} rules={[{ required: true, whitespace: true, message: t('units.redivide.nameRequired') }, { max: 100 }]} style={{ flex: '1 1 220px' }}>
                  <Input placeholder={t('units.field.name')} data-testid={`grid-name-${i}`} />
                </Form.Item>
                <Form.Item name={[field.name, 'code']} rules={[{ pattern: /^\d{15}$/, message: t('units.redivide.codeRule') }]} style={{ flex: '0 1 200px' }}>
                  <Input placeholder={t('units.redivide.codePlaceholder')} />
                </Form.Item>
                <Button
                  icon={<DeleteOutlined />}
                  aria-label={t('units.redivide.removeGrid')}
                  onClick={() => {
                    remove(field.name)
                    // Assignments follow the grids that stay.
                    setAssignment((a) => Object.fromEntries(Object.entries(a).flatMap(([id, g]) => (g === i ? [] : [[id, g > i ? g - 1 : g]]))))
                  }}
                />
              </Flex>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: t('units.redivide.defaultName', { n: fields.length + 1 }) })} style={{ maxWidth: 320 }}>
              {t('units.redivide.addGrid')}
            </Button>
            <Form.ErrorList errors={errors} />
          </Flex>
        )}
      </Form.List>
    </>
  )

  const unassignedRequired = assignables.filter((a) => a.required && assignment[a.id] === undefined)
  const assignStep = (
    <>
      {blocking.length > 0 && <Alert type="warning" showIcon title={t('units.redivide.blocking', { names: blocking.join('、') })} style={{ marginBottom: 12 }} />}
      <Flex wrap gap={8} align="center" style={{ marginBottom: 12 }}>
        <Typography.Text>{t('units.redivide.selected', { n: selected.length })}</Typography.Text>
        <Select
          placeholder={t('units.redivide.bulkPlaceholder')}
          options={gridOptions}
          value={bulkGrid}
          onChange={setBulkGrid}
          style={{ width: 200 }}
          data-testid="bulk-grid"
        />
        <Button
          disabled={bulkGrid === undefined || selected.length === 0}
          onClick={() => {
            assign(selected, bulkGrid)
            setSelected([])
          }}
          data-testid="bulk-assign"
        >
          {t('units.redivide.bulkAssign')}
        </Button>
      </Flex>
      <Flex wrap gap={6} style={{ marginBottom: 12 }} data-testid="per-grid-counts">
        {gridNames.map((name, i) => (
          <Tag key={i} color={perGrid[i] ? 'blue' : 'default'}>
            {name}: {perGrid[i]}
          </Tag>
        ))}
        <Tag color={unassignedRequired.length ? 'red' : 'green'}>{t('units.redivide.unassigned', { n: unassignedRequired.length })}</Tag>
      </Flex>
      <Table<Assignable>
        size="small"
        rowKey="id"
        dataSource={assignables}
        pagination={assignables.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        scroll={{ x: 'max-content' }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(Number)) }}
        data-testid="assign-table"
        columns={[
          { title: t('units.field.name'), dataIndex: 'name', render: (name: string, row) => <Space size={4}><UnitTypeTag type={row.type} />{name}</Space> },
          {
            title: t('units.redivide.fromGrid'),
            dataIndex: 'fromGrid',
            render: (v: string | null) => v ?? <Typography.Text type="secondary">{t('units.redivide.directly')}</Typography.Text>,
          },
          {
            title: t('units.redivide.toGrid'),
            key: 'to',
            render: (_: unknown, row) => (
              <Select
                value={assignment[row.id]}
                onChange={(g?: number) => assign([row.id], g)}
                options={gridOptions}
                placeholder={row.required ? t('units.redivide.choose') : t('units.redivide.keep')}
                status={row.required && assignment[row.id] === undefined ? 'warning' : undefined}
                allowClear
                style={{ width: 200 }}
                data-testid={`assign-${row.id}`}
              />
            ),
          },
        ]}
      />
      <Form.Item name="partyChain" valuePropName="checked" style={{ marginTop: 16 }} extra={t('units.redivide.partyChainHelp')}>
        <Checkbox data-testid="redivide-party-chain">{t('units.redivide.partyChain')}</Checkbox>
      </Form.Item>
      <CommonFields />
    </>
  )

  const body = (): RedivideGridsBody => {
    const v = form.getFieldsValue(true) as Values
    const specs = v.grids ?? []
    return {
      communityId: v.communityId as number,
      grids: specs.map((g, i) => {
        const ids = assignables.filter((a) => assignment[a.id] === i)
        return {
          name: (g.name ?? '').trim(),
          code: g.code?.trim() || undefined,
          compoundIds: ids.filter((a) => a.type === 'compound').map((a) => a.id),
          buildingIds: ids.filter((a) => a.type === 'building').map((a) => a.id),
        }
      }),
      partyChain: v.partyChain ?? false,
      ...commonBody(v),
    }
  }

  return (
    <Wizard
      form={form}
      op={restructureOps['redivide-grids']}
      steps={[
        { title: t('units.redivide.step.community'), content: pickStep, check: () => (loading ? t('app.loading') : null) },
        { title: t('units.redivide.step.grids'), content: gridsStep },
        {
          title: t('units.redivide.step.assign'),
          content: assignStep,
          check: () => (unassignedRequired.length ? t('units.redivide.mustAssign', { names: unassignedRequired.map((a) => a.name).join('、') }) : null),
        },
      ]}
      body={body}
      resultUnitId={(result) => result.event.anchorUnitId}
      initialValues={{ communityId: initialUnitId ?? undefined, grids: [], partyChain: true, ...commonInitialValues() }}
    />
  )
}
