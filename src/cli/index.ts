#!/usr/bin/env node
import { loadConfig } from '../config.js'
import { runCli } from './commands.js'

runCli(process.argv.slice(2), loadConfig()).then(
  (code) => {
    if (code !== null) process.exit(code)
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  },
)
