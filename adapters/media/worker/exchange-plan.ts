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
import type { ParsedOffer, RtpStream } from '../../sip/sdp/parsed-offer.js'
import type { AudioCodecName, AudioStreamPlan } from './worker-protocol.js'

/** The media side as the SIP side sees it after each completed offer/answer exchange. */
export interface LegMediaAttacher {
  /** Starts (or, after a re-INVITE, replaces) the leg's RTP as negotiated; `undefined`: no audio stream. */
  readonly attach: (leg: LegId, audio: AudioStreamPlan | undefined) => TaskEither<MediaError, void>
}

const audioCodecNames: ReadonlySet<string> = new Set<AudioCodecName>(['PCMU', 'PCMA', 'G722', 'opus'])
const isAudioCodec = (name: string): name is AudioCodecName => audioCodecNames.has(name)

/** RFC 3264 §6.1: the answerer states its direction from its side; Parley's is the mirror of it. */
const mirrored = (d: Direction): Direction => (d === 'sendonly' ? 'recvonly' : d === 'recvonly' ? 'sendonly' : d)

const primaryAudio = (sdp: ParsedOffer): RtpStream | undefined =>
  sdp.streams.find((s): s is RtpStream => s.kind === 'rtp' && s.role === 'audio' && s.primary && s.port !== 0)

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
  const remoteKey = remote.crypto[0]
  const localKey = remoteKey === undefined ? undefined : local.crypto.find((c) => c.suite === remoteKey.suite)
  return {
    codec: { name: codec.name, payloadType: codec.payloadType, clockRate: codec.clockRate },
    remote: { address: remote.remote.address, port: remote.remote.port },
    direction: mirrored(remote.direction),
    localPort: local.port,
    ...(event === undefined ? {} : { telephoneEvent: { payloadType: event.payloadType, clockRate: event.clockRate } }),
    ...(remoteKey === undefined || localKey === undefined ? {} : { srtp: { suite: remoteKey.suite, localKey: localKey.key, remoteKey: remoteKey.key } }),
    ...(local.ice === undefined || remote.ice === undefined
      ? {}
      : { ice: { localUfrag: local.ice.ufrag, localPwd: local.ice.pwd, remoteUfrag: remote.ice.ufrag, remotePwd: remote.ice.pwd } }),
  }
}
