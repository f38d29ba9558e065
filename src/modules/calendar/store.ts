import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { CalendarPeriodTable, WorkCalendarTable } from '../../db/tables/catalog.js'

export const DEFAULT_CODE = 'default'
export const countyCode = (countyUnitId: number): string => `county-${countyUnitId}`

export type CalendarRow = NonNullable<Awaited<ReturnType<typeof findCalendarByCode>>>

export const findCalendarByCode = (db: Db, code: string) =>
  db.selectFrom('work_calendar').selectAll().where('code', '=', code).executeTakeFirst()

/** The calendars that could apply (the county's own, the default): just ids and revisions, for the cache check. */
export const findCalendarHeads = (db: Db, codes: string[]) =>
  db.selectFrom('work_calendar').select(['id', 'code', 'revision']).where('code', 'in', codes).execute()

export const findCalendarById = (db: Db, id: number) =>
  db.selectFrom('work_calendar').selectAll().where('id', '=', id).executeTakeFirst()

export const listOverrides = (db: Db) =>
  db
    .selectFrom('work_calendar as c')
    .innerJoin('unit as u', 'u.id', 'c.county_unit_id')
    .select(['c.county_unit_id as countyUnitId', 'u.name as countyName'])
    .orderBy('u.name')
    .execute()

export const insertCalendar = (db: Db, row: Insertable<WorkCalendarTable>) =>
  db.insertInto('work_calendar').values(row).returning('id').executeTakeFirstOrThrow()

export const updateCalendar = (db: Db, id: number, patch: Updateable<WorkCalendarTable>) =>
  db.updateTable('work_calendar').set(patch).where('id', '=', id).execute()

export const deleteCalendar = async (db: Db, id: number) => {
  // Explicit child deletes: SQLite enforces ON DELETE CASCADE only with foreign_keys on, and we never rely on it.
  await db.deleteFrom('calendar_period').where('calendar_id', '=', id).execute()
  await db.deleteFrom('calendar_year').where('calendar_id', '=', id).execute()
  await db.deleteFrom('work_calendar').where('id', '=', id).execute()
}

export const listYears = (db: Db, calendarId: number) =>
  db.selectFrom('calendar_year').selectAll().where('calendar_id', '=', calendarId).orderBy('year').execute()

export const listPeriods = (db: Db, calendarId: number) =>
  db.selectFrom('calendar_period').selectAll().where('calendar_id', '=', calendarId).orderBy('start_date').execute()

export async function replaceYear(
  db: Db, calendarId: number, year: number, source: string | null, periods: Omit<Insertable<CalendarPeriodTable>, 'calendar_id' | 'year'>[], now: string,
) {
  await db.deleteFrom('calendar_period').where('calendar_id', '=', calendarId).where('year', '=', year).execute()
  await db.deleteFrom('calendar_year').where('calendar_id', '=', calendarId).where('year', '=', year).execute()
  await db.insertInto('calendar_year').values({ calendar_id: calendarId, year, source, updated_at: now }).execute()
  if (periods.length > 0) {
    await db.insertInto('calendar_period').values(periods.map((p) => ({ ...p, calendar_id: calendarId, year }))).execute()
  }
}

export async function deleteYear(db: Db, calendarId: number, year: number) {
  await db.deleteFrom('calendar_period').where('calendar_id', '=', calendarId).where('year', '=', year).execute()
  const res = await db.deleteFrom('calendar_year').where('calendar_id', '=', calendarId).where('year', '=', year).executeTakeFirst()
  return Number(res.numDeletedRows)
}

/** Copies the years and periods of one calendar to another (a county's calendar starts as the default). */
export async function copyDays(db: Db, fromId: number, toId: number, now: string) {
  const years = await listYears(db, fromId)
  if (years.length > 0) await db.insertInto('calendar_year').values(years.map((y) => ({ calendar_id: toId, year: y.year, source: y.source, updated_at: now }))).execute()
  const periods = await listPeriods(db, fromId)
  if (periods.length > 0) {
    await db
      .insertInto('calendar_period')
      .values(periods.map((p) => ({ calendar_id: toId, year: p.year, kind: p.kind, name: p.name, start_date: p.start_date, end_date: p.end_date })))
      .execute()
  }
}

export const findUnit = (db: Db, id: number) =>
  db.selectFrom('unit').select(['id', 'type', 'name', 'path', 'status']).where('id', '=', id).executeTakeFirst()
