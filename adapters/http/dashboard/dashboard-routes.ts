/**
 * The live dashboard (DESIGN §4 "Live status", §6: at `/`, Basic auth as admin): one HTML page,
 * a stylesheet and a small script (assets/), no framework. The page reads the configuration
 * through the management API and writes it with its forms; what is live comes as server-sent
 * events from `/dashboard/events`: a whole snapshot (dashboard-snapshot.ts) at once, then again
 * after each change of the core's state or of the configuration, at most every `coalesceMs`.
 *
 * - Every route here needs the admin's Basic credentials (the configuration API's guard covers
 *   `/api/` only); `/healthz`, `/metrics` and avatars stay open.
 * - Pages are sent with a strict Content-Security-Policy (own scripts and styles only, no
 *   framing) and `nosniff`; state-changing requests from other sites are refused by
 *   same-origin-guard.ts.
 * - Open event streams are ended when the server closes, so that closing does not wait for them.
 */
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { AdminAuthenticator, basicChallenge, parseBasicAuthorization } from '../api/admin-auth.js'
import type { AdminCredentialCheck } from '../api/admin-auth.js'
import type { LiveSource } from '../status/live-status.js'
import { dashboardSnapshot } from './dashboard-snapshot.js'

export interface DashboardDeps {
  readonly credentials: AdminCredentialCheck
  readonly live: LiveSource
  /** Called after each change of the core's state; returns the unsubscribe. */
  readonly onLiveChange: (listener: () => void) => () => void
  /** Called after each configuration change; returns the unsubscribe. */
  readonly onConfigChange: (listener: () => void) => () => void
  readonly now?: () => Date
  /** Changes closer together than this go out as one event (default 100 ms). */
  readonly coalesceMs?: number
  /** A comment line keeps idle streams open through proxies (default 20 s). */
  readonly heartbeatMs?: number
}

const asset = (name: string): Buffer => readFileSync(new URL(`./assets/${name}`, import.meta.url))

const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
}

export const dashboardRoutes =
  (deps: DashboardDeps): FastifyPluginAsync =>
  async (app) => {
    const page = asset('index.html')
    const script = asset('dashboard.js')
    const style = asset('dashboard.css')
    const now = deps.now ?? (() => new Date())
    const coalesceMs = deps.coalesceMs ?? 100
    const heartbeatMs = deps.heartbeatMs ?? 20_000
    const authenticator = new AdminAuthenticator(deps.credentials)
    let configRevision = 0
    const streams = new Set<ServerResponse>()
    const unsubscribeConfig = deps.onConfigChange(() => {
      configRevision += 1
    })

    app.addHook('onRequest', async (request, reply) => {
      if (await authenticator.accepts(parseBasicAuthorization(request.headers.authorization))) return undefined
      return reply.code(401).header('www-authenticate', basicChallenge).send({ error: 'authentication required: HTTP Basic as admin' })
    })
    app.addHook('onSend', async (_request, reply, payload) => {
      for (const [name, value] of Object.entries(securityHeaders)) void reply.header(name, value)
      return payload
    })
    app.addHook('preClose', async () => {
      for (const stream of streams) stream.end()
      streams.clear()
    })
    app.addHook('onClose', async () => unsubscribeConfig())

    const send = (reply: FastifyReply, type: string, body: Buffer): FastifyReply => reply.type(type).send(body)
    app.get('/', async (_request, reply) => send(reply, 'text/html; charset=utf-8', page))
    app.get('/dashboard/dashboard.js', async (_request, reply) => send(reply, 'text/javascript; charset=utf-8', script))
    app.get('/dashboard/dashboard.css', async (_request, reply) => send(reply, 'text/css; charset=utf-8', style))
    app.get('/dashboard/state', async (_request, reply) => reply.send(dashboardSnapshot(deps.live(), configRevision, now())))

    app.get('/dashboard/events', (request, reply) => {
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        ...securityHeaders,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
        // Proxies must not hold events back (nginx buffers otherwise).
        'x-accel-buffering': 'no',
      })
      streams.add(raw)
      let pending: NodeJS.Timeout | undefined
      const push = (): void => {
        pending = undefined
        raw.write(`event: snapshot\ndata: ${JSON.stringify(dashboardSnapshot(deps.live(), configRevision, now()))}\n\n`)
      }
      const soon = (): void => {
        pending ??= setTimeout(push, coalesceMs)
      }
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs)
      heartbeat.unref()
      const unsubscribeLive = deps.onLiveChange(soon)
      const unsubscribeConfigChange = deps.onConfigChange(soon)
      raw.write(`retry: 2000\n\n`)
      push()
      const end = (): void => {
        clearInterval(heartbeat)
        if (pending !== undefined) clearTimeout(pending)
        pending = undefined
        unsubscribeLive()
        unsubscribeConfigChange()
        streams.delete(raw)
      }
      request.raw.on('close', end)
      raw.on('close', end)
    })
  }
