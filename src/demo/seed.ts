import type { Db } from '../db/connect.js'
import type { PiiCipher } from '../lib/pii.js'
import { generatePassword } from '../lib/passwords.js'
import { nowIso } from '../lib/time.js'
import type { DemoAccount } from './accounts.js'
import { COUNTY } from './county.js'
import { DEFAULT_SEED, DemoExistsError, generateDemo, type DemoResult, type DemoScale } from './generate.js'
import { consoleProgress } from './progress.js'
import * as store from './store.js'

/** Held while a generation runs: a second process starting on the same empty database leaves it alone. */
const SEEDING_KEY = 'demo.seeding'

export interface SeedRun {
  result: DemoResult
  password: string
  /** The password was generated here (print it: nobody else knows it). */
  generatedPassword: boolean
}

/**
 * Generates the demo county once per database: claims the database with a setting row (insert or
 * nothing, so of two processes only one proceeds), then generates. Returns null when another
 * generation claimed it first. A claim left by a crashed run stays, and is reported, so nobody
 * builds a second county over half of the first.
 */
export async function runDemo(
  db: Db, pii: PiiCipher,
  options: { scale: DemoScale; seed?: number; password: string | null; log?: (line: string) => void; requests?: boolean },
): Promise<SeedRun | null> {
  const log = options.log ?? ((line: string) => console.log(line))
  if (await store.findUnitByCode(db, COUNTY.code)) throw new DemoExistsError()
  if (!(await store.claimSetting(db, SEEDING_KEY, JSON.stringify({ startedAt: nowIso(), pid: process.pid }), nowIso()))) {
    const claim = await store.readSetting(db, SEEDING_KEY)
    log(`  演示县正由其他进程生成或上次生成未完成 / a demo generation was already started here (${claim ?? '?'}); skipping.`)
    return null
  }
  const password = options.password ?? generatePassword()
  const result = await generateDemo(db, pii, {
    scale: options.scale, seed: options.seed ?? DEFAULT_SEED, password, onProgress: consoleProgress(log), requests: options.requests,
  })
  await store.writeSetting(db, SEEDING_KEY, JSON.stringify({ finishedAt: nowIso(), ms: result.ms }), nowIso())
  return { result, password, generatedPassword: options.password === null }
}

/** `npm start` on an empty database (no units at all): the demo county, unless CHORUS_DEMO=off. */
export async function seedDemoOnStart(
  db: Db, pii: PiiCipher, config: { demo: 'off' | 'small' | 'full'; demoPassword: string | null }, log: (line: string) => void = (l) => console.log(l),
): Promise<SeedRun | null> {
  if (config.demo === 'off') return null
  if ((await store.countUnits(db)) > 0) return null
  log(`\n  生成演示县 东阿县(${config.demo === 'full' ? '完整规模' : '小规模'})/ generating the demo county (${config.demo}); CHORUS_DEMO=off skips this`)
  const run = await runDemo(db, pii, { scale: config.demo, password: config.demoPassword, log })
  if (run) log(describeRun(run))
  return run
}

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - [...text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)))

/** The closing summary: counts, time, and the demo accounts with their password, in Chinese and English. */
export function describeRun(run: SeedRun): string {
  const { result } = run
  const f = result.facts
  const lines = [
    '',
    `  演示县已生成 / demo county ready: ${f.persons.toLocaleString('en-US')} 居民 residents, ${f.households.toLocaleString('en-US')} 户 households, `
      + `${f.partyMembers.toLocaleString('en-US')} 党员 party members (${((f.partyMembers / Math.max(1, f.adults)) * 100).toFixed(1)}% of adults), `
      + `${(f.units.compound ?? 0)} 小区 compounds, ${result.requests.toLocaleString('en-US')} 诉求 requests — ${(result.ms / 1000).toFixed(1)} s (seed ${result.seed}, ${result.scale})`,
    '',
    `  演示账号 demo accounts — 密码 password: ${run.password}${run.generatedPassword ? '  (已生成,仅显示一次 / generated, shown once; set CHORUS_DEMO_PASSWORD to choose it)' : ''}`,
    ...accountLines(result.accounts),
    '',
  ]
  return lines.join('\n')
}

export function accountLines(accounts: DemoAccount[]): string[] {
  return accounts.map((a) => `    ${pad(a.username, 26)}${pad(a.zh, 44)}${a.en}`)
}
