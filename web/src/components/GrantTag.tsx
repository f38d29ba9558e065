import { Tag } from 'antd'
import type { Grant } from '../api/client'
import { useI18n } from '../app/i18n'

/** One grant as "role @ unit"; a grant without a unit covers the whole deployment. */
export function GrantTag({ grant }: { grant: Grant }) {
  const { t, roleName } = useI18n()
  const where = grant.unitId === null ? t('home.wholeDeployment') : (grant.unitName ?? `#${grant.unitId}`)
  return (
    <Tag color="red" variant="outlined" style={{ marginInlineEnd: 4, marginBlock: 2 }}>
      {roleName(grant.role)} @ {where}
    </Tag>
  )
}

export function grantText(grant: Grant, roleName: (role: Grant['role']) => string, whole: string): string {
  return `${roleName(grant.role)} @ ${grant.unitId === null ? whole : (grant.unitName ?? `#${grant.unitId}`)}`
}
