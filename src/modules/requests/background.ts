import type { App } from '../../server/types.js'
import { oncePerTurn, VersionedCache } from '../../lib/versioned-cache.js'
import type { RequestsContext } from './case.js'
import { routeJournaled, type IntakeRuntime } from './intake.js'
import { IntakeJournal } from './journal.js'
import { deliverOutbox } from './notify.js'
import { requestSettings } from './settings.js'
import { defaultHolder, runSweep } from './sweep.js'

/**
 * The request loop's background work for a running server: every CHORUS_SWEEP_SECONDS the
 * deadline sweep (one process at a time, by lease) and the outbox delivery (rows claimed with
 * SKIP LOCKED, so every process may deliver). A run never overlaps the previous one in the same
 * process; closing the app stops the timer and waits for a run in progress.
 */
export function startBackgroundWork(app: App): void {
  const settings = requestSettings(app.config.dataDir)
  if (settings.sweepSeconds === 0) return
  const holder = defaultHolder()
  let running: Promise<void> | null = null
  let stopped = false

  const tick = () => {
    if (running || stopped) return
    running = (async () => {
      try {
        const sweep = await runSweep(app.db, { holder, uploadsDir: settings.uploadsDir, autoCloseDays: settings.autoCloseDays })
        if (sweep.ran && (sweep.responseOverdue || sweep.warned || sweep.overdue || sweep.escalated || sweep.closed)) app.log.info({ sweep }, 'request deadline sweep')
        const delivery = await deliverOutbox(app.db, { webhookUrl: settings.notifyWebhook, holder })
        if (delivery.failed > 0 || delivery.retried > 0) app.log.warn({ delivery }, 'notification gateway delivery problems')
      } catch (err) {
        app.log.error({ err }, 'request background work failed')
      } finally {
        running = null
      }
    })()
  }

  const first = setTimeout(tick, 2_000)
  const timer = setInterval(tick, settings.sweepSeconds * 1000)
  first.unref()
  timer.unref()
  // preClose runs before the database is closed in onClose.
  app.addHook('preClose', async () => {
    stopped = true
    clearTimeout(first)
    clearInterval(timer)
    if (running) await running
  })
}

/**
 * The QR intake's journal for this server (journal.ts): rows another process left pending are adopted
 * when the server is ready and, with background work on, every CHORUS_SWEEP_SECONDS once they are
 * older than the route lag plus a minute; closing the server stops routing (pending rows stay on disk).
 */
export function startIntakeJournal(app: App, ctx: RequestsContext): IntakeRuntime {
  const { settings } = ctx
  const route = async (id: number) => {
    try {
      const outcome = await routeJournaled(ctx, id)
      if (outcome === 'failed' || outcome === 'retry') app.log.error({ journalId: id, outcome }, 'an acknowledged submit could not be routed')
    } catch (err) {
      app.log.error({ err, journalId: id }, 'routing an acknowledged submit failed')
    }
  }
  const lagMs = settings.intakeRouteLagSeconds * 1000
  const journal = new IntakeJournal(app.dbHandle, route, { routeLagMs: lagMs, idleMs: settings.intakeIdleMs, inlineMax: 4, batchMax: 500 })
  let timer: NodeJS.Timeout | null = null
  app.addHook('onReady', async () => {
    // Not fatal to starting: the background adoption (or the next start) picks them up.
    await journal.adopt().catch((err: unknown) => app.log.error({ err }, 'adopting pending submits failed'))
    if (settings.sweepSeconds === 0) return
    timer = setInterval(() => {
      journal.adopt({ submittedBefore: new Date(Date.now() - lagMs - 60_000).toISOString() })
        .catch((err: unknown) => app.log.error({ err }, 'adopting pending submits failed'))
    }, settings.sweepSeconds * 1000)
    timer.unref()
  })
  app.addHook('preClose', async () => {
    if (timer) clearInterval(timer)
    await journal.stop()
  })
  return { journal, dataVersion: oncePerTurn(app.dbHandle.dataVersion), facts: new VersionedCache(2000) }
}
