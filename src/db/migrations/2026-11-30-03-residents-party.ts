// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/** The care tags every county starts with; the list stays editable through /api/person-tags. */
const defaultTags: [code: string, zh: string, en: string, needsCare: 0 | 1][] = [
  ['living_alone_elderly', '独居老人', 'Elderly living alone', 1],
  ['empty_nest_elderly', '空巢老人', 'Empty-nest elderly', 1],
  ['advanced_age', '高龄老人', 'Aged 80 and over', 1],
  ['disabled', '残疾', 'Disabled', 1],
  ['subsistence_allowance', '低保', 'Minimum living allowance (低保)', 1],
  ['extreme_poverty', '特困', 'Extreme poverty support (特困)', 1],
  ['left_behind_child', '留守儿童', 'Left-behind child', 1],
  ['priority_care', '重点优抚', 'Priority entitled group (重点优抚)', 1],
  ['veteran', '退役军人', 'Veteran', 0],
  ['floating_population', '流动人口', 'Floating population', 0],
]

export async function up(db: Kysely<any>): Promise<void> {
  const ts = isPg(db) ? 'timestamptz' : 'text'

  // Development-pipeline checks kept beside each member, so "有异常" lists filter in SQL:
  // flags from recorded steps, plus a pending step that becomes overdue after a date.
  await db.schema
    .createTable('party_member_check')
    .ifNotExists()
    .addColumn('member_id', 'integer', (c) => c.primaryKey().references('party_member.id').onDelete('cascade'))
    .addColumn('flags', 'text', (c) => c.notNull().defaultTo('')) // ',talk_late,candidate_premature,'
    .addColumn('overdue_flag', 'text') // talk_overdue | full_overdue
    .addColumn('overdue_after', 'text') // YYYY-MM-DD: overdue once today is later than this
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('party_member_check_overdue_idx').ifNotExists().on('party_member_check').column('overdue_after').execute()

  // Seeded idempotently: a tag an administrator already created with the same code is left alone.
  const existing = new Set((await db.selectFrom('person_tag').select('code').execute()).map((r: { code: string }) => r.code))
  const rows = defaultTags
    .map(([code, zh, en, care], i) => ({ code, name_zh: zh, name_en: en, needs_care: care, sort_order: (i + 1) * 10, archived: 0 }))
    .filter((r) => !existing.has(r.code))
  if (rows.length > 0) await db.insertInto('person_tag').values(rows).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('party_member_check').ifExists().execute()
  // Default tags still given to someone stay.
  await db.deleteFrom('person_tag')
    .where('code', 'in', defaultTags.map(([code]) => code))
    .where((eb: any) => eb.not(eb.exists(eb.selectFrom('person_tag_link').select('tag_id').whereRef('person_tag_link.tag_id', '=', 'person_tag.id'))))
    .execute()
}
