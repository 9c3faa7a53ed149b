/**
 * The SRTP pieces of a leg's gst-launch descriptions (rtp-description.ts): srtpdec after the
 * source on receive, srtpenc before the sink on send (gst-plugins-bad, libsrtp 2).
 *
 * srtpdec learns a stream's key from its sink caps only together with the stream's SSRC, and
 * otherwise asks for it with the `request-key` signal on the streaming thread, where no
 * JavaScript may run (gstreamer.ts). So the source caps carry the key for SSRC 0 (the priming
 * packet's, priming-packet.ts), and the far end's SSRCs are added as the leg's port shim sees
 * them (srtp-ssrc.ts). (Reading the SSRC from a fakesink's last sample on the main thread was
 * tried first: node-gtk releases a GstSample it did not own, and GStreamer reported freed
 * buffers within seconds.)
 *
 * srtpenc needs no SSRC (libsrtp's any-outbound policy); its key is a property.
 */
import type { AudioStreamPlan } from '../worker/worker-protocol.js'
import { srtpSuiteParameters } from './srtp-packet.js'

export type SrtpPlan = NonNullable<AudioStreamPlan['srtp']>

export interface SrtpElementNames {
  readonly decoder: string
  readonly encoder: string
}

export const srtpElementNames = (handle: string): SrtpElementNames => ({ decoder: `srtpdec-${handle}`, encoder: `srtpenc-${handle}` })

/** GStreamer's names for a suite's transforms; SRTCP is always authenticated with 80 bits (RFC 4568 §6.2.1-6.2.2). */
export const srtpTransforms = (suite: string): { readonly cipher: string; readonly auth: string; readonly rtcpAuth: string } | undefined => {
  const parameters = srtpSuiteParameters(suite)
  if (parameters === undefined) return undefined
  return { cipher: parameters.keyLength === 32 ? 'aes-256-icm' : 'aes-128-icm', auth: parameters.tagLength === 4 ? 'hmac-sha1-32' : 'hmac-sha1-80', rtcpAuth: 'hmac-sha1-80' }
}

const hexOfBase64 = (key: string): string => Buffer.from(key, 'base64').toString('hex')

/** Checks the plan's keys against its suite; a Left says what is wrong (the attach is refused). */
export const checkSrtpPlan = (srtp: SrtpPlan): string | undefined => {
  const parameters = srtpSuiteParameters(srtp.suite)
  if (parameters === undefined) return `SRTP suite ${srtp.suite} is not run by the media worker`
  const length = parameters.keyLength + 14
  for (const [which, key] of [['local', srtp.localKey], ['remote', srtp.remoteKey]] as const)
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length !== length) return `the ${which} SRTP key is not ${length} bytes of base64`
  if (srtp.remoteMki !== undefined && !/^([0-9a-f]{2}){1,128}$/.test(srtp.remoteMki)) return 'the remote MKI is not 1-128 bytes of hex'
  return undefined
}

/** The receive source's caps: the leg's RTP caps as SRTP, with the far end's key for `ssrc`. */
export const srtpSourceCaps = (rtpCaps: string, srtp: SrtpPlan, ssrc: number): string => {
  const t = srtpTransforms(srtp.suite)
  if (t === undefined) throw new Error(`unchecked SRTP suite ${srtp.suite}`)
  return [
    rtpCaps.replace(/^application\/x-rtp/, 'application/x-srtp'),
    `ssrc=(uint)${ssrc >>> 0}`,
    `srtp-key=(buffer)${hexOfBase64(srtp.remoteKey)}`,
    `srtp-cipher=(string)${t.cipher}`,
    `srtp-auth=(string)${t.auth}`,
    `srtcp-cipher=(string)${t.cipher}`,
    `srtcp-auth=(string)${t.rtcpAuth}`,
    ...(srtp.remoteMki === undefined ? [] : [`mki=(buffer)${srtp.remoteMki}`]),
  ].join(',')
}

/** Goes between the source and the demuxer. */
export const srtpReceiveStage = (handle: string): string => `srtpdec name=${srtpElementNames(handle).decoder}`

/** Goes right before the sink: Parley's own key. */
export const srtpSendStage = (srtp: SrtpPlan, handle: string): string => {
  const t = srtpTransforms(srtp.suite)
  if (t === undefined) throw new Error(`unchecked SRTP suite ${srtp.suite}`)
  return `srtpenc name=${srtpElementNames(handle).encoder} key=${hexOfBase64(srtp.localKey)} rtp-cipher=${t.cipher} rtp-auth=${t.auth} rtcp-cipher=${t.cipher} rtcp-auth=${t.rtcpAuth}`
}
