/**
 * Starts the real, built server (`node dist/src/cli/index.js serve`) as a child process on a free
 * port, with a fresh data directory (SQLite), no demo data and a known administrator password.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const ADMIN_USERNAME = 'admin'
export const ADMIN_PASSWORD = 'e2e-admin-password-2026'

export interface RunningServer {
  baseUrl: string
  dataDir: string
  /** Everything the server printed, for failure messages. */
  output(): string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function assertBuilt(): void {
  const missing = ['dist/src/cli/index.js', 'dist/web/index.html'].filter((f) => !fs.existsSync(path.join(ROOT, f)))
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`npm run build\` first (\`npm run test:e2e\` does)`)
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`)
    try {
      const res = await fetch(`${baseUrl}/api/health`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`server did not become healthy within ${timeoutMs} ms:\n${output()}`)
}

export async function startServer(): Promise<RunningServer> {
  assertBuilt()
  const port = await freePort()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-e2e-data-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    CHORUS_DATA_DIR: dataDir,
    CHORUS_DEMO: 'off',
    CHORUS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  }
  // SQLite only: a DATABASE_URL from the caller's shell must not leak in.
  delete env.DATABASE_URL
  delete env.CHORUS_WEB_DIR
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/index.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const output = () => log
  const baseUrl = `http://127.0.0.1:${port}`

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  try {
    await waitForHealth(baseUrl, child, output)
  } catch (err) {
    await stop()
    throw err
  }
  return { baseUrl, dataDir, output, stop }
}
