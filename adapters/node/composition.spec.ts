import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { VirtualClock } from '../../core/ports/fakes/virtual-clock.js'
import { loadProductLogo } from '../http/logo/product-logo.js'
import { openStore, temporaryDataDir } from '../store/testing/store-fixtures.js'
import { createContainer, patternEngines } from './composition.js'
import type { Assembly, Boot } from './composition.js'
import { createLogger } from './logger.js'
import type { ParleyNode } from './parley-node.js'
import type { NodeListening, SipPorts, SipService } from './sip-service.js'
import { systemClock } from './system-clock.js'
import { makeSelfSigned } from './tls-certificate.js'
import * as Token from './tokens.js'

/** A log that keeps its JSON lines for the test to read. */
const memoryLog = () => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, stream }
}

const pair = makeSelfSigned('127.0.0.1')

const dataDirs: Array<{ readonly remove: () => void; readonly close: () => void }> = []
after(() => {
  for (const d of dataDirs) {
    d.close()
    d.remove()
  }
})

const boot = (assembly: Assembly, log: ReturnType<typeof memoryLog>): Boot => {
  const data = temporaryDataDir()
  const { store } = openStore(data.dir, { engine: patternEngines[assembly], adminPassword: 'secret' })
  dataDirs.push({ remove: data.remove, close: () => store.close() })
  return {
    env: { sipBind: '127.0.0.1', sipPort: 0, sipsPort: 0, httpBind: '127.0.0.1', httpPort: 0, publicHost: '127.0.0.1', dataDir: '/nonexistent', logLevel: 'info', media: 'loopback' },
    logger: createLogger('info', log.stream),
    versions: { parley: '0.0.0-test', node: process.version },
    store,
    tls: { cert: pair.cert, key: pair.key, files: { certFile: '/c', keyFile: '/k' }, origin: 'configured' },
    logo: loadProductLogo(),
    uptime: () => 1,
  }
}

void test('each assembly binds its own clock and ids; the shell is shared; only the live one binds the SIP adapter', () => {
  const live = createContainer('live', boot('live', memoryLog()))
  const sim = createContainer('sim', boot('sim', memoryLog()))
  assert.equal(live.get(Token.Clock), systemClock)
  assert.ok(sim.get(Token.Clock) instanceof VirtualClock)
  assert.equal(sim.get(Token.Clock), sim.get(Token.Clock), 'singleton scope')
  assert.equal(live.get(Token.PatternEngine), patternEngines.live)
  assert.equal(sim.get(Token.PatternEngine), patternEngines.sim)
  for (const c of [live, sim]) assert.equal(c.get(Token.ParleyNode), c.get(Token.ParleyNode))
  assert.equal(live.isBound(Token.SipService), true)
  assert.equal(live.get(Token.SipService), live.get(Token.SipService), 'singleton scope')
  assert.equal(sim.isBound(Token.SipService), false)
  assert.ok(sim.isBound(Token.Signalling) && sim.isBound(Token.Media) && sim.isBound(Token.PresenceDelivery))
})

void test('without SIP the node starts HTTP, says SIP is not started, logs one ready line, and stops', async () => {
  const log = memoryLog()
  const container = createContainer('sim', boot('sim', log))
  const node = container.get<ParleyNode>(Token.ParleyNode)
  const ready = await node.start()
  try {
    assert.equal(ready.sip, undefined)
    const health = await fetch(`http://127.0.0.1:${ready.http}/healthz`)
    assert.equal(health.status, 200)
    const avatar = await fetch(`http://127.0.0.1:${ready.http}/avatar/999999.png`)
    assert.equal(avatar.status, 404, 'a conference the configuration does not have')
    await avatar.arrayBuffer()
    const admin = { authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` }
    const status = await fetch(`http://127.0.0.1:${ready.http}/api/admin/status/v1/participant/`, { headers: admin })
    assert.deepEqual(((await status.json()) as { objects: unknown[] }).objects, [], 'no core runs in this assembly')
    assert.equal((await fetch(`http://127.0.0.1:${ready.http}/api/admin/status/v1/participant/`)).status, 401)
    const dashboard = await fetch(`http://127.0.0.1:${ready.http}/`)
    assert.equal(dashboard.status, 401)
    await dashboard.arrayBuffer()
    const metrics = await fetch(`http://127.0.0.1:${ready.http}/metrics`)
    assert.equal(metrics.status, 200, '/metrics needs no auth')
    assert.match(await metrics.text(), /^parley_active_legs 0$/m)
  } finally {
    await node.stop()
  }
  const readyLines = log.lines.filter((l) => l['msg'] === 'ready')
  assert.equal(readyLines.length, 1)
  assert.equal(readyLines[0]?.['http'], ready.http)
  assert.equal(readyLines[0]?.['sip'], null)
  assert.ok(log.lines.some((l) => l['level'] === 'warn' && /SIP is not started/.test(String(l['msg']))))
  assert.ok(log.lines.some((l) => l['msg'] === 'stopped'))
  await assert.rejects(fetch(`http://127.0.0.1:${ready.http}/healthz`), 'the HTTP listener is closed')
})

class FakeSip implements SipService {
  readonly calls: string[] = []
  readonly listening: NodeListening[] = []
  constructor(private readonly outcome: SipPorts | Error) {}
  readonly start = async (listening: NodeListening): Promise<SipPorts> => {
    this.calls.push('start')
    this.listening.push(listening)
    if (this.outcome instanceof Error) throw this.outcome
    return this.outcome
  }
  readonly stop = async (): Promise<void> => {
    this.calls.push('stop')
  }
}

void test('a bound SipService is started after HTTP, its ports go in the ready line, and it is stopped', async () => {
  const log = memoryLog()
  const container = createContainer('sim', boot('sim', log))
  const sip = new FakeSip({ udp: 5070, tcp: 5071, tls: 5072 })
  container.bind(Token.SipService).toConstantValue(sip)
  const node = container.get<ParleyNode>(Token.ParleyNode)
  const ready = await node.start()
  await node.stop()
  await node.stop()
  assert.deepEqual(ready.sip, { udp: 5070, tcp: 5071, tls: 5072 })
  assert.deepEqual(sip.calls, ['start', 'stop'])
  assert.deepEqual(sip.listening, [{ http: ready.http, avatarBaseUrl: `http://127.0.0.1:${ready.http}` }], 'SIP learns where avatars are served')
  const readyLine = log.lines.find((l) => l['msg'] === 'ready')
  assert.deepEqual(readyLine?.['sip'], { udp: 5070, tcp: 5071, tls: 5072 })
})

void test('when SIP cannot start, the HTTP listener is closed again and start rejects', async () => {
  const log = memoryLog()
  const container = createContainer('sim', boot('sim', log))
  container.bind(Token.SipService).toConstantValue(new FakeSip(new Error('EADDRINUSE 5060')))
  const node = container.get<ParleyNode>(Token.ParleyNode)
  await assert.rejects(node.start(), /EADDRINUSE/)
  assert.equal(log.lines.filter((l) => l['msg'] === 'ready').length, 0)
  const http = container.get<{ app: { server: { listening: boolean } } }>(Token.HttpServer)
  assert.equal(http.app.server.listening, false)
})
