/**
 * A far end for the media specs: a `gst-launch-1.0` process that sends a tone (or silence) as RTP
 * in one codec to a leg's port, and records what Parley sends back as 8 kHz 16-bit PCM for
 * frequency analysis. It is a separate program on purpose: the worker is judged by what
 * arrives on the wire, as a phone would hear it.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AudioCodecName, AudioStreamPlan } from '../../worker/worker-protocol.js'
import { audioCodecs } from '../audio-codecs.js'
import { srtpTransforms } from '../srtp-description.js'
import type { SrtpFarEnd } from './srtp-far-end.js'
import { srtpFarEnd } from './srtp-far-end.js'

export const analysisRate = 8000

/** Payload types as an offer would have them (static for G.711/G.722, dynamic for Opus). */
const payloadTypes: Readonly<Record<AudioCodecName, number>> = { PCMU: 0, PCMA: 8, G722: 9, opus: 111 }
const clockRates: Readonly<Record<AudioCodecName, number>> = { PCMU: 8000, PCMA: 8000, G722: 8000, opus: 48000 }

/** A UDP port nobody holds right now (bound and released; the race is harmless on loopback in a test). */
export const freeUdpPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })

export interface EndpointOptions {
  readonly codec: AudioCodecName
  /** Hz; absent sends silence (a listener). */
  readonly tone?: number
  readonly volume?: number
  /**
   * SRTP (RFC 4568 keys, base64): the far end encrypts with `key` (or `sendWith`, to play a far
   * end with the wrong key) and decrypts with `parleyKey`, the key of Parley's answer.
   */
  readonly srtp?: { readonly suite: string; readonly key: string; readonly parleyKey: string; readonly sendWith?: string; readonly mki?: string }
}

export interface RtpEndpoint {
  /** What Parley should send to (and expect from): the leg's plan as an SDP answer would give it. */
  readonly plan: (options?: { readonly telephoneEvent?: boolean }) => AudioStreamPlan
  /** Starts sending to the leg's port and recording. */
  readonly start: (legPort: number) => void
  /** Stops, and returns what was recorded (PCM at `analysisRate`). */
  readonly stop: () => Promise<Buffer>
  /** The SRTP receiver and ICE candidate (with `srtp`). */
  readonly farEnd?: SrtpFarEnd
}

export const rtpEndpoint = async (options: EndpointOptions): Promise<RtpEndpoint> => {
  // With SRTP the recorder listens on a port of its own, behind the decrypting socket (srtp-far-end.ts).
  const recorderPort = await freeUdpPort()
  const srtp = options.srtp
  const farEnd = srtp === undefined ? undefined : await srtpFarEnd({ suite: srtp.suite, parleyKey: srtp.parleyKey, forwardTo: recorderPort })
  const receivePort = farEnd?.port ?? recorderPort
  const transforms = srtp === undefined ? undefined : srtpTransforms(srtp.suite)
  const encrypt =
    srtp === undefined || transforms === undefined
      ? ''
      : `! srtpenc key=${Buffer.from(srtp.sendWith ?? srtp.key, 'base64').toString('hex')} rtp-cipher=${transforms.cipher} rtp-auth=${transforms.auth} rtcp-cipher=${transforms.cipher} rtcp-auth=${transforms.rtcpAuth}${srtp.mki === undefined ? '' : ` mki=${srtp.mki}`} `
  const directory = mkdtempSync(join(tmpdir(), 'parley-rtp-endpoint-'))
  const recording = join(directory, 'received.raw')
  const codec = audioCodecs[options.codec]
  const pt = payloadTypes[options.codec]
  let child: ChildProcess | undefined
  let exited: Promise<unknown> = Promise.resolve()
  const source =
    options.tone === undefined ? 'audiotestsrc is-live=true wave=silence' : `audiotestsrc is-live=true wave=sine freq=${options.tone} volume=${options.volume ?? 0.2}`
  return {
    plan: (planOptions = {}) => ({
      codec: { name: options.codec, payloadType: pt, clockRate: clockRates[options.codec] },
      remote: { address: '127.0.0.1', port: receivePort },
      direction: 'sendrecv',
      ...(planOptions.telephoneEvent === true ? { telephoneEvent: { payloadType: 101, clockRate: 8000 } } : {}),
      ...(srtp === undefined ? {} : { srtp: { suite: srtp.suite, localKey: srtp.parleyKey, remoteKey: srtp.key, ...(srtp.mki === undefined ? {} : { remoteMki: srtp.mki }) } }),
    }),
    start: (legPort) => {
      const description = [
        `${source} samplesperbuffer=${codec.sampleRate / 50} ! audio/x-raw,format=S16LE,rate=${codec.sampleRate},channels=1`,
        `! ${codec.encoder} ! ${codec.payloader} pt=${pt} ${encrypt}! udpsink host=127.0.0.1 port=${legPort}`,
        `udpsrc port=${recorderPort} caps=application/x-rtp,media=audio,clock-rate=${clockRates[options.codec]},encoding-name=${codec.encodingName},payload=${pt}`,
        `! rtpjitterbuffer latency=60 ! ${codec.depayloader} ! ${codec.decoder} ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=${analysisRate},channels=1`,
        `! filesink location=${recording}`,
      ].join(' ')
      const started = spawn('gst-launch-1.0', ['-q', ...description.split(' ')], { stdio: ['ignore', 'ignore', 'ignore'] })
      exited = new Promise((resolve) => started.once('exit', resolve))
      child = started
    },
    stop: async () => {
      const running = child
      if (running !== undefined && running.exitCode === null && running.signalCode === null) {
        running.kill('SIGINT')
        const killer = setTimeout(() => running.kill('SIGKILL'), 2_000)
        await exited
        clearTimeout(killer)
      }
      let pcm = Buffer.alloc(0)
      try {
        pcm = readFileSync(recording)
      } catch {
        // Nothing arrived: the file was never written.
      }
      rmSync(directory, { recursive: true, force: true })
      farEnd?.close()
      return pcm
    },
    ...(farEnd === undefined ? {} : { farEnd }),
  }
}

/**
 * RFC 4733 §2.3 packets for one digit, as a phone sends them: three packets while the key is
 * down (marker on the first, growing duration), then the end packet three times (§2.5.1.4).
 */
export const telephoneEventPackets = (event: number, options: { readonly payloadType: number; readonly ssrc: number; readonly firstSeq: number; readonly timestamp: number }): ReadonlyArray<Buffer> => {
  const packet = (index: number, end: boolean, duration: number): Buffer => {
    const p = Buffer.alloc(16)
    p[0] = 0x80
    p[1] = (index === 0 ? 0x80 : 0) | options.payloadType
    p.writeUInt16BE((options.firstSeq + index) & 0xffff, 2)
    p.writeUInt32BE(options.timestamp >>> 0, 4)
    p.writeUInt32BE(options.ssrc >>> 0, 8)
    p[12] = event
    p[13] = (end ? 0x80 : 0) | 10 // E bit, volume -10 dBm0
    p.writeUInt16BE(duration, 14)
    return p
  }
  return [packet(0, false, 160), packet(1, false, 320), packet(2, false, 480), packet(3, true, 640), packet(4, true, 640), packet(5, true, 640)]
}
