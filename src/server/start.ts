import { loadConfig, type Config } from '../config.js'
import { openDatabase } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { ensureFirstAdmin } from '../modules/accounts/service.js'
import { buildApp } from './app.js'
import type { App } from './types.js'
import { loadPiiKey, PiiCipher } from '../lib/pii.js'
import { seedDemoOnStart } from '../demo/seed.js'
import { startJobRunner, stopJobRunner } from '../modules/jobs/runner.js'
import { startBackgroundWork } from '../modules/requests/background.js'

export { openDatabase }

/** Prepares the database (migrations, first administrator, demo county) and starts listening. */
export async function startServer(config: Config = loadConfig()): Promise<App> {
  const dbHandle = openDatabase(config)
  await migrateToLatest(dbHandle)
  const admin = await ensureFirstAdmin(dbHandle.db, config.adminPassword)
  if (admin.generatedPassword) {
    // Printed once, on the first start of an empty database.
    console.log(`\n  管理员账号 admin 已创建 / administrator "admin" created, password: ${admin.generatedPassword}\n`)
  }
  const pii = new PiiCipher(loadPiiKey(process.env, config.dataDir, (m) => console.warn(m)))
  // An empty database gets the demo county (CHORUS_DEMO=small|full, off to skip), before the first request.
  await seedDemoOnStart(dbHandle.db, pii, config)
  const app = await buildApp({ config, dbHandle, pii, web: true })
  // The running job stops after its current batch (and goes back to the queue) before the database closes.
  app.addHook('preClose', stopJobRunner)
  app.addHook('onClose', async () => {
    await dbHandle.close()
  })
  // Request deadlines (a sweep under a database lease) and notification delivery (the outbox); stops in preClose.
  startBackgroundWork(app)

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: finishing in-flight requests')
    const timer = setTimeout(() => {
      app.log.error('shutdown took too long; exiting')
      process.exit(1)
    }, 15_000)
    timer.unref()
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))

  await app.listen({ port: config.port, host: config.host })
  startJobRunner(app)
  return app
}
