/**
 * The seam between the SIP side and the media worker once an offer/answer exchange is complete
 * (`LegMediaAttacher`), and the audio plan of an exchange where Parley made the offer — a
 * re-INVITE of its own, a dial-out, the 200 to an offerless INVITE — read from its offer and the
 * far end's answer. (When the far end offered, the plan is `audioPlanOf` of Parley's answer.)
 */
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { Direction } from '../../../core/model/call.js'
import type { LegId } from '../../../core/model/ids.js'
import type { MediaError } from '../../../core/ports/media.js'
import { fmtpParams } from '../../sip/sdp/codecs.js'
import { mkiBytes } from '../../sip/sdp/crypto-choice.js'
import { agreedFeedback, videoRtcpRunsFor } from '../../sip/sdp/rtcp-feedback.js'
import type { ParsedOffer, RtpRole, RtpStream } from '../../sip/sdp/parsed-offer.js'
import type { SdesCrypto } from '../../sip/sdp/srtp.js'
import type { AudioCodecName, AudioStreamPlan, VideoStreamPlan } from './worker-protocol.js'

/** The media side as the SIP side sees it after each completed offer/answer exchange. */
export interface LegMediaAttacher {
  /**
   * Starts (or, after a re-INVITE, replaces) the leg's RTP as negotiated: `audio` undefined = no
   * audio stream; `video` absent = no video stream (the worker removes one it had); `content` the
   * BFCP content stream, likewise; `displayName` is drawn on the leg's tile.
   */
  readonly attach: (
    leg: LegId,
    audio: AudioStreamPlan | undefined,
    more?: { readonly video?: VideoStreamPlan; readonly content?: VideoStreamPlan; readonly displayName?: string },
  ) => TaskEither<MediaError, void>
}

const audioCodecNames: ReadonlySet<string> = new Set<AudioCodecName>(['PCMU', 'PCMA', 'G722', 'opus'])
const isAudioCodec = (name: string): name is AudioCodecName => audioCodecNames.has(name)

/** RFC 3264 §6.1: the answerer states its direction from its side; Parley's is the mirror of it. */
const mirrored = (d: Direction): Direction => (d === 'sendonly' ? 'recvonly' : d === 'recvonly' ? 'sendonly' : d)

const primaryOf = (sdp: ParsedOffer, role: RtpRole): RtpStream | undefined =>
  sdp.streams.find((s): s is RtpStream => s.kind === 'rtp' && s.role === role && s.primary && s.port !== 0)
const primaryAudio = (sdp: ParsedOffer): RtpStream | undefined => primaryOf(sdp, 'audio')

/** Parley's key (from its offer, same suite) and the far end's (with its MKI as hex, RFC 4568 §6.1), when both used SDES. */
const srtpOf = (local: RtpStream, remote: RtpStream): { suite: string; localKey: string; remoteKey: string; remoteMki?: string } | undefined => {
  const remoteKey: SdesCrypto | undefined = remote.crypto[0]
  const localKey = remoteKey === undefined ? undefined : local.crypto.find((c) => c.suite === remoteKey.suite)
  if (remoteKey === undefined || localKey === undefined) return undefined
  const mki = remoteKey.mki === undefined ? undefined : mkiBytes(remoteKey.mki)
  return { suite: remoteKey.suite, localKey: localKey.key, remoteKey: remoteKey.key, ...(mki === undefined ? {} : { remoteMki: Buffer.from(mki).toString('hex') }) }
}

const iceOf = (local: RtpStream, remote: RtpStream) =>
  local.ice === undefined || remote.ice === undefined ? {} : { ice: { localUfrag: local.ice.ufrag, localPwd: local.ice.pwd, remoteUfrag: remote.ice.ufrag, remotePwd: remote.ice.pwd } }

/**
 * RTCP of a video exchange Parley offered (rtcp-feedback.ts): reports on plain RTP, muxed only
 * when both sides listed `a=rtcp-mux` (RFC 5761 §5.1.1), with the keyframe requests both listed.
 */
const rtcpOf = (local: RtpStream, remote: RtpStream, codecName: string, payloadType: number, secure: boolean): Pick<VideoStreamPlan, 'rtcp'> => {
  const mux = local.rtcpMux && remote.rtcpMux
  if (remote.remote === undefined || !videoRtcpRunsFor({ codecName, secure, rtcpMux: mux, ice: local.ice !== undefined && remote.ice !== undefined })) return {}
  return { rtcp: { mux, ...agreedFeedback(local.rtcpFeedback, remote.rtcpFeedback, payloadType), ...(mux ? {} : { remotePort: remote.remote.rtcpPort }) } }
}

/**
 * `ours` is Parley's offer read back, `theirs` the answer: the answer's first codec of Parley's
 * (RFC 3264 §6.1: what the answerer lists is what it will send, in order), its telephone-event,
 * its address, the mirror of its direction, and SRTP and ICE when both sides used them.
 */
export const audioPlanOfExchange = (ours: ParsedOffer, theirs: ParsedOffer): AudioStreamPlan | undefined => {
  const local = primaryAudio(ours)
  const remote = primaryAudio(theirs)
  const codec = remote?.codecs[0]
  if (local === undefined || remote?.remote === undefined || codec === undefined || !isAudioCodec(codec.name)) return undefined
  const event = remote.telephoneEvents.find((e) => e.clockRate === codec.clockRate) ?? remote.telephoneEvents.find((e) => e.clockRate === 8000)
  const srtp = srtpOf(local, remote)
  return {
    codec: { name: codec.name, payloadType: codec.payloadType, clockRate: codec.clockRate },
    remote: { address: remote.remote.address, port: remote.remote.port },
    direction: mirrored(remote.direction),
    localPort: local.port,
    ...(event === undefined ? {} : { telephoneEvent: { payloadType: event.payloadType, clockRate: event.clockRate } }),
    ...(srtp === undefined ? {} : { srtp }),
    ...iceOf(local, remote),
  }
}

/**
 * The main video's plan of the same exchange (not content): H.264 (or SfB's X-H264UC) as the answer has it, its
 * packetization mode (RFC 6184 §8.1: none = 0), address and the mirror of its direction — an
 * audio-only caller's `recvonly` answer to Parley's sendonly room video (DESIGN §2 `room`).
 */
export const videoPlanOfExchange = (ours: ParsedOffer, theirs: ParsedOffer): VideoStreamPlan | undefined => h264PlanOfExchange(ours, theirs, 'video')

/** The content video's plan of the same exchange (`a=content:slides`, RFC 4796), the same way. */
export const contentPlanOfExchange = (ours: ParsedOffer, theirs: ParsedOffer): VideoStreamPlan | undefined => h264PlanOfExchange(ours, theirs, 'content')

const h264PlanOfExchange = (ours: ParsedOffer, theirs: ParsedOffer, role: 'video' | 'content'): VideoStreamPlan | undefined => {
  const local = primaryOf(ours, role)
  const remote = primaryOf(theirs, role)
  const codec = remote?.codecs[0]
  if (local === undefined || remote?.remote === undefined || codec === undefined || (codec.name !== 'H264' && codec.name !== 'X-H264UC')) return undefined
  const srtp = srtpOf(local, remote)
  return {
    // An SfB answer that chose X-H264UC (offered to SfB beside H.264) is sent with the [MS-H264PF] framing (decision 0006).
    ...(codec.name === 'X-H264UC' ? { payloadFormat: 'ms-h264pf' as const } : {}),
    codec: { name: 'H264', payloadType: codec.payloadType, clockRate: codec.clockRate },
    packetizationMode: fmtpParams(codec.fmtp).get('packetization-mode') === '1' ? 1 : 0,
    remote: { address: remote.remote.address, port: remote.remote.port },
    direction: mirrored(remote.direction),
    localPort: local.port,
    ...(srtp === undefined ? {} : { srtp }),
    ...iceOf(local, remote),
    ...rtcpOf(local, remote, codec.name, codec.payloadType, srtp !== undefined),
  }
}
