/**
 * The production node in-process over real sockets (issue 7 "Done when"): `serve` with the live
 * assembly on loopback, every port chosen by the system, a fresh data dir; a SIP user agent of
 * the project's own stack and HTTP over fetch. Every wait is bounded.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { encodePng } from '../http/logo/png-encoder.js'
import { parsePrometheusText } from '../http/metrics/testing/prometheus-text.js'
import { runCli } from './cli/run-cli.js'
import { serve } from './serve.js'
import type { RunningNode } from './serve.js'
import { readPidf, TestSipClient } from './testing/sip-client.js'

const password = 'live node secret'
const authorization = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`
const v1 = '/api/admin/configuration/v1/'
type Json = Record<string, unknown>

const silent = new Writable({ write: (_chunk, _encoding, done) => done() })

const startNode = async (dataDir: string, configFlag?: string): Promise<RunningNode> => {
  const started = await serve({
    ...(configFlag === undefined ? {} : { configFlag }),
    env: {
      PARLEY_BIND: '127.0.0.1',
      PARLEY_PUBLIC_HOST: '127.0.0.1',
      PARLEY_SIP_PORT: '0',
      PARLEY_SIPS_PORT: '0',
      PARLEY_HTTP_PORT: '0',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_ADMIN_PASSWORD: password,
    },
    cwd: dataDir,
    networkInterfaces: () => ({}),
    assembly: 'live',
    logDestination: silent,
    uptime: () => 1,
    adminPasswordGenerated: () => assert.fail('PARLEY_ADMIN_PASSWORD is set: nothing is generated'),
  })
  if (E.isLeft(started)) assert.fail(`the node did not start: ${JSON.stringify(started.left)}`)
  return started.right
}

const withDataDir = async (use: (dir: string) => Promise<void>): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-live-'))
  try {
    await use(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A running node and a SIP user agent aimed at its UDP listener; both stopped at the end. */
const withNode = (use: (node: RunningNode, sip: TestSipClient, http: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>): Promise<void> =>
  withDataDir(async (dir) => {
    const node = await startNode(dir)
    const sip = await TestSipClient.open(node.ready.sip?.udp ?? 0)
    const http = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
        ...init,
        // fastify refuses a JSON content type without a body (a DELETE).
        headers: { authorization, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      })
    try {
      await use(node, sip, http)
    } finally {
      await sip.close()
      await node.stop()
    }
  })

/** Retries `check` until it passes or `boundMs` has gone by (CONVENTIONS 9 `eventually`). */
const eventually = async (check: () => Promise<void>, boundMs = 3_000): Promise<void> => {
  const deadline = Date.now() + boundMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
}

const metrics = async (node: RunningNode): Promise<ReadonlyMap<string, number>> =>
  parsePrometheusText(await (await fetch(`http://127.0.0.1:${node.ready.http}/metrics`)).text())

void test('a VMR created over the API answers a SIP SUBSCRIBE right after, and a watcher of its alias is sent a NOTIFY', () =>
  withNode(async (node, sip, http) => {
    const before = await sip.subscribe('meet.carol@example.com')
    assert.equal(before.status, 200)
    assert.equal(readPidf(before.body).open, false, 'an alias nobody configured has no presence')
    const notifiesBefore = (await metrics(node)).get('parley_presence_notifies_sent_total') ?? 0

    const created = await http(`${v1}conference/`, { method: 'POST', body: JSON.stringify({ name: "Carol's room", aliases: [{ alias: 'meet.carol@example.com' }] }) })
    assert.equal(created.status, 201)
    const after = await sip.subscribe('meet.carol@example.com')
    assert.equal(after.status, 200)
    assert.deepEqual(readPidf(after.body), { open: true, displayName: "Carol's room" })

    await eventually(async () => assert.ok(((await metrics(node)).get('parley_presence_notifies_sent_total') ?? 0) > notifiesBefore, 'the earlier watcher is notified'))

    const renamed = await http(`${created.headers.get('location') ?? ''}`, { method: 'PATCH', body: JSON.stringify({ name: 'Carol (renamed)' }) })
    assert.equal(renamed.status, 202)
    assert.equal(readPidf((await sip.subscribe('meet.carol@example.com')).body).displayName, 'Carol (renamed)')
    assert.equal((await http(`${created.headers.get('location') ?? ''}`, { method: 'DELETE' })).status, 204)
    assert.equal(readPidf((await sip.subscribe('meet.carol@example.com')).body).open, false, 'a deleted VMR is gone from presence at once')
  }))

void test('the status API shows a participant placed by a SIP call; /metrics counts the call, its SIP messages and a PIN failure', () =>
  withNode(async (node, sip, http) => {
    const call = await sip.call('meet.bob@example.com', 'Dave Room')
    assert.equal(call._tag, 'Answered')
    const participants = await (await http('/api/admin/status/v1/participant/')).json() as { objects: Json[] }
    assert.equal(participants.objects.length, 1)
    const dave = participants.objects[0] ?? {}
    assert.equal(dave['display_name'], 'Dave Room')
    assert.equal(dave['conference'], "Bob's room")
    assert.equal(dave['role'], 'chair', "no PIN on Bob's room: everyone is a Host")
    assert.equal(dave['protocol'], 'SIP')
    assert.equal(dave['call_type'], 'video')
    assert.equal(dave['service_type'], 'conference')
    assert.equal(dave['is_waiting_for_host'], false)
    assert.ok(typeof dave['connect_time'] === 'string' && Math.abs(Date.parse(dave['connect_time']) - Date.now()) < 10_000)
    await eventually(async () => {
      const row = ((await (await http(`/api/admin/status/v1/participant/${String(dave['id'])}/`)).json()) as Json)
      assert.equal(row['media_view'], 'self-view', 'alone in the room: the media side shows the caller itself')
    })
    const conferences = await (await http('/api/admin/status/v1/conference/')).json() as { objects: Json[] }
    assert.deepEqual(conferences.objects.map((c) => [c['name'], c['participant_count'], c['is_started']]), [["Bob's room", 1, true]])

    const wrongPin = await sip.call('meet.alice**9999@example.com', 'Eve Guess')
    await eventually(async () => {
      const m = await metrics(node)
      assert.equal(m.get('parley_pin_failures_total'), 1)
      assert.equal(m.get('parley_calls_total{result="conference"}'), 2)
      assert.ok((m.get('parley_sip_requests_total{direction="in",method="INVITE"}') ?? 0) >= 2)
      assert.ok((m.get('parley_sip_responses_total{direction="out",method="INVITE",status="200"}') ?? 0) >= 1)
      assert.ok((m.get('parley_active_legs') ?? 0) >= 1)
      assert.ok((m.get('parley_conferences') ?? 0) >= 1)
    })

    if (call._tag === 'Answered') await call.dialog.bye()
    if (wrongPin._tag === 'Answered') await wrongPin.dialog.bye()
    await eventually(async () => {
      const left = (await (await http('/api/admin/status/v1/participant/')).json()) as { objects: Json[] }
      assert.deepEqual(left.objects, [], 'gone once they hang up')
    })
  }))

void test('a restart keeps every change made over the API, and ignores --config once the store holds a configuration', () =>
  withDataDir(async (dir) => {
    const seed = join(dir, 'seed.json')
    await writeFile(seed, JSON.stringify(demoConfigFile))
    const first = await startNode(join(dir, 'data'), seed)
    const base = (node: RunningNode) => `http://127.0.0.1:${node.ready.http}`
    const send = async (node: RunningNode, method: string, path: string, body?: unknown, type = 'application/json') => {
      const response = await fetch(`${base(node)}${path}`, {
        method,
        headers: { authorization, ...(body === undefined ? {} : { 'content-type': type }) },
        ...(body === undefined ? {} : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
      })
      assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${await response.clone().text()}`)
      return response
    }
    const everything = async (node: RunningNode): Promise<Json> => {
      const read = async (path: string) => (await (await fetch(`${base(node)}${path}`, { headers: { authorization } })).json()) as Json
      return {
        conference: (await read(`${v1}conference/?limit=0`))['objects'],
        conference_alias: (await read(`${v1}conference_alias/?limit=0`))['objects'],
        automatic_participant: (await read(`${v1}automatic_participant/?limit=0`))['objects'],
        gateway_routing_rule: (await read(`${v1}gateway_routing_rule/?limit=0`))['objects'],
        global: await read(`${v1}global/1/`),
      }
    }
    const png = encodePng({ width: 2, height: 2, pixels: new Uint8Array(16).fill(200) })
    try {
      await send(first, 'POST', `${v1}conference/`, { name: 'Frank', pin: '4321', allow_guests: true, aliases: [{ alias: 'meet.frank@example.com' }] })
      await send(first, 'POST', `${v1}conference_alias/`, { alias: 'frank@example.com', conference: `${v1}conference/3/` })
      await send(first, 'POST', `${v1}automatic_participant/`, { alias: 'recorder@rooms.example.com', conference: [`${v1}conference/3/`], role: 'chair' })
      await send(first, 'POST', `${v1}gateway_routing_rule/`, { name: 'Lab', priority: 50, match_string: '(.+)@lab\\.example\\.com' })
      await send(first, 'PATCH', `${v1}conference/2/`, { name: "Bob's bigger room" })
      await send(first, 'PATCH', `${v1}global/1/`, { host_wait_timeout_s: 90 })
      await send(first, 'PUT', `${v1}conference/1/avatar/`, png, 'image/png')
      const aliases = ((await (await fetch(`${base(first)}${v1}conference_alias/?alias=1001@example.com`, { headers: { authorization } })).json()) as { objects: Json[] }).objects
      await send(first, 'DELETE', String(aliases[0]?.['resource_uri']))
    } catch (error) {
      await first.stop()
      throw error
    }
    const before = await everything(first)
    await first.stop()

    await writeFile(seed, JSON.stringify({ conference: [{ name: 'Only me', aliases: [{ alias: 'me@example.com' }] }] }))
    const second = await startNode(join(dir, 'data'), seed)
    const sip = await TestSipClient.open(second.ready.sip?.udp ?? 0)
    try {
      assert.deepEqual(await everything(second), before, 'every object as it was, the file ignored')
      assert.equal((before['global'] as Json)['host_wait_timeout_s'], 90)
      assert.deepEqual(readPidf((await sip.subscribe('frank@example.com')).body), { open: true, displayName: 'Frank' }, 'and the core runs on it')
      assert.equal(readPidf((await sip.subscribe('1001@example.com')).body).open, false)
      assert.deepEqual(Buffer.from(await (await fetch(`${base(second)}/avatar/1.png`)).arrayBuffer()), png)
    } finally {
      await sip.close()
      await second.stop()
    }
  }))

void test('`parley config import` while the node runs: the node applies the imported configuration within its poll', () =>
  withDataDir(async (dir) => {
    const dataDir = join(dir, 'data')
    const node = await startNode(dataDir)
    const sip = await TestSipClient.open(node.ready.sip?.udp ?? 0)
    try {
      assert.equal(readPidf((await sip.subscribe('meet.ivan@example.com')).body).open, false)
      const file = join(dir, 'ivan.json')
      await writeFile(file, JSON.stringify({ conference: [{ name: "Ivan's room", aliases: [{ alias: 'meet.ivan@example.com' }] }] }))
      const out: string[] = []
      const code = await runCli(['config', 'import', file], {
        stdout: (text) => out.push(text),
        stderr: (text) => out.push(text),
        env: { PARLEY_DATA_DIR: dataDir },
        cwd: dir,
        networkInterfaces: () => ({}),
        uptime: () => 1,
        stopRequested: () => new Promise(() => undefined),
      })
      assert.equal(code, 0, out.join(''))
      await eventually(async () => assert.deepEqual(readPidf((await sip.subscribe('meet.ivan@example.com')).body), { open: true, displayName: "Ivan's room" }))
      assert.equal(readPidf((await sip.subscribe('meet.bob@example.com')).body).open, false, 'the import replaced everything')
    } finally {
      await sip.close()
      await node.stop()
    }
  }))
