/**
 * SRTP and ICE legs with real packets on loopback, through a real media worker: GStreamer far
 * ends (rtp-endpoint.ts) encrypt with srtpenc, Parley decrypts with srtpdec and encrypts with
 * srtpenc, the far ends decrypt with srtp-packet.ts (srtp-far-end.ts) and record; tones are
 * judged by frequency analysis. Needs GStreamer and node-gtk (scripts/install-deps.sh); fails,
 * not skips, without them.
 */
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import { memoryLog } from '../channel/testing/memory-log.js'
import type { AudioStreamPlan, WorkerEvent } from '../worker/worker-protocol.js'
import { WorkerSupervisor } from '../worker/worker-supervisor.js'
import { Attribute, MessageType, readStun, readXorMappedAddress, verifyStun, writeStun } from './ice-stun.js'
import { protectRtp, sessionKeys, srtpSuiteParameters } from './srtp-packet.js'
import type { EndpointOptions, RtpEndpoint } from './testing/rtp-endpoint.js'
import { analysisRate, rtpEndpoint, telephoneEventPackets } from './testing/rtp-endpoint.js'
import { pcmSamples, toneShareDb } from './testing/tone-analysis.js'

const portRange = { portMin: 47100, portMax: 47499 }

/** The bounds of media-worker.spec.ts: share of the received energy at a tone's frequency. */
const heard = -12
const notHeard = -30

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const key = () => randomBytes(30).toString('base64')

const startWorker = async (t: TestContext) => {
  const log = memoryLog()
  const supervisor = new WorkerSupervisor({ logger: log.logger, bindHost: '127.0.0.1', ...portRange, backoff: { firstMs: 50, maxMs: 1_000, stableMs: 30_000 } })
  t.after(() => supervisor.close())
  const started = await supervisor.start()
  assert.ok(E.isRight(started), `the media worker starts (GStreamer and node-gtk installed): ${JSON.stringify(started)}`)
  const events: WorkerEvent[] = []
  supervisor.onEvent((event) => events.push(event))
  return { supervisor, events, log }
}

type Supervisor = Awaited<ReturnType<typeof startWorker>>['supervisor']

const request = async <A>(task: () => Promise<E.Either<unknown, A>>, what: string): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) assert.fail(`${what}: ${JSON.stringify(result.left)}`)
  return result.right
}

const allocate = async (supervisor: Supervisor, leg: string): Promise<number> => {
  const ports = await request(supervisor.request('allocatePorts', { leg, streams: ['audio'] }), `ports for ${leg}`)
  assert.ok(ports.audio !== undefined)
  return ports.audio
}

interface Participant {
  readonly endpoint: RtpEndpoint
  readonly port: number
  readonly plan: AudioStreamPlan
}

/** A leg whose far end sends `options`, attached with `extra` in its plan (keys, ICE). */
const participant = async (t: TestContext, supervisor: Supervisor, leg: string, options: EndpointOptions, extra: Partial<AudioStreamPlan> = {}): Promise<Participant> => {
  const endpoint = await rtpEndpoint(options)
  t.after(() => endpoint.stop())
  const port = await allocate(supervisor, leg)
  const plan = { ...endpoint.plan(), ...extra }
  await request(supervisor.request('attachLeg', { leg, audio: plan }), `attach ${leg}`)
  return { endpoint, port, plan }
}

/**
 * The last 1.5 s of what a far end recorded: by then every SSRC is keyed and the jitter buffers
 * have settled, also on a loaded CI machine (where the first second can glitch, as in
 * media-worker.spec.ts), so that heard / not heard judge the steady state.
 */
const analysable = (pcm: Buffer): Float64Array => {
  const samples = pcmSamples(pcm)
  return samples.subarray(Math.max(0, samples.length - Math.round(1.5 * analysisRate)))
}
const share = (samples: Float64Array, f: number) => toneShareDb(samples, f, analysisRate)

void test('SRTP legs (one behind ICE): an encrypted tone is heard by the others, far ends decrypt what Parley sends, a wrong key is heard by nobody and breaks nothing', async (t) => {
  const { supervisor, events, log } = await startWorker(t)
  const suite = 'AES_CM_128_HMAC_SHA1_80'
  const ice = { localUfrag: 'Pl4x', localPwd: 'parleyparleyparleyparley', remoteUfrag: 'Fa9r', remotePwd: 'farendfarendfarendfarend' }
  // Alice: SfB-like, SRTP behind ICE, PCMU, 440 Hz.
  const alice = await participant(t, supervisor, 'alice', { codec: 'PCMU', tone: 440, srtp: { suite, key: key(), parleyKey: key() } }, { ice })
  // Bob: SRTP without ICE, G.722, 1000 Hz, with the _32 tag and a one-byte MKI on what he sends (SfB's `|1:1`).
  const bob = await participant(t, supervisor, 'bob', { codec: 'G722', tone: 1000, srtp: { suite: 'AES_CM_128_HMAC_SHA1_32', key: key(), parleyKey: key(), mki: '01' } })
  // Mallory encrypts with a key other than the one her SDP gave: srtpdec must drop all of it.
  const mallory = await participant(t, supervisor, 'mallory', { codec: 'PCMU', tone: 700, srtp: { suite, key: key(), parleyKey: key(), sendWith: key() } })
  // Dora: AES_256_CM_HMAC_SHA1_80 (RFC 6188, 46-byte keys), 1500 Hz.
  const dora = await participant(t, supervisor, 'dora', { codec: 'PCMU', tone: 1500, srtp: { suite: 'AES_256_CM_HMAC_SHA1_80', key: randomBytes(46).toString('base64'), parleyKey: randomBytes(46).toString('base64') } })
  // Carol: plain RTP, silent; hears everyone Parley could decrypt.
  const carol = await participant(t, supervisor, 'carol', { codec: 'PCMU' })
  for (const leg of ['alice', 'bob', 'mallory', 'dora', 'carol']) await request(supervisor.request('joinMix', { leg, conference: 'vmr-srtp' }), `join ${leg}`)

  // Alice's far end is a controlling agent: it checks Parley's candidate from its media socket and nominates it.
  const farEnd = alice.endpoint.farEnd
  assert.ok(farEnd !== undefined)
  const checked = await farEnd.check(alice.port, { ufrag: ice.localUfrag, pwd: ice.localPwd, localUfrag: ice.remoteUfrag }, true)
  assert.deepEqual(checked, { integrity: true, fingerprint: true, mapped: { address: '127.0.0.1', port: farEnd.port } })

  for (const p of [alice, bob, mallory, dora, carol]) p.endpoint.start(p.port)
  await sleep(3_500)
  const aliceCounts = alice.endpoint.farEnd?.counts()
  const bobCounts = bob.endpoint.farEnd?.counts()
  const doraCounts = dora.endpoint.farEnd?.counts()
  const [a, b, m, d, c] = (await Promise.all([alice, bob, mallory, dora, carol].map((p) => p.endpoint.stop()))).map((pcm) => analysable(pcm))
  assert.ok(a !== undefined && b !== undefined && m !== undefined && d !== undefined && c !== undefined)
  assert.ok(a.length > analysisRate && b.length > analysisRate && m.length > analysisRate && c.length > analysisRate, `each far end decrypted and recorded audio: ${a.length}, ${b.length}, ${m.length}, ${c.length} samples; worker warnings: ${JSON.stringify(log.records.filter((r) => r['level'] !== 'debug' && r['level'] !== 'info'))}`)
  assert.ok((aliceCounts?.decrypted ?? 0) > 50 && aliceCounts?.rejected === 0, `Alice's far end decrypts Parley's SRTP: ${JSON.stringify(aliceCounts)}`)
  assert.ok((bobCounts?.decrypted ?? 0) > 50 && bobCounts?.rejected === 0, `Bob's far end decrypts Parley's SRTP (32-bit tags): ${JSON.stringify(bobCounts)}`)
  assert.ok((doraCounts?.decrypted ?? 0) > 50 && doraCounts?.rejected === 0, `Dora's far end decrypts Parley's AES-256 SRTP: ${JSON.stringify(doraCounts)}`)
  const report = (name: string, s: Float64Array) => `${name}: 440 ${share(s, 440).toFixed(1)}, 1000 ${share(s, 1000).toFixed(1)}, 700 ${share(s, 700).toFixed(1)}, 1500 ${share(s, 1500).toFixed(1)} dB`
  for (const [name, s] of [['Alice', a], ['Bob', b], ['Mallory', m], ['Dora', d], ['Carol', c]] as const) t.diagnostic(report(name, s))
  t.diagnostic(`far ends decrypted: Alice ${JSON.stringify(aliceCounts)}, Bob ${JSON.stringify(bobCounts)}, Dora ${JSON.stringify(doraCounts)}`)
  assert.ok(share(c, 1500) > heard && share(d, 440) > heard, report('Carol hears Dora (AES-256), Dora hears the room', c) + '; ' + report('Dora', d))
  // Encrypted tones are heard by the others, through ICE and without.
  assert.ok(share(b, 440) > heard, report('Bob hears Alice (SRTP behind ICE)', b))
  assert.ok(share(a, 1000) > heard, report('Alice hears Bob (SRTP with MKI; sent to her through the ICE port)', a))
  assert.ok(share(c, 440) > heard && share(c, 1000) > heard, report('Carol (plain RTP) hears Alice and Bob', c))
  assert.ok(share(a, 440) < notHeard && share(b, 1000) < notHeard, `nobody hears themselves: ${report('Alice', a)}; ${report('Bob', b)}`)
  // Mallory's wrong key: nobody hears her, and she still hears the others.
  for (const [name, s] of [['Alice', a], ['Bob', b], ['Carol', c]] as const) assert.ok(share(s, 700) < notHeard, report(`${name} does not hear Mallory`, s))
  assert.ok(share(m, 440) > heard && share(m, 1000) > heard, report('Mallory still hears the room', m))
  assert.deepEqual(events.filter((e) => e._tag === 'LegFailed'), [])
})

/** A Binding request as a full agent sends it (RFC 8445 §7.2.2), from `socket` to `port`; resolves with the response or undefined after `ms`. */
const bindingRequest = (socket: dgram.Socket, port: number, username: string, password: string, ms = 1_000) => {
  const id = randomBytes(12)
  const packet = writeStun(MessageType.bindingRequest, id, [[Attribute.username, Buffer.from(username)], [Attribute.iceControlling, randomBytes(8)], [Attribute.priority, Buffer.from([0x6e, 0, 1, 0xff])]], password)
  return new Promise<{ readonly id: Buffer; readonly response: Buffer | undefined }>((resolve) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage)
      resolve({ id, response: undefined })
    }, ms)
    const onMessage = (message: Buffer) => {
      if (readStun(message)?.transactionId.equals(id) !== true) return
      clearTimeout(timer)
      socket.off('message', onMessage)
      resolve({ id, response: message })
    }
    socket.on('message', onMessage)
    socket.send(packet, port, '127.0.0.1')
  })
}

void test('STUN Binding requests to an ICE leg\'s RTP and RTCP ports get success responses with the sender as XOR-MAPPED-ADDRESS, integrity and fingerprint; a wrong password gets none', async (t) => {
  const { supervisor } = await startWorker(t)
  const port = await allocate(supervisor, 'sfb')
  const ice = { localUfrag: 'Qz7k', localPwd: 'abcdefghijklmnopqrstuvwx', remoteUfrag: 'tlMR', remotePwd: 'FuwpNRsfT4UaOKa0ivlnB0n4' }
  const plan: AudioStreamPlan = { codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 }, remote: { address: '127.0.0.1', port: 9 }, direction: 'sendrecv', ice, srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(), remoteKey: key() } }
  await request(supervisor.request('attachLeg', { leg: 'sfb', audio: plan }), 'attach')
  const socket = dgram.createSocket('udp4')
  t.after(() => socket.close())
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const own = socket.address().port
  for (const component of [port, port + 1]) {
    const { id, response } = await bindingRequest(socket, component, `${ice.localUfrag}:${ice.remoteUfrag}`, ice.localPwd)
    assert.ok(response !== undefined, `port ${component} answers`)
    const message = readStun(response)
    assert.ok(message !== undefined)
    assert.equal(message.type, MessageType.bindingSuccess)
    assert.equal(verifyStun(message, ice.localPwd), true, 'MESSAGE-INTEGRITY with Parley\'s ice-pwd, FINGERPRINT right')
    assert.equal(message.attributes.at(-1)?.type, Attribute.fingerprint)
    const mapped = message.attributes.find((a) => a.type === Attribute.xorMappedAddress)
    assert.deepEqual(mapped === undefined ? undefined : readXorMappedAddress(mapped.value, id), { address: '127.0.0.1', port: own })
  }
  const wrong = await bindingRequest(socket, port, `${ice.localUfrag}:${ice.remoteUfrag}`, 'not-the-password-at-all!', 400)
  assert.equal(wrong.response, undefined, 'a check with the wrong password is not answered')
  await request(supervisor.request('releaseLeg', { leg: 'sfb' }), 'release')
  const afterRelease = await bindingRequest(socket, port, `${ice.localUfrag}:${ice.remoteUfrag}`, ice.localPwd, 300)
  assert.equal(afterRelease.response, undefined, 'a released leg\'s port answers no more')
})

void test('RFC 4733 digits inside SRTP (an SfB caller typing a PIN) become Dtmf events, once each and in order; the same digits under a wrong key give none', async (t) => {
  const { supervisor, events } = await startWorker(t)
  const suite = srtpSuiteParameters('AES_CM_128_HMAC_SHA1_80')
  assert.ok(suite !== undefined)
  const callerKey = randomBytes(30)
  const socket = dgram.createSocket('udp4')
  t.after(() => socket.close())
  const send = (packet: Buffer, port: number) => new Promise<void>((resolve, reject) => socket.send(packet, port, '127.0.0.1', (e) => (e === null ? resolve() : reject(e))))
  const legs = [
    { leg: 'pin-srtp', sendKey: callerKey },
    { leg: 'pin-wrong-key', sendKey: randomBytes(30) },
  ]
  const ports: number[] = []
  for (const { leg } of legs) {
    const port = await allocate(supervisor, leg)
    ports.push(port)
    const plan: AudioStreamPlan = {
      codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
      remote: { address: '127.0.0.1', port: 9 },
      direction: 'sendrecv',
      telephoneEvent: { payloadType: 101, clockRate: 8000 },
      srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(), remoteKey: callerKey.toString('base64') },
    }
    await request(supervisor.request('attachLeg', { leg, audio: plan }), `attach ${leg}`)
  }
  for (const [index, { sendKey }] of legs.entries()) {
    const keys = sessionKeys(sendKey, suite)
    const port = ports[index] ?? 0
    // A phone's audio comes first: its first packet keys the SSRC (srtp-ssrc.ts), the rest are heard.
    for (let i = 0; i < 5; i++) {
      const audio = Buffer.alloc(12 + 160, 0xff)
      audio[0] = 0x80
      audio.writeUInt16BE(900 + i, 2)
      audio.writeUInt32BE(160 * i, 4)
      audio.writeUInt32BE(0x5fb1, 8)
      await send(protectRtp(audio, keys, suite), port)
      await sleep(20)
    }
    let seq = 1000
    for (const [digitIndex, event] of [1, 11, 5].entries()) {
      for (const packet of telephoneEventPackets(event, { payloadType: 101, ssrc: 0x5fb1, firstSeq: seq, timestamp: 8000 * (digitIndex + 1) })) {
        await send(protectRtp(packet, keys, suite), port)
        await sleep(20)
      }
      seq += 6
    }
  }
  const deadline = Date.now() + 3_000
  while (events.filter((e) => e._tag === 'Dtmf').length < 3 && Date.now() < deadline) await sleep(20)
  await sleep(300)
  assert.deepEqual(
    events.flatMap((e) => (e._tag === 'Dtmf' ? [[e.leg, e.digit]] : [])),
    [
      ['pin-srtp', '1'],
      ['pin-srtp', '#'],
      ['pin-srtp', '5'],
    ],
  )
})
