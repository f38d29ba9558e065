import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import type { Config } from '../config.js'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase, schemaFromUrl } from '../db/connect.js'
import { generatePassword } from '../lib/passwords.js'
import { appVersion } from '../lib/project.js'

const HELP = `chorus ${appVersion()} — 基层党建“大合唱” / grassroots party building and governance

Usage: chorus <command> [options]

  serve                      start the server (migrates, creates the first admin, seeds the demo county)
  migrate                    apply pending database migrations
  create-admin [--username U] [--password P]
                             create or reset a deployment-wide administrator
  backup FILE                consistent online copy of the database to FILE
  restore FILE               replace the database with FILE (stop the server first)
  demo [--scale small|full] [--seed N] [--password P] [--no-requests]
                             build the demo county 东阿县 into the database (refused if it exists)
  open311-key create --name NAME --unit CODE | list [--all] | revoke ID
                             Open311 API keys; a key submits requests only inside its unit
  help                       this text

Environment: PORT (3000), CHORUS_DATA_DIR (./data), DATABASE_URL (postgres://…, else SQLite),
CHORUS_ADMIN_PASSWORD, CHORUS_DEMO (small|full|off), CHORUS_DEMO_PASSWORD, LOG_LEVEL.`

export function option(args: string[], name: string): string | null {
  const i = args.indexOf(`--${name}`)
  if (i >= 0) return args[i + 1] ?? null
  const inline = args.find((a) => a.startsWith(`--${name}=`))
  return inline ? inline.slice(name.length + 3) : null
}

/**
 * Runs one command; returns the exit code, or null when the process should keep running (serve).
 * The server and the modules are imported only by the commands that use them: backup, restore and
 * migrate start in a fraction of the time.
 */
export async function runCli(argv: string[], config: Config): Promise<number | null> {
  const [command, ...args] = argv
  switch (command) {
    case 'serve':
    case undefined: {
      const { startServer } = await import('../server/start.js')
      await startServer(config)
      return null
    }
    case 'migrate': {
      const handle = openDatabase(config)
      try {
        const result = await migrateToLatest(handle)
        const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date')
      } finally {
        await handle.close()
      }
      return 0
    }
    case 'create-admin': {
      const username = option(args, 'username') ?? 'admin'
      const password = option(args, 'password') ?? process.env.CHORUS_ADMIN_PASSWORD ?? generatePassword()
      const { createAdminAccount } = await import('../modules/accounts/service.js')
      const handle = openDatabase(config)
      try {
        await migrateToLatest(handle)
        await createAdminAccount(handle.db, username, '系统管理员', password, false)
      } finally {
        await handle.close()
      }
      console.log(`administrator "${username}" ready, password: ${password}`)
      return 0
    }
    case 'open311-key': {
      const { open311KeyCli } = await import('../modules/open311/cli.js')
      const handle = openDatabase(config)
      try {
        await migrateToLatest(handle)
        return await open311KeyCli(handle.db, args)
      } finally {
        await handle.close()
      }
    }
    case 'demo': {
      const { demoCli } = await import('../demo/cli.js')
      return demoCli(args, config)
    }
    case 'backup':
      return backup(config, args[0])
    case 'restore':
      return restore(config, args[0])
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP)
      return 0
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`)
      return 2
  }
}

async function backup(config: Config, file: string | undefined): Promise<number> {
  if (!file) throw new Error('usage: chorus backup FILE')
  const target = path.resolve(file)
  if (config.databaseUrl) {
    // pg_dump takes a consistent snapshot of a running database; only our schema when DATABASE_URL names one.
    const schema = schemaFromUrl(config.databaseUrl)
    const run = spawnSync('pg_dump', ['--format=custom', `--file=${target}`, ...(schema ? [`--schema=${schema}`] : []), config.databaseUrl], { stdio: 'inherit' })
    if (run.error) throw new Error(`pg_dump is needed to back up PostgreSQL: ${run.error.message}`)
    if (run.status !== 0) return run.status ?? 1
    console.log(`backup written to ${target}`)
    return 0
  }
  const handle = openDatabase(config)
  try {
    // SQLite's online backup API copies a consistent snapshot while the server keeps running.
    await handle.sqlite!.backup(target)
  } finally {
    await handle.close()
  }
  console.log(`backup written to ${target}`)
  return 0
}

async function restore(config: Config, file: string | undefined): Promise<number> {
  if (!file) throw new Error('usage: chorus restore FILE')
  const source = path.resolve(file)
  if (!fs.existsSync(source)) throw new Error(`no such file: ${source}`)
  if (config.databaseUrl) {
    // One transaction: a restore that fails halfway leaves the database as it was.
    const run = spawnSync('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error', `--dbname=${config.databaseUrl}`, source], { stdio: 'inherit' })
    if (run.error) throw new Error(`pg_restore is needed to restore PostgreSQL: ${run.error.message}`)
    if (run.status !== 0) return run.status ?? 1
  } else {
    await restoreSqlite(config, source)
  }
  // A backup from an older version is brought up to date.
  const handle = openDatabase(config)
  try {
    await migrateToLatest(handle)
  } finally {
    await handle.close()
  }
  console.log(`database restored from ${source}`)
  return 0
}

async function restoreSqlite(config: Config, source: string): Promise<void> {
  const SQLite = (await import('better-sqlite3')).default
  const check = new SQLite(source, { readonly: true, fileMustExist: true })
  const ok = check.pragma('integrity_check', { simple: true })
  check.close()
  if (ok !== 'ok') throw new Error(`${source} is not a healthy SQLite database (${String(ok)})`)
  const dbFile = path.join(config.dataDir, 'chorus.db')
  fs.mkdirSync(config.dataDir, { recursive: true })
  for (const suffix of ['-wal', '-shm']) fs.rmSync(dbFile + suffix, { force: true })
  fs.copyFileSync(source, dbFile)
}
