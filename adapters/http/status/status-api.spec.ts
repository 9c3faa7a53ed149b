import { test } from 'node:test'
import assert from 'node:assert/strict'
import pino from 'pino'
import { createHttpServer } from '../http-server.js'
import { loadProductLogo } from '../logo/product-logo.js'
import type { LiveSource } from './live-status.js'
import { statusApi } from './status-api.js'
import { busyNode } from './testing/busy-node.js'

type Json = Record<string, unknown>

const withStatus = async (live: LiveSource, use: (get: (url: string) => Promise<{ status: number; body: Json }>) => Promise<void>): Promise<void> => {
  const server = createHttpServer({
    logger: pino({ level: 'silent' }),
    uptime: () => 1,
    versions: {},
    logo: loadProductLogo(),
    avatars: async () => ({ _tag: 'UnknownConference' }),
    routes: [statusApi({ live })],
  })
  try {
    await server.app.ready()
    await use(async (url) => {
      const response = await server.app.inject({ method: 'GET', url })
      return { status: response.statusCode, body: response.json<Json>() }
    })
  } finally {
    await server.close()
  }
}

const status = '/api/admin/status/v1/'

void test('participant and conference lists have the Tastypie shape, with paging and exact filters', () => {
  const { live } = busyNode()
  return withStatus(
    () => live(),
    async (get) => {
      const all = await get(`${status}participant/`)
      assert.equal(all.status, 200)
      assert.deepEqual(all.body['meta'], { limit: 20, next: null, offset: 0, previous: null, total_count: 5 })
      const page = await get(`${status}participant/?limit=2&offset=2`)
      assert.deepEqual(page.body['meta'], {
        limit: 2,
        next: `${status}participant/?limit=2&offset=4`,
        offset: 2,
        previous: `${status}participant/?limit=2&offset=0`,
        total_count: 5,
      })
      assert.equal((page.body['objects'] as unknown[]).length, 2)
      const inAlice = await get(`${status}participant/?conference=${encodeURIComponent("Alice's meeting room")}`)
      assert.deepEqual((inAlice.body['objects'] as Json[]).map((p) => p['id']).sort(), ['caller', 'guest'])
      const gateway = await get(`${status}participant/?service_type=gateway&limit=0`)
      assert.deepEqual((gateway.body['objects'] as Json[]).map((p) => p['id']).sort(), ['gw', 'gw/out'])
      const one = await get(`${status}participant/bob/`)
      assert.equal(one.body['display_name'], 'Bob')
      assert.equal((await get(`${status}participant/nobody/`)).status, 404)

      const conferences = await get(`${status}conference/?name=${encodeURIComponent("Bob's room")}`)
      assert.deepEqual((conferences.body['objects'] as Json[]).map((c) => c['participant_count']), [1])
      assert.equal((await get(`${status}conference/1/`)).body['name'], "Alice's meeting room")
      const bad = await get(`${status}conference/?colour=red`)
      assert.equal(bad.status, 400)
      assert.deepEqual(Object.keys((bad.body['conference'] as Json) ?? {}), ['colour'])
      assert.equal((await get(`${status}conference/?limit=many`)).status, 400)
    },
  )
})

void test('while no core runs the lists are empty', () =>
  withStatus(
    () => undefined,
    async (get) => {
      for (const resource of ['conference', 'participant']) {
        const list = await get(`${status}${resource}/`)
        assert.equal(list.status, 200)
        assert.deepEqual(list.body['objects'], [])
      }
    },
  ))
