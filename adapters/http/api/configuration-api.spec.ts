/**
 * The management API of DESIGN §6 through the node's HTTP server (fastify's inject: the same
 * routing, hooks and parsers without a socket; configuration-api.socket.spec.ts repeats the
 * essentials over a real one).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConfigChange } from '../../store/config-store.js'
import { encodePng } from '../logo/png-encoder.js'
import { sha1Hex } from '../logo/product-logo.js'
import { requiresAdmin } from './admin-auth.js'
import { admin, adminPassword, basicAuth, v1, withApi } from './testing/api-fixtures.js'
import type { ApiWorld } from './testing/api-fixtures.js'

type Json = { readonly [key: string]: unknown }

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, unknown>>
  readonly body: Json
  readonly raw: Buffer
}

const call = async (
  world: ApiWorld,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  options: { readonly json?: unknown; readonly payload?: Buffer | string; readonly headers?: Record<string, string> } = {},
): Promise<Answer> => {
  const res = await world.server.app.inject({
    method,
    url,
    headers: { ...admin, ...(options.json === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.json === undefined ? {} : { payload: JSON.stringify(options.json) }),
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  })
  const raw = res.rawPayload
  const type = String(res.headers['content-type'] ?? '')
  return { status: res.statusCode, headers: res.headers, raw, body: type.startsWith('application/json') && raw.length > 0 ? (res.json() as Json) : {} }
}

const objectsOf = (answer: Answer): ReadonlyArray<Json> => answer.body['objects'] as ReadonlyArray<Json>

const png = encodePng({ width: 2, height: 2, pixels: new Uint8Array(16).fill(200) })
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9])

void test('everything under /api/ needs Basic auth as admin: 401 with the Basic challenge otherwise; health and avatars need none', () =>
  withApi(async (world) => {
    const without = await world.server.app.inject({ method: 'GET', url: `${v1}conference/` })
    assert.equal(without.statusCode, 401)
    assert.equal(without.headers['www-authenticate'], 'Basic realm="parley"')
    for (const authorization of [
      basicAuth('admin', 'wrong'),
      basicAuth('root', adminPassword),
      basicAuth('Admin', adminPassword),
      'Bearer abc',
      'Basic !!!',
      `Basic ${Buffer.from(`admin${adminPassword}`).toString('base64')}`,
    ]) {
      const res = await world.server.app.inject({ method: 'GET', url: `${v1}conference/`, headers: { authorization } })
      assert.equal(res.statusCode, 401, authorization)
    }
    // Writes are refused before their body is read, and change nothing.
    const write = await world.server.app.inject({ method: 'POST', url: `${v1}conference/`, payload: { name: 'Sneaky' } })
    assert.equal(write.statusCode, 401)
    assert.equal(world.store.loadNodeConfig().vmrs.length, 2)
    // Unknown paths under /api/ are not revealed without auth.
    assert.equal((await world.server.app.inject({ method: 'GET', url: '/api/admin/status/v1/participant/' })).statusCode, 401)
    assert.equal((await world.server.app.inject({ method: 'GET', url: '/api/admin/status/v1/participant/', headers: admin })).statusCode, 404)
    assert.equal((await world.server.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
    assert.equal((await world.server.app.inject({ method: 'GET', url: '/avatar/default.png' })).statusCode, 200)
    assert.equal((await call(world, 'GET', `${v1}conference/`)).status, 200)
    // The scheme name is case-insensitive (RFC 7617 §2, RFC 7235 §2.1).
    const lower = await world.server.app.inject({ method: 'GET', url: `${v1}global/1/`, headers: { authorization: admin.authorization.replace('Basic', 'basic') } })
    assert.equal(lower.statusCode, 200)
  }))

void test('the /api/ guard reads paths as a lenient router would', () => {
  for (const path of ['/api', '/api/', '/api/admin/x?y=1', '/API/admin', '//api/x', '/%61pi/admin', '/%zz']) assert.equal(requiresAdmin(path), true, path)
  for (const path of ['/', '/healthz', '/avatar/1.png', '/apix', '/metrics?api/']) assert.equal(requiresAdmin(path), false, path)
})

void test('conference: list, create with nested aliases (201 + Location), get, patch, put, delete, 404', () =>
  withApi(async (world) => {
    const list = await call(world, 'GET', `${v1}conference/`)
    assert.equal(list.status, 200)
    assert.deepEqual(list.body['meta'], { limit: 20, next: null, offset: 0, previous: null, total_count: 2 })
    const alice = objectsOf(list)[0]!
    assert.equal(alice['resource_uri'], `${v1}conference/1/`)
    assert.deepEqual(alice['aliases'], [
      { id: 1, resource_uri: `${v1}conference_alias/1/`, alias: 'meet.alice@example.com', conference: `${v1}conference/1/`, description: '' },
      { id: 2, resource_uri: `${v1}conference_alias/2/`, alias: '1001@example.com', conference: `${v1}conference/1/`, description: '' },
    ])
    assert.deepEqual(alice['automatic_participants'], [])

    const created = await call(world, 'POST', `${v1}conference/`, {
      json: { name: 'Carol', pin: '4321', aliases: [{ alias: 'meet.carol@example.com' }, { alias: 'sip:2002@example.com', description: 'numeric' }] },
    })
    assert.equal(created.status, 201)
    assert.equal(created.headers['location'], `${v1}conference/3/`)
    assert.equal(created.body['id'], 3)
    assert.equal(created.body['call_type'], 'video')
    assert.equal(created.body['avatar'], null)
    assert.deepEqual(
      (created.body['aliases'] as ReadonlyArray<Json>).map((a) => [a['id'], a['alias'], a['description'], a['conference']]),
      [
        [4, 'meet.carol@example.com', '', `${v1}conference/3/`],
        [5, 'sip:2002@example.com', 'numeric', `${v1}conference/3/`],
      ],
    )
    assert.ok(world.store.compiledConfig().vmrByAlias.has('2002@example.com'))
    assert.deepEqual((await call(world, 'GET', `${v1}conference/3/`)).body, created.body)
    // Without the trailing slash too.
    assert.deepEqual((await call(world, 'GET', `${v1}conference/3`)).body, created.body)

    const patched = await call(world, 'PATCH', `${v1}conference/3/`, { json: { description: 'Carol’s', host_view: 'four_mains_zero_pips' } })
    assert.equal(patched.status, 202)
    assert.equal(patched.body['description'], 'Carol’s')
    assert.equal(patched.body['pin'], '4321')
    assert.deepEqual(patched.body['aliases'], created.body['aliases'])

    const aliasesPatched = await call(world, 'PATCH', `${v1}conference/3/`, { json: { aliases: [{ alias: 'sip:2002@example.com' }, { alias: 'carol@example.com' }] } })
    assert.equal(aliasesPatched.status, 202)
    assert.deepEqual(
      (aliasesPatched.body['aliases'] as ReadonlyArray<Json>).map((a) => [a['id'], a['alias']]),
      [
        [5, 'sip:2002@example.com'],
        [6, 'carol@example.com'],
      ],
    )
    assert.equal((await call(world, 'GET', `${v1}conference_alias/4/`)).status, 404)

    const put = await call(world, 'PUT', `${v1}conference/3/`, { json: { name: 'Carol again' } })
    assert.equal(put.status, 200)
    assert.equal(put.body['pin'], '')
    assert.equal(put.body['host_view'], 'one_main_seven_pips')
    assert.deepEqual(put.body['aliases'], [])

    assert.equal((await call(world, 'DELETE', `${v1}conference/3/`)).status, 204)
    assert.equal((await call(world, 'GET', `${v1}conference/3/`)).status, 404)
    assert.equal((await call(world, 'DELETE', `${v1}conference/3/`)).status, 404)
    assert.equal((await call(world, 'PATCH', `${v1}conference/3/`, { json: { name: 'x' } })).status, 404)
    assert.equal((await call(world, 'PUT', `${v1}conference/3/`, { json: { name: 'x' } })).status, 404)
    assert.equal((await call(world, 'GET', `${v1}conference/abc/`)).status, 404)
    assert.equal((await call(world, 'GET', `${v1}conference/0/`)).status, 404)
  }))

void test('conference_alias: create, get, patch, put, delete; relations are resource URIs; duplicates are a 400 at alias', () =>
  withApi(async (world) => {
    const created = await call(world, 'POST', `${v1}conference_alias/`, { json: { alias: 'bob@example.com', conference: `${v1}conference/2/` } })
    assert.equal(created.status, 201)
    assert.equal(created.headers['location'], `${v1}conference_alias/4/`)
    assert.deepEqual(created.body, { id: 4, resource_uri: `${v1}conference_alias/4/`, alias: 'bob@example.com', conference: `${v1}conference/2/`, description: '' })
    assert.deepEqual((await call(world, 'GET', `${v1}conference_alias/4/`)).body, created.body)
    assert.ok((objectsOf(await call(world, 'GET', `${v1}conference/`))[1]?.['aliases'] as ReadonlyArray<Json>).some((a) => a['id'] === 4))

    // Same matching key as meet.alice@example.com: scheme and case do not make a new alias.
    const duplicate = await call(world, 'POST', `${v1}conference_alias/`, { json: { alias: 'sip:MEET.alice@example.com', conference: `${v1}conference/2/` } })
    assert.equal(duplicate.status, 400)
    assert.deepEqual(Object.keys(duplicate.body), ['conference_alias'])
    assert.deepEqual(Object.keys(duplicate.body['conference_alias'] as Json), ['alias'])
    assert.match(((duplicate.body['conference_alias'] as Json)['alias'] as string[])[0] ?? '', /already used by \/api\/admin\/configuration\/v1\/conference\/1\//)

    const noConference = await call(world, 'POST', `${v1}conference_alias/`, { json: { alias: 'x@example.com', conference: `${v1}conference/99/` } })
    assert.deepEqual(noConference.body, { conference_alias: { conference: ['there is no conference with id 99'] } })
    const badUri = await call(world, 'POST', `${v1}conference_alias/`, { json: { alias: 'x@example.com', conference: '/api/admin/configuration/v1/gateway_routing_rule/1/' } })
    assert.equal(badUri.status, 400)
    assert.deepEqual(Object.keys(badUri.body['conference_alias'] as Json), ['conference'])

    const moved = await call(world, 'PATCH', `${v1}conference_alias/4/`, { json: { conference: `${v1}conference/1/`, description: 'moved' } })
    assert.equal(moved.status, 202)
    assert.equal(moved.body['conference'], `${v1}conference/1/`)
    assert.equal(moved.body['alias'], 'bob@example.com')
    assert.ok(world.store.loadNodeConfig().vmrs[0]?.aliases.includes('bob@example.com'))

    const put = await call(world, 'PUT', `${v1}conference_alias/4/`, { json: { alias: 'robert@example.com', conference: `${v1}conference/2/` } })
    assert.equal(put.status, 200)
    assert.deepEqual([put.body['alias'], put.body['description']], ['robert@example.com', ''])
    assert.equal((await call(world, 'DELETE', `${v1}conference_alias/4/`)).status, 204)
    assert.equal((await call(world, 'GET', `${v1}conference_alias/4/`)).status, 404)
  }))

void test('automatic_participant: create, get, patch, put, delete; listed in its conferences', () =>
  withApi(async (world) => {
    const created = await call(world, 'POST', `${v1}automatic_participant/`, {
      json: { alias: 'recorder@example.com', conference: [`${v1}conference/1/`, `${v1}conference/2/`], role: 'chair', dtmf_sequence: '1234#' },
    })
    assert.equal(created.status, 201)
    assert.equal(created.headers['location'], `${v1}automatic_participant/1/`)
    assert.equal(created.body['keep_conference_alive'], 'keep_conference_alive_if_multiple')
    assert.equal(created.body['protocol'], 'sip')
    const alice = (await call(world, 'GET', `${v1}conference/1/`)).body
    assert.deepEqual(alice['automatic_participants'], [created.body])
    assert.deepEqual(world.store.loadNodeConfig().adps.map((a) => [a.role, a.conferenceIds]), [['host', ['1', '2']]])

    const patched = await call(world, 'PATCH', `${v1}automatic_participant/1/`, { json: { conference: [`${v1}conference/2/`] } })
    assert.equal(patched.status, 202)
    assert.equal(patched.body['role'], 'chair')
    assert.deepEqual((await call(world, 'GET', `${v1}conference/1/`)).body['automatic_participants'], [])

    const bad = await call(world, 'PATCH', `${v1}automatic_participant/1/`, { json: { dtmf_sequence: '12x', protocol: 'teams' } })
    assert.equal(bad.status, 400)
    assert.deepEqual(Object.keys(bad.body['automatic_participant'] as Json).sort(), ['dtmf_sequence', 'protocol'])

    const put = await call(world, 'PUT', `${v1}automatic_participant/1/`, { json: { alias: 'sip:rec@example.com' } })
    assert.equal(put.status, 200)
    assert.deepEqual([put.body['role'], put.body['conference']], ['guest', []])
    assert.equal((await call(world, 'DELETE', `${v1}automatic_participant/1/`)).status, 204)
    assert.equal((await call(world, 'GET', `${v1}automatic_participant/1/`)).status, 404)
  }))

void test('gateway_routing_rule: create, get, patch, put, delete; a regex RE2 refuses is a 400 at match_string and changes nothing', () =>
  withApi(async (world) => {
    const before = await call(world, 'GET', `${v1}gateway_routing_rule/`)
    assert.equal(before.body['meta'] && (before.body['meta'] as Json)['total_count'], 1)
    for (const match_string of ['(.+)@(?=x)', '(a)\\1@x', '(unclosed', 'a'.repeat(251)]) {
      const refused = await call(world, 'POST', `${v1}gateway_routing_rule/`, { json: { name: 'bad', priority: 5, match_string } })
      assert.equal(refused.status, 400, match_string)
      assert.deepEqual(Object.keys(refused.body['gateway_routing_rule'] as Json), ['match_string'], match_string)
    }
    const refusedPatch = await call(world, 'PATCH', `${v1}gateway_routing_rule/1/`, { json: { match_string: '(?<!a)b' } })
    assert.equal(refusedPatch.status, 400)
    assert.deepEqual(Object.keys(refusedPatch.body['gateway_routing_rule'] as Json), ['match_string'])
    assert.deepEqual((await call(world, 'GET', `${v1}gateway_routing_rule/`)).body, before.body)
    assert.equal(world.store.loadNodeConfig().rules[0]?.matchString, '(.+)@rooms\\.example\\.com')

    const created = await call(world, 'POST', `${v1}gateway_routing_rule/`, {
      json: { name: 'To SfB', priority: 10, match_string: '(.+)@sfb\\.example\\.com', outgoing_protocol: 'mssip', mssip_proxy: 'fe.example.com:5061', match_incoming_h323: false },
    })
    assert.equal(created.status, 201)
    assert.equal(created.headers['location'], `${v1}gateway_routing_rule/2/`)
    assert.deepEqual([created.body['enable'], created.body['match_incoming_h323'], created.body['sip_proxy']], [true, false, null])
    const patched = await call(world, 'PATCH', `${v1}gateway_routing_rule/2/`, { json: { enable: false } })
    assert.equal(patched.status, 202)
    assert.equal(world.store.loadNodeConfig().rules.find((r) => r.id === '2')?.enabled, false)
    const put = await call(world, 'PUT', `${v1}gateway_routing_rule/2/`, { json: { name: 'To SIP', priority: 11, match_string: '.*@sip\\.example\\.com' } })
    assert.equal(put.status, 200)
    assert.deepEqual([put.body['outgoing_protocol'], put.body['mssip_proxy'], put.body['match_incoming_h323']], ['sip', null, true])
    assert.equal((await call(world, 'DELETE', `${v1}gateway_routing_rule/2/`)).status, 204)
    assert.equal((await call(world, 'GET', `${v1}gateway_routing_rule/2/`)).status, 404)
  }))

void test('global/1/: get, patch and put with defaults; problems at their field; other ids are 404', () =>
  withApi(async (world) => {
    const got = await call(world, 'GET', `${v1}global/1/`)
    assert.equal(got.status, 200)
    assert.equal(got.body['resource_uri'], `${v1}global/1/`)
    assert.equal(got.body['pin_entry_timeout_s'], 60)
    assert.deepEqual(objectsOf(await call(world, 'GET', `${v1}global/`)), [got.body])

    const patched = await call(world, 'PATCH', `${v1}global/1/`, { json: { guests_only_timeout_s: 5, pin_lockout: { failures: 3 } } })
    assert.equal(patched.status, 202)
    assert.equal(patched.body['guests_only_timeout_s'], 5)
    assert.deepEqual(patched.body['pin_lockout'], { failures: 3, window_s: 60, block_s: 300 })
    assert.equal(world.store.loadNodeConfig().global.guestsOnlyTimeoutS, 5)

    const bad = await call(world, 'PATCH', `${v1}global/1/`, { json: { rtp_port_min: 50000, adp_delay_s: 2, trusted_peers: ['ok', 7] } })
    assert.equal(bad.status, 400)
    assert.deepEqual(Object.keys(bad.body['global'] as Json).sort(), ['adp_delay_s', 'trusted_peers[1]'])
    const ports = await call(world, 'PATCH', `${v1}global/1/`, { json: { rtp_port_min: 50000 } })
    assert.deepEqual(ports.body, { global: { rtp_port_max: ['must be greater than rtp_port_min (50000)'] } })

    const put = await call(world, 'PUT', `${v1}global/1/`, { json: { host_wait_timeout_s: 30 } })
    assert.equal(put.status, 200)
    assert.deepEqual([put.body['host_wait_timeout_s'], put.body['guests_only_timeout_s']], [30, 60])
    assert.equal((await call(world, 'GET', `${v1}global/2/`)).status, 404)
    assert.equal((await call(world, 'PATCH', `${v1}global/2/`, { json: {} })).status, 404)
  }))

void test('bad bodies are 400s naming the path that failed', () =>
  withApi(async (world) => {
    const fields = (answer: Answer, resource = 'conference'): ReadonlyArray<string> => Object.keys((answer.body[resource] ?? {}) as Json).sort()
    const notJson = await call(world, 'POST', `${v1}conference/`, { payload: '{"name": ', headers: { 'content-type': 'application/json' } })
    assert.equal(notJson.status, 400)
    assert.deepEqual(fields(notJson), ['__all__'])
    const array = await call(world, 'POST', `${v1}conference/`, { json: [{ name: 'x' }] })
    assert.deepEqual(array.body, { conference: { __all__: ['expected a JSON object'] } })
    assert.deepEqual((await call(world, 'POST', `${v1}conference/`, { json: {} })).body, { conference: { name: ['is required'] } })
    const many = await call(world, 'POST', `${v1}conference/`, {
      json: { name: 'X', pin: '12', call_type: 'hologram', allow_guests: 'yes', aliases: [{ alias: 'ok@example.com' }, { alias: 42 }, {}] },
    })
    assert.equal(many.status, 400)
    assert.deepEqual(fields(many), ['aliases[1].alias', 'aliases[2].alias', 'allow_guests', 'call_type', 'pin'])
    const nestedDuplicate = await call(world, 'POST', `${v1}conference/`, {
      json: { name: 'Dup', aliases: [{ alias: 'new@example.com' }, { alias: 'meet.bob@example.com' }] },
    })
    assert.equal(nestedDuplicate.status, 400)
    assert.deepEqual(fields(nestedDuplicate), ['aliases[1].alias'])
    const twice = await call(world, 'POST', `${v1}conference/`, { json: { name: 'Twice', aliases: [{ alias: 'a@example.com' }, { alias: 'A@Example.com' }] } })
    assert.deepEqual(twice.body, { conference: { 'aliases[1].alias': ['the alias "A@Example.com" is already listed at aliases[0].alias'] } })
    const pinAlias = await call(world, 'POST', `${v1}conference/`, { json: { name: 'P', aliases: [{ alias: 'room**1234@example.com' }] } })
    assert.deepEqual(fields(pinAlias), ['aliases[0].alias'])
    const guestsWithoutPin = await call(world, 'PATCH', `${v1}conference/2/`, { json: { allow_guests: true } })
    assert.deepEqual(guestsWithoutPin.body, { conference: { pin: ['a VMR that allows guests needs a Host PIN'] } })
    const sameName = await call(world, 'PATCH', `${v1}conference/2/`, { json: { name: "Alice's meeting room" } })
    assert.deepEqual(fields(sameName), ['name'])
    const unsupported = await call(world, 'POST', `${v1}conference/`, { payload: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assert.equal(unsupported.status, 415)
    assert.deepEqual(fields(unsupported), ['__all__'])
    // Nothing above was stored; read-only fields in a body are ignored.
    assert.equal(world.store.loadNodeConfig().vmrs.length, 2)
    const ignored = await call(world, 'POST', `${v1}conference/`, { json: { id: 1, resource_uri: `${v1}conference/1/`, avatar: 'ff', name: 'Fine' } })
    assert.equal(ignored.status, 201)
    assert.deepEqual([ignored.body['id'], ignored.body['avatar']], [3, null])
  }))

void test('lists page with limit and offset (next/previous keep the filters) and filter by name, alias and conference', () =>
  withApi(async (world) => {
    for (let i = 1; i <= 25; i++) assert.equal((await call(world, 'POST', `${v1}conference/`, { json: { name: `Room ${String(i).padStart(2, '0')}` } })).status, 201)
    const first = await call(world, 'GET', `${v1}conference/`)
    assert.deepEqual(first.body['meta'], { limit: 20, next: `${v1}conference/?limit=20&offset=20`, offset: 0, previous: null, total_count: 27 })
    assert.equal(objectsOf(first).length, 20)
    const second = await call(world, 'GET', String((first.body['meta'] as Json)['next']))
    assert.deepEqual(second.body['meta'], { limit: 20, next: null, offset: 20, previous: `${v1}conference/?limit=20&offset=0`, total_count: 27 })
    assert.deepEqual(
      objectsOf(second).map((o) => o['id']),
      [21, 22, 23, 24, 25, 26, 27],
    )
    const filtered = await call(world, 'GET', `${v1}conference/?name__startswith=Room%201&limit=4&offset=4`)
    assert.deepEqual(filtered.body['meta'], {
      limit: 4,
      next: `${v1}conference/?name__startswith=Room+1&limit=4&offset=8`,
      offset: 4,
      previous: `${v1}conference/?name__startswith=Room+1&limit=4&offset=0`,
      total_count: 10,
    })
    assert.deepEqual(
      objectsOf(filtered).map((o) => o['name']),
      ['Room 14', 'Room 15', 'Room 16', 'Room 17'],
    )
    const all = await call(world, 'GET', `${v1}conference/?limit=0`)
    assert.equal(objectsOf(all).length, 27)
    assert.deepEqual(
      objectsOf(await call(world, 'GET', `${v1}conference/?name=Bob's%20room`)).map((o) => o['id']),
      [2],
    )
    assert.deepEqual(
      objectsOf(await call(world, 'GET', `${v1}conference/?name__icontains=ROOM%2025&format=json`)).map((o) => o['name']),
      ['Room 25'],
    )
    assert.deepEqual(
      objectsOf(await call(world, 'GET', `${v1}conference_alias/?alias=meet.bob@example.com`)).map((o) => o['id']),
      [3],
    )
    assert.deepEqual(
      objectsOf(await call(world, 'GET', `${v1}conference_alias/?conference=${encodeURIComponent(`${v1}conference/1/`)}`)).map((o) => o['alias']),
      ['meet.alice@example.com', '1001@example.com'],
    )
    assert.deepEqual(objectsOf(await call(world, 'GET', `${v1}gateway_routing_rule/?name__contains=oom`)).length, 1)
    const bad = await call(world, 'GET', `${v1}conference/?limit=-1&offset=x&colour=red&name=a&name=b`)
    assert.equal(bad.status, 400)
    assert.deepEqual(Object.keys(bad.body['conference'] as Json).sort(), ['colour', 'limit', 'name', 'offset'])
  }))

void test('avatar upload: PNG or JPEG recognised by its bytes, served at /avatar/<id>.png, its SHA-1 the VMR avatarHash', () =>
  withApi(async (world) => {
    const changes: ConfigChange[] = []
    world.store.subscribe((c) => changes.push(c))
    const uploaded = await call(world, 'PUT', `${v1}conference/2/avatar/`, { payload: png, headers: { 'content-type': 'image/png' } })
    assert.equal(uploaded.status, 200)
    assert.equal(uploaded.body['avatar'], sha1Hex(png))
    assert.equal(world.store.loadNodeConfig().vmrs[1]?.avatarHash, sha1Hex(png))
    assert.equal(changes.length, 1)
    const served = await world.server.app.inject({ method: 'GET', url: '/avatar/2.png' })
    assert.equal(served.statusCode, 200)
    assert.equal(served.headers['content-type'], 'image/png')
    assert.deepEqual(served.rawPayload, png)
    assert.equal(served.headers['etag'], `"${sha1Hex(png)}"`)

    const asJpeg = await call(world, 'PUT', `${v1}conference/2/avatar/`, { payload: jpeg, headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(asJpeg.status, 200)
    assert.equal((await world.server.app.inject({ method: 'GET', url: '/avatar/2.png' })).headers['content-type'], 'image/jpeg')

    const refusals: ReadonlyArray<readonly [Buffer, string]> = [
      [Buffer.from('GIF89a....'), 'image/png'],
      [png.subarray(0, png.length - 3), 'image/png'],
      [jpeg.subarray(0, 8), 'image/jpeg'],
      [png, 'image/jpeg'],
      [Buffer.alloc(0), 'image/png'],
    ]
    for (const [bytes, type] of refusals) {
      const refused = await call(world, 'PUT', `${v1}conference/2/avatar/`, { payload: bytes, headers: { 'content-type': type } })
      assert.equal(refused.status, 400, `${type} ${bytes.length}`)
      assert.deepEqual(Object.keys(refused.body['conference'] as Json), ['avatar'])
    }
    const json = await call(world, 'PUT', `${v1}conference/2/avatar/`, { json: { avatar: 'x' } })
    assert.equal(json.status, 400)
    const tooLarge = await call(world, 'PUT', `${v1}conference/2/avatar/`, { payload: Buffer.concat([jpeg, Buffer.alloc(1024 * 1024)]), headers: { 'content-type': 'image/jpeg' } })
    assert.equal(tooLarge.status, 413)
    assert.equal((await call(world, 'PUT', `${v1}conference/9/avatar/`, { payload: png, headers: { 'content-type': 'image/png' } })).status, 404)
    assert.equal(world.store.avatar(2)?.sha1, sha1Hex(jpeg))

    const removed = await call(world, 'DELETE', `${v1}conference/2/avatar/`)
    assert.equal(removed.status, 200)
    assert.equal(removed.body['avatar'], null)
    const logo = await world.server.app.inject({ method: 'GET', url: '/avatar/default.png' })
    const back = await world.server.app.inject({ method: 'GET', url: '/avatar/2.png' })
    assert.deepEqual(back.rawPayload, logo.rawPayload)
  }))

void test('each accepted change reaches the store subscribers compiled; refused ones do not', () =>
  withApi(async (world) => {
    const seen: ConfigChange[] = []
    world.store.subscribe((c) => seen.push(c))
    await call(world, 'POST', `${v1}conference/`, { json: { name: 'Dora', aliases: [{ alias: 'dora@example.com' }] } })
    await call(world, 'POST', `${v1}conference_alias/`, { json: { alias: 'dora@example.com', conference: `${v1}conference/1/` } })
    await call(world, 'POST', `${v1}gateway_routing_rule/`, { json: { name: 'x', priority: 1, match_string: '(' } })
    assert.equal(seen.length, 1)
    assert.equal(seen[0]?.compiled.vmrByAlias.get('dora@example.com')?.name, 'Dora')
  }))
