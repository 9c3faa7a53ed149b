/**
 * An SfB-style call through the production node and its media worker, over real SIP and real
 * (S)RTP on loopback: the offer carries RTP/SAVP with SDES keys (with and without an MKI, and
 * SfB's cryptoscale) and ICE; Parley's answer has its own key and ICE-lite credentials, its
 * candidate answers the far end's check, the far end's encrypted tone is heard by a plain RTP
 * caller in the same room, and the far end decrypts the other caller's tone with the answer's
 * key. Needs GStreamer and node-gtk (scripts/install-deps.sh); fails, not skips, without them.
 * About 12 s: a node and its worker start (~5 s on a loaded CI machine), then 3.5 s of audio so
 * that the last 1.5 s, after keys and jitter buffers have settled, is judged.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EndpointOptions, RtpEndpoint } from '../media/gst/testing/rtp-endpoint.js'
import { analysisRate, rtpEndpoint } from '../media/gst/testing/rtp-endpoint.js'
import { pcmSamples, toneShareDb } from '../media/gst/testing/tone-analysis.js'
import type { Dialog } from '../sip/stack/stack-types.js'
import { startRunningNode } from './testing/running-node.js'
import { TestSipClient } from './testing/sip-client.js'

const heard = -12
const notHeard = -30
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const sfbOffer = (port: number, key: string): string =>
  [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=session',
    'c=IN IP4 127.0.0.1',
    'b=CT:99980',
    't=0 0',
    `m=audio ${port} RTP/SAVP 0 101`,
    'a=x-ssrc-range:2029455532-2029455532',
    'a=label:main-audio',
    'a=ice-ufrag:tlMR',
    'a=ice-pwd:FuwpNRsfT4UaOKa0ivlnB0n4',
    `a=candidate:1 1 UDP 2130706431 127.0.0.1 ${port} typ host `,
    `a=candidate:1 2 UDP 2130705918 127.0.0.1 ${port + 1} typ host `,
    `a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`,
    `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=x-devicecaps:audio:send,recv;video:send,recv',
    '',
  ].join('\r\n')

const plainOffer = (port: number): string =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n')

const lastSeconds = (pcm: Buffer, seconds: number): Float64Array => {
  const samples = pcmSamples(pcm)
  return samples.subarray(Math.max(0, samples.length - Math.round(seconds * analysisRate)))
}

void test('an SfB-style SRTP + ICE call and a plain one in meet.bob hear each other through the node and its media worker', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-srtp-node-'))
  const { node } = await startRunningNode(dataDir, { PARLEY_MEDIA: 'gst', PARLEY_LOG_LEVEL: 'warn' })
  const sip = await TestSipClient.open(node.ready.sip?.udp ?? 0)
  const endpoints: RtpEndpoint[] = []
  const dialogs: Dialog[] = []
  t.after(async () => {
    await Promise.all(endpoints.map((e) => e.stop()))
    await Promise.all(dialogs.map((d) => d.bye().catch(() => undefined)))
    await sip.close()
    await node.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const callerKey = randomBytes(30).toString('base64')
  const srtp: NonNullable<EndpointOptions['srtp']> = { suite: 'AES_CM_128_HMAC_SHA1_80', key: callerKey, parleyKey: randomBytes(30).toString('base64') }
  const sfb = await rtpEndpoint({ codec: 'PCMU', tone: 440, srtp })
  endpoints.push(sfb)
  const sfbCall = await sip.call('meet.bob@example.com', 'Sasha SfB', sfbOffer(sfb.plan().remote.port, callerKey))
  assert.equal(sfbCall._tag, 'Answered', JSON.stringify(sfbCall))
  if (sfbCall._tag !== 'Answered') return
  dialogs.push(sfbCall.dialog)
  sfbCall.dialog.setHandler({ onRequest: (request) => void request.respond({ status: 200 }), onTerminated: () => undefined })
  const answer = sfbCall.answer
  const legPort = Number(/^m=audio (\d+) RTP\/SAVP /m.exec(answer)?.[1])
  const crypto = /^a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]{40})\|2\^31$/m.exec(answer)
  const ufrag = /^a=ice-ufrag:(\S+)$/m.exec(answer)?.[1]
  const pwd = /^a=ice-pwd:(\S+)$/m.exec(answer)?.[1]
  assert.ok(legPort > 0 && crypto?.[1] !== undefined && ufrag !== undefined && pwd !== undefined, `an SRTP + ICE answer (the MKI-less line taken): ${answer}`)
  assert.match(answer, /^a=ice-lite$/m)
  assert.match(answer, new RegExp(`^a=candidate:1 1 UDP \\d+ 127\\.0\\.0\\.1 ${legPort} typ host$`, 'm'))
  assert.notEqual(crypto[1], callerKey, 'Parley sends with a key of its own')
  const farEnd = sfb.farEnd
  assert.ok(farEnd !== undefined)
  farEnd.useKey(crypto[1])
  // The media attach follows the 200: checks are retransmitted until answered, as an agent's are (RFC 8445 §14.3).
  let checked: Awaited<ReturnType<typeof farEnd.check>>
  for (let attempt = 0; attempt < 20 && checked === undefined; attempt++) checked = await farEnd.check(legPort, { ufrag, pwd, localUfrag: 'tlMR' }, true, 250)
  assert.deepEqual(checked, { integrity: true, fingerprint: true, mapped: { address: '127.0.0.1', port: farEnd.port } })
  sfb.start(legPort)

  const plain = await rtpEndpoint({ codec: 'PCMU', tone: 1000 })
  endpoints.push(plain)
  const plainCall = await sip.call('meet.bob@example.com', 'Pat Plain', plainOffer(plain.plan().remote.port))
  assert.equal(plainCall._tag, 'Answered')
  if (plainCall._tag !== 'Answered') return
  dialogs.push(plainCall.dialog)
  plainCall.dialog.setHandler({ onRequest: (request) => void request.respond({ status: 200 }), onTerminated: () => undefined })
  assert.doesNotMatch(plainCall.answer, /a=crypto|a=ice/)
  plain.start(Number(/^m=audio (\d+) /m.exec(plainCall.answer)?.[1]))

  await sleep(3_500)
  const counts = farEnd.counts()
  const [toSfb, toPlain] = await Promise.all([sfb.stop(), plain.stop()])
  const s = lastSeconds(toSfb, 1.5)
  const p = lastSeconds(toPlain, 1.5)
  const share = (samples: Float64Array, f: number) => toneShareDb(samples, f, analysisRate).toFixed(1)
  t.diagnostic(`SfB caller hears 1000 Hz at ${share(s, 1000)} dB, itself at ${share(s, 440)} dB; plain caller hears 440 Hz at ${share(p, 440)} dB, itself at ${share(p, 1000)} dB; far end decrypted ${JSON.stringify(counts)}`)
  assert.ok(counts.decrypted > 50 && counts.rejected === 0, `the SfB far end decrypts Parley's SRTP with the answer's key: ${JSON.stringify(counts)}`)
  assert.ok(s.length > analysisRate && p.length > analysisRate, `both far ends recorded audio: ${s.length}, ${p.length}`)
  assert.ok(toneShareDb(p, 440, analysisRate) > heard, `the plain caller hears the SfB caller's encrypted tone: ${share(p, 440)} dB`)
  assert.ok(toneShareDb(s, 1000, analysisRate) > heard, `the SfB caller hears the plain caller: ${share(s, 1000)} dB`)
  assert.ok(toneShareDb(s, 440, analysisRate) < notHeard && toneShareDb(p, 1000, analysisRate) < notHeard, 'nobody hears themselves')
})
