/**
 * PARLEY_MEDIA's two media sides as the SIP service starts them, and a node whose media worker
 * cannot start: the error is logged, signalling stays up (OPTIONS 200) and calls are refused
 * with 503 (the SIP side adds Retry-After, RFC 3261 §21.5.4) instead of being answered into silence.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { LegId } from '../../core/model/ids.js'
import { sequentialIds } from '../../core/ports/fakes/recording-ports.js'
import { demoPresenceConfig } from '../../core/presence/presence-test-config.js'
import { memoryLog } from '../media/channel/testing/memory-log.js'
import { createSipService } from '../sip/app/sip-service.js'
import { gstMediaFactory, loopbackMediaFactory } from './node-media.js'
import { systemClock } from './system-clock.js'
import { TestSipClient } from './testing/sip-client.js'
import { makeSelfSigned } from './tls-certificate.js'

const range = { bindHost: '127.0.0.1', portMin: 47000, portMax: 47099 }
/** GStreamer loads, but finds none of the elements the worker needs: the worker exits 78 (missing media stack). */
const noPlugins = { ...process.env, GST_PLUGIN_SYSTEM_PATH_1_0: '/nonexistent', GST_PLUGIN_PATH_1_0: '/nonexistent', GST_REGISTRY_1_0: '/nonexistent/registry.bin' }

void test('loopback: signalling only, ports bound, nothing attached', async () => {
  const { media, status } = await loopbackMediaFactory(pino({ level: 'silent' }))(range)
  assert.deepEqual(status, { kind: 'loopback' })
  assert.equal(media.attacher, undefined)
  const ports = await media.allocate(LegId('l1'), ['audio'])
  assert.ok(E.isRight(ports) && ports.right.audio !== undefined)
  assert.deepEqual(media.snapshot().map((r) => [r.leg, r.ports.audio]), [['l1', ports.right.audio]])
  await media.close()
})

void test('a worker that cannot start: the node logs why, answers OPTIONS, and refuses calls with 503', async (t) => {
  const log = memoryLog()
  const factory = gstMediaFactory({ logger: log.logger, now: () => 0, supervisor: { env: noPlugins } })
  const pair = makeSelfSigned('127.0.0.1')
  const sip = createSipService({
    env: { sipBind: '127.0.0.1', sipPort: 0, sipsPort: 0, httpBind: '127.0.0.1', httpPort: 0, publicHost: '127.0.0.1', dataDir: '/nonexistent', logLevel: 'silent', media: 'gst' },
    tls: { cert: pair.cert, key: pair.key, files: { certFile: '', keyFile: '' }, origin: 'generated' },
    logger: pino({ level: 'silent' }),
    config: { ...demoPresenceConfig, source: { ...demoPresenceConfig.source, global: { ...demoPresenceConfig.source.global, rtpPortMin: range.portMin, rtpPortMax: range.portMax } } },
    clock: systemClock,
    ids: sequentialIds('nm-'),
    productLogoHash: 'feed',
    media: factory,
  })
  const ports = await sip.start({ http: 8080, avatarBaseUrl: 'http://127.0.0.1:8080' })
  const client = await TestSipClient.open(ports.udp)
  t.after(async () => {
    await client.close()
    await sip.stop()
  })
  assert.deepEqual(ports.media, { kind: 'gst', worker: null, problem: 'the media stack (GStreamer, node-gtk) is missing' })
  assert.ok(log.messages('error').some((m) => m.startsWith('the media worker did not start')), JSON.stringify(log.messages('error')))
  assert.equal(await client.options(), 200)
  const refused = await client.call('meet.bob@example.com', 'Ann')
  assert.deepEqual(refused, { _tag: 'Failed', status: 503 })
})
