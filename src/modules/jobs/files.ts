import fs from 'node:fs'
import path from 'node:path'
import type { Config } from '../../config.js'
import { randomToken } from '../../lib/tokens.js'

/**
 * Job files (uploaded spreadsheets, error reports, exports) live in CHORUS_DATA_DIR/jobs/. The
 * database keeps only the bare file name, so a stored value can never point outside that folder.
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/

export const jobsDir = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'jobs')

export function jobFilePath(config: Pick<Config, 'dataDir'>, name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..')) throw new Error(`unsafe job file name: ${name}`)
  return path.join(jobsDir(config), name)
}

/** A fresh, unguessable file name in the jobs folder (the folder is created when missing). */
export function newJobFile(config: Pick<Config, 'dataDir'>, prefix: string, ext: string): { name: string; path: string } {
  fs.mkdirSync(jobsDir(config), { recursive: true, mode: 0o700 })
  const name = `${prefix}-${Date.now().toString(36)}-${randomToken(9).replace(/[^A-Za-z0-9]/g, 'x')}.${ext}`
  return { name, path: jobFilePath(config, name) }
}

export async function removeJobFile(config: Pick<Config, 'dataDir'>, name: string | null): Promise<void> {
  if (!name) return
  await fs.promises.rm(jobFilePath(config, name), { force: true })
}
