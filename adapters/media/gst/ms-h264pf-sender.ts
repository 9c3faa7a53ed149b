/**
 * The send side of an X-H264UC leg in its port shim (ice-lite-port.ts): the plain RTP that the
 * leg's `rtph264pay` sends is framed as [MS-H264PF] wants (ms-h264pf.ts) and then protected with
 * Parley's SDES key (RFC 3711, srtp-packet.ts) — the framing inserts packets, so it has to come
 * before SRTP, and it runs here, on Node's main thread, rather than on a GStreamer streaming
 * thread (gstreamer.ts). Such a leg's send chain has no `srtpenc` (video-description.ts).
 */
import { randomInt } from 'node:crypto'
import type { SrtpPlan } from './srtp-description.js'
import { MsH264pfFramer } from './ms-h264pf.js'
import { protectRtp, sessionKeys, srtpSuiteParameters } from './srtp-packet.js'
import { bitrateKbps } from './video-description.js'

export type OutboundTransform = (packet: Buffer) => ReadonlyArray<Buffer>

/** Frames (and with `srtp`, protects) one leg's outgoing video; undefined for a suite srtp-packet.ts lacks. */
export const msH264pfSender = (srtp: SrtpPlan | undefined, firstSequence = randomInt(0x1_0000)): OutboundTransform | undefined => {
  const framer = new MsH264pfFramer(firstSequence, (layer) => bitrateKbps(layer) * 1000)
  if (srtp === undefined) return (packet) => framer.frame(packet)
  const suite = srtpSuiteParameters(srtp.suite)
  if (suite === undefined) return undefined
  const keys = sessionKeys(Buffer.from(srtp.localKey, 'base64'), suite)
  // RFC 3711 §3.3.1: the rollover counter counts wraps of the sequence numbers this sender gives.
  let roc = 0
  let last: number | undefined
  return (packet) =>
    framer.frame(packet).map((plain) => {
      const sequence = plain.readUInt16BE(2)
      if (last !== undefined && sequence < last) roc = (roc + 1) >>> 0
      last = sequence
      return protectRtp(plain, keys, suite, roc)
    })
}
