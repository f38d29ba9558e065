import type { App } from '../../server/types.js'
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
