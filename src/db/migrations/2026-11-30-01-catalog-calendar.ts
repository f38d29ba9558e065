// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * The working calendar (weekly hours, holidays and adjusted working days per year) and the service
 * catalog (categories, items, routing rules, compound → property company).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPg(db)
  const ts = pg ? 'timestamptz' : 'text'
  const real = pg ? 'double precision' : 'real'
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  // --- working calendar ---
  await db.schema
    .createTable('work_calendar')
    .addColumn('id', 'integer', id)
    .addColumn('code', 'text', (c) => c.notNull().unique()) // default | county-<unit id>
    .addColumn('county_unit_id', 'integer', (c) => c.references('unit.id')) // null: the deployment's default
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('weekly_hours_json', 'text', (c) => c.notNull()) // {"mon":[{"start":"08:30","end":"12:00"}, …], …}
    .addColumn('adjusted_hours_json', 'text', (c) => c.notNull()) // hours of an adjusted working day (调休上班)
    .addColumn('revision', 'text', (c) => c.notNull()) // random, new on every edit: processes cache by it
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('calendar_year')
    .addColumn('calendar_id', 'integer', (c) => c.notNull().references('work_calendar.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('source', 'text') // the notice the schedule comes from
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('calendar_year_pk', ['calendar_id', 'year'])
    .execute()

  await db.schema
    .createTable('calendar_period')
    .addColumn('id', 'integer', id)
    .addColumn('calendar_id', 'integer', (c) => c.notNull().references('work_calendar.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull()) // the schedule (notice) it belongs to
    .addColumn('kind', 'text', (c) => c.notNull()) // holiday | workday
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull()) // YYYY-MM-DD, inclusive
    .addColumn('end_date', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('calendar_period_calendar_idx').on('calendar_period').columns(['calendar_id', 'year', 'start_date']).execute()

  // --- service catalog ---
  await db.schema
    .createTable('service_category')
    .addColumn('id', 'integer', id)
    .addColumn('parent_id', 'integer', (c) => c.references('service_category.id')) // two levels
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active')) // active | archived
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('service_category_parent_idx').on('service_category').column('parent_id').execute()

  await db.schema
    .createTable('service_item')
    .addColumn('id', 'integer', id)
    .addColumn('code', 'text', (c) => c.notNull().unique()) // stable; the Open311 service_code
    .addColumn('category_id', 'integer', (c) => c.notNull().references('service_category.id'))
    .addColumn('unit_id', 'integer', (c) => c.references('unit.id')) // offered in this unit's subtree; null: everywhere
    .addColumn('county_id', 'integer')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner_unit_type', 'text', (c) => c.notNull()) // grid | community | property_company | town | agency | county
    .addColumn('default_unit_id', 'integer', (c) => c.references('unit.id'))
    .addColumn('priority', 'text', (c) => c.notNull()) // emergency | urgent | general | complex
    .addColumn('response_amount', real) // null: the priority's default
    .addColumn('response_unit', 'text') // hours | working_hours | working_days
    .addColumn('resolution_amount', real)
    .addColumn('resolution_unit', 'text')
    .addColumn('materials_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('fee_note', 'text')
    .addColumn('proxy_handling', 'integer', (c) => c.notNull().defaultTo(0)) // 帮办代办
    .addColumn('cross_region', 'integer', (c) => c.notNull().defaultTo(0)) // 跨域通办
    .addColumn('elderly_care', 'integer', (c) => c.notNull().defaultTo(0)) // 爱老助老
    .addColumn('anonymous_allowed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public')) // public | internal
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active')) // active | archived
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('service_item_category_idx').on('service_item').columns(['category_id', 'sort_order']).execute()
  await db.schema.createIndex('service_item_unit_idx').on('service_item').columns(['unit_id', 'status']).execute()

  await db.schema
    .createTable('routing_rule')
    .addColumn('id', 'integer', id)
    .addColumn('location_unit_id', 'integer', (c) => c.notNull().references('unit.id')) // applies in this subtree
    .addColumn('category_id', 'integer', (c) => c.references('service_category.id'))
    .addColumn('item_id', 'integer', (c) => c.references('service_item.id')) // neither: any item
    .addColumn('target_kind', 'text', (c) => c.notNull()) // unit | property_company
    .addColumn('target_unit_id', 'integer', (c) => c.references('unit.id'))
    .addColumn('co_unit_ids_json', 'text', (c) => c.notNull().defaultTo('[]')) // co-handling units (协办)
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('note', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('routing_rule_location_idx').on('routing_rule').columns(['location_unit_id', 'active']).execute()

  await db.schema
    .createTable('compound_property')
    .addColumn('id', 'integer', id)
    .addColumn('compound_unit_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('property_unit_id', 'integer', (c) => c.notNull().references('unit.id')) // an enterprise unit
    .addColumn('since', 'text', (c) => c.notNull()) // YYYY-MM-DD, inclusive
    .addColumn('until', 'text') // exclusive; null: still serving
    .addColumn('note', 'text')
    .addColumn('actor_id', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('compound_property_compound_idx').on('compound_property').columns(['compound_unit_id', 'since']).execute()
  await db.schema.createIndex('compound_property_property_idx').on('compound_property').columns(['property_unit_id', 'until']).execute()

  // --- the default calendar with the official 2025 and 2026 schedules (国务院办公厅) ---
  const now = new Date().toISOString()
  const day = [{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }]
  const [calendar] = await db
    .insertInto('work_calendar')
    .values({
      code: 'default', county_unit_id: null, name: '默认工作日历',
      weekly_hours_json: JSON.stringify({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] }),
      adjusted_hours_json: JSON.stringify(day), revision: `seed-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
      created_at: now, updated_at: now,
    })
    .returning('id')
    .execute()
  const calendarId = (calendar as { id: number }).id
  const schedules: { year: number; source: string; periods: [string, string, string, string][] }[] = [
    {
      year: 2025,
      source: '国务院办公厅关于2025年部分节假日安排的通知(国办发明电〔2024〕12号,2024年11月12日)',
      periods: [
        ['holiday', '元旦', '2025-01-01', '2025-01-01'],
        ['workday', '春节调休上班', '2025-01-26', '2025-01-26'],
        ['holiday', '春节', '2025-01-28', '2025-02-04'],
        ['workday', '春节调休上班', '2025-02-08', '2025-02-08'],
        ['holiday', '清明节', '2025-04-04', '2025-04-06'],
        ['workday', '劳动节调休上班', '2025-04-27', '2025-04-27'],
        ['holiday', '劳动节', '2025-05-01', '2025-05-05'],
        ['holiday', '端午节', '2025-05-31', '2025-06-02'],
        ['workday', '国庆节、中秋节调休上班', '2025-09-28', '2025-09-28'],
        ['holiday', '国庆节、中秋节', '2025-10-01', '2025-10-08'],
        ['workday', '国庆节、中秋节调休上班', '2025-10-11', '2025-10-11'],
      ],
    },
    {
      year: 2026,
      source: '国务院办公厅关于2026年部分节假日安排的通知(2025年11月4日)',
      periods: [
        ['holiday', '元旦', '2026-01-01', '2026-01-03'],
        ['workday', '元旦调休上班', '2026-01-04', '2026-01-04'],
        ['workday', '春节调休上班', '2026-02-14', '2026-02-14'],
        ['holiday', '春节', '2026-02-15', '2026-02-23'],
        ['workday', '春节调休上班', '2026-02-28', '2026-02-28'],
        ['holiday', '清明节', '2026-04-04', '2026-04-06'],
        ['holiday', '劳动节', '2026-05-01', '2026-05-05'],
        ['workday', '劳动节调休上班', '2026-05-09', '2026-05-09'],
        ['holiday', '端午节', '2026-06-19', '2026-06-21'],
        ['workday', '国庆节调休上班', '2026-09-20', '2026-09-20'],
        ['holiday', '中秋节', '2026-09-25', '2026-09-27'],
        ['holiday', '国庆节', '2026-10-01', '2026-10-07'],
        ['workday', '国庆节调休上班', '2026-10-10', '2026-10-10'],
      ],
    },
  ]
  for (const s of schedules) {
    await db.insertInto('calendar_year').values({ calendar_id: calendarId, year: s.year, source: s.source, updated_at: now }).execute()
    await db
      .insertInto('calendar_period')
      .values(s.periods.map(([kind, name, start, end]) => ({ calendar_id: calendarId, year: s.year, kind, name, start_date: start, end_date: end })))
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['compound_property', 'routing_rule', 'service_item', 'service_category', 'calendar_period', 'calendar_year', 'work_calendar']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
