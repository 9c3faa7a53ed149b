/**
 * A production node in-process over real loopback sockets for the attack and fault specs
 * (`*-fraud`, `*-torture`, issue 9): every port chosen by the system, a fresh data dir, the admin
 * password known, logs discarded, and the helpers those specs share. Every wait is bounded.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import { parsePrometheusText } from '../../http/metrics/testing/prometheus-text.js'
import { serve } from '../serve.js'
import type { RunningNode } from '../serve.js'

export const adminPassword = 'attack spec secret'
export const adminAuthorization = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`
export const configurationV1 = '/api/admin/configuration/v1/'

const silent = new Writable({ write: (_chunk, _encoding, done) => done() })

export interface NodeUnderTest {
  readonly node: RunningNode
  /** HTTP to the node; `auth` false sends no Authorization header. */
  readonly http: (path: string, init?: RequestInit & { readonly auth?: boolean }) => Promise<Response>
  readonly metrics: () => Promise<ReadonlyMap<string, number>>
}

/** Starts a node on `dir` (an existing store there is kept, as at a restart); the caller stops it. */
export const startRunningNode = async (dir: string, extraEnv: Readonly<Record<string, string>> = {}, logDestination: Writable = silent): Promise<NodeUnderTest> => {
  const started = await serve({
    env: {
      PARLEY_BIND: '127.0.0.1',
      PARLEY_PUBLIC_HOST: '127.0.0.1',
      PARLEY_SIP_PORT: '0',
      PARLEY_SIPS_PORT: '0',
      PARLEY_HTTP_PORT: '0',
      PARLEY_DATA_DIR: dir,
      PARLEY_ADMIN_PASSWORD: adminPassword,
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_MEDIA: 'loopback', // attacks are on signalling: no GStreamer pipeline per call (extraEnv may ask for gst)
      ...extraEnv,
    },
    cwd: dir,
    networkInterfaces: () => ({}),
    assembly: 'live',
    logDestination,
    uptime: () => 1,
    adminPasswordGenerated: () => assert.fail('PARLEY_ADMIN_PASSWORD is set: nothing is generated'),
  })
  if (E.isLeft(started)) assert.fail(`the node did not start: ${JSON.stringify(started.left)}`)
  const node = started.right
  const http = (path: string, init: RequestInit & { readonly auth?: boolean } = {}): Promise<Response> => {
    const { auth, ...rest } = init
    return fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
      ...rest,
      headers: {
        ...(auth === false ? {} : { authorization: adminAuthorization }),
        ...(rest.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(rest.headers as Record<string, string> | undefined),
      },
    })
  }
  const metrics = async (): Promise<ReadonlyMap<string, number>> => parsePrometheusText(await (await fetch(`http://127.0.0.1:${node.ready.http}/metrics`)).text())
  return { node, http, metrics }
}

/** A fresh data dir for `use`, removed after it. */
export const withDataDir = async (use: (dir: string) => Promise<void>): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-attack-'))
  try {
    await use(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Starts a node with a fresh data dir, runs `use`, and stops and removes everything after. */
export const withRunningNode = (use: (t: NodeUnderTest) => Promise<void>, extraEnv: Readonly<Record<string, string>> = {}, logDestination: Writable = silent): Promise<void> =>
  withDataDir(async (dir) => {
    const t = await startRunningNode(dir, extraEnv, logDestination)
    try {
      await use(t)
    } finally {
      await t.node.stop()
    }
  })

/** A log destination that keeps every JSON line the node writes. */
export const capturedLog = (): { readonly destination: Writable; readonly lines: () => ReadonlyArray<Record<string, unknown>> } => {
  let text = ''
  const destination = new Writable({
    write: (chunk: Buffer | string, _encoding, done) => {
      text += chunk.toString()
      done()
    },
  })
  const lines = (): ReadonlyArray<Record<string, unknown>> =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  return { destination, lines }
}

/** Retries `check` until it passes or `boundMs` has gone by (CONVENTIONS 9 `eventually`). */
export const eventually = async (check: () => Promise<void>, boundMs = 3_000): Promise<void> => {
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
