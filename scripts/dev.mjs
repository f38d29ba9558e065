#!/usr/bin/env node
/**
 * `npm run dev`: the API (`tsx watch src/cli/index.ts serve`, restarting on changes) and the Vite
 * dev server for the web app (hot reload, proxying /api and /open311 to the API) in one terminal.
 * Open http://127.0.0.1:5173. Ctrl-C stops both; if either exits, the other is stopped too.
 */
import { spawn } from 'node:child_process'
import console from 'node:console'
import process from 'node:process'
import { setTimeout } from 'node:timers'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name)
const apiPort = process.env.PORT || '3000'

const colors = { api: '\x1b[36m', web: '\x1b[35m' }
const children = new Map()
let stopping = false

function run(name, command, args, env) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['inherit', 'pipe', 'pipe'] })
  const prefix = `${colors[name]}[${name}]\x1b[0m `
  for (const stream of [child.stdout, child.stderr]) {
    let pending = ''
    stream.on('data', (chunk) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) (stream === child.stderr ? process.stderr : process.stdout).write(prefix + line + '\n')
    })
  }
  child.on('exit', (code, signal) => {
    children.delete(name)
    if (!stopping) {
      console.log(`${prefix}exited (${signal ?? code}); stopping the other process`)
      stop(code ?? 1)
    } else if (children.size === 0) process.exit(process.exitCode ?? 0)
  })
  children.set(name, child)
}

function stop(code = 0) {
  if (stopping) return
  stopping = true
  process.exitCode = code
  if (children.size === 0) process.exit(code)
  for (const child of children.values()) child.kill('SIGTERM')
  setTimeout(() => process.exit(code), 5000).unref()
}

process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

run('api', bin('tsx'), ['watch', '--clear-screen=false', 'src/cli/index.ts', 'serve'], { PORT: apiPort })
run('web', bin('vite'), ['--config', 'web/vite.config.ts'], { CHORUS_API_URL: `http://127.0.0.1:${apiPort}` })
