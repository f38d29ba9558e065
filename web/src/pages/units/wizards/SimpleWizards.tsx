/** The one-step operations: move a unit, rename it officially, archive it. */
import { Form, Input } from 'antd'
import { useI18n } from '../../../app/i18n'
import { restructureOps } from '../restructureApi'
import { UnitPicker } from '../UnitPicker'
import { CommonFields, commonBody, commonInitialValues, Wizard, type CommonValues } from '../Wizard'
import type { ArchiveBody, MoveBody, RenameBody } from '../types'

interface MoveValues extends CommonValues {
  unitId?: number
  newParentId?: number
  code?: string
}

export function MoveWizard({ initialUnitId }: { initialUnitId: number | null }) {
  const { t } = useI18n()
  const [form] = Form.useForm<MoveValues>()
  const body = (): MoveBody => {
    const v = form.getFieldsValue(true) as MoveValues
    return { unitId: v.unitId as number, newParentId: v.newParentId as number, code: v.code?.trim() || undefined, ...commonBody(v) }
  }
  return (
    <Wizard
      form={form}
      op={restructureOps.move}
      steps={[
        {
          title: t('units.move.step'),
          content: (
            <>
              <Form.Item name="unitId" label={t('units.move.unit')} rules={[{ required: true, message: t('units.wizard.unitRequired') }]}>
                <UnitPicker data-testid="move-unit" style={{ width: 360, maxWidth: '100%' }} />
              </Form.Item>
              <Form.Item name="newParentId" label={t('units.move.newParent')} rules={[{ required: true, message: t('units.move.newParentRequired') }]}>
                <UnitPicker data-testid="move-parent" style={{ width: 360, maxWidth: '100%' }} />
              </Form.Item>
              <Form.Item name="code" label={t('units.move.code')} extra={t('units.move.codeHelp')} rules={[{ pattern: /^[0-9A-Za-z-]{1,32}$/, message: t('units.edit.codeRule') }]}>
                <Input style={{ maxWidth: 240 }} />
              </Form.Item>
              <CommonFields />
            </>
          ),
        },
      ]}
      body={body}
      resultUnitId={(r) => r.plan.moved[0]?.unit.id ?? r.event.anchorUnitId}
      initialValues={{ unitId: initialUnitId ?? undefined, ...commonInitialValues() }}
    />
  )
}

interface RenameValues extends CommonValues {
  unitId?: number
  name?: string
}

export function RenameWizard({ initialUnitId }: { initialUnitId: number | null }) {
  const { t } = useI18n()
  const [form] = Form.useForm<RenameValues>()
  const body = (): RenameBody => {
    const v = form.getFieldsValue(true) as RenameValues
    return { unitId: v.unitId as number, name: (v.name ?? '').trim(), ...commonBody(v) }
  }
  return (
    <Wizard
      form={form}
      op={restructureOps.rename}
      steps={[
        {
          title: t('units.rename.step'),
          content: (
            <>
              <Form.Item name="unitId" label={t('units.rename.unit')} rules={[{ required: true, message: t('units.wizard.unitRequired') }]}>
                <UnitPicker data-testid="rename-unit" style={{ width: 360, maxWidth: '100%' }} />
              </Form.Item>
              <Form.Item name="name" label={t('units.rename.name')} rules={[{ required: true, whitespace: true, message: t('units.rename.nameRequired') }, { max: 100 }]}>
                <Input style={{ maxWidth: 360 }} data-testid="rename-name" />
              </Form.Item>
              <CommonFields />
            </>
          ),
        },
      ]}
      body={body}
      resultUnitId={(r) => r.event.anchorUnitId}
      initialValues={{ unitId: initialUnitId ?? undefined, ...commonInitialValues() }}
    />
  )
}

interface ArchiveValues extends CommonValues {
  unitId?: number
}

export function ArchiveWizard({ initialUnitId }: { initialUnitId: number | null }) {
  const { t } = useI18n()
  const [form] = Form.useForm<ArchiveValues>()
  const body = (): ArchiveBody => {
    const v = form.getFieldsValue(true) as ArchiveValues
    return { unitId: v.unitId as number, ...commonBody(v) }
  }
  return (
    <Wizard
      form={form}
      op={restructureOps.archive}
      steps={[
        {
          title: t('units.archive.step'),
          content: (
            <>
              <Form.Item name="unitId" label={t('units.archive.unit')} extra={t('units.archive.help')} rules={[{ required: true, message: t('units.wizard.unitRequired') }]}>
                <UnitPicker data-testid="archive-unit" style={{ width: 360, maxWidth: '100%' }} />
              </Form.Item>
              <CommonFields />
            </>
          ),
        },
      ]}
      body={body}
      resultUnitId={(r) => r.event.anchorUnitId}
      initialValues={{ unitId: initialUnitId ?? undefined, ...commonInitialValues() }}
    />
  )
}
