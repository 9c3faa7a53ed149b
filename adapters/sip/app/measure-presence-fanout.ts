/**
 * NOTIFYs per second on the real node (LiveSipService over UDP on 127.0.0.1): `watchers`
 * RFC 3856 subscriptions to meet.alice@example.com from one UDP socket (each its own dialog),
 * then a configuration change renaming the room, which notifies every watcher. Measured: the
 * subscription phase (SUBSCRIBE, 200, NOTIFY, 200 per watcher) and the fan-out (the time from
 * the change until every NOTIFY has arrived; the watcher answers each at once).
 *
 * Run: `node --import tsx adapters/sip/app/measure-presence-fanout.ts [watchers]`.
 */
import dgram from 'node:dgram'
import { performance } from 'node:perf_hooks'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { compileConfig } from '../../../core/config/compile.js'
import { jsPatternEngine } from '../../../core/ports/fakes/js-pattern-engine.js'
import { demoPresenceConfig } from '../../../core/presence/presence-test-config.js'
import { randomIds } from '../../node/random-ids.js'
import { systemClock } from '../../node/system-clock.js'
import { makeSelfSigned } from '../../node/tls-certificate.js'
import { createSipService } from './sip-service.js'

export interface FanoutResult {
  readonly watchers: number
  /** Subscriptions set up per second (each: SUBSCRIBE, 200, NOTIFY, 200). */
  readonly subscriptionsPerSecond: number
  /** NOTIFYs delivered per second after one configuration change. */
  readonly notifiesPerSecond: number
}

const headerLines = (message: string, names: ReadonlyArray<string>): string[] =>
  message.split('\r\n').filter((line) => names.some((n) => line.toLowerCase().startsWith(`${n.toLowerCase()}:`)))

export const measurePresenceFanout = async (watchers: number): Promise<FanoutResult> => {
  const pair = makeSelfSigned('127.0.0.1')
  const service = createSipService({
    env: { sipBind: '127.0.0.1', sipPort: 0, sipsPort: 0, httpBind: '127.0.0.1', httpPort: 0, publicHost: '127.0.0.1', dataDir: '/nonexistent', logLevel: 'silent', media: 'loopback' },
    tls: { cert: pair.cert, key: pair.key, files: { certFile: '', keyFile: '' }, origin: 'generated' },
    logger: pino({ level: 'silent' }),
    config: demoPresenceConfig,
    clock: systemClock,
    ids: randomIds,
    productLogoHash: 'x',
  })
  const ports = await service.start({ http: 8080, avatarBaseUrl: 'http://127.0.0.1:8080' })
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const local = socket.address().port
  let notifies = 0
  let waiting: { readonly count: number; readonly resolve: () => void } | undefined
  socket.on('message', (bytes) => {
    const text = bytes.toString()
    if (!text.startsWith('NOTIFY ')) return
    const copied = headerLines(text, ['via', 'from', 'to', 'call-id', 'cseq'])
    socket.send(['SIP/2.0 200 OK', ...copied, 'Content-Length: 0', '', ''].join('\r\n'), ports.udp, '127.0.0.1')
    notifies++
    if (waiting !== undefined && notifies >= waiting.count) waiting.resolve()
  })
  const until = (count: number): Promise<void> =>
    notifies >= count ? Promise.resolve() : new Promise((resolve) => (waiting = { count, resolve }))

  const subscribe = (i: number): string =>
    [
      'SUBSCRIBE sip:meet.alice@example.com SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKfan${i};rport`,
      'Max-Forwards: 70',
      `From: <sip:watcher${i}@example.net>;tag=w${i}`,
      'To: <sip:meet.alice@example.com>',
      `Call-ID: fanout-${i}@127.0.0.1`,
      'CSeq: 1 SUBSCRIBE',
      `Contact: <sip:watcher${i}@127.0.0.1:${local}>`,
      'Event: presence',
      'Accept: application/pidf+xml',
      'Expires: 3600',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')

  const started = performance.now()
  // In windows of 200, so that neither side's receive buffer is the thing measured.
  for (let i = 0; i < watchers; i += 200) {
    for (let j = i; j < Math.min(watchers, i + 200); j++) socket.send(subscribe(j), ports.udp, '127.0.0.1')
    await until(Math.min(watchers, i + 200))
  }
  const subscribed = performance.now()

  const renamed = compileConfig({ ...demoPresenceConfig.source, vmrs: demoPresenceConfig.source.vmrs.map((v) => (v.name === "Alice's meeting room" ? { ...v, name: 'Alice and co' } : v)) }, jsPatternEngine)
  if (E.isLeft(renamed)) throw new Error('the renamed configuration does not compile')
  const changed = performance.now()
  service.runtime?.changeConfig(renamed.right)
  await until(2 * watchers)
  const notified = performance.now()

  socket.close()
  await service.stop()
  return {
    watchers,
    subscriptionsPerSecond: Math.round(watchers / ((subscribed - started) / 1000)),
    notifiesPerSecond: Math.round(watchers / ((notified - changed) / 1000)),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const watchers = Number(process.argv[2] ?? 2000)
  measurePresenceFanout(watchers).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
      process.exitCode = 1
    },
  )
}
