import type { Config } from '../config.js'
import { migrateToLatest } from '../db/migrate.js'
import { loadPiiKey, PiiCipher } from '../lib/pii.js'
import { ensureFirstAdmin } from '../modules/accounts/service.js'
import { openDatabase } from '../server/start.js'
import { DEFAULT_SEED, DemoExistsError, demoScales, type DemoScale } from './generate.js'
import { describeRun, runDemo } from './seed.js'

export const DEMO_USAGE = `chorus demo [--scale small|full] [--seed N] [--password P] [--no-requests]
  Builds the demo county 东阿县 into the configured database (DATABASE_URL or CHORUS_DATA_DIR), with
  progress per phase. small (default) takes seconds; full builds about 400,000 residents.
  The same seed builds the same county. Refuses when the county already exists: use an empty database.`

function flag(args: string[], name: string): string | null {
  const i = args.indexOf(`--${name}`)
  if (i >= 0) return args[i + 1] ?? ''
  const inline = args.find((a) => a.startsWith(`--${name}=`))
  return inline ? inline.slice(name.length + 3) : null
}

/** `chorus demo`: returns the exit code. */
export async function demoCli(args: string[], config: Config): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(DEMO_USAGE)
    return 0
  }
  const scale = (flag(args, 'scale') ?? 'small') as DemoScale
  if (!demoScales.includes(scale)) {
    console.error(`--scale must be one of ${demoScales.join(', ')}\n\n${DEMO_USAGE}`)
    return 2
  }
  const seedText = flag(args, 'seed')
  const seed = seedText === null ? DEFAULT_SEED : Number(seedText)
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    console.error(`--seed must be a whole number from 0 to 4294967295\n\n${DEMO_USAGE}`)
    return 2
  }
  const password = flag(args, 'password') ?? config.demoPassword
  const handle = openDatabase(config)
  try {
    await migrateToLatest(handle)
    // A database that starts here still gets its deployment administrator (the demo accounts are county-wide only).
    const admin = await ensureFirstAdmin(handle.db, config.adminPassword)
    if (admin.generatedPassword) console.log(`\n  管理员账号 admin 已创建 / administrator "admin" created, password: ${admin.generatedPassword}`)
    const pii = new PiiCipher(loadPiiKey(process.env, config.dataDir, (m) => console.warn(m)))
    console.log(`\n  生成演示县 东阿县 / generating the demo county: scale ${scale}, seed ${seed}`)
    const run = await runDemo(handle.db, pii, { scale, seed, password: password || null, requests: !args.includes('--no-requests') })
    if (!run) return 1
    console.log(describeRun(run))
    return 0
  } catch (err) {
    if (err instanceof DemoExistsError) {
      console.error(`  ${err.message}. 请使用空数据库 / use an empty database (another CHORUS_DATA_DIR or DATABASE_URL).`)
      return 1
    }
    throw err
  } finally {
    await handle.close()
  }
}
