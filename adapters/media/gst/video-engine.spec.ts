/**
 * The worker's video with real RTP on loopback: GStreamer far ends (testing/video-endpoint.ts)
 * send test patterns as H.264 to legs' video ports and decode what comes back; the node side is
 * GstMedia over a real worker process, composing at 320x180, 10 fps so that it stays cheap on
 * two cores. Needs GStreamer, gstreamer1.0-x (textoverlay) and node-gtk; fails without them.
 *
 * Which picture a viewer gets is read from the decoded frames: a participant sending white in the
 * main tile makes the middle of the frame bright, one sending black (or an audio-only
 * participant's black tile) makes it dark.
 */
import { after, test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import type { Layout } from '../../../core/model/call.js'
import type { Millis } from '../../../core/model/ids.js'
import { LegId } from '../../../core/model/ids.js'
import type { View } from '../../../core/node/effect.js'
import { memoryLog } from '../channel/testing/memory-log.js'
import { GstMedia } from '../worker/gst-media.js'
import { WorkerSupervisor } from '../worker/worker-supervisor.js'
import { rtpEndpoint } from './testing/rtp-endpoint.js'
import type { VideoEndpoint, VideoEndpointOptions, VideoReceived } from './testing/video-endpoint.js'
import { meanLuma, videoEndpoint } from './testing/video-endpoint.js'

const log = memoryLog()
const supervisor = new WorkerSupervisor({
  logger: log.logger,
  bindHost: '127.0.0.1',
  portMin: 45000,
  portMax: 45999,
  env: { ...process.env, PARLEY_MEDIA_VIDEO_FORMAT: '320x180@10' },
})
after(() => supervisor.close())
let started: Promise<GstMedia> | undefined
/** One worker for the file (it starts in about a second); each test releases its legs. */
const media = (): Promise<GstMedia> =>
  (started ??= supervisor.start().then((ready) => {
    assert.ok(E.isRight(ready), `the media worker starts (GStreamer and node-gtk installed): ${JSON.stringify(ready)}`)
    return new GstMedia({ supervisor, logger: log.logger, now: () => 0 as Millis })
  }))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A leg with a video port, its far end started (sending `options.pattern` if given). */
const videoLeg = async (t: TestContext, leg: string, options: VideoEndpointOptions, plan: Parameters<VideoEndpoint['plan']>[0] = {}): Promise<VideoEndpoint & { readonly port: number }> => {
  const m = await media()
  const endpoint = await videoEndpoint(options)
  t.after(() => endpoint.stop())
  const ports = await m.allocate(LegId(leg), ['video'])
  assert.ok(E.isRight(ports) && ports.right.video !== undefined, JSON.stringify(ports))
  const attached = await m.attach(LegId(leg), undefined, { video: endpoint.plan(plan), displayName: leg })()
  assert.ok(E.isRight(attached), JSON.stringify(attached))
  await endpoint.start(ports.right.video)
  return { ...endpoint, port: ports.right.video }
}

/** RFC 3550 §6.4.1 sender reports, sent every 50 ms to `port` (RTCP multiplexed on the RTP port, RFC 5761). */
const rtcpOnRtpPort = (t: TestContext, port: number): void => {
  const socket = dgram.createSocket('udp4')
  const report = Buffer.alloc(28)
  report[0] = 0x80 // version 2, no reception blocks
  report[1] = 200 // SR
  report.writeUInt16BE(6, 2) // length in 32-bit words minus one
  report.writeUInt32BE(0x1234, 4)
  const timer = setInterval(() => socket.send(report, port, '127.0.0.1'), 50)
  t.after(() => {
    clearInterval(timer)
    socket.close()
  })
}

const show = async (leg: string, view: View): Promise<void> => {
  const shown = await (await media()).perform({ _tag: 'Show', leg: LegId(leg), view })()
  assert.ok(E.isRight(shown), JSON.stringify(shown))
}

const composed = (layout: Layout, participants: ReadonlyArray<string>) => ({ _tag: 'Composed' as const, layout, participants: participants.map(LegId) })

/** Mean luma of the middle of the main tile over the last frames (steady state, not the first keyframe). */
const middle = (received: VideoReceived): number => {
  const last = received.frames.slice(-5)
  return last.reduce((sum, frame) => sum + meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 }), 0) / Math.max(1, last.length)
}

const elements = async (): Promise<number> => {
  const stats = await supervisor.request('stats', {})()
  assert.ok(E.isRight(stats), JSON.stringify(stats))
  return stats.right.elements
}

/** Bright (a white sender) and dark (black) middles: white is luma 235, black 16. */
const bright = 150
const dark = 60

void test('a composed 1+7 conference: each viewer decodes the others with the speaker in the main tile, never itself; viewers with the same tiles share one encode', async (t) => {
  const alice = await videoLeg(t, 'v-alice', { pattern: 'white' })
  const bob = await videoLeg(t, 'v-bob', { pattern: 'black' })
  // Carol's far end declared packetization-mode=0 (RFC 6184 single NAL unit): no STAP-A, no FU-A.
  const carol = await videoLeg(t, 'v-carol', { pattern: 'black' }, { packetizationMode: 0 })
  // Alice's far end multiplexes RTCP on its RTP port (RFC 5761): her picture is not disturbed by it.
  rtcpOnRtpPort(t, alice.port)
  const order = ['v-alice', 'v-bob', 'v-carol']
  for (const leg of order) await show(leg, composed('one_main_seven_pips', order))
  // Three distinct tile lists (each viewer sees the others): three screens, one tile per other participant.
  // Per leg: camera bin and tee, send bin (3); per screen: compositor, encoder, tee (3) and a chain per tile (2).
  assert.equal(await elements(), 3 * 3 + 3 * (3 + 2))
  await sleep(3_000)
  // Alice, Bob and Carol now see only the main speaker (1+0): Bob and Carol both see Alice, one screen for both.
  for (const leg of order) await show(leg, composed('one_main_zero_pips', order))
  assert.equal(await elements(), 3 * 3 + 2 * (3 + 1), 'two screens: Alice sees Bob; Bob and Carol share Alice')
  await sleep(1_500)
  const [toAlice, toBob, toCarol] = await Promise.all([alice.stop(), bob.stop(), carol.stop()])
  for (const [who, received] of [
    ['Alice', toAlice],
    ['Bob', toBob],
    ['Carol', toCarol],
  ] as const)
    assert.ok(received.frames.length >= 25, `${who} decodes frames: ${received.frames.length} from ${received.packets} packets`)
  assert.ok(middle(toAlice) < dark, `Alice sees Bob (black) in the main tile, not herself (white): ${middle(toAlice).toFixed(0)}`)
  assert.ok(middle(toBob) > bright, `Bob sees Alice (white): ${middle(toBob).toFixed(0)}`)
  assert.ok(middle(toCarol) > bright, `Carol sees Alice (white): ${middle(toCarol).toFixed(0)}`)
  // Every viewer moved to another screen (1+7 to 1+0), whose compositor started 3 s after the
  // first: the RTP timestamps carry on in the pipeline's time instead of jumping 3 s back to the
  // new compositor's own start. (A step back of a few frames while a screen starts remains, up to
  // about a second on a saturated machine; not fixed yet.)
  const stepsBack = [toAlice, toBob, toCarol].map((r) => r.largestStepBack)
  assert.ok(stepsBack.every((ticks) => ticks < 2 * 90_000), `RTP timestamps do not jump back across screens: ${JSON.stringify(stepsBack)} ticks`)
  assert.ok((toAlice.nalTypes.get(24) ?? 0) > 0, 'mode 1: SPS and PPS aggregated in STAP-A')
  assert.equal((toCarol.nalTypes.get(24) ?? 0) + (toCarol.nalTypes.get(28) ?? 0), 0, `mode 0: single NAL unit packets only: ${JSON.stringify([...toCarol.nalTypes])}`)
  for (const leg of order) (await media()).release(LegId(leg))
})

void test("audio-only callers: in a 'room' VMR the sendonly video Parley re-offered carries the room; in an 'avatar' VMR nothing is sent", async (t) => {
  const m = await media()
  const speaker = await videoLeg(t, 'r-speaker', { pattern: 'white' })
  // The room caller: audio both ways, and the video stream Parley's re-INVITE added, sendonly from Parley.
  const roomAudio = await rtpEndpoint({ codec: 'PCMU' })
  t.after(() => roomAudio.stop())
  const roomVideo = await videoEndpoint()
  t.after(() => roomVideo.stop())
  const roomPorts = await m.allocate(LegId('r-room'), ['audio', 'video'])
  assert.ok(E.isRight(roomPorts) && roomPorts.right.audio !== undefined && roomPorts.right.video !== undefined)
  assert.ok(E.isRight(await m.attach(LegId('r-room'), roomAudio.plan(), { video: roomVideo.plan({ direction: 'sendonly' }), displayName: 'Room caller' })()))
  roomAudio.start(roomPorts.right.audio)
  await roomVideo.start(undefined)
  // The avatar caller: its call stays audio-only (no video stream), the core shows it NoVideo.
  const avatarAudio = await rtpEndpoint({ codec: 'PCMU' })
  t.after(() => avatarAudio.stop())
  const avatarPorts = await m.allocate(LegId('r-avatar'), ['audio'])
  assert.ok(E.isRight(avatarPorts) && avatarPorts.right.audio !== undefined)
  assert.ok(E.isRight(await m.attach(LegId('r-avatar'), avatarAudio.plan(), { displayName: 'Avatar caller' })()))
  avatarAudio.start(avatarPorts.right.audio)
  // A leg that has a video stream but is shown NoVideo: nothing on it either.
  const blank = await videoLeg(t, 'r-blank', {})
  const order = ['r-speaker', 'r-room', 'r-avatar', 'r-blank']
  await show('r-speaker', composed('one_main_seven_pips', order))
  await show('r-room', composed('one_main_seven_pips', order))
  await show('r-avatar', { _tag: 'NoVideo' })
  await show('r-blank', { _tag: 'NoVideo' })
  await sleep(2_500)
  const [toSpeaker, toRoom, toBlank] = await Promise.all([speaker.stop(), roomVideo.stop(), blank.stop()])
  await Promise.all([roomAudio.stop(), avatarAudio.stop()])
  assert.ok(toRoom.frames.length >= 10, `the room caller decodes the room: ${toRoom.frames.length} frames from ${toRoom.packets} packets`)
  assert.ok(middle(toRoom) > bright, `with the speaker (white) in the main tile: ${middle(toRoom).toFixed(0)}`)
  // The speaker's main tile is the room caller, who sends no video: black with the caller's name.
  assert.ok(toSpeaker.frames.length >= 10 && middle(toSpeaker) < dark, `the speaker sees the audio-only caller's black tile: ${toSpeaker.frames.length} frames, ${middle(toSpeaker).toFixed(0)}`)
  // ... with the caller's name at its bottom left (white on a shaded band; the rest of the tile is black).
  const named = toSpeaker.frames.at(-1)!
  const nameBand = Math.max(...Array.from({ length: 8 }, (_, i) => meanLuma(named, { x0: i / 16, y0: 0.8, x1: (i + 1) / 16, y1: 0.95 })))
  assert.ok(nameBand > 24, `the name is drawn on the tile (16 is black): brightest cell ${nameBand.toFixed(0)}`)
  assert.equal(toBlank.packets, 0, 'NoVideo sends no packet')
  for (const leg of order) m.release(LegId(leg))
})

void test('a splash screen is video (text on black); self-view shows the first participant; release frees every element', async (t) => {
  const m = await media()
  const waiting = await videoLeg(t, 's-waiting', {})
  const first = await videoLeg(t, 's-first', { pattern: 'white' })
  await show('s-waiting', { _tag: 'Splash', screen: 'waiting-for-host' })
  await show('s-first', { _tag: 'SelfView' })
  await sleep(2_000)
  const [splash, self] = await Promise.all([waiting.stop(), first.stop()])
  // About 2 s at 10 fps. A compositor that started at running time 0 in this worker (up for the
  // earlier tests) would first send every frame since then at once (OwnClock in video-engine.ts).
  assert.ok(splash.frames.length >= 10 && splash.frames.length <= 35, `the splash screen decodes at its rate: ${splash.frames.length} frames from ${splash.packets} packets`)
  const frame = splash.frames.at(-1)!
  const textBand = Math.max(...Array.from({ length: 16 }, (_, i) => meanLuma(frame, { x0: i / 16, y0: 0.4, x1: (i + 1) / 16, y1: 0.6 })))
  assert.ok(textBand > 40, `text across the middle: brightest band ${textBand.toFixed(0)}`)
  assert.ok(meanLuma(frame, { x0: 0, y0: 0, x1: 1, y1: 0.2 }) < 25, 'on a black background')
  assert.ok(self.frames.length >= 10 && middle(self) > bright, `self-view: ${self.frames.length} frames, ${middle(self).toFixed(0)}`)
  m.release(LegId('s-waiting'))
  m.release(LegId('s-first'))
  const stats = await supervisor.request('stats', {})()
  assert.deepEqual(stats, E.right({ legs: 0, attached: 0, conferences: 0, mixerPads: 0, elements: 0 }))
})
