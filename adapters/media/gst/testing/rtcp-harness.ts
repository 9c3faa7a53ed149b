/**
 * What the video RTCP specs (video-rtcp.spec.ts, video-srtcp.spec.ts) share: a worker whose leg
 * failures are noted, bound sockets, `gst-launch-1.0` far ends, and a viewer leg whose composed
 * picture is decoded to small grey frames, each noted as it arrives.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import { LegId } from '../../../../core/model/ids.js'
import type { GstMedia } from '../../worker/gst-media.js'
import type { VideoStreamPlan } from '../../worker/worker-protocol.js'
import { freeUdpPort } from './rtp-endpoint.js'
import { frameHeight, frameWidth } from './video-endpoint.js'
import { startVideoWorker } from './video-worker.js'

type Cleanup = { readonly after: (fn: () => unknown) => void }

export const frameBytes = frameWidth * frameHeight
export const h264 = (payloadType: number) => ({ name: 'H264' as const, payloadType, clockRate: 90000 })
export const muxedPli = { mux: true, pli: true, fir: false } as const

/** A worker on its own 200 ports from `portMin`, and the LegFailed reasons it reports as they come. */
export const startWorkerNotingFailures = async (t: Cleanup, portMin: number): Promise<GstMedia & { readonly failed: ReadonlyArray<string> }> => {
  const { media, supervisor } = await startVideoWorker(t, { portMin, portMax: portMin + 199 })
  const failed: string[] = []
  supervisor.onEvent((event) => {
    if (event._tag === 'LegFailed') failed.push(`${event.leg}: ${event.reason}`)
  })
  return Object.assign(media, { failed })
}

export const boundSocket = async (t: Cleanup): Promise<dgram.Socket> => {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  t.after(() => socket.close())
  return socket
}

/** A `gst-launch-1.0` far end, killed after the test. */
export const launchGst = (t: Cleanup, description: string, stdout: 'pipe' | 'ignore' = 'ignore'): ChildProcess => {
  const child = spawn('gst-launch-1.0', ['-q', ...description.split(' ')], { stdio: ['ignore', stdout, 'ignore'] })
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return child
}

export interface TimedFrame {
  readonly at: number
  readonly frame: Uint8Array
}

/** A plain viewer leg shown `shown` (1+0), or the content when `asContent`; Parley's RTP decoded to grey frames, each noted as it arrives. */
export const watchComposition = async (
  t: Cleanup,
  media: GstMedia,
  viewerLeg: string,
  shown: string,
  asContent = false,
): Promise<{ readonly frames: ReadonlyArray<TimedFrame> }> => {
  const decoderPort = await freeUdpPort()
  const decoder = launchGst(
    t,
    [
      `udpsrc address=127.0.0.1 port=${decoderPort} caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=97`,
      '! rtpjitterbuffer latency=50 ! rtph264depay ! avdec_h264 ! videoconvert ! videoscale',
      `! video/x-raw,format=GRAY8,width=${frameWidth},height=${frameHeight},pixel-aspect-ratio=1/1 ! fdsink fd=1 sync=false`,
    ].join(' '),
    'pipe',
  )
  const frames: TimedFrame[] = []
  let pending = Buffer.alloc(0)
  decoder.stdout?.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    for (; pending.length >= frameBytes; pending = pending.subarray(frameBytes)) frames.push({ at: performance.now(), frame: Uint8Array.from(pending.subarray(0, frameBytes)) })
  })
  const ports = await media.allocate(LegId(viewerLeg), ['video'])
  assert.ok(E.isRight(ports) && ports.right.video !== undefined)
  const plan: VideoStreamPlan = { codec: h264(97), packetizationMode: 1, remote: { address: '127.0.0.1', port: decoderPort }, direction: 'sendonly' }
  assert.ok(E.isRight(await media.attach(LegId(viewerLeg), undefined, { video: plan, displayName: 'Viewer' })()))
  const view = asContent ? { _tag: 'Content' as const, presenter: 'Room' } : { _tag: 'Composed' as const, layout: 'one_main_zero_pips' as const, participants: [LegId(shown)] }
  const result = await media.perform({ _tag: 'Show', leg: LegId(viewerLeg), view })()
  assert.ok(E.isRight(result), JSON.stringify(result))
  return { frames }
}
