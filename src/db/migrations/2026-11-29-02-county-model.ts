// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, sql, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPg(db)
  const ts = pg ? 'timestamptz' : 'text'
  const pathType = pg ? sql`text collate "C"` : sql`text`
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  // --- restructuring: events with an effective date, and lineage predecessor → successor ---
  await db.schema
    .createTable('restructure_event')
    .addColumn('id', 'integer', id)
    .addColumn('county_id', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull()) // merge_villages | redivide_grids | merge_grids | move | rename | archive | split
    .addColumn('effective_date', 'text', (c) => c.notNull()) // YYYY-MM-DD, Asia/Shanghai
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('summary_json', 'text') // what moved: counts of compounds, households, people, organizations, members
    .addColumn('actor_id', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('restructure_event_county_idx').on('restructure_event').columns(['county_id', 'effective_date']).execute()

  await db.schema
    .createTable('unit_lineage')
    .addColumn('id', 'integer', id)
    .addColumn('event_id', 'integer', (c) => c.notNull().references('restructure_event.id'))
    .addColumn('predecessor_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('successor_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('relation', 'text', (c) => c.notNull()) // merged_into | became_grid_of | redivided_into | renamed | moved
    .addColumn('effective_date', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('unit_lineage_pred_idx').on('unit_lineage').column('predecessor_id').execute()
  await db.schema.createIndex('unit_lineage_succ_idx').on('unit_lineage').column('successor_id').execute()

  // --- people ---
  await db.schema
    .createTable('person_tag')
    .addColumn('id', 'integer', id)
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('needs_care', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('household')
    .addColumn('id', 'integer', id)
    .addColumn('county_id', 'integer')
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('unit.id')) // compound, building, grid or village
    .addColumn('room', 'text') // e.g. 3单元502
    .addColumn('head_person_id', 'integer')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('household_unit_idx').on('household').column('unit_id').execute()

  await db.schema
    .createTable('person')
    .addColumn('id', 'integer', id)
    .addColumn('county_id', 'integer')
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('unit.id')) // where they live (deepest known unit)
    .addColumn('household_id', 'integer', (c) => c.references('household.id'))
    .addColumn('relation', 'text') // to the head of household: head | spouse | child | parent | other
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('gender', 'text') // male | female
    .addColumn('birth_date', 'text') // YYYY-MM-DD
    .addColumn('ethnicity', 'text')
    .addColumn('room', 'text')
    // personal information: AES-256-GCM ciphertext, a keyed hash for exact lookup, and the masked form for display
    .addColumn('id_number_enc', 'text')
    .addColumn('id_number_hash', 'text')
    .addColumn('id_number_masked', 'text')
    .addColumn('phone_enc', 'text')
    .addColumn('phone_hash', 'text')
    .addColumn('phone_masked', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active')) // active | moved_out | deceased
    .addColumn('note', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('person_unit_idx').on('person').columns(['unit_id', 'id']).execute()
  await db.schema.createIndex('person_household_idx').on('person').column('household_id').execute()
  await db.schema.createIndex('person_id_hash_idx').on('person').column('id_number_hash').unique().execute()
  await db.schema.createIndex('person_phone_hash_idx').on('person').column('phone_hash').execute()
  await db.schema.createIndex('person_name_idx').on('person').column('name').execute()

  await db.schema
    .createTable('person_tag_link')
    .addColumn('person_id', 'integer', (c) => c.notNull().references('person.id').onDelete('cascade'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('person_tag.id'))
    .addPrimaryKeyConstraint('person_tag_link_pk', ['person_id', 'tag_id'])
    .execute()
  await db.schema.createIndex('person_tag_link_tag_idx').on('person_tag_link').columns(['tag_id', 'person_id']).execute()

  // --- party organizations and members ---
  await db.schema
    .createTable('party_org')
    .addColumn('id', 'integer', id)
    .addColumn('county_id', 'integer')
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('parent_id', 'integer', (c) => c.references('party_org.id'))
    .addColumn('path', pathType, (c) => c.notNull()) // org tree, ids like /3/8/
    .addColumn('kind', 'text', (c) => c.notNull()) // committee | working_committee | general_branch | branch | group | temporary_branch
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('established_date', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('party_org_unit_idx').on('party_org').column('unit_id').execute()
  await db.schema.createIndex('party_org_parent_idx').on('party_org').column('parent_id').execute()
  await db.schema.createIndex('party_org_path_idx').on('party_org').column('path').unique().execute()

  await db.schema
    .createTable('party_org_officer')
    .addColumn('id', 'integer', id)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('party_org.id'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('person.id'))
    .addColumn('role', 'text', (c) => c.notNull()) // secretary | deputy_secretary | committee_member | organizer | group_leader
    .addColumn('since', 'text')
    .addColumn('until', 'text')
    .execute()
  await db.schema.createIndex('party_org_officer_org_idx').on('party_org_officer').column('org_id').execute()

  await db.schema
    .createTable('party_member')
    .addColumn('id', 'integer', id)
    .addColumn('county_id', 'integer')
    .addColumn('person_id', 'integer', (c) => c.notNull().unique().references('person.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('party_org.id'))
    .addColumn('stage', 'text', (c) => c.notNull()) // applicant | activist | candidate | probationary | full
    .addColumn('joined_date', 'text') // admitted as probationary member
    .addColumn('full_date', 'text') // became a full member
    .addColumn('is_representative', 'integer', (c) => c.notNull().defaultTo(0)) // 党代表
    .addColumn('representative_level', 'text') // county | town | …
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active')) // active | transferred_out | deceased | removed
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('party_member_org_idx').on('party_member').columns(['org_id', 'stage']).execute()

  await db.schema
    .createTable('party_member_step')
    .addColumn('id', 'integer', id)
    .addColumn('member_id', 'integer', (c) => c.notNull().references('party_member.id').onDelete('cascade'))
    .addColumn('step', 'text', (c) => c.notNull()) // application | talk | activist | candidate | admission | full
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('sponsors_json', 'text') // names of the two sponsors (入党介绍人) at admission
    .addColumn('note', 'text')
    .addColumn('actor_id', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('party_member_step_member_idx').on('party_member_step').columns(['member_id', 'date']).execute()

  await db.schema
    .createTable('party_transfer')
    .addColumn('id', 'integer', id)
    .addColumn('member_id', 'integer', (c) => c.notNull().references('party_member.id'))
    .addColumn('from_org_id', 'integer', (c) => c.references('party_org.id'))
    .addColumn('to_org_id', 'integer', (c) => c.references('party_org.id'))
    .addColumn('external_org_name', 'text') // outside the county
    .addColumn('direction', 'text', (c) => c.notNull()) // internal | outbound | inbound
    .addColumn('status', 'text', (c) => c.notNull()) // in_transit | received | cancelled
    .addColumn('letter_no', 'text')
    .addColumn('issued_date', 'text', (c) => c.notNull())
    .addColumn('received_date', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('party_transfer_member_idx').on('party_transfer').column('member_id').execute()

  await db.schema
    .createTable('rep_studio')
    .addColumn('id', 'integer', id)
    .addColumn('member_id', 'integer', (c) => c.notNull().references('party_member.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('specialty', 'text') // 专业方向: law, health, …
    .addColumn('reception_hours', 'text') // e.g. 每周三 9:00-11:30
    .addColumn('address', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('rep_studio_unit_idx').on('rep_studio').column('unit_id').execute()

  // --- background jobs: imports and exports with visible progress ---
  await db.schema
    .createTable('job')
    .addColumn('id', 'integer', id)
    .addColumn('kind', 'text', (c) => c.notNull()) // import_residents | import_units | import_members | export_* | demo
    .addColumn('status', 'text', (c) => c.notNull()) // queued | running | done | failed
    .addColumn('options_json', 'text')
    .addColumn('input_file', 'text')
    .addColumn('output_file', 'text') // error report or export
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('succeeded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text')
    .addColumn('unit_id', 'integer')
    .addColumn('actor_id', 'integer')
    .addColumn('holder', 'text') // process holding the lease
    .addColumn('lease_until', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .execute()
  await db.schema.createIndex('job_status_idx').on('job').columns(['status', 'created_at']).execute()
  await db.schema.createIndex('job_actor_idx').on('job').columns(['actor_id', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'job', 'rep_studio', 'party_transfer', 'party_member_step', 'party_member', 'party_org_officer', 'party_org',
    'person_tag_link', 'person', 'household', 'person_tag', 'unit_lineage', 'restructure_event',
  ]) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
