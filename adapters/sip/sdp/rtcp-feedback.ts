/**
 * RTCP feedback on video lines (RFC 4585 AVPF; FIR from RFC 5104): which keyframe requests
 * Parley takes part in, from what the far end's SDP lists. RFC 4585 §4.2: an answer lists only
 * feedback the offer listed, for the payload types it keeps. Parley's media worker sends and
 * reads PLI (`nack pli`, §6.3.1) and FIR (`ccm fir`, RFC 5104 §3.5.1) on RTP video, plain or
 * SRTP with RTCP muxed (SRTCP in the port shim, RFC 3711 §3.4, RFC 5761); SfB's X-H264UC, SRTP
 * with RTCP on its own port and an ICE stream with RTCP on its own port get no RTCP from it yet
 * (video-description.ts `videoRtcpRuns`), so none is listed for them.
 *
 * SfB's video lines offer `a=rtcp-fb:* x-message app send:src,x-pli recv:src,x-pli` ([MS-SDPEXT]
 * 3.1.5.30): it sends and reads x-pli, which [MS-RTP] §2.2.12.1 defines as the RFC 4585 PLI
 * (decision 0006). Parley's worker then sends SfB standard PLIs and honours SfB's. The answer
 * lists no `x-message` line of Parley's (whether SfB needs one to send PLIs is unconfirmed,
 * decision 0006), and no `nack pli`, which SfB did not offer (RFC 4585 §4.2).
 */
import type { MediaDescription } from 'sdp-transform'
import type { RtcpFeedback } from './parsed-offer.js'

export interface VideoFeedback {
  readonly pli: boolean
  readonly fir: boolean
}

/** The feedback `lines` list for `payloadType` (its own lines and `*`). */
export const listedFeedback = (lines: ReadonlyArray<RtcpFeedback> | undefined, payloadType: number): VideoFeedback => {
  const applies = (f: RtcpFeedback): boolean => f.payload === '*' || f.payload === payloadType
  const has = (type: string, subtype: string): boolean => (lines ?? []).some((f) => applies(f) && f.type === type && f.subtype === subtype)
  return { pli: has('nack', 'pli'), fir: has('ccm', 'fir') }
}

/**
 * SfB's `x-message app` on a video line: its x-pli (sdp-transform keeps `app` and drops the
 * `send:… recv:…` lists, which on SfB's video lines are `src,x-pli` both ways).
 */
const offersMsPli = (lines: ReadonlyArray<RtcpFeedback> | undefined): boolean => (lines ?? []).some((f) => f.payload === '*' && f.type === 'x-message' && f.subtype === 'app')

/** What the worker runs for an answered line: what the answer lists, and PLI where SfB offered its x-pli. */
export const plannedFeedback = (lines: ReadonlyArray<RtcpFeedback> | undefined, payloadType: number): VideoFeedback => {
  const listed = listedFeedback(lines, payloadType)
  return { ...listed, pli: listed.pli || offersMsPli(lines) }
}

/**
 * Whether the worker runs RTCP on the stream at all (SR/RR, and feedback where listed): not on
 * X-H264UC (its RTP is framed in the port shim), and with SRTP or ICE only muxed (RFC 5761).
 */
export const videoRtcpRunsFor = (stream: { readonly codecName: string; readonly secure: boolean; readonly rtcpMux: boolean; readonly ice: boolean }): boolean =>
  stream.codecName !== 'X-H264UC' && (stream.rtcpMux || (!stream.ice && !stream.secure))

/** The `a=rtcp-fb` lines for what Parley takes part in, on its payload type. */
export const rtcpFeedbackAttributes = (payloadType: number, feedback: VideoFeedback): Pick<MediaDescription, 'rtcpFb'> => {
  const lines = [...(feedback.pli ? [{ payload: payloadType, type: 'nack', subtype: 'pli' }] : []), ...(feedback.fir ? [{ payload: payloadType, type: 'ccm', subtype: 'fir' }] : [])]
  return lines.length === 0 ? {} : { rtcpFb: lines }
}

/** Parley's offer of both keyframe requests on each of its plain H.264 formats (the answer keeps what it takes, RFC 4585 §4.2). */
export const offeredFeedbackAttributes = (formats: ReadonlyArray<{ readonly name: string; readonly payloadType: number }>): Pick<MediaDescription, 'rtcpFb'> => {
  const lines = formats.filter((f) => f.name === 'H264').flatMap((f) => rtcpFeedbackAttributes(f.payloadType, { pli: true, fir: true }).rtcpFb ?? [])
  return lines.length === 0 ? {} : { rtcpFb: lines }
}

/**
 * What an exchange Parley offered runs (exchange-plan.ts): the feedback both Parley's offer and
 * the answer list for the answer's payload type.
 */
export const agreedFeedback = (ours: ReadonlyArray<RtcpFeedback> | undefined, theirs: ReadonlyArray<RtcpFeedback> | undefined, payloadType: number): VideoFeedback => {
  const offered = listedFeedback(ours, payloadType)
  const answered = listedFeedback(theirs, payloadType)
  return { pli: offered.pli && answered.pli, fir: offered.fir && answered.fir }
}
