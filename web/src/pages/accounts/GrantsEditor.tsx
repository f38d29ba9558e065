import { Button, Flex, Form, Select } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import type { Role } from '../../api/client'
import { useAuth } from '../../app/auth'
import { ROLES, useI18n } from '../../app/i18n'
import { UnitSelect, type UnitChoice } from '../../components/UnitSelect'

export interface GrantValue {
  role?: Role
  unitId?: UnitChoice
}

/** Form.List of grants (role × unit) for an account; at least one. */
export function GrantsEditor() {
  const { t, roleName } = useI18n()
  const { me } = useAuth()
  // Only someone holding a deployment-wide grant may hand one out; the server checks it again.
  const allowWhole = me?.grants.some((g) => g.unitId === null) ?? false

  return (
    <Form.List
      name="grants"
      rules={[
        {
          validator: (_rule, grants: GrantValue[] | undefined) =>
            grants && grants.length > 0 ? Promise.resolve() : Promise.reject(new Error(t('accounts.grantsRequired'))),
        },
      ]}
    >
      {(fields, { add, remove }, { errors }) => (
        <>
          {fields.map((field) => (
            <Flex key={field.key} gap={8} align="flex-start" wrap>
              <Form.Item name={[field.name, 'role']} rules={[{ required: true, message: t('accounts.roleRequired') }]} style={{ flex: '1 1 160px', marginBottom: 12 }}>
                <Select<Role>
                  placeholder={t('accounts.grantRole')}
                  options={ROLES.map((r) => ({ value: r, label: roleName(r) }))}
                  data-testid="grant-role"
                />
              </Form.Item>
              <Form.Item
                name={[field.name, 'unitId']}
                rules={[
                  {
                    validator: (_rule, value: UnitChoice | undefined) =>
                      value === undefined ? Promise.reject(new Error(t('accounts.unitRequired'))) : Promise.resolve(),
                  },
                ]}
                style={{ flex: '2 1 200px', marginBottom: 12 }}
              >
                <UnitSelect allowWhole={allowWhole} placeholder={t('accounts.grantUnit')} style={{ width: '100%' }} data-testid="grant-unit" />
              </Form.Item>
              <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={t('accounts.removeGrant')} />
            </Flex>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} block>
            {t('accounts.addGrant')}
          </Button>
          <Form.ErrorList errors={errors} />
        </>
      )}
    </Form.List>
  )
}

/** The API's grant input from the form's values (validated to be complete). */
export const toGrantInput = (grants: GrantValue[] = []) =>
  grants.flatMap((g) => (g.role && g.unitId !== undefined ? [{ role: g.role, unitId: g.unitId }] : []))
