/**
 * Audio capacity (issue 6): audio-only legs per core, every leg in a conference hearing the
 * others (N-1 mix), PCMU at 20 ms. Per leg: receive, jitter buffer (rtpjitterbuffer 60 ms,
 * do-lost), decode to the mix format, level (a report every 500 ms), its voice into the conference
 * total and, inverted, straight into its own mixer (no queue: media-engine.ts); that mixer (the
 * total minus itself) through resample, encode and payload back to the far end.
 *
 * Parley: the media worker (GstMedia over a real worker process, as the node runs it), one leg
 * per far end, legs joined in conferences of `conferenceSize`.
 * Reference: one hand-written `gst-launch-1.0` pipeline of the same graph: the worker's own
 * receive and send descriptions (rtp-description.ts), the same mixers and self-subtraction; no
 * worker process, no channel, no graph built at run time. GStreamer's own floor on this machine.
 *
 * Input: a 440 Hz tone µ-law encoded once here, sent as RTP every 20 ms to every leg's port by
 * this process (its CPU is counted for neither side); what both sides send goes to one socket
 * that drops it. The figure is legs / CPU cores used by the worker or by gst-launch (user +
 * system from /proc) over a window after the jitter buffers have filled.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { ConferenceId, LegId } from '../core/model/ids.js'
import { mixBufferNs, mixCaps } from '../adapters/media/gst/mix-format.js'
import { receiveDescription, sendDescription } from '../adapters/media/gst/rtp-description.js'
import { GstMedia } from '../adapters/media/worker/gst-media.js'
import type { AudioStreamPlan } from '../adapters/media/worker/worker-protocol.js'
import { WorkerSupervisor } from '../adapters/media/worker/worker-supervisor.js'
import type { Measurement } from './harness.js'
import { exited, killOnExit } from './support/child-processes.js'
import { freePort } from './support/free-port.js'

/** Legs in all (PARLEY_BENCH_AUDIO_LEGS); 60 keeps either side well under one of CI's two cores. */
const legs = Number(process.env['PARLEY_BENCH_AUDIO_LEGS'] ?? 60)
const conferenceSize = 10
const settleMs = 2_000
const windowMs = 6_000
const packetMs = 20
const samplesPerPacket = 160
const ticksPerSecond = 100 // USER_HZ on Linux
const hostCores = availableParallelism()
/** The worker's mixer settings (media-engine.ts newMixer), for the reference's mixers. */
const mixerLatencyNs = 20_000_000n

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}

/** Cores used by `pid` over the window. */
const coresUsed = async (pid: number): Promise<number> => {
  const before = cpuSeconds(pid)
  const started = performance.now()
  await sleep(windowMs)
  return (cpuSeconds(pid) - before) / ((performance.now() - started) / 1000)
}

// ---- the far ends -------------------------------------------------------------------------

/** G.711 µ-law (ITU-T G.711, the segment encoding with bias 0x84) of one 16-bit sample. */
const muLaw = (sample: number): number => {
  const sign = sample < 0 ? 0x80 : 0
  let magnitude = Math.min(Math.abs(sample), 32635) + 0x84
  let exponent = 7
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f
  magnitude = 0
  return ~(sign | (exponent << 4) | mantissa) & 0xff
}

/** One second of a 440 Hz tone at -12 dBFS as 50 PCMU payloads (440 Hz fits a second exactly). */
const tonePayloads: ReadonlyArray<Buffer> = Array.from({ length: 1000 / packetMs }, (_, p) =>
  Buffer.from(Array.from({ length: samplesPerPacket }, (_, i) => muLaw(Math.round(8192 * Math.sin((2 * Math.PI * 440 * (p * samplesPerPacket + i)) / 8000))))),
)

/** Sends the tone as RTP (RFC 3550, PT 0) to every port every 20 ms, one SSRC per port. */
const sendTones = (ports: ReadonlyArray<number>): (() => void) => {
  const socket = dgram.createSocket('udp4')
  let index = 0
  const timer = setInterval(() => {
    const payload = tonePayloads[index % tonePayloads.length]!
    ports.forEach((port, leg) => {
      const header = Buffer.alloc(12)
      header.writeUInt8(0x80, 0)
      header.writeUInt8(0, 1)
      header.writeUInt16BE(index & 0xffff, 2)
      header.writeUInt32BE((index * samplesPerPacket) >>> 0, 4)
      header.writeUInt32BE(0x5eed0000 + leg, 8)
      socket.send(Buffer.concat([header, payload]), port, '127.0.0.1')
    })
    index++
  }, packetMs)
  return () => {
    clearInterval(timer)
    socket.close()
  }
}

/** Where both sides send what each leg hears: a socket that reads and drops it. */
const discard = async (): Promise<{ readonly port: number; readonly received: () => number; readonly close: () => void }> => {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  let received = 0
  socket.on('message', () => received++)
  return { port: socket.address().port, received: () => received, close: () => socket.close() }
}

/** Packets per second each side sent back during its window (legs x 50 when every leg is served), last sample. */
const sentBack = { parley: 0, reference: 0 }
/**
 * The host's 1-minute load average at the end of each side's window, last sample: the figures
 * are CPU per leg, and on a host busy with other work every leg costs more (more preemption and
 * context switches, which is most of an audio leg's cost), so a figure is read with its load.
 */
const loadAverage = { parley: 0, reference: 0 }
const oneMinuteLoad = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])

/** Cores used by `pid` over the window, and the packets per second arriving at the sink meanwhile. */
const measureWindow = async (pid: number, sink: { readonly received: () => number }): Promise<{ readonly cores: number; readonly packetsPerSecond: number }> => {
  const packets = sink.received()
  const started = performance.now()
  const cores = await coresUsed(pid)
  return { cores, packetsPerSecond: (sink.received() - packets) / ((performance.now() - started) / 1000) }
}

const plan = (sinkPort: number): AudioStreamPlan => ({
  codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
  remote: { address: '127.0.0.1', port: sinkPort },
  direction: 'sendrecv',
})

const legIds = Array.from({ length: legs }, (_, i) => `a${i + 1}`)
const conferenceOf = (i: number): string => `c${Math.floor(i / conferenceSize) + 1}`

// ---- the two sides -------------------------------------------------------------------------

/** A worker of its own per sample, closed after it (a live worker would keep `make bench` from exiting). */
const parleySide = async (sink: { readonly port: number; readonly received: () => number }): Promise<number> => {
  const supervisor = new WorkerSupervisor({ logger: pino({ level: 'warn' }), bindHost: '127.0.0.1', portMin: 42000, portMax: 43999 })
  try {
    return await measureWorker(supervisor, sink)
  } finally {
    await supervisor.close()
  }
}

const measureWorker = async (supervisor: WorkerSupervisor, sink: { readonly port: number; readonly received: () => number }): Promise<number> => {
  const sinkPort = sink.port
  const started = await supervisor.start()
  if (E.isLeft(started) || started.right.pid === undefined) throw new Error(`the media worker did not start: ${JSON.stringify(started)}`)
  const pid = started.right.pid
  const media = new GstMedia({ supervisor, logger: pino({ level: 'warn' }), now: () => 0 })
  const ports: number[] = []
  for (const [i, leg] of legIds.entries()) {
    const allocated = await media.allocate(LegId(leg), ['audio'])
    if (E.isLeft(allocated) || allocated.right.audio === undefined) throw new Error('no audio port')
    ports.push(allocated.right.audio)
    const attached = await media.attach(LegId(leg), plan(sinkPort))()
    if (E.isLeft(attached)) throw new Error(JSON.stringify(attached.left))
    const joined = await media.perform({ _tag: 'JoinMix', leg: LegId(leg), conference: ConferenceId(conferenceOf(i)) })()
    if (E.isLeft(joined)) throw new Error(JSON.stringify(joined.left))
  }
  const stop = sendTones(ports)
  await sleep(settleMs)
  const { cores, packetsPerSecond } = await measureWindow(pid, sink)
  sentBack.parley = packetsPerSecond
  loadAverage.parley = oneMinuteLoad()
  stop()
  return legs / cores
}

const mixer = (name: string): string =>
  `audiomixer name=${name} force-live=true latency=${mixerLatencyNs} output-buffer-duration=${mixBufferNs}`

/** The worker's graph as one description: per conference a total, per leg receive, own mixer, send. */
export const referenceDescription = (ports: ReadonlyArray<number>, sinkPort: number): string => {
  const parts: string[] = []
  for (const conference of new Set(legIds.map((_, i) => conferenceOf(i))))
    parts.push(`${mixer(`total-${conference}`)} ! capsfilter caps="${mixCaps}" ! tee name=totaltee-${conference} allow-not-linked=true`)
  // Request pads named: gst-launch cannot link a tee's request pad to a mixer's by element alone.
  legIds.forEach((leg, i) => {
    const conference = conferenceOf(i)
    const member = i % conferenceSize
    // The worker sets the bound socket on these elements; gst-launch binds the port itself.
    const receive = receiveDescription(plan(sinkPort), leg).replace(`udpsrc name=rtpsrc-${leg} close-socket=false`, `udpsrc name=rtpsrc-${leg} port=${ports[i]}`)
    const send = sendDescription(plan(sinkPort), leg).replace(' close-socket=false', '')
    parts.push(
      `${receive} ! tee name=tee-${leg} allow-not-linked=true`,
      `tee-${leg}.src_0 ! total-${conference}.sink_${member}`,
      `${mixer(`out-${leg}`)} ! ${send}`,
      `totaltee-${conference}.src_${member} ! out-${leg}.sink_0`,
      // As in the worker: the voice to the total first (src_0), then inverted straight into the leg's own mixer, no queue.
      `tee-${leg}.src_1 ! audioamplify amplification=-1 ! out-${leg}.sink_1`,
    )
  })
  return parts.join('  ')
}

/** gst-launch arguments: split on spaces outside double quotes, quotes removed (what a shell would pass). */
const splitDescription = (description: string): string[] =>
  (description.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((arg) => arg.replace(/"/g, ''))

/** The reference pipeline playing: its mixers (force-live) send from the moment it runs. */
const startReference = async (sink: { readonly port: number; readonly received: () => number }): Promise<{ readonly child: ChildProcess; readonly ports: ReadonlyArray<number> }> => {
  let problem = ''
  // The ports are free when chosen, but other programs bind RTP ports too: a taken one fails the start, and it is tried again.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const ports: number[] = []
    for (let i = 0; i < legs; i++) ports.push(await freePort('127.0.0.1'))
    const child: ChildProcess = spawn('gst-launch-1.0', ['-q', ...splitDescription(referenceDescription(ports, sink.port))], { stdio: ['ignore', 'ignore', 'pipe'] })
    killOnExit(child)
    let errors = ''
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    const before = sink.received()
    const deadline = performance.now() + 10_000
    while (child.exitCode === null && child.signalCode === null && sink.received() === before && performance.now() < deadline) await sleep(50)
    if (child.exitCode === null && child.signalCode === null && sink.received() > before) return { child, ports }
    child.kill('SIGKILL')
    await exited(child)
    problem = errors.trim() || 'no RTP within 10 s'
  }
  throw new Error(`the reference pipeline did not start: ${problem}`)
}

const referenceSide = async (sink: { readonly port: number; readonly received: () => number }): Promise<number> => {
  const { child, ports } = await startReference(sink)
  const stop = sendTones(ports)
  await sleep(settleMs)
  const { cores, packetsPerSecond } = await measureWindow(child.pid ?? 0, sink)
  sentBack.reference = packetsPerSecond
  loadAverage.reference = oneMinuteLoad()
  stop()
  child.kill('SIGKILL')
  await exited(child)
  return legs / cores
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'media: audio-only legs per core',
    unit: 'legs/core',
    reference_name: 'gst-launch-1.0, same decode/mix/encode',
    target: 0.8,
    absolute: { value: 100 },
    samples: 3,
    warmUp: false,
    detail: () =>
      `${legs} PCMU legs in conferences of ${conferenceSize}, N-1 mix, 20 ms packets; figures are legs / cores used; ` +
      `RTP sent back (last sample, ${legs * (1000 / packetMs)}/s when every leg is served): Parley ${Math.round(sentBack.parley)}/s, reference ${Math.round(sentBack.reference)}/s; ` +
      `1-minute load average after each window (last sample, ${hostCores} cores): Parley ${loadAverage.parley}, reference ${loadAverage.reference}`,
    sample: async () => {
      const sink = await discard()
      try {
        const reference = await referenceSide(sink)
        const parley = await parleySide(sink)
        return { parley, reference }
      } finally {
        sink.close()
      }
    },
  },
]
