/**
 * Parley's RFC 3264 answer to a parsed offer, given what the core decided (`MediaAnswer`):
 *
 * - same number and order of m-lines (§6); a stream not accepted gets port 0;
 * - one codec per accepted stream: the offerer's most preferred one that Parley runs (§6.1
 *   allows a subset; one codec spares the media side payload switches), plus telephone-event
 *   on audio with the offerer's payload type (SfB uses 101, PROTOCOLS 1.4);
 * - the direction is what the core wants within what the offer allows (§6.1: sendonly is
 *   answered recvonly or inactive, and so on);
 * - SDES (RFC 4568): one of the offered suites with Parley's own key, whenever a usable
 *   `a=crypto` is offered (SfB requires it with RTP/SAVP and uses it with RTP/AVP too);
 * - ICE (RFC 8445/8839): when the offer has ICE, Parley answers as a lite agent with one host
 *   candidate per component; `a=rtcp-mux` is echoed when offered (RFC 5761);
 * - SfB IM: `m=message <port> sip <Parley's URI>` and Parley's accept-types (PROTOCOLS 1.3);
 * - BFCP (RFC 8856): Parley is the floor control server (`s-only`) with conference, user and
 *   floor ids, the floor bound to the content video's label; TCP roles per RFC 4145.
 */
import type { MediaDescription } from 'sdp-transform'
import type { Direction, MediaAnswer } from '../../../core/model/call.js'
import type { CodecName, OfferedCodec, TelephoneEvent } from './codecs.js'
import { allCodecNames } from './codecs.js'
import type { VideoFeedback } from './rtcp-feedback.js'
import { listedFeedback, plannedFeedback, rtcpFeedbackAttributes, videoRtcpRunsFor } from './rtcp-feedback.js'
import type { FloorControlIds, HostAddress, IceCredentials, LocalMedia } from './local-media.js'
import { assertSdpValue, defaultFloorControlIds, hostAddressOf, newIceCredentials } from './local-media.js'
import type {
  FloorControlStream,
  FloorControlTransport,
  IceParameters,
  MessageStream,
  OfferedStream,
  ParsedOffer,
  RemoteEndpoint,
  RtpRole,
  RtpStream,
  Unusable,
} from './parsed-offer.js'
import { directionAttribute, disabledMedia, iceAttributes, parleyAcceptTypes, sessionDescription } from './sdp-writer.js'
// sdp-transform's writer, text for text, at a fraction of its cost (sdp-serialise.ts).
import { writeSdp } from './sdp-serialise.js'
import { answerCrypto, chooseCrypto, cryptoAttribute } from './crypto-choice.js'
import type { SdesCrypto } from './srtp.js'
import { isSfbSharingVideo } from './sfb-sharing.js'

const sends = (d: Direction): boolean => d === 'sendrecv' || d === 'sendonly'
const receives = (d: Direction): boolean => d === 'sendrecv' || d === 'recvonly'
const directionOf = (send: boolean, receive: boolean): Direction =>
  send ? (receive ? 'sendrecv' : 'sendonly') : receive ? 'recvonly' : 'inactive'

/**
 * Parley's direction for a stream: it sends only if it wants to and the offerer receives, and
 * receives only if it wants to and the offerer sends (RFC 3264 §6.1).
 */
export const answerDirection = (offered: Direction, wanted: Direction): Direction =>
  directionOf(sends(wanted) && receives(offered), receives(wanted) && sends(offered))

export type RejectionReason = Unusable | 'duplicate' | 'not-wanted' | 'no-local-port' | 'no-local-fingerprint' | 'content-not-accepted'

export interface NegotiatedRtp {
  readonly kind: 'rtp'
  readonly index: number
  readonly role: RtpRole
  readonly port: number
  readonly direction: Direction
  readonly codec: OfferedCodec
  readonly telephoneEvent?: TelephoneEvent
  /** Parley's key (what it encrypts with) and the offerer's (what it decrypts with). */
  readonly srtp?: { readonly local: SdesCrypto; readonly remote: SdesCrypto }
  readonly rtcpMux: boolean
  /** Video: the worker runs RTCP on the stream, with these keyframe requests (rtcp-feedback.ts); absent: no RTCP. */
  readonly rtcpFeedback?: VideoFeedback
  readonly remote: RemoteEndpoint
  readonly ice?: { readonly local: IceCredentials; readonly remote: IceParameters }
  readonly label?: string
}

export interface NegotiatedFloorControl {
  readonly kind: 'floor-control'
  readonly index: number
  readonly port: number
  readonly transport: FloorControlTransport
  /** RFC 4145: `passive` = Parley listens, `active` = Parley connects. Absent for UDP. */
  readonly setup?: 'active' | 'passive'
  readonly ids: FloorControlIds
  readonly contentLabel: string
  readonly version?: number
  readonly remote?: RemoteEndpoint
}

export interface NegotiatedMessage {
  readonly kind: 'message'
  readonly index: number
}

export interface RejectedStream {
  readonly kind: 'rejected'
  readonly index: number
  readonly reason: RejectionReason
}

export type NegotiatedStream = NegotiatedRtp | NegotiatedFloorControl | NegotiatedMessage | RejectedStream

export interface NegotiatedAnswer {
  readonly sdp: string
  /** One per m-line, in order. */
  readonly streams: ReadonlyArray<NegotiatedStream>
  /** What was accepted, with the directions actually answered. */
  readonly accepted: MediaAnswer
}

const rejected = (index: number, reason: RejectionReason): RejectedStream => ({ kind: 'rejected', index, reason })

/** RFC 4733 §2.3.1: the event clock should be the codec's; 8 kHz is what everyone takes. */
const chooseTelephoneEvent = (events: ReadonlyArray<TelephoneEvent>, codec: OfferedCodec): TelephoneEvent | undefined =>
  events.find((e) => e.clockRate === codec.clockRate) ?? events.find((e) => e.clockRate === 8000)

/** The smallest positive number not used as a label in the offer (for a content stream that had none). */
const freshLabel = (streams: ReadonlyArray<OfferedStream>): string => {
  const used = new Set(streams.map((s) => s.label))
  let n = 1
  while (used.has(String(n))) n += 1
  return String(n)
}

interface Decisions {
  readonly rtp: ReadonlyMap<number, { readonly stream: RtpStream; readonly codec: OfferedCodec; readonly direction: Direction; readonly port: number }>
  readonly rejections: ReadonlyMap<number, RejectionReason>
}

const decideRtp = (offer: ParsedOffer, answer: MediaAnswer, local: LocalMedia): Decisions => {
  const allowed: ReadonlyArray<CodecName> = local.codecs ?? allCodecNames
  const rtp = new Map<number, { stream: RtpStream; codec: OfferedCodec; direction: Direction; port: number }>()
  const rejections = new Map<number, RejectionReason>()
  for (const s of offer.streams) {
    if (s.kind !== 'rtp') continue
    const wanted = answer[s.role]
    const port = local.ports[s.role]
    // Plain H.264 before SfB's X-H264UC when both are offered (it needs no [MS-H264PF] framing); X-H264UC for SfB's
    // streams only: main video and the VbSS line (decision 0007), never a BFCP peer's slides.
    const usable = s.codecs.filter((c) => allowed.includes(c.name) && (c.name !== 'X-H264UC' || s.role === 'video' || isSfbSharingVideo(s)))
    const codec = usable.find((c) => c.name !== 'X-H264UC') ?? usable[0]
    if (s.unusable !== undefined) rejections.set(s.index, s.unusable)
    else if (!s.primary) rejections.set(s.index, 'duplicate')
    else if (wanted === undefined) rejections.set(s.index, 'not-wanted')
    else if (port === undefined) rejections.set(s.index, 'no-local-port')
    else if (codec === undefined) rejections.set(s.index, 'no-common-codec')
    else rtp.set(s.index, { stream: s, codec, direction: answerDirection(s.direction, wanted), port })
  }
  return { rtp, rejections }
}

const rtpFormatsOf = (codec: OfferedCodec, event: TelephoneEvent | undefined): Pick<MediaDescription, 'rtp' | 'fmtp' | 'payloads'> => {
  // Our own receive preferences for Opus (RFC 7587 §7); H.264's must match the offer's profile and mode (RFC 6184 §8.2.2).
  // X-H264UC's (`packetization-mode=1;mst-mode=NI-TC`) is echoed as offered ([MS-SDPEXT]).
  const codecFmtp = codec.name === 'opus' ? 'useinbandfec=1' : codec.name === 'H264' || codec.name === 'X-H264UC' ? codec.fmtp : undefined
  return {
    payloads: [codec.payloadType, ...(event === undefined ? [] : [event.payloadType])].join(' '),
    rtp: [
      { payload: codec.payloadType, codec: codec.encoding, rate: codec.clockRate, ...(codec.channels === undefined ? {} : { encoding: codec.channels }) },
      ...(event === undefined ? [] : [{ payload: event.payloadType, codec: 'telephone-event', rate: event.clockRate }]),
    ],
    fmtp: [
      ...(codecFmtp === undefined ? [] : [{ payload: codec.payloadType, config: codecFmtp }]),
      ...(event === undefined ? [] : [{ payload: event.payloadType, config: event.events }]),
    ],
  }
}

/** RFC 4145 §4.1: absent means the offerer is active; Parley listens unless the offerer does. */
const answerSetup = (offered: string | undefined): 'active' | 'passive' => (offered?.toLowerCase() === 'passive' ? 'active' : 'passive')

/** RFC 8856 §7: the answerer picks one offered version; Parley takes the highest it knows (2 is the one for UDP). */
const answerVersion = (s: FloorControlStream): number | undefined => {
  const known = s.versions.filter((v) => v === 1 || v === 2)
  return known.length === 0 ? undefined : Math.max(...known)
}

/**
 * The answer, with what was negotiated per m-line (codecs, keys, ICE, BFCP roles) for the
 * media side. Pure: randomness comes from `local.randomBytes`.
 */
export const negotiateAnswer = (offer: ParsedOffer, answer: MediaAnswer, local: LocalMedia): NegotiatedAnswer => {
  const host: HostAddress = hostAddressOf(local.publicHost)
  const localUri = assertSdpValue('localUri', local.localUri)
  const { rtp, rejections } = decideRtp(offer, answer, local)
  const contentDecision = [...rtp.values()].find((d) => d.stream.role === 'content')
  const contentLabel = contentDecision === undefined ? undefined : (contentDecision.stream.label ?? freshLabel(offer.streams))
  const needsIce = host.isIp && [...rtp.values()].some((d) => d.stream.ice !== undefined)
  const iceCredentials = needsIce ? (local.iceCredentials ?? newIceCredentials(local.randomBytes)) : undefined
  const floorIds = local.floorControl ?? defaultFloorControlIds

  const streams: NegotiatedStream[] = []
  const media: MediaDescription[] = []
  const accepted: { audio?: Direction; video?: Direction; content?: Direction; chat?: boolean } = {}

  for (const s of offer.streams) {
    const decision = rtp.get(s.index)
    if (s.kind === 'rtp' && decision !== undefined && decision.stream.remote !== undefined) {
      const { codec, direction, port } = decision
      const event = s.role === 'audio' ? chooseTelephoneEvent(s.telephoneEvents, codec) : undefined
      const remoteCrypto = chooseCrypto(s.crypto)
      const localCrypto: SdesCrypto | undefined = remoteCrypto === undefined ? undefined : answerCrypto(remoteCrypto, local.randomBytes)
      const ice = s.ice !== undefined && iceCredentials !== undefined ? { local: iceCredentials, remote: s.ice } : undefined
      const label = s.role === 'content' ? contentLabel : s.label
      const feedback =
        s.role !== 'audio' && videoRtcpRunsFor({ codecName: codec.name, secure: localCrypto !== undefined, rtcpMux: s.rtcpMux, ice: ice !== undefined })
          ? listedFeedback(s.rtcpFeedback, codec.payloadType)
          : undefined
      media.push({
        type: s.media,
        port,
        protocol: s.protocol,
        ...rtpFormatsOf(codec, event),
        ...(localCrypto === undefined
          ? {}
          : { crypto: [cryptoAttribute(localCrypto)] }),
        ...directionAttribute(direction),
        ...(ice === undefined ? {} : iceAttributes(host, ice.local, port, s.rtcpMux)),
        ...(s.rtcpMux ? { rtcpMux: 'rtcp-mux' as const } : {}),
        ...(feedback === undefined ? {} : rtcpFeedbackAttributes(codec.payloadType, feedback)),
        ...(label === undefined ? {} : { label }),
        // RFC 4796 for BFCP peers; SfB's VbSS line is named by its label alone (decision 0007).
        ...(s.role === 'content' && !isSfbSharingVideo(s) ? { invalid: [{ value: `content:${s.content ?? 'slides'}` }] } : s.content === undefined ? {} : { invalid: [{ value: `content:${s.content}` }] }),
      })
      streams.push({
        kind: 'rtp',
        index: s.index,
        role: s.role,
        port,
        direction,
        codec,
        ...(event === undefined ? {} : { telephoneEvent: event }),
        ...(localCrypto === undefined || remoteCrypto === undefined ? {} : { srtp: { local: localCrypto, remote: remoteCrypto } }),
        rtcpMux: s.rtcpMux,
        ...(feedback === undefined ? {} : { rtcpFeedback: plannedFeedback(s.rtcpFeedback, codec.payloadType) }),
        remote: decision.stream.remote,
        ...(ice === undefined ? {} : { ice }),
        ...(label === undefined ? {} : { label }),
      })
      accepted[s.role] = direction
      continue
    }
    if (s.kind === 'floor-control') {
      const reason: RejectionReason | undefined =
        s.unusable ??
        (!s.primary
          ? 'duplicate'
          : contentLabel === undefined
            ? 'content-not-accepted'
            : local.ports.floorControl === undefined
              ? 'no-local-port'
              : (s.transport === 'tls' || s.transport === 'dtls') && local.fingerprint === undefined
                ? 'no-local-fingerprint'
                : undefined)
      if (reason === undefined && contentLabel !== undefined && local.ports.floorControl !== undefined) {
        const tcp = s.transport === 'tcp' || s.transport === 'tls'
        const setup = tcp ? answerSetup(s.setup) : undefined
        const version = answerVersion(s)
        // RFC 4145 §4.1: an active endpoint's port is irrelevant; 9 (discard) by convention.
        const port = setup === 'active' ? 9 : local.ports.floorControl
        media.push({
          type: s.media,
          port,
          protocol: s.protocol,
          payloads: s.formats.join(' '),
          rtp: [],
          fmtp: [],
          ...(setup === undefined ? {} : { setup, connectionType: 'new' as const }),
          ...(local.fingerprint === undefined || !(s.transport === 'tls' || s.transport === 'dtls')
            ? {}
            : { fingerprint: { type: assertSdpValue('fingerprint algorithm', local.fingerprint.algorithm), hash: assertSdpValue('fingerprint', local.fingerprint.value) } }),
          bfcpFloorCtrl: 's-only',
          bfcpConfId: String(floorIds.conferenceId),
          bfcpUserId: String(floorIds.userId),
          invalid: [{ value: `floorid:${floorIds.floorId} mstrm:${contentLabel}` }, ...(version === undefined ? [] : [{ value: `bfcpver:${version}` }])],
        })
        streams.push({
          kind: 'floor-control',
          index: s.index,
          port,
          transport: s.transport,
          ...(setup === undefined ? {} : { setup }),
          ids: floorIds,
          contentLabel,
          ...(version === undefined ? {} : { version }),
          ...(s.remote === undefined ? {} : { remote: s.remote }),
        })
        continue
      }
      media.push(disabledMedia(s.media, s.protocol, s.formats))
      streams.push(rejected(s.index, reason ?? 'no-local-port'))
      continue
    }
    if (s.kind === 'message') {
      const reason: RejectionReason | undefined = s.unusable ?? (!s.primary ? 'duplicate' : answer.chat === true ? undefined : 'not-wanted')
      if (reason === undefined) {
        media.push(messageMedia(s, localUri))
        streams.push({ kind: 'message', index: s.index })
        accepted.chat = true
        continue
      }
      media.push(disabledMedia(s.media, s.protocol, s.formats))
      streams.push(rejected(s.index, reason))
      continue
    }
    media.push(disabledMedia(s.media, s.protocol, s.formats))
    streams.push(rejected(s.index, rejections.get(s.index) ?? s.unusable ?? 'unsupported-media'))
  }

  const usesIce = streams.some((s) => s.kind === 'rtp' && s.ice !== undefined)
  const sdp = writeSdp(sessionDescription(local, host, local.session.version, media, usesIce))
  return { sdp, streams, accepted }
}

/** `m=message 5060 sip sip:<VMR>` with the formats Parley reads (PROTOCOLS 1.3). */
const messageMedia = (s: MessageStream, localUri: string): MediaDescription => ({
  type: s.media,
  port: s.port,
  protocol: s.protocol,
  payloads: localUri,
  rtp: [],
  fmtp: [],
  invalid: [{ value: `accept-types:${parleyAcceptTypes}` }],
})

/** The answer SDP alone (see `negotiateAnswer` for what the media side needs). */
export const buildAnswer = (offer: ParsedOffer, answer: MediaAnswer, local: LocalMedia): string => negotiateAnswer(offer, answer, local).sdp
