import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyPluginAsync } from 'fastify'
import pino from 'pino'
import { createHttpServer } from '../http-server.js'
import type { HttpServer } from '../http-server.js'
import { loadProductLogo } from '../logo/product-logo.js'
import type { LiveSource } from '../status/live-status.js'
import { busyNode } from '../status/testing/busy-node.js'
import { dashboardRoutes } from './dashboard-routes.js'
import type { DashboardSnapshot } from './dashboard-snapshot.js'
import { crossSiteReason, sameOriginGuard } from './same-origin-guard.js'

const admin = { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` }

/** Listeners a test can fire by hand: the runtime's and the store's change notifications. */
const hub = () => {
  const listeners = new Set<() => void>()
  return {
    subscribe: (l: () => void) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    emit: () => {
      for (const l of listeners) l()
    },
    get size() {
      return listeners.size
    },
  }
}

const echo: FastifyPluginAsync = async (app) => {
  app.post('/api/echo', async () => ({ ok: true }))
}

const withDashboard = async (live: LiveSource, use: (server: HttpServer, hubs: { live: ReturnType<typeof hub>; config: ReturnType<typeof hub> }) => Promise<void>): Promise<void> => {
  const liveHub = hub()
  const configHub = hub()
  const server = createHttpServer({
    logger: pino({ level: 'silent' }),
    uptime: () => 1,
    versions: {},
    logo: loadProductLogo(),
    avatars: async () => ({ _tag: 'UnknownConference' }),
    routes: [
      sameOriginGuard,
      echo,
      dashboardRoutes({
        credentials: { verifyAdmin: async (user, password) => user === 'admin' && password === 'pw', credentialVersion: () => 'v1' },
        live,
        onLiveChange: liveHub.subscribe,
        onConfigChange: configHub.subscribe,
        coalesceMs: 20,
      }),
    ],
  })
  try {
    await server.app.ready()
    await use(server, { live: liveHub, config: configHub })
  } finally {
    await server.close()
  }
}

void test('every dashboard route needs the admin; pages come with a strict CSP; the page is labelled HTML', () =>
  withDashboard(
    () => undefined,
    async (server) => {
      for (const url of ['/', '/dashboard/dashboard.js', '/dashboard/dashboard.css', '/dashboard/state', '/dashboard/events']) {
        const refused = await server.app.inject({ method: 'GET', url })
        assert.equal(refused.statusCode, 401, url)
        assert.equal(refused.headers['www-authenticate'], 'Basic realm="parley"')
        const wrong = await server.app.inject({ method: 'GET', url, headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } })
        assert.equal(wrong.statusCode, 401, url)
      }
      const page = await server.app.inject({ method: 'GET', url: '/', headers: admin })
      assert.equal(page.statusCode, 200)
      assert.match(String(page.headers['content-type']), /^text\/html/)
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/)
      assert.equal(page.headers['x-content-type-options'], 'nosniff')
      for (const id of ['vmr-name', 'alias-alias', 'adp-alias', 'rule-match']) assert.match(page.body, new RegExp(`<label for="${id}">`), `${id} has a label`)
      const script = await server.app.inject({ method: 'GET', url: '/dashboard/dashboard.js', headers: admin })
      assert.match(String(script.headers['content-type']), /^text\/javascript/)
      assert.doesNotMatch(script.body, /innerHTML/, 'drawn with textContent only')
    },
  ))

void test('/dashboard/state is the live snapshot: VMRs with watchers, conferences, participants, gateway calls, totals', () => {
  const { live } = busyNode()
  return withDashboard(
    () => live(),
    async (server) => {
      const snapshot = (await server.app.inject({ method: 'GET', url: '/dashboard/state', headers: admin })).json<DashboardSnapshot>()
      assert.equal(snapshot.running, true)
      assert.deepEqual(snapshot.totals, { legs: 5, conferences: 2, participants: 3, gateway_calls: 1, presence_subscriptions: 3 })
      assert.deepEqual(snapshot.vmrs.map((v) => [v.name, v.presence_watchers]), [
        ["Alice's meeting room", 2],
        ["Bob's room", 1],
      ])
      assert.deepEqual(snapshot.gateway_calls.map((p) => p.id).sort(), ['gw', 'gw/out'])
      assert.equal(snapshot.truncated, false)
    },
  )
})

/** Reads server-sent events from a fetch body: each `event:`/`data:` block as it arrives. */
const eventReader = (body: ReadableStream<Uint8Array>) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  return {
    next: async (boundMs = 2_000): Promise<{ event: string; data: string }> => {
      const deadline = Date.now() + boundMs
      for (;;) {
        const end = buffered.indexOf('\n\n')
        if (end >= 0) {
          const block = buffered.slice(0, end)
          buffered = buffered.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) return { event, data }
          continue
        }
        if (Date.now() > deadline) throw new Error('no event in time')
        const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event in time')), boundMs))])
        if (chunk.done) throw new Error('the stream ended')
        buffered += decoder.decode(chunk.value, { stream: true })
      }
    },
    cancel: () => reader.cancel(),
  }
}

void test('events: a snapshot at once, another after a change of the core or of the configuration; closing the server ends the stream', async () => {
  const { node, live } = busyNode()
  await withDashboard(
    () => live(),
    async (server, hubs) => {
      const port = await server.listen('127.0.0.1', 0)
      const response = await fetch(`http://127.0.0.1:${port}/dashboard/events`, { headers: admin })
      assert.equal(response.status, 200)
      assert.match(String(response.headers.get('content-type')), /^text\/event-stream/)
      assert.ok(response.body !== null)
      const events = eventReader(response.body)
      const first = JSON.parse((await events.next()).data) as DashboardSnapshot
      assert.equal(first.totals.participants, 3)
      assert.equal(first.config_revision, 0)

      node.hangUp('bob')
      hubs.live.emit()
      hubs.live.emit()
      const second = JSON.parse((await events.next()).data) as DashboardSnapshot
      assert.equal(second.totals.participants, 2, 'the change is sent; two notifications close together make one event')

      hubs.config.emit()
      const third = JSON.parse((await events.next()).data) as DashboardSnapshot
      assert.equal(third.config_revision, 1)

      const closing = Date.now()
      await server.close()
      assert.ok(Date.now() - closing < 2_000, 'an open stream does not hold the server open')
      await assert.rejects(events.next(500))
      assert.equal(hubs.live.size, 0, 'the stream unsubscribed')
    },
  )
})

void test('state-changing requests a browser marks as cross-site are refused; same-origin ones and non-browser clients pass', () =>
  withDashboard(
    () => undefined,
    async (server) => {
      const post = (headers: Record<string, string>) => server.app.inject({ method: 'POST', url: '/api/echo', headers: { host: 'parley.example.com:8080', ...headers }, payload: {} })
      assert.equal((await post({ origin: 'https://evil.example.net' })).statusCode, 403)
      assert.equal((await post({ origin: 'null' })).statusCode, 403)
      assert.equal((await post({ 'sec-fetch-site': 'cross-site' })).statusCode, 403)
      assert.equal((await post({ referer: 'https://evil.example.net/page' })).statusCode, 403)
      assert.equal((await post({ origin: 'http://parley.example.com:8080', 'sec-fetch-site': 'same-origin' })).statusCode, 200)
      assert.equal((await post({})).statusCode, 200, 'curl and scripts send neither Origin nor Referer')
      assert.equal(crossSiteReason('GET', { host: 'a', origin: 'https://evil.example.net' }), undefined, 'reads are not guarded')
    },
  ))
