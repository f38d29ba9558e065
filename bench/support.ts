/** What the benches share: arithmetic on timings, a PostgreSQL schema of their own, and the machine's facts. */
import { execSync } from 'node:child_process'
import crypto from 'node:crypto'
import os from 'node:os'
import pg from 'pg'

export const logger = (prefix: string) => (msg: string) => console.log(`[${prefix} ${new Date().toISOString().slice(11, 19)}] ${msg}`)

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const value = await fn()
  return [value, performance.now() - t0]
}

async function onPostgres(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** A fresh schema `bench_…` in the database at `url`, so a run never touches anything else there. */
export async function createBenchSchema(url: string): Promise<string> {
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`
  await onPostgres(url, `create schema ${schema}`)
  return schema
}

export const dropBenchSchema = (url: string, schema: string) => onPostgres(url, `drop schema ${schema} cascade`)

/** Node, cores, CPU, memory, platform, date and the commit measured. */
export function machineFacts(root: string) {
  const cpus = os.cpus()
  let commit: string | null = null
  try { commit = execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim() } catch { /* not a checkout */ }
  return {
    node: process.version, cores: cpus.length, cpu: cpus[0]?.model ?? null, memory_gb: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`, date: new Date().toISOString(), commit,
  }
}
