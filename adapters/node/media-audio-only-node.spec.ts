/**
 * Audio-only callers and the room's video (DESIGN §2 `audio_only_view`, issue 6 "Done when"),
 * through the production node and its GStreamer media worker over real SIP and real RTP on
 * loopback. Two VMRs, one `room` and one `avatar`; in each, a participant sends a white test
 * pattern as H.264 (so that the room has a picture to show), and an audio-only SIP caller joins.
 *
 * - `room`: once the call is up Parley re-INVITEs the caller with `m=video … sendonly` (an answer
 *   cannot add a stream: RFC 3264 §6/§8); the caller answers `recvonly` with a real port and
 *   decodes what arrives (RFC 6184 depacketized, H.264 decoded: testing/video-endpoint.ts). The
 *   assertion counts decoded frames and reads them: the middle of the main tile is the white
 *   sender, not black (an empty or self-less composition).
 * - `avatar`: no re-INVITE comes and no video packet arrives, although the caller would answer
 *   a re-INVITE with a decoding far end of its own exactly as the `room` caller does (so video
 *   Parley sent would be counted and fail the check).
 *
 * Both are judged over the same stretch, once both legs carry audio and the room caller's video
 * has started. The media worker must live through it and no call may end early: a worker that
 * GStreamer aborted (as a new screen on a running camera once did, 0d20be1) takes every call.
 *
 * Composes at 320x180, 10 fps (PARLEY_MEDIA_VIDEO_FORMAT, read by the worker) to stay cheap on two
 * cores. About 10 s: the node and its worker start (2-5 s), then 3 s of video is judged. Needs GStreamer
 * and node-gtk (scripts/install-deps.sh); fails, not skips, without them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { VideoEndpoint } from '../media/gst/testing/video-endpoint.js'
import { meanLuma, videoEndpoint } from '../media/gst/testing/video-endpoint.js'
import { capturedLog, configurationV1, startRunningNode } from './testing/running-node.js'
import type { NodeUnderTest } from './testing/running-node.js'
import { TestSipClient } from './testing/sip-client.js'

// Read by the media worker the node spawns (it inherits this process's environment).
process.env['PARLEY_MEDIA_VIDEO_FORMAT'] = '320x180@10'

/** How long the callers' far ends record once both calls are up (30 frames at 10 fps). */
const judgedMs = 3_000
/** At least a third of the frames composed in `judgedMs` must decode, however loaded the machine. */
const minFrames = 10
/** Luma of the main tile's middle: the white sender is 235, black 16 (as video-engine.spec.ts). */
const bright = 150

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `condition` until it holds or `boundMs` has gone by; the assertions after it say what was missing. */
const until = async (condition: () => boolean, boundMs: number): Promise<void> => {
  const deadline = Date.now() + boundMs
  while (!condition() && Date.now() < deadline) await sleep(25)
}

/** What to undo after the test, undone last-first: BYEs and far ends before the node stops. */
type Cleanups = Array<() => Promise<unknown>>

/** The calls that ended before the test hung up (a dead worker's legs get a BYE from Parley). */
const endedEarly: string[] = []

/**
 * A UDP socket in front of a far end: counts what Parley sends to it (the first packet's time
 * too) and forwards it to `forwardTo` when given; alone, it stands for a far end's audio.
 */
interface Counted {
  readonly port: number
  readonly packets: () => number
  /** Date.now() of the first packet. */
  readonly firstAt: () => number | undefined
}

const countingSocket = async (cleanups: Cleanups, forwardTo?: number): Promise<Counted> => {
  const socket = dgram.createSocket('udp4')
  let packets = 0
  let firstAt: number | undefined
  socket.on('message', (packet) => {
    packets++
    firstAt ??= Date.now()
    if (forwardTo !== undefined) socket.send(packet, forwardTo, '127.0.0.1')
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())))
  return { port: socket.address().port, packets: () => packets, firstAt: () => firstAt }
}

const sdp = (lines: ReadonlyArray<string>): string => [...lines, ''].join('\r\n')

const session = (version: number): ReadonlyArray<string> => ['v=0', `o=- 7 ${version} IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0']

const audioLines = (port: number): ReadonlyArray<string> => [`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv']

/** An audio+video offer as a SIP room system sends it, H.264 as the far end sends it (payload 96, mode 1). */
const videoOffer = (audioPort: number, videoPort: number): string =>
  sdp([...session(1), ...audioLines(audioPort), `m=video ${videoPort} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1', 'a=sendrecv'])

/** The m-lines of an SDP, each with its kind, port, formats and attribute lines. */
const mediaSections = (text: string): ReadonlyArray<{ readonly kind: string; readonly port: number; readonly formats: ReadonlyArray<string>; readonly lines: ReadonlyArray<string> }> =>
  text
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .map((section) => {
      const lines = section.split(/\r?\n/).filter((l) => l !== '')
      const [kind = '', port = '0', , ...formats] = (lines[0] ?? '').slice(2).split(' ')
      return { kind, port: Number(port), formats, lines }
    })

/**
 * The answer to Parley's re-offer (RFC 3264 §6): one m-line per offered one, in order; audio on
 * the caller's audio port, video `recvonly` on `videoPort` with the offered H.264 format.
 */
const reofferAnswer = (offer: string, audioPort: number, videoPort: number): string =>
  sdp([
    ...session(2),
    ...mediaSections(offer).flatMap((m) => {
      if (m.kind === 'audio' && m.port !== 0) return audioLines(audioPort)
      const h264 = m.formats.find((f) => m.lines.some((l) => l.startsWith(`a=rtpmap:${f} H264/90000`)))
      if (m.kind !== 'video' || m.port === 0 || h264 === undefined) return [`m=${m.kind} 0 ${m.lines[0]?.split(' ').slice(2).join(' ') ?? ''}`]
      return [`m=video ${videoPort} RTP/AVP ${h264}`, `a=rtpmap:${h264} H264/90000`, `a=fmtp:${h264} profile-level-id=42e01f;packetization-mode=1`, 'a=recvonly']
    }),
  ])

/** An audio-only caller whose client answers any re-INVITE with a decoding far end (`screen`) as its video. */
interface AudioOnlyCaller {
  /** Parley's answer to the INVITE. */
  readonly answer: string
  /** Parley's re-offers, as received. */
  readonly reoffers: ReadonlyArray<string>
  readonly audio: Counted
  /** What Parley sends to the port of the caller's re-offer answers (forwarded to `screen`). */
  readonly video: Counted
}

const callAudioOnly = async (cleanups: Cleanups, sip: TestSipClient, dialled: string, name: string, screen: VideoEndpoint): Promise<AudioOnlyCaller> => {
  const audio = await countingSocket(cleanups)
  const video = await countingSocket(cleanups, screen.plan().remote.port)
  const outcome = await sip.call(dialled, name, sdp([...session(1), ...audioLines(audio.port)]))
  assert.equal(outcome._tag, 'Answered', `${name}'s call to ${dialled}: ${JSON.stringify(outcome)}`)
  if (outcome._tag !== 'Answered') throw new Error('unreachable')
  const reoffers: string[] = []
  outcome.dialog.setHandler({
    onRequest: (incoming) => {
      const body = incoming.request.bodyBytes.toString('utf8')
      if (incoming.request.method === 'INVITE' && body !== '') {
        reoffers.push(body)
        void incoming.respond({ status: 200, body: { contentType: 'application/sdp', content: reofferAnswer(body, audio.port, video.port) } })
      } else void incoming.respond({ status: 200 })
    },
    onTerminated: (end) => void endedEarly.push(`${name}: ${end._tag}`),
  })
  cleanups.push(() => outcome.dialog.bye())
  return { answer: outcome.answer, reoffers, audio, video }
}

/** A participant sending a white picture (and listening to nothing): what the room shows. */
const callWithVideo = async (cleanups: Cleanups, sip: TestSipClient, dialled: string, name: string): Promise<void> => {
  const audio = await countingSocket(cleanups)
  const camera = await videoEndpoint({ pattern: 'white', sendOnly: true })
  cleanups.push(() => camera.stop())
  const outcome = await sip.call(dialled, name, videoOffer(audio.port, camera.plan().remote.port))
  assert.equal(outcome._tag, 'Answered', `${name}'s call to ${dialled}: ${JSON.stringify(outcome)}`)
  if (outcome._tag !== 'Answered') throw new Error('unreachable')
  outcome.dialog.setHandler({ onRequest: (incoming) => void incoming.respond({ status: 200 }), onTerminated: (end) => void endedEarly.push(`${name}: ${end._tag}`) })
  cleanups.push(() => outcome.dialog.bye())
  const video = mediaSections(outcome.answer).find((m) => m.kind === 'video')
  assert.ok(video !== undefined && video.port > 0, `Parley takes ${name}'s video: ${outcome.answer}`)
  await camera.start(video.port)
}

const createVmr = async (node: NodeUnderTest, name: string, alias: string, view: 'room' | 'avatar'): Promise<void> => {
  const created = await node.http(`${configurationV1}conference/`, {
    method: 'POST',
    body: JSON.stringify({ name, pin: '', allow_guests: false, audio_only_view: view, aliases: [{ alias }] }),
  })
  assert.equal(created.status, 201, await created.text())
}

/** Mean luma of the middle of the main tile over the last frames (steady state). */
const middle = (frames: ReadonlyArray<Uint8Array>): number => {
  const last = frames.slice(-5)
  return last.reduce((sum, frame) => sum + meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 }), 0) / Math.max(1, last.length)
}

void test("audio-only callers: in a 'room' VMR Parley's re-INVITE adds sendonly video and the caller decodes the room; in an 'avatar' VMR no video comes", async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-audio-only-node-'))
  const log = capturedLog()
  const node = await startRunningNode(dataDir, { PARLEY_MEDIA: 'gst', PARLEY_LOG_LEVEL: 'error' }, log.destination)
  const sip = await TestSipClient.open(node.node.ready.sip?.udp ?? 0)
  const cleanups: Cleanups = [() => rm(dataDir, { recursive: true, force: true }), () => node.node.stop(), () => sip.close()]
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  const media = node.node.ready.sip?.media
  assert.ok(media?.kind === 'gst' && 'startMs' in media && media.worker !== null, `the ready line names a running worker: ${JSON.stringify(media)}`)
  await createVmr(node, 'Room view', 'meet.roomview@example.com', 'room')
  await createVmr(node, 'Avatar view', 'meet.avatarview@example.com', 'avatar')

  // Both far ends decode whatever video reaches them; both are ready before their calls.
  const roomScreen = await videoEndpoint()
  const avatarScreen = await videoEndpoint()
  cleanups.push(() => Promise.all([roomScreen.stop(), avatarScreen.stop()]))
  await Promise.all([roomScreen.start(undefined), avatarScreen.start(undefined)])

  await callWithVideo(cleanups, sip, 'meet.roomview@example.com', 'Rita Camera')
  await callWithVideo(cleanups, sip, 'meet.avatarview@example.com', 'Alma Camera')
  const room = await callAudioOnly(cleanups, sip, 'meet.roomview@example.com', 'Roy Phone', roomScreen)
  const avatar = await callAudioOnly(cleanups, sip, 'meet.avatarview@example.com', 'Ava Phone', avatarScreen)
  for (const [who, caller] of [
    ['Roy', room],
    ['Ava', avatar],
  ] as const)
    assert.ok(!mediaSections(caller.answer).some((m) => m.kind === 'video' && m.port !== 0), `an answer cannot add video (RFC 3264 §6): ${who}'s answer ${caller.answer}`)

  await until(() => room.reoffers.length > 0, 5_000)
  const reofferedAt = Date.now()
  assert.equal(room.reoffers.length, 1, "Parley re-INVITEs the 'room' VMR's audio-only caller once")
  const reoffered = mediaSections(room.reoffers[0] ?? '')
  assert.deepEqual(
    reoffered.map((m) => m.kind),
    ['audio', 'video'],
    `the audio m-line is kept first and video appended (RFC 3264 §8.1): ${room.reoffers[0]}`,
  )
  const video = reoffered[1]
  assert.ok(video !== undefined && video.port > 0 && video.lines.includes('a=sendonly'), `video is offered sendonly on a real port: ${room.reoffers[0]}`)
  assert.ok(
    video.lines.some((l) => /^a=rtpmap:\d+ H264\/90000/.test(l)),
    `as H.264: ${room.reoffers[0]}`,
  )

  // Judged once both legs carry media (a cold worker on a loaded machine may take seconds to
  // start its first pipelines), then for `judgedMs` more: the room caller's decoding and the
  // avatar caller's silence on video are seen over the same live stretch.
  const live = [room.video, room.audio, avatar.audio]
  await until(() => live.every((c) => c.firstAt() !== undefined), 10_000)
  const since = Math.max(...live.map((c) => c.firstAt() ?? Date.now()))
  await sleep(Math.max(0, since + judgedMs - Date.now()))
  const [toRoom, toAvatar] = await Promise.all([roomScreen.stop(), avatarScreen.stop()])
  // A worker that died (GStreamer aborting it) took every call with it: said first, as the cause.
  const deaths = log.lines().filter((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('media worker died'))
  assert.deepEqual(deaths, [], 'the media worker lives through the test')
  assert.deepEqual(endedEarly, [], 'no call ends before the test hangs up')
  const firstVideoMs = (room.video.firstAt() ?? Number.NaN) - reofferedAt
  t.diagnostic(
    `room caller: first video ${firstVideoMs} ms after the re-INVITE; ${toRoom.frames.length} frames decoded from ${toRoom.packets} packets, middle luma ${middle(toRoom.frames).toFixed(0)}; ${room.audio.packets()} audio packets`,
  )
  t.diagnostic(`avatar caller: ${avatar.reoffers.length} re-INVITEs, ${avatar.video.packets()} video packets, ${toAvatar.frames.length} frames; ${avatar.audio.packets()} audio packets`)
  assert.ok(room.audio.packets() > 0 && avatar.audio.packets() > 0, `both legs are live: ${room.audio.packets()}, ${avatar.audio.packets()} audio packets`)
  assert.ok(toRoom.frames.length >= minFrames, `the 'room' caller decodes the room: ${toRoom.frames.length} frames from ${toRoom.packets} packets`)
  assert.ok(middle(toRoom.frames) > bright, `with the camera (white) in the main tile: ${middle(toRoom.frames).toFixed(0)}`)
  assert.equal(avatar.reoffers.length, 0, `the 'avatar' caller gets no re-INVITE: ${avatar.reoffers.join('\n')}`)
  assert.equal(avatar.video.packets() + toAvatar.packets, 0, "no video packet reaches the 'avatar' caller")
  assert.equal(toAvatar.frames.length, 0)
})
