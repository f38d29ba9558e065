/**
 * The yardstick: a bare Fastify JSON route on 127.0.0.1, nothing else (no logger, no plugins).
 * `npm run bench` starts it as a child process, like the app, and measures it the same way.
 *
 *   tsx bench/bare-server.ts PORT
 */
import Fastify from 'fastify'

const port = Number(process.argv[2])
const app = Fastify({ logger: false })
app.get('/bare', () => ({ ok: true, service: 'chorus-bench', items: [1, 2, 3] }))
await app.listen({ host: '127.0.0.1', port })
console.log(`bare server listening on ${port}`)
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))
