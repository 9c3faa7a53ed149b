/**
 * RTCP feedback on video lines (RFC 4585 AVPF; FIR from RFC 5104): which keyframe requests
 * Parley takes part in, from what the far end's SDP lists. RFC 4585 §4.2: an answer lists only
 * feedback the offer listed, for the payload types it keeps. Parley's media worker sends and
 * reads PLI (`nack pli`, §6.3.1) and FIR (`ccm fir`, RFC 5104 §3.5.1) on plain RTP video; SRTP
 * streams (SRTCP), SfB's X-H264UC (whose own `x-message app … x-pli` is left as it is) and an
 * ICE stream with RTCP on its own port get no RTCP from it yet (video-description.ts
 * `videoRtcpRuns`), so none is listed for them.
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

/** Whether the worker runs RTCP on the stream at all (SR/RR, and feedback where listed). */
export const videoRtcpRunsFor = (stream: { readonly codecName: string; readonly secure: boolean; readonly rtcpMux: boolean; readonly ice: boolean }): boolean =>
  !stream.secure && stream.codecName !== 'X-H264UC' && (stream.rtcpMux || !stream.ice)

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
