/**
 * Composition capacity (issue 6): composed 720p30 participants per core in one VMR, 1+7 active
 * speaker, every participant sending H.264 and seeing the others: per participant one decode,
 * and one composition and one encode per distinct screen (with up to 9 participants every viewer
 * sees a different set of tiles, so as many screens as participants).
 *
 * Parley: the media worker (GstMedia over a real worker process) with one leg per participant.
 * Reference: one hand-written `gst-launch-1.0` pipeline doing the same decode, compose and encode
 * for the same inputs: the same elements and settings (video-description.ts), the same tiles
 * (video-layout.ts), no worker, no channel, no dynamic graph. GStreamer's own floor on this
 * machine.
 *
 * Inputs: a 2 s 720p30 test clip (a moving ball) encoded once, then replayed as RTP to every
 * participant's port in real time by this process (its CPU is counted for neither side). The
 * figure is participants / CPU cores used by the worker or by gst-launch (user + system from
 * /proc) over a window after the decoders have started.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import type { Layout } from '../core/model/call.js'
import type { Millis } from '../core/model/ids.js'
import { LegId } from '../core/model/ids.js'
import { GstMedia } from '../adapters/media/worker/gst-media.js'
import { WorkerSupervisor } from '../adapters/media/worker/worker-supervisor.js'
import type { VideoStreamPlan } from '../adapters/media/worker/worker-protocol.js'
import { encodeDescription, tileDescription, videoJitterBufferMs, videoSendDescription } from '../adapters/media/gst/video-description.js'
import type { VideoFormat } from '../adapters/media/gst/video-layout.js'
import { screenFor } from '../adapters/media/gst/video-layout.js'
import type { Measurement } from './harness.js'
import { exited, killOnExit } from './support/child-processes.js'
import { freePort } from './support/free-port.js'

/** Participants in the VMR (PARLEY_BENCH_VIDEO_PARTICIPANTS); 4 keeps both sides under two cores. */
const participants = Number(process.env['PARLEY_BENCH_VIDEO_PARTICIPANTS'] ?? 4)
const format: VideoFormat = { width: 1280, height: 720, fps: 30 }
const layout: Layout = 'one_main_seven_pips'
const settleMs = 2_500
const windowMs = 8_000
const payloadType = 96
const ticksPerSecond = 100 // USER_HZ on Linux

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}

/**
 * Cores used by `pid` over the window, and the composed frames per second each viewer got: a
 * side that cannot keep up drops frames and looks cheaper than it is, so both are reported.
 */
const coresUsed = async (pid: number, sink: Discard): Promise<{ readonly cores: number; readonly fps: number }> => {
  const before = cpuSeconds(pid)
  const framesBefore = sink.frames()
  const started = performance.now()
  await sleep(windowMs)
  const seconds = (performance.now() - started) / 1000
  return { cores: (cpuSeconds(pid) - before) / seconds, fps: (sink.frames() - framesBefore) / seconds / participants }
}

// ---- the input clip ------------------------------------------------------------------------

interface Frame {
  readonly packets: ReadonlyArray<Buffer>
}

/** 60 frames of 720p30 H.264 RTP (keyframes at 0 and 30), captured once as the far ends' camera. */
const captureClip = async (): Promise<ReadonlyArray<Frame>> => {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const packets: Buffer[] = []
  socket.on('message', (packet) => packets.push(Buffer.from(packet)))
  const description = [
    `videotestsrc is-live=true num-buffers=60 pattern=ball ! video/x-raw,width=${format.width},height=${format.height},framerate=${format.fps}/1`,
    `! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=${format.fps} bitrate=1500`,
    `! rtph264pay pt=${payloadType} mtu=1200 config-interval=-1 ! udpsink host=127.0.0.1 port=${socket.address().port}`,
  ].join(' ')
  const child = spawn('gst-launch-1.0', ['-q', ...description.split(' ')], { stdio: 'ignore' })
  await exited(child)
  await sleep(200)
  socket.close()
  const frames: Buffer[][] = []
  let timestamp: number | undefined
  for (const packet of packets) {
    const ts = packet.readUInt32BE(4)
    if (ts !== timestamp) frames.push([])
    timestamp = ts
    frames.at(-1)!.push(packet)
  }
  if (frames.length < 50) throw new Error(`the clip has ${frames.length} frames (gst-launch with x264enc missing?)`)
  return frames.map((p) => ({ packets: p }))
}

/** Sends the clip in a loop, in real time, to every port; sequence numbers and timestamps run on across loops. */
const replay = (clip: ReadonlyArray<Frame>, ports: ReadonlyArray<number>): (() => void) => {
  const socket = dgram.createSocket('udp4')
  let index = 0
  let seq = 0
  const ticksPerFrame = 90000 / format.fps
  const timer = setInterval(() => {
    const frame = clip[index % clip.length]!
    for (const original of frame.packets) {
      const packet = Buffer.from(original)
      packet.writeUInt16BE(seq++ & 0xffff, 2)
      packet.writeUInt32BE((index * ticksPerFrame) >>> 0, 4)
      for (const port of ports) socket.send(packet, port, '127.0.0.1')
    }
    index++
  }, 1000 / format.fps)
  return () => {
    clearInterval(timer)
    socket.close()
  }
}

// ---- the two sides -------------------------------------------------------------------------

const legIds = Array.from({ length: participants }, (_, i) => `p${i + 1}`)

/** Where both sides send their composed video: a socket that reads and drops it. */
interface Discard {
  readonly port: number
  /** Frames received so far (RTP packets with the marker bit: the last packet of a frame, RFC 6184 §5.1). */
  readonly frames: () => number
  readonly close: () => void
}

const discard = async (): Promise<Discard> => {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  let frames = 0
  socket.on('message', (packet) => {
    if (((packet[1] ?? 0) & 0x80) !== 0) frames++
  })
  return { port: socket.address().port, frames: () => frames, close: () => socket.close() }
}

const plan = (sinkPort: number): VideoStreamPlan => ({
  codec: { name: 'H264', payloadType, clockRate: 90000 },
  packetizationMode: 1,
  remote: { address: '127.0.0.1', port: sinkPort },
  direction: 'sendrecv',
})

/** What each side used and delivered in the last sample, for the detail line. */
const last = { parley: { cores: 0, fps: 0 }, reference: { cores: 0, fps: 0 } }

const parleySide = async (clip: ReadonlyArray<Frame>, sink: Discard): Promise<number> => {
  // A worker per sample: a running one would keep the bench process alive after the run.
  const supervisor = new WorkerSupervisor({
    logger: pino({ level: 'warn' }),
    bindHost: '127.0.0.1',
    portMin: 44000,
    portMax: 44999,
    env: { ...process.env, PARLEY_MEDIA_VIDEO_FORMAT: `${format.width}x${format.height}@${format.fps}` },
  })
  try {
    const started = await supervisor.start()
    if (E.isLeft(started) || started.right.pid === undefined) throw new Error(`the media worker did not start: ${JSON.stringify(started)}`)
    return await composeIn(new GstMedia({ supervisor, logger: pino({ level: 'warn' }), now: () => 0 as Millis }), started.right.pid, clip, sink)
  } finally {
    await supervisor.close()
  }
}

const composeIn = async (media: GstMedia, pid: number, clip: ReadonlyArray<Frame>, sink: Discard): Promise<number> => {
  const ports: number[] = []
  for (const leg of legIds) {
    const allocated = await media.allocate(LegId(leg), ['video'])
    if (E.isLeft(allocated) || allocated.right.video === undefined) throw new Error('no video port')
    ports.push(allocated.right.video)
    const attached = await media.attach(LegId(leg), undefined, { video: plan(sink.port), displayName: leg })()
    if (E.isLeft(attached)) throw new Error(JSON.stringify(attached.left))
  }
  for (const leg of legIds) await media.perform({ _tag: 'Show', leg: LegId(leg), view: { _tag: 'Composed', layout, participants: legIds.map(LegId) } })()
  const stop = replay(clip, ports)
  await sleep(settleMs)
  last.parley = await coresUsed(pid, sink)
  stop()
  return participants / last.parley.cores
}

/** The same graph as one gst-launch description: cameras, the distinct screens' tiles, encoders, and one payloader per viewer. */
const referenceDescription = (ports: ReadonlyArray<number>, sinkPort: number): string => {
  const parts: string[] = []
  legIds.forEach((leg, i) => {
    parts.push(
      `udpsrc port=${ports[i]} caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=${payloadType}" ! rtpjitterbuffer latency=${videoJitterBufferMs} ! rtph264depay wait-for-keyframe=true ! avdec_h264 ! videoconvert ! capsfilter caps="video/x-raw,format=I420" ! tee name=cam-${leg} allow-not-linked=true`,
    )
  })
  const screens = new Map<string, { readonly id: string; readonly viewers: string[] }>()
  for (const viewer of legIds) {
    const screen = screenFor({ _tag: 'Composed', layout, participants: legIds }, viewer, format)
    if (screen === undefined) continue
    const known = screens.get(screen.key)
    if (known !== undefined) {
      known.viewers.push(viewer)
      continue
    }
    const id = `s${screens.size + 1}`
    screens.set(screen.key, { id, viewers: [viewer] })
    const pads = screen.tiles.map((tile, j) => `sink_${j}::xpos=${tile.x} sink_${j}::ypos=${tile.y}`).join(' ')
    parts.push(`compositor name=mix-${id} background=black ${pads} ! ${encodeDescription(format, id, false)} ! tee name=enc-${id} allow-not-linked=true`)
    screen.tiles.forEach((tile, j) => parts.push(`cam-${tile.leg}. ! ${tileDescription(tile, `${id}t${j}`).replace(/textoverlay name=(\S+)/, `textoverlay name=$1 text=${tile.leg}`)} ! mix-${id}.sink_${j}`))
  }
  for (const { id, viewers } of screens.values())
    for (const viewer of viewers) parts.push(`enc-${id}. ! ${videoSendDescription(plan(sinkPort), `ref-${viewer}`).replace(/ close-socket=false/, '')}`)
  return parts.join('  ')
}

const referenceSide = async (clip: ReadonlyArray<Frame>, sink: Discard): Promise<number> => {
  const ports: number[] = []
  for (let i = 0; i < participants; i++) ports.push(await freePort('127.0.0.1'))
  // The description has quoted caps: gst-launch gets it through a shell-free argv split on its own syntax.
  const child: ChildProcess = spawn('gst-launch-1.0', ['-q', ...splitDescription(referenceDescription(ports, sink.port))], { stdio: ['ignore', 'ignore', 'pipe'] })
  killOnExit(child)
  let errors = ''
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  await sleep(500)
  if (child.exitCode !== null) throw new Error(`the reference pipeline did not start: ${errors}`)
  const stop = replay(clip, ports)
  await sleep(settleMs)
  last.reference = await coresUsed(child.pid ?? 0, sink)
  stop()
  child.kill('SIGKILL')
  await exited(child)
  return participants / last.reference.cores
}

/** gst-launch arguments: split on spaces outside double quotes, quotes removed (what a shell would pass). */
const splitDescription = (description: string): string[] =>
  (description.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((arg) => arg.replace(/"/g, ''))

let clip: ReadonlyArray<Frame> | undefined

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'media: composed 720p participants per core',
    unit: 'participants/core',
    reference_name: 'gst-launch-1.0, same decode/compose/encode',
    target: 0.8,
    absolute: { value: 4 },
    samples: 3,
    warmUp: false,
    detail: () => `${participants} participants at ${format.width}x${format.height}@${format.fps}, ${layout}, one encode per distinct screen; figures are participants / cores used (last sample: Parley's worker ${last.parley.cores.toFixed(2)} cores, ${last.parley.fps.toFixed(1)} frames/s to each viewer; gst-launch ${last.reference.cores.toFixed(2)} cores, ${last.reference.fps.toFixed(1)} frames/s; ${format.fps} is keeping up)`,
    sample: async () => {
      clip ??= await captureClip()
      const sink = await discard()
      try {
        const reference = await referenceSide(clip, sink)
        const parley = await parleySide(clip, sink)
        return { parley, reference }
      } finally {
        sink.close()
      }
    },
  },
]
