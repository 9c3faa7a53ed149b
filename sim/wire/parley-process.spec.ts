/**
 * A real node as a child process: the ready line read back with the ports bound, /healthz on
 * the HTTP port it reported, log lines handed to listeners, a clean stop, and a refused
 * configuration reported as an exit before ready with the node's own words.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { describeStartFailure, ParleyProcess, readyReportOf, type LogLine } from './parley-process.js'
import { RunDirectory } from './run-directory.js'

const run = new RunDirectory('parley-process-spec-')
after(() => run.remove())

test('a ready line is read with its ports; a malformed one is not taken for one', () => {
  assert.deepEqual(readyReportOf({ msg: 'ready', sip: { udp: 5060, tcp: 5060, tls: 5061 }, http: 8080 }), { sip: { udp: 5060, tcp: 5060, tls: 5061 }, http: 8080 })
  assert.deepEqual(readyReportOf({ msg: 'ready', sip: null, http: 8080 }), { sip: null, http: 8080 })
  assert.equal(readyReportOf({ msg: 'ready', sip: { udp: 0, tcp: 1, tls: 2 }, http: 8080 }), undefined)
  assert.equal(readyReportOf({ msg: 'ready', sip: null }), undefined)
  assert.equal(readyReportOf({ msg: 'configuration loaded', http: 8080 }), undefined)
})

test('the node starts on ports of its own choosing, answers /healthz, logs, and stops', async () => {
  const { dataDir, configFile } = run.nextStart(demoConfigFile)
  const started = await ParleyProcess.start({ configFile, dataDir, adminPassword: 'wire-spec', tls: run.tls, logLevel: 'info' })
  if (E.isLeft(started)) assert.fail(describeStartFailure(started.left))
  const node = started.right
  try {
    assert.ok(node.ready.http > 0)
    const lines: LogLine[] = []
    node.onLog((line) => lines.push(line))
    const health = await fetch(`http://127.0.0.1:${node.ready.http}/healthz`)
    assert.equal(health.status, 200)
    if (node.ready.sip !== null) for (const port of Object.values(node.ready.sip)) assert.ok(port > 0)
  } finally {
    await node.stop()
  }
  await assert.rejects(fetch(`http://127.0.0.1:${node.ready.http}/healthz`))
})

test('a configuration the node refuses is an exit before ready, with what the node said', async () => {
  const { dataDir, configFile } = run.nextStart({ conference: [{ id: 1, name: '' }] })
  const started = await ParleyProcess.start({ configFile, dataDir, adminPassword: 'wire-spec', tls: run.tls, logLevel: 'info' })
  assert.ok(E.isLeft(started))
  assert.equal(started.left._tag, 'ExitedBeforeReady')
  assert.match(describeStartFailure(started.left), /conference/)
})
