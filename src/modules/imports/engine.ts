/**
 * What every import has in common: the contract an importer (units, residents, members) fulfils,
 * and the records the engine keeps per row. Kept apart from the service so importers can import it.
 */
import type { Db } from '../../db/connect.js'
import type { PiiCipher } from '../../lib/pii.js'
import type { Actor } from '../access/service.js'
import type { ImportSpec, RowCells, RowProblem } from './columns.js'
import type { ImportMode } from './schema.js'

export interface ImportEnv {
  db: Db
  pii: PiiCipher
  actor: Actor
  mode: ImportMode
  targetUnitId: number
  /** Today in Asia/Shanghai, YYYY-MM-DD. */
  today: string
}

export interface RowRecord<V> {
  /** 0-based among data rows. */
  index: number
  /** Row number in the sheet, as Excel shows it. */
  rowNumber: number
  value: V | null
  problems: RowProblem[]
}

/** The batch path found that the database did not return rows in the order they were sent: redo the batch row by row. */
export class BatchOrderMismatch extends Error {
  constructor() { super('rows came back in a different order than sent') }
}

export type Parsed<V> = { value: V; problems?: undefined } | { value?: undefined; problems: RowProblem[] }

export interface Importer<K extends string, V, S> {
  /** The columns, for matching an uploaded header row. */
  spec: ImportSpec<K>
  /** The columns with notes that depend on the data (e.g. the current tag list), for the template. */
  templateSpec?(db: Db): Promise<ImportSpec<K>>
  /** The unit the rows go into: checks the actor's right there and that it can hold this data. */
  checkTarget(env: ImportEnv): Promise<void>
  /** Loads what parsing needs (units under the target, tags, organizations …). */
  prepare(env: ImportEnv): Promise<S>
  /** One row, on its own. */
  parse(cells: RowCells<K>, state: S, env: ImportEnv): Promise<Parsed<V>> | Parsed<V>
  /** Rules across rows (households, duplicates within the file); adds problems to the records. */
  checkAll?(records: RowRecord<V>[], state: S): void
  /**
   * Writes one good row through the owning module's service, inside the engine's transaction (`db` is
   * that transaction: a service called here must open none). A refusal of this row alone is thrown as
   * an AppError; the engine rolls the row's savepoint back, so the row lands whole or not at all.
   */
  writeRow(db: Db, record: RowRecord<V>, state: S, env: ImportEnv): Promise<void>
  /**
   * Optional fast path: writes the good rows of a batch with a few statements and returns how many it
   * wrote; a row it refuses gets its problems set. If it throws, the engine rolls the batch back and
   * writes those rows one by one through writeRow.
   */
  writeBatch?(db: Db, records: RowRecord<V>[], state: S, env: ImportEnv): Promise<number>
  /**
   * Optional: for all-or-nothing, finds the rows of a batch the database would refuse without writing
   * them (sets their problems). Without it the engine writes the batch and rolls it back, which is
   * right only when no later batch depends on what this one wrote.
   */
  checkBatch?(db: Db, records: RowRecord<V>[], state: S, env: ImportEnv): Promise<void>
  /** Forgets ids written in a transaction that was rolled back (the all-or-nothing check runs rolled-back batches). */
  resetWrites?(state: S): void
  /** The problems to report for a row the owning service refused. */
  problemsOf(error: { code: string; details: unknown; zh: string }, record: RowRecord<V>): RowProblem[]
  /** State that must survive a restart between batches (e.g. households still receiving members). */
  snapshot?(state: S, nextIndex: number, records: RowRecord<V>[]): unknown
  restore?(state: S, snapshot: unknown): void
  /** Counts for the outcome (e.g. households created). */
  summary(state: S): Record<string, number>
}
