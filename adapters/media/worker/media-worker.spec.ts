/**
 * The media worker with real RTP on loopback: GStreamer endpoints (rtp-endpoint.ts) send tones
 * to legs' ports and record what comes back; the node side is GstMedia over a real worker
 * process. These specs need GStreamer and node-gtk (scripts/install-deps.sh installs both) and
 * fail, not skip, without them: the worker then never becomes ready.
 */
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import type { Millis } from '../../../core/model/ids.js'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import type { Input } from '../../../core/node/input.js'
import { memoryLog } from '../channel/testing/memory-log.js'
import type { EndpointOptions, RtpEndpoint } from '../gst/testing/rtp-endpoint.js'
import { analysisRate, rtpEndpoint, telephoneEventPackets } from '../gst/testing/rtp-endpoint.js'
import { pcmSamples, rmsDbfs, toneShareDb } from '../gst/testing/tone-analysis.js'
import { GstMedia } from './gst-media.js'
import type { WorkerEvent } from './worker-protocol.js'
import { WorkerSupervisor } from './worker-supervisor.js'

const portRange = { portMin: 46000, portMax: 46999 }

const startMedia = async (t: TestContext, range = portRange) => {
  const log = memoryLog()
  const supervisor = new WorkerSupervisor({ logger: log.logger, bindHost: '127.0.0.1', ...range, backoff: { firstMs: 50, maxMs: 1_000, stableMs: 30_000 } })
  t.after(() => supervisor.close())
  const started = await supervisor.start()
  assert.ok(E.isRight(started), `the media worker starts (GStreamer and node-gtk installed): ${JSON.stringify(started)}`)
  const inputs: Input[] = []
  const events: WorkerEvent[] = []
  const media = new GstMedia({ supervisor, logger: log.logger, now: () => 0 as Millis })
  media.onInput((input) => inputs.push(input))
  supervisor.onEvent((event) => events.push(event))
  return { supervisor, media, inputs, events, log, startMs: started.right.startMs }
}

/** A leg with ports and its far end sending `options`; the endpoint starts at once. */
const legWithEndpoint = async (t: TestContext, media: GstMedia, leg: string, options: EndpointOptions, telephoneEvent = false): Promise<{ endpoint: RtpEndpoint; port: number }> => {
  const endpoint = await rtpEndpoint(options)
  // Stopping twice is harmless: the endpoint process never outlives its test, pass or fail.
  t.after(() => endpoint.stop())
  const ports = await media.allocate(LegId(leg), ['audio'])
  assert.ok(E.isRight(ports) && ports.right.audio !== undefined, JSON.stringify(ports))
  const attached = await media.attach(LegId(leg), endpoint.plan({ telephoneEvent }))()
  assert.ok(E.isRight(attached), JSON.stringify(attached))
  endpoint.start(ports.right.audio)
  return { endpoint, port: ports.right.audio }
}

/**
 * What "heard" and "not heard" mean, as the share of the received energy at a tone's frequency:
 * a clean tone is about 0 dB (-3 dB for each of two), a tone that is absent is below -50 dB on
 * an idle machine. The bounds leave room for the glitches of a fully loaded CI machine (jitter
 * buffers dropping late packets add broadband energy) without letting the two meet.
 */
const heard = -12
const notHeard = -30

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits for a condition, polling, up to `ms`. */
const eventually = async (condition: () => boolean, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`)
    await sleep(20)
  }
}

/** Received audio after the first `skipS` seconds (jitter buffers filling, mixers starting). */
const analysable = (pcm: Buffer, skipS = 0.6): Float64Array => pcmSamples(pcm).subarray(Math.round(skipS * analysisRate))

/** The last `seconds` of received audio (the whole of it if shorter). */
const lastSeconds = (pcm: Buffer, seconds: number): Float64Array => {
  const samples = pcmSamples(pcm)
  return samples.subarray(Math.max(0, samples.length - Math.round(seconds * analysisRate)))
}

void test('a tone from one participant is heard by the others and not by itself (N-1 mix; PCMU, G.722, Opus)', async (t) => {
  const { media } = await startMedia(t)
  const conference = ConferenceId('vmr-tones')
  const alice = await legWithEndpoint(t, media, 'alice', { codec: 'PCMU', tone: 440 })
  const bob = await legWithEndpoint(t, media, 'bob', { codec: 'G722', tone: 1000 })
  const carol = await legWithEndpoint(t, media, 'carol', { codec: 'opus' })
  for (const leg of ['alice', 'bob', 'carol']) assert.ok(E.isRight(await media.perform({ _tag: 'JoinMix', leg: LegId(leg), conference })()))
  await sleep(2_500)
  const [heardByAlice, heardByBob, heardByCarol] = await Promise.all([alice.endpoint.stop(), bob.endpoint.stop(), carol.endpoint.stop()])
  const a = analysable(heardByAlice)
  const b = analysable(heardByBob)
  const c = analysable(heardByCarol)
  assert.ok(a.length > analysisRate && b.length > analysisRate && c.length > analysisRate, `each far end received audio: ${a.length}, ${b.length}, ${c.length} samples`)
  const share = (samples: Float64Array, f: number) => toneShareDb(samples, f, analysisRate)
  // Alice hears Bob's 1000 Hz, not her own 440 Hz.
  assert.ok(share(a, 1000) > heard, `Alice hears Bob: ${share(a, 1000).toFixed(1)} dB`)
  assert.ok(share(a, 440) < notHeard, `Alice does not hear herself: ${share(a, 440).toFixed(1)} dB`)
  // Bob hears Alice's 440 Hz, not his own 1000 Hz.
  assert.ok(share(b, 440) > heard, `Bob hears Alice: ${share(b, 440).toFixed(1)} dB`)
  assert.ok(share(b, 1000) < notHeard, `Bob does not hear himself: ${share(b, 1000).toFixed(1)} dB`)
  // Carol (silent) hears both, about equally.
  assert.ok(share(c, 440) > heard && share(c, 1000) > heard, `Carol hears both: ${share(c, 440).toFixed(1)}, ${share(c, 1000).toFixed(1)} dB`)
})

void test('RFC 4733 digits become DtmfReceived, once each and in order; the loudest participant becomes the active speaker', async (t) => {
  const { media, inputs } = await startMedia(t)
  const caller = await legWithEndpoint(t, media, 'pin-caller', { codec: 'PCMU' }, true)
  const conference = ConferenceId('vmr-speaker')
  const speaker = await legWithEndpoint(t, media, 'speaker', { codec: 'PCMU', tone: 700, volume: 0.3 })
  const listener = await legWithEndpoint(t, media, 'listener', { codec: 'PCMU' })
  for (const leg of ['speaker', 'listener']) assert.ok(E.isRight(await media.perform({ _tag: 'JoinMix', leg: LegId(leg), conference })()))

  const socket = dgram.createSocket('udp4')
  t.after(() => socket.close())
  const send = (packet: Buffer) => new Promise<void>((resolve, reject) => socket.send(packet, caller.port, '127.0.0.1', (e) => (e === null ? resolve() : reject(e))))
  const digits: ReadonlyArray<[number, string]> = [
    [1, '1'],
    [11, '#'],
    [5, '5'],
  ]
  let seq = 1000
  for (const [index, [event]] of digits.entries()) {
    for (const packet of telephoneEventPackets(event, { payloadType: 101, ssrc: 0x1234, firstSeq: seq, timestamp: 8000 * (index + 1) })) {
      await send(packet)
      await sleep(20)
    }
    seq += 6
  }
  await eventually(() => inputs.filter((i) => i._tag === 'DtmfReceived').length >= 3, 3_000, 'three digits')
  await sleep(200)
  assert.deepEqual(
    inputs.flatMap((i) => (i._tag === 'DtmfReceived' ? [[i.leg, i.digit]] : [])),
    [
      ['pin-caller', '1'],
      ['pin-caller', '#'],
      ['pin-caller', '5'],
    ],
  )
  await eventually(() => inputs.some((i) => i._tag === 'ActiveSpeakerChanged'), 3_000, 'an active speaker')
  assert.deepEqual(
    inputs.filter((i) => i._tag === 'ActiveSpeakerChanged'),
    [{ _tag: 'ActiveSpeakerChanged', at: 0, conference, leg: 'speaker' }],
  )
  await Promise.all([caller.endpoint.stop(), speaker.endpoint.stop(), listener.endpoint.stop()])
})

void test('a prompt plays to one leg only, ends, and hold music stops when the conference is played', async (t) => {
  const { media, events } = await startMedia(t)
  const prompted = await legWithEndpoint(t, media, 'prompted', { codec: 'PCMU' })
  const other = await legWithEndpoint(t, media, 'other', { codec: 'PCMU' })
  assert.ok(E.isRight(await media.perform({ _tag: 'Play', leg: LegId('prompted'), sound: 'conference-ending' })()))
  await eventually(() => events.some((e) => e._tag === 'PromptFinished'), 5_000, 'the prompt ends')
  assert.deepEqual(
    events.filter((e) => e._tag === 'PromptFinished'),
    [{ _tag: 'PromptFinished', leg: 'prompted', sound: 'conference-ending' }],
  )
  assert.ok(E.isRight(await media.perform({ _tag: 'Play', leg: LegId('other'), sound: 'hold-music' })()))
  await sleep(1_200)
  assert.ok(E.isRight(await media.perform({ _tag: 'Play', leg: LegId('other'), sound: 'conference' })()))
  await sleep(800)
  const [toPrompted, toOther] = await Promise.all([prompted.endpoint.stop(), other.endpoint.stop()])
  const spoken = analysable(toPrompted, 0.3).subarray(0, Math.round(1.5 * analysisRate))
  assert.ok(rmsDbfs(spoken) > -40, `the prompt is heard: ${rmsDbfs(spoken).toFixed(1)} dBFS`)
  const otherSamples = pcmSamples(toOther)
  const music = otherSamples.subarray(otherSamples.length - Math.round(2.3 * analysisRate), otherSamples.length - Math.round(1.3 * analysisRate))
  const after = otherSamples.subarray(otherSamples.length - Math.round(0.5 * analysisRate))
  assert.ok(rmsDbfs(music) > -45, `hold music plays: ${rmsDbfs(music).toFixed(1)} dBFS`)
  assert.ok(rmsDbfs(after) < -70, `and stops: ${rmsDbfs(after).toFixed(1)} dBFS`)
})

void test('a gateway bridge: each side hears the other; a re-INVITE keeps the bridge; release frees every element', async (t) => {
  const { media, supervisor } = await startMedia(t)
  const caller = await legWithEndpoint(t, media, 'gw-a', { codec: 'PCMU', tone: 440 })
  const callee = await legWithEndpoint(t, media, 'gw-b', { codec: 'PCMA', tone: 1000 })
  assert.ok(E.isRight(await media.perform({ _tag: 'Bridge', a: LegId('gw-a'), b: LegId('gw-b') })()))
  await sleep(2_500)
  // The caller's far end has been recording since before the callee existed: judge the last
  // second and a half, when the bridge has certainly been carrying audio for a while.
  const heardByCaller = lastSeconds(await caller.endpoint.stop(), 1.5)
  const callee1000 = toneShareDb(heardByCaller, 1000, analysisRate)
  const own440 = toneShareDb(heardByCaller, 440, analysisRate)
  assert.ok(callee1000 > heard && own440 < notHeard, `the caller hears the callee only: 1000 Hz ${callee1000.toFixed(1)} dB, 440 Hz ${own440.toFixed(1)} dB`)
  // The callee's re-INVITE moves it to G.722 on the same port: the bridge carries on.
  const renegotiated = await rtpEndpoint({ codec: 'G722', tone: 1000 })
  t.after(() => renegotiated.stop())
  const reattached = await media.attach(LegId('gw-b'), renegotiated.plan())()
  assert.ok(E.isRight(reattached), JSON.stringify(reattached))
  await callee.endpoint.stop()
  renegotiated.start(callee.port)
  const wrongPort = await media.attach(LegId('gw-a'), { ...caller.endpoint.plan(), localPort: callee.port })()
  assert.ok(E.isLeft(wrongPort) && wrongPort.left._tag === 'MediaFailure' && /answer says port/.test(wrongPort.left.reason), JSON.stringify(wrongPort))
  const listener = await rtpEndpoint({ codec: 'PCMU' })
  t.after(() => listener.stop())
  assert.ok(E.isRight(await media.attach(LegId('gw-a'), listener.plan())()))
  listener.start(caller.port)
  await sleep(2_000)
  const heardAfter = analysable(await listener.stop())
  assert.ok(toneShareDb(heardAfter, 1000, analysisRate) > heard, `the caller hears the renegotiated callee: ${toneShareDb(heardAfter, 1000, analysisRate).toFixed(1)} dB`)
  media.release(LegId('gw-a'))
  media.release(LegId('gw-b'))
  const stats = await supervisor.request('stats', {})()
  assert.deepEqual(stats, E.right({ legs: 0, attached: 0, conferences: 0, mixerPads: 0, elements: 0 }))
  await renegotiated.stop()
})

void test('a killed worker is restarted, every leg it carried ends with CallEnded(transport), and the new worker gets nothing for those legs', async (t) => {
  const { supervisor, media, inputs, log } = await startMedia(t)
  const first = await legWithEndpoint(t, media, 'doomed-1', { codec: 'PCMU', tone: 500 })
  const second = await legWithEndpoint(t, media, 'doomed-2', { codec: 'PCMA' })
  assert.ok(E.isRight(await media.perform({ _tag: 'JoinMix', leg: LegId('doomed-1'), conference: ConferenceId('vmr-crash') })()))
  const oldPid = supervisor.pid
  process.kill(oldPid ?? assert.fail('no worker'), 'SIGKILL')
  await eventually(() => inputs.filter((i) => i._tag === 'CallEnded').length === 2, 3_000, 'both legs ended')
  assert.deepEqual(
    inputs.filter((i) => i._tag === 'CallEnded').sort((x, y) => (x.leg < y.leg ? -1 : 1)),
    [
      { _tag: 'CallEnded', at: 0, leg: 'doomed-1', reason: 'transport' },
      { _tag: 'CallEnded', at: 0, leg: 'doomed-2', reason: 'transport' },
    ],
  )
  const died = log.records.find((r) => r['msg'] === 'media worker died; ending 2 call(s) whose media it carried')
  assert.deepEqual((died?.['lostLegs'] as string[] | undefined)?.sort(), ['doomed-1', 'doomed-2'], 'the log names the lost legs')
  // What the core asks for those legs until it has ended them (a floor grant, a view) is moot and
  // reaches no worker: the new one would keep them as phantom legs (a floor holder for nobody).
  assert.deepEqual(await media.perform({ _tag: 'GrantFloor', leg: LegId('doomed-1') })(), E.right(undefined))
  assert.deepEqual(await media.perform({ _tag: 'Show', leg: LegId('doomed-2'), view: { _tag: 'SelfView' } })(), E.right(undefined))
  assert.deepEqual(await media.attach(LegId('doomed-1'), undefined)(), E.left({ _tag: 'ChannelClosed' }), 'a lost leg is not attached again')
  assert.deepEqual(await supervisor.request('stats', {})(), E.right({ legs: 0, attached: 0, conferences: 0, mixerPads: 0, elements: 0 }), 'the new worker holds nothing for the lost legs')
  media.release(LegId('doomed-1'))
  media.release(LegId('doomed-2'))
  // The next request waits for the new worker, which works.
  const after = await legWithEndpoint(t, media, 'survivor', { codec: 'PCMU' })
  assert.notEqual(supervisor.pid, oldPid)
  assert.equal(supervisor.restartCount, 1)
  await Promise.all([first.endpoint.stop(), second.endpoint.stop(), after.endpoint.stop()])
})

void test('a worker without its media stack is not restarted, and requests say why', async (t) => {
  const log = memoryLog()
  const supervisor = new WorkerSupervisor({
    logger: log.logger,
    bindHost: '127.0.0.1',
    ...portRange,
    // No plugins anywhere: GStreamer loads, but none of the elements the worker needs exist.
    env: { ...process.env, GST_PLUGIN_SYSTEM_PATH_1_0: '/nonexistent', GST_PLUGIN_PATH_1_0: '/nonexistent', GST_REGISTRY_1_0: '/nonexistent/registry.bin' },
  })
  t.after(() => supervisor.close())
  const started = await supervisor.start()
  assert.deepEqual(started, E.left('the media stack (GStreamer, node-gtk) is missing'))
  assert.deepEqual(await supervisor.request('stats', {})(), E.left({ _tag: 'ChannelClosed', reason: 'the media stack (GStreamer, node-gtk) is missing' }))
  assert.equal(supervisor.restartCount, 0)
  assert.ok(log.messages('error').some((m) => m.includes('not restarting')))
})
