/**
 * The management API over a real loopback socket (issue 7: "API tests over real HTTP"): the
 * node's HTTP server on port 0, a client speaking HTTP/1.1 with fetch.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyPluginAsync } from 'fastify'
import pino from 'pino'
import { openStore, temporaryDataDir } from '../../store/testing/store-fixtures.js'
import { createHttpServer } from '../http-server.js'
import { encodePng } from '../logo/png-encoder.js'
import { loadProductLogo, sha1Hex } from '../logo/product-logo.js'
import { configurationApi } from './configuration-api.js'
import { admin, adminPassword, basicAuth, v1 } from './testing/api-fixtures.js'

type Json = { readonly [key: string]: unknown }

/** Stands for a later plugin serving under /api/ (the status API), registered before this one. */
const statusLike: FastifyPluginAsync = async (app) => {
  app.get('/api/admin/status/v1/conference/', async () => ({ objects: [] }))
}

const withListeningNode = async (use: (base: string) => Promise<void>): Promise<void> => {
  const data = temporaryDataDir()
  const { store } = openStore(data.dir, { adminPassword })
  const server = createHttpServer({
    logger: pino({ level: 'silent' }),
    uptime: () => 1,
    versions: { parley: 'test' },
    logo: loadProductLogo(),
    avatars: store.avatarLookup,
    routes: [statusLike, configurationApi({ store })],
  })
  try {
    const port = await server.listen('127.0.0.1', 0)
    await use(`http://127.0.0.1:${port}`)
  } finally {
    await server.close()
    store.close()
    data.remove()
  }
}

void test('over a socket: 401 with the Basic challenge, then a VMR created with nested aliases, found, paged, patched and deleted', () =>
  withListeningNode(async (base) => {
    const refused = await fetch(`${base}${v1}conference/`)
    assert.equal(refused.status, 401)
    assert.equal(refused.headers.get('www-authenticate'), 'Basic realm="parley"')
    const wrong = await fetch(`${base}${v1}conference/`, { headers: { authorization: basicAuth('admin', 'nope') } })
    assert.equal(wrong.status, 401)
    assert.equal((await fetch(`${base}/api/admin/status/v1/conference/`)).status, 401)
    assert.equal((await fetch(`${base}/api/admin/status/v1/conference/`, { headers: admin })).status, 200)

    const json = { ...admin, 'content-type': 'application/json' }
    const created = await fetch(`${base}${v1}conference/`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'Erin', aliases: [{ alias: 'meet.erin@example.com' }, { alias: 'erin@example.com' }] }),
    })
    assert.equal(created.status, 201)
    const location = created.headers.get('location')
    assert.equal(location, `${v1}conference/3/`)
    const fetched = (await (await fetch(`${base}${location}`, { headers: admin })).json()) as Json
    assert.deepEqual(
      (fetched['aliases'] as ReadonlyArray<Json>).map((a) => a['alias']),
      ['meet.erin@example.com', 'erin@example.com'],
    )

    const duplicate = await fetch(`${base}${v1}conference_alias/`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ alias: 'Meet.Erin@example.com', conference: `${v1}conference/1/` }),
    })
    assert.equal(duplicate.status, 400)
    assert.deepEqual(Object.keys(((await duplicate.json()) as Record<string, Json>)['conference_alias'] ?? {}), ['alias'])

    const page = (await (await fetch(`${base}${v1}conference/?limit=1&offset=1`, { headers: admin })).json()) as Json
    assert.deepEqual(page['meta'], {
      limit: 1,
      next: `${v1}conference/?limit=1&offset=2`,
      offset: 1,
      previous: `${v1}conference/?limit=1&offset=0`,
      total_count: 3,
    })

    const patched = await fetch(`${base}${location}`, { method: 'PATCH', headers: json, body: JSON.stringify({ call_type: 'audio' }) })
    assert.equal(patched.status, 202)
    assert.equal(((await patched.json()) as Json)['call_type'], 'audio')
    assert.equal((await fetch(`${base}${location}`, { method: 'DELETE', headers: admin })).status, 204)
    assert.equal((await fetch(`${base}${location}`, { headers: admin })).status, 404)
  }))

void test('over a socket: an uploaded avatar comes back byte for byte from /avatar/<id>.png; an oversized one is a 413', () =>
  withListeningNode(async (base) => {
    const png = encodePng({ width: 3, height: 3, pixels: new Uint8Array(36).fill(90) })
    const uploaded = await fetch(`${base}${v1}conference/1/avatar/`, { method: 'PUT', headers: { ...admin, 'content-type': 'image/png' }, body: png })
    assert.equal(uploaded.status, 200)
    assert.equal(((await uploaded.json()) as Json)['avatar'], sha1Hex(png))
    const served = await fetch(`${base}/avatar/1.png`)
    assert.equal(served.status, 200)
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), png)
    assert.equal(served.headers.get('etag'), `"${sha1Hex(png)}"`)

    const oversized = await fetch(`${base}${v1}conference/1/avatar/`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'image/png' },
      body: Buffer.concat([png, Buffer.alloc(1024 * 1024)]),
    })
    assert.equal(oversized.status, 413)
    assert.deepEqual(Buffer.from(await (await fetch(`${base}/avatar/1.png`)).arrayBuffer()), png)
  }))
