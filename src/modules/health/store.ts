import type { Db } from '../../db/connect.js'

export const findFirstCounty = (db: Db) =>
  db.selectFrom('unit').select(['id', 'name', 'code']).where('type', '=', 'county').where('status', '=', 'active').orderBy('id').executeTakeFirst()
