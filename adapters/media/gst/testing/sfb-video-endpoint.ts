/**
 * An SfB-shaped video far end for the media specs: X-H264UC ([MS-H264PF]) over SRTP, as a Skype
 * for Business client sends and expects it. Its sender is `gst-launch-1.0` (x264enc, rtph264pay
 * in single NAL unit / FU-A mode) into a Node socket that frames each access unit as MS-H264PF
 * wants (PACSI first, a prefix NAL unit before each slice: ms-h264pf.ts) — with `pacsiInStapA`
 * the PACSI is aggregated with the access unit's first NAL units in a STAP-A, the other form
 * §2.2.4 allows — and protects it with the far end's key. What Parley sends back is decrypted
 * (srtp-far-end.ts), checked packet by packet for the MS-H264PF framing, and decoded by a
 * second `gst-launch-1.0` into small grey frames.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import dgram from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { VideoStreamPlan } from '../../worker/worker-protocol.js'
import { MsH264pfFramer, NalType, payloadNal, rtpHeaderLength } from '../ms-h264pf.js'
import { RolloverCounter, protectRtp, sessionKeys, srtpSuiteParameters } from '../srtp-packet.js'
import { freeUdpPort } from './rtp-endpoint.js'
import type { SrtpFarEnd } from './srtp-far-end.js'
import { srtpFarEnd } from './srtp-far-end.js'
import { frameHeight, frameWidth } from './video-endpoint.js'

const frameBytes = frameWidth * frameHeight
const suiteName = 'AES_CM_128_HMAC_SHA1_80'
/** SfB's X-H264UC payload type in the fixtures (sdp-fixtures.ts). */
export const xH264ucPayloadType = 122

export interface SfbVideoEndpointOptions {
  readonly pattern: string
  /** The far end's SDES key (what it encrypts with) and Parley's (what it decrypts with). */
  readonly key: string
  readonly parleyKey: string
  readonly pacsiInStapA?: boolean
}

/** What Parley sent, as the far end saw it after decryption. */
export interface SfbVideoReceived {
  readonly packets: number
  /** Access units (RTP timestamps) seen, and how many of them opened with a PACSI packet. */
  readonly accessUnits: number
  readonly accessUnitsOpenedByPacsi: number
  /** Packets starting a coded slice, and how many came right after a prefix NAL unit. */
  readonly sliceStarts: number
  readonly sliceStartsAfterPrefix: number
  /** PACSI packets that carried the stream layout SEI (IDR access units). */
  readonly pacsiWithLayout: number
  /** Gaps in the sequence numbers (Parley renumbers around what it inserts). */
  readonly sequenceGaps: number
  readonly frames: ReadonlyArray<Uint8Array>
}

export interface SfbVideoEndpoint {
  readonly plan: () => VideoStreamPlan
  readonly farEnd: SrtpFarEnd
  readonly start: (legPort: number) => Promise<void>
  readonly stop: () => Promise<SfbVideoReceived>
  /** Packets the far end sent to Parley. */
  readonly sent: () => number
}

/** STAP-A (RFC 6184 §5.7.1) of NAL units, NRI the highest of theirs. */
const stapA = (units: ReadonlyArray<Buffer>): Buffer => {
  const nri = units.reduce((max, u) => Math.max(max, (u[0] ?? 0) & 0x60), 0)
  return Buffer.concat([Buffer.from([nri | NalType.stapA]), ...units.flatMap((u) => [Buffer.from([u.length >> 8, u.length & 0xff]), u])])
}

/**
 * Folds a framed access unit's leading packets (PACSI, then single NAL units up to the first
 * slice and its prefix) into one STAP-A, keeping PACSI first (§2.2.4).
 */
const aggregate = (packets: ReadonlyArray<Buffer>): ReadonlyArray<Buffer> => {
  const payloadOf = (p: Buffer) => p.subarray(rtpHeaderLength(p) ?? 12)
  const first = packets[0]
  if (first === undefined || ((payloadOf(first)[0] ?? 0) & 0x1f) !== NalType.pacsi) return packets
  let count = 1
  while (count < packets.length && count < 4) {
    const type = (payloadOf(packets[count] ?? Buffer.alloc(0))[0] ?? 0) & 0x1f
    if (type === NalType.fuA || type === NalType.stapA) break
    count++
  }
  if (count < 2) return packets
  const units = packets.slice(0, count).map(payloadOf)
  const header = Buffer.from(first.subarray(0, rtpHeaderLength(first) ?? 12))
  const last = packets[count - 1] ?? first
  header[1] = ((header[1] ?? 0) & 0x7f) | ((last[1] ?? 0) & 0x80)
  return [Buffer.concat([header, stapA(units)]), ...packets.slice(count)]
}

export const sfbVideoEndpoint = async (options: SfbVideoEndpointOptions): Promise<SfbVideoEndpoint> => {
  const suite = srtpSuiteParameters(suiteName)
  if (suite === undefined) throw new Error('no SRTP suite')
  const keys = sessionKeys(Buffer.from(options.key, 'base64'), suite)
  const relay = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve))
  const farEnd = await srtpFarEnd({ suite: suiteName, parleyKey: options.parleyKey, forwardTo: relay.address().port })
  const encoderOut = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => encoderOut.bind(0, '127.0.0.1', resolve))
  const sender = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve))
  const decoderPort = await freeUdpPort()
  const directory = mkdtempSync(join(tmpdir(), 'parley-sfb-video-'))
  const recording = join(directory, 'frames.gray')

  // What Parley sends: counted, checked for the MS-H264PF framing, then decoded.
  const seen = { packets: 0, accessUnits: 0, accessUnitsOpenedByPacsi: 0, sliceStarts: 0, sliceStartsAfterPrefix: 0, pacsiWithLayout: 0, sequenceGaps: 0 }
  let lastTimestamp: number | undefined
  let lastSequence: number | undefined
  let previousType: number | undefined
  relay.on('message', (packet) => {
    seen.packets++
    const payload = packet.subarray(rtpHeaderLength(packet) ?? 12)
    const nal = payloadNal(payload)
    const timestamp = packet.readUInt32BE(4)
    const sequence = packet.readUInt16BE(2)
    if (lastSequence !== undefined && sequence !== ((lastSequence + 1) & 0xffff)) seen.sequenceGaps++
    lastSequence = sequence
    if (timestamp !== lastTimestamp) {
      seen.accessUnits++
      if (nal?.type === NalType.pacsi) seen.accessUnitsOpenedByPacsi++
      lastTimestamp = timestamp
    }
    if (nal?.type === NalType.pacsi && payload.includes(Buffer.from('139fb1a9446a4dec8cbf65b1e12d2cfd', 'hex'))) seen.pacsiWithLayout++
    if (nal !== undefined && (nal.type === NalType.slice || nal.type === NalType.idrSlice) && nal.starts) {
      seen.sliceStarts++
      if (previousType === NalType.prefix) seen.sliceStartsAfterPrefix++
    }
    previousType = nal?.type
    relay.send(packet, decoderPort, '127.0.0.1')
  })

  // What the far end sends: rtph264pay's packets, framed, aggregated when asked, protected.
  let sent = 0
  let legPort = 0
  const framer = new MsH264pfFramer(randomInt(0x1_0000), () => 256_000)
  const roc = new RolloverCounter()
  let nextSequence = randomInt(0x1_0000)
  let pendingAccessUnit: Buffer[] = []
  const flush = () => {
    const packets = options.pacsiInStapA === true ? aggregate(pendingAccessUnit) : pendingAccessUnit
    pendingAccessUnit = []
    for (const plain of packets) {
      // Renumbered after aggregation: the stream has no gaps.
      const sequence = nextSequence
      nextSequence = (nextSequence + 1) & 0xffff
      plain.writeUInt16BE(sequence, 2)
      const guess = roc.guess(sequence)
      roc.accept(sequence, guess)
      sender.send(protectRtp(plain, keys, suite, guess), legPort, '127.0.0.1')
      sent++
    }
  }
  encoderOut.on('message', (packet) => {
    for (const framed of framer.frame(packet)) {
      // An access unit is sent whole once its marker packet is framed (so its head can be aggregated).
      pendingAccessUnit.push(framed)
      if (((framed[1] ?? 0) & 0x80) !== 0) flush()
    }
  })

  let child: ChildProcess | undefined
  let exited: Promise<unknown> = Promise.resolve()
  return {
    plan: () => ({
      codec: { name: 'H264', payloadType: xH264ucPayloadType, clockRate: 90000 },
      packetizationMode: 1,
      remote: { address: '127.0.0.1', port: farEnd.port },
      direction: 'sendrecv',
      srtp: { suite: suiteName, localKey: options.parleyKey, remoteKey: options.key },
      payloadFormat: 'ms-h264pf',
    }),
    farEnd,
    sent: () => sent,
    start: async (port) => {
      legPort = port
      const description = [
        `videotestsrc is-live=true pattern=${options.pattern} ! video/x-raw,width=320,height=180,framerate=10/1`,
        `! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 option-string=slice-max-size=1100`,
        `! rtph264pay pt=${xH264ucPayloadType} mtu=1200 config-interval=-1 aggregate-mode=none ! udpsink host=127.0.0.1 port=${encoderOut.address().port}`,
        `udpsrc port=${decoderPort} caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=${xH264ucPayloadType}`,
        `! rtpjitterbuffer latency=100 ! rtph264depay ! avdec_h264 ! videoconvert ! videoscale`,
        `! video/x-raw,format=GRAY8,width=${frameWidth},height=${frameHeight},pixel-aspect-ratio=1/1 ! filesink location=${recording}`,
      ].join(' ')
      const started = spawn('gst-launch-1.0', ['-q', ...description.split(' ')], { stdio: ['ignore', 'ignore', 'ignore'] })
      exited = new Promise((resolve) => started.once('exit', resolve))
      child = started
      await new Promise((resolve) => setTimeout(resolve, 300))
    },
    stop: async () => {
      const running = child
      if (running !== undefined && running.exitCode === null && running.signalCode === null) {
        running.kill('SIGINT')
        const killer = setTimeout(() => running.kill('SIGKILL'), 2_000)
        await exited
        clearTimeout(killer)
      }
      for (const socket of [relay, encoderOut, sender]) {
        await new Promise<void>((resolve) => {
          try {
            socket.close(() => resolve())
          } catch {
            resolve()
          }
        })
      }
      farEnd.close()
      let raw = Buffer.alloc(0)
      try {
        raw = readFileSync(recording)
      } catch {
        // Nothing decoded: the file was never written.
      }
      rmSync(directory, { recursive: true, force: true })
      const frames: Uint8Array[] = []
      for (let offset = 0; offset + frameBytes <= raw.length; offset += frameBytes) frames.push(raw.subarray(offset, offset + frameBytes))
      return { ...seen, frames }
    },
  }
}
