/**
 * A video far end for the media specs: a `gst-launch-1.0` process that sends a test pattern as
 * H.264 RTP (RFC 6184, packetization mode 1) to a leg's video port, and decodes what Parley sends
 * back into small grey frames that the spec can count and look at. Parley's packets pass through
 * a UDP relay here first, which counts them and notes each packet's NAL unit type (RFC 6184 §5.2:
 * 24 = STAP-A, 28 = FU-A), so that a spec can tell "nothing sent" from "sent but not decodable"
 * and check the packetization mode on the wire.
 *
 * With `srtp` it is an SfB-like far end: it encrypts what it sends (srtpenc) and Parley's SRTP
 * is decrypted before the relay by srtp-far-end.ts, whose socket is also its ICE candidate.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Direction, VideoStreamPlan } from '../../worker/worker-protocol.js'
import { srtpTransforms } from '../srtp-description.js'
import { freeUdpPort } from './rtp-endpoint.js'
import type { SrtpFarEnd } from './srtp-far-end.js'
import { srtpFarEnd } from './srtp-far-end.js'

/** Decoded frames are scaled to this, in 8-bit luma: enough to tell a bright picture from a dark one. */
export const frameWidth = 64
export const frameHeight = 36
const frameBytes = frameWidth * frameHeight
const payloadType = 96

export interface VideoEndpointOptions {
  /** videotestsrc pattern to send (`white`, `black`, `ball`…); absent = the far end sends nothing. */
  readonly pattern?: string
  /** What the far end sends at (small, so that specs stay cheap). */
  readonly width?: number
  readonly height?: number
  readonly fps?: number
  /**
   * Sends only (a room system's content stream, which Parley never sends back): no decoding half.
   * With one, a far end that gets nothing back never starts: its decoder's sink never prerolls.
   */
  readonly sendOnly?: boolean
  /** SRTP as in rtp-endpoint.ts: sends with `key` (or `sendWith`, a wrong key), decrypts with `parleyKey`. */
  readonly srtp?: { readonly suite: string; readonly key: string; readonly parleyKey: string; readonly sendWith?: string; readonly mki?: string }
}

export interface VideoReceived {
  readonly packets: number
  /** NAL unit type of each packet's payload header, counted. */
  readonly nalTypes: ReadonlyMap<number, number>
  /** The largest step back of the RTP timestamp from one packet to the next, in 90 kHz ticks (0: it only ran on). */
  readonly largestStepBack: number
  readonly frames: ReadonlyArray<Uint8Array>
}

export interface VideoEndpoint {
  /** The leg's video plan as an SDP answer would give it (direction from Parley's side). */
  readonly plan: (options?: { readonly direction?: Direction; readonly packetizationMode?: 0 | 1 }) => VideoStreamPlan
  /** Starts sending to the leg's port (when it has a pattern) and receiving. */
  readonly start: (legPort: number | undefined) => Promise<void>
  readonly stop: () => Promise<VideoReceived>
  /** The SRTP receiver and ICE candidate (with `srtp`). */
  readonly farEnd?: SrtpFarEnd
}

export const videoEndpoint = async (options: VideoEndpointOptions = {}): Promise<VideoEndpoint> => {
  const width = options.width ?? 320
  const height = options.height ?? 180
  const fps = options.fps ?? 10
  const relay = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve))
  const relayPort = relay.address().port
  const srtp = options.srtp
  const farEnd = srtp === undefined ? undefined : await srtpFarEnd({ suite: srtp.suite, parleyKey: srtp.parleyKey, forwardTo: relayPort })
  const transforms = srtp === undefined ? undefined : srtpTransforms(srtp.suite)
  const encrypt =
    srtp === undefined || transforms === undefined
      ? ''
      : `! srtpenc key=${Buffer.from(srtp.sendWith ?? srtp.key, 'base64').toString('hex')} rtp-cipher=${transforms.cipher} rtp-auth=${transforms.auth} rtcp-cipher=${transforms.cipher} rtcp-auth=${transforms.rtcpAuth}${srtp.mki === undefined ? '' : ` mki=${srtp.mki}`} `
  const decoderPort = await freeUdpPort()
  const directory = mkdtempSync(join(tmpdir(), 'parley-video-endpoint-'))
  const recording = join(directory, 'frames.gray')
  let packets = 0
  let largestStepBack = 0
  let lastTimestamp: number | undefined
  const nalTypes = new Map<number, number>()
  relay.on('message', (packet) => {
    packets++
    const timestamp = packet.readUInt32BE(4)
    // Serial number arithmetic: a difference over half the range is a step back.
    const step = (timestamp - (lastTimestamp ?? timestamp)) >>> 0
    if (step > 0x8000_0000) largestStepBack = Math.max(largestStepBack, 0x1_0000_0000 - step)
    lastTimestamp = timestamp
    const csrcs = (packet[0] ?? 0) & 0x0f
    const type = (packet[12 + 4 * csrcs] ?? 0) & 0x1f
    nalTypes.set(type, (nalTypes.get(type) ?? 0) + 1)
    relay.send(packet, decoderPort, '127.0.0.1')
  })
  let child: ChildProcess | undefined
  let exited: Promise<unknown> = Promise.resolve()
  return {
    plan: (planOptions = {}) => ({
      codec: { name: 'H264', payloadType, clockRate: 90000 },
      packetizationMode: planOptions.packetizationMode ?? 1,
      remote: { address: '127.0.0.1', port: farEnd?.port ?? relayPort },
      direction: planOptions.direction ?? 'sendrecv',
      ...(srtp === undefined ? {} : { srtp: { suite: srtp.suite, localKey: srtp.parleyKey, remoteKey: srtp.key, ...(srtp.mki === undefined ? {} : { remoteMki: srtp.mki }) } }),
    }),
    start: async (legPort) => {
      const send =
        options.pattern === undefined || legPort === undefined
          ? []
          : [
              `videotestsrc is-live=true pattern=${options.pattern} ! video/x-raw,width=${width},height=${height},framerate=${fps}/1`,
              `! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=${fps} ! rtph264pay pt=${payloadType} config-interval=-1 ${encrypt}! udpsink host=127.0.0.1 port=${legPort}`,
            ]
      const receive = options.sendOnly === true ? [] : [
        `udpsrc port=${decoderPort} caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=${payloadType}`,
        `! rtpjitterbuffer latency=100 ! rtph264depay ! avdec_h264 ! videoconvert ! videoscale`,
        `! video/x-raw,format=GRAY8,width=${frameWidth},height=${frameHeight},pixel-aspect-ratio=1/1 ! filesink location=${recording}`,
      ]
      const description = [...send, ...receive].join(' ')
      const started = spawn('gst-launch-1.0', ['-q', ...description.split(' ')], { stdio: ['ignore', 'ignore', 'ignore'] })
      exited = new Promise((resolve) => started.once('exit', resolve))
      child = started
      // The receiving udpsrc binds as the pipeline starts; Parley's first packets are not lost to it.
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
      await new Promise<void>((resolve) => {
        try {
          relay.close(() => resolve())
        } catch {
          resolve()
        }
      })
      let raw = Buffer.alloc(0)
      try {
        raw = readFileSync(recording)
      } catch {
        // Nothing decoded: the file was never written.
      }
      rmSync(directory, { recursive: true, force: true })
      farEnd?.close()
      const frames: Uint8Array[] = []
      for (let offset = 0; offset + frameBytes <= raw.length; offset += frameBytes) frames.push(raw.subarray(offset, offset + frameBytes))
      return { packets, nalTypes, largestStepBack, frames }
    },
    ...(farEnd === undefined ? {} : { farEnd }),
  }
}

/** Mean luma of a frame's region given in fractions of its size. */
export const meanLuma = (frame: Uint8Array, region: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number }): number => {
  let sum = 0
  let count = 0
  for (let y = Math.floor(region.y0 * frameHeight); y < Math.ceil(region.y1 * frameHeight); y++)
    for (let x = Math.floor(region.x0 * frameWidth); x < Math.ceil(region.x1 * frameWidth); x++) {
      sum += frame[y * frameWidth + x] ?? 0
      count++
    }
  return count === 0 ? 0 : sum / count
}
