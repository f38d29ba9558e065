import type { Db } from '../../db/connect.js'
import { systemActor } from '../access/service.js'
import { createKeyForUnitCode, listKeys, revokeKey } from './service.js'

export const OPEN311_KEY_USAGE = `usage: chorus open311-key create --name NAME --unit CODE   issue a key for the unit's subtree (printed once)
       chorus open311-key list [--all]                        keys in use (--all: revoked ones too)
       chorus open311-key revoke ID                           revoke a key at once`

function option(args: string[], name: string): string | null {
  const i = args.indexOf(`--${name}`)
  if (i >= 0) return args[i + 1] ?? null
  const inline = args.find((a) => a.startsWith(`--${name}=`))
  return inline ? inline.slice(name.length + 3) : null
}

/** `chorus open311-key …` on an open, migrated database. Writes are audited as the command line (actor "cli"). */
export async function open311KeyCli(db: Db, args: string[], print: (line: string) => void = console.log): Promise<number> {
  const [sub, ...rest] = args
  const actor = systemActor('cli')
  switch (sub) {
    case 'create': {
      const name = option(rest, 'name')
      const unit = option(rest, 'unit')
      if (!name?.trim() || !unit?.trim() || name.length > 100) {
        print(OPEN311_KEY_USAGE)
        return 2
      }
      const key = await createKeyForUnitCode(db, actor, name, unit.trim())
      print(`Open311 api_key #${key.id} "${key.name}" for ${key.unitName} (${key.unitCode ?? key.unitId}) and everything under it:`)
      print(key.key)
      print(`Shown once: only its hash is stored. Revoke with: chorus open311-key revoke ${key.id}`)
      return 0
    }
    case 'list': {
      const all = rest.includes('--all')
      const { items, total } = await listKeys(db, actor, { status: all ? 'all' : 'active', page: 1, pageSize: 500 })
      if (items.length === 0) print(all ? 'no Open311 keys' : 'no Open311 keys in use')
      for (const k of items) {
        print([
          `#${k.id}`, k.name, `${k.unitName} (${k.unitCode ?? k.unitId})`, `created ${k.createdAt}`, `last used ${k.lastUsedAt ?? 'never'}`,
          `${k.requestCount} requests`, ...(k.revokedAt ? [`REVOKED ${k.revokedAt}`] : []),
        ].join('  '))
      }
      if (total > items.length) print(`… and ${total - items.length} more (newest first; manage them in the web app)`)
      return 0
    }
    case 'revoke': {
      const id = Number(rest[0])
      if (!Number.isInteger(id) || id < 1) {
        print(OPEN311_KEY_USAGE)
        return 2
      }
      const key = await revokeKey(db, actor, id)
      print(`revoked Open311 api_key #${key.id} "${key.name}" (${key.unitName})`)
      return 0
    }
    default:
      print(OPEN311_KEY_USAGE)
      return 2
  }
}
