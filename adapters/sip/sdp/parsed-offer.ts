/**
 * What `readOffer` learns from an SDP offer: the core's `MediaOffer`, and per m-line what the
 * answer (and the media side) needs. One entry per m-line, in offer order: the answer must
 * keep that count and order (RFC 3264 §6).
 */
import type { Direction, MediaOffer } from '../../../core/model/call.js'
import type { OfferedCodec, TelephoneEvent } from './codecs.js'
import type { SdesCrypto } from './srtp.js'

/** Where the offerer receives (RFC 3264 §5.1), with RTCP on the next port unless muxed or `a=rtcp`. */
export interface RemoteEndpoint {
  readonly ipVersion: 4 | 6
  readonly address: string
  readonly port: number
  readonly rtcpPort: number
}

export interface IceCandidate {
  readonly foundation: string
  readonly component: number
  /** As written: `UDP`, `TCP-ACT`, `TCP-PASS` (SfB), `tcp`. */
  readonly transport: string
  readonly priority: number
  readonly address: string
  readonly port: number
  readonly type: string
}

/** RFC 8839 ICE parameters of a stream (media-level, else session-level). */
export interface IceParameters {
  readonly ufrag: string
  readonly pwd: string
  readonly candidates: ReadonlyArray<IceCandidate>
}

/** Why Parley cannot accept a stream; it is answered with port 0. */
export type Unusable =
  | 'disabled-by-offerer'
  | 'unsupported-transport'
  | 'no-common-codec'
  | 'srtp-without-usable-sdes'
  | 'offerer-insists-on-floor-control'
  | 'no-common-message-format'
  | 'unsupported-media'

/** Which of the core's streams an RTP m-line is (RFC 4796 `a=content`, RFC 8856 floor labels). */
export type RtpRole = 'audio' | 'video' | 'content'

interface StreamBase {
  readonly index: number
  readonly media: string
  readonly port: number
  readonly protocol: string
  readonly formats: ReadonlyArray<string>
  /** RFC 4574 `a=label`. */
  readonly label?: string
  readonly unusable?: Unusable
}

export interface RtcpFeedback {
  readonly payload: number | '*'
  readonly type: string
  readonly subtype?: string
}

export interface RtpStream extends StreamBase {
  readonly kind: 'rtp'
  readonly role: RtpRole
  /** The first usable m-line of its role: the one Parley answers. Others are answered with port 0. */
  readonly primary: boolean
  /** `RTP/SAVP(F)`: the offerer requires SRTP. */
  readonly secure: boolean
  /** The offerer's direction, with an RFC 2543 hold address (0.0.0.0) read as not receiving. */
  readonly direction: Direction
  readonly remote?: RemoteEndpoint
  readonly rtcpMux: boolean
  /** RFC 4585 §4.2 `a=rtcp-fb` lines: for one payload type or `*`, e.g. `nack pli`, `ccm fir`. */
  readonly rtcpFeedback?: ReadonlyArray<RtcpFeedback>
  /** Parley's codecs among the offered formats, in the offerer's order of preference. */
  readonly codecs: ReadonlyArray<OfferedCodec>
  readonly telephoneEvents: ReadonlyArray<TelephoneEvent>
  /** Usable `a=crypto` lines in offer order (SfB's `a=cryptoscale` is not one: [MS-SDPEXT]). */
  readonly crypto: ReadonlyArray<SdesCrypto>
  readonly ice?: IceParameters
  /** RFC 4796 `a=content` value (`main`, `slides`, …). */
  readonly content?: string
}

export type FloorControlTransport = 'tcp' | 'tls' | 'udp' | 'dtls'
export type FloorControlRole = 'c-only' | 's-only' | 'c-s'

/** A BFCP stream (RFC 8856). */
export interface FloorControlStream extends StreamBase {
  readonly kind: 'floor-control'
  readonly primary: boolean
  readonly transport: FloorControlTransport
  readonly floorControl?: FloorControlRole
  readonly conferenceId?: string
  readonly userId?: string
  /** `a=floorid:<id> mstrm:<label> …` */
  readonly floors: ReadonlyArray<{ readonly floorId: string; readonly streamLabels: ReadonlyArray<string> }>
  /** RFC 4145 `a=setup` (absent means `active` for TCP). */
  readonly setup?: string
  /** RFC 8856 `a=bfcpver`. */
  readonly versions: ReadonlyArray<number>
  readonly remote?: RemoteEndpoint
}

/** An SfB IM session line: `m=message 5060 sip null` with `a=accept-types` (PROTOCOLS 1.3). */
export interface MessageStream extends StreamBase {
  readonly kind: 'message'
  readonly primary: boolean
  readonly acceptTypes: ReadonlyArray<string>
}

/** Anything else: SfB RDP `m=applicationsharing`, T.38 `m=image`, H.224 far-end camera control… */
export interface OtherStream extends StreamBase {
  readonly kind: 'other'
}

export type OfferedStream = RtpStream | FloorControlStream | MessageStream | OtherStream

export interface ParsedOffer {
  /** The SDP text read (for multipart bodies: the variant chosen). */
  readonly sdp: string
  readonly origin: { readonly username: string; readonly sessionId: string; readonly version: string }
  /** The offerer is an ICE-lite agent (`a=ice-lite`). */
  readonly iceLite: boolean
  readonly streams: ReadonlyArray<OfferedStream>
  /** What the core sees: a stream counts only if Parley could accept it. */
  readonly media: MediaOffer
  /**
   * The offer has an active SfB RDP sharing line (`m=applicationsharing`, [MS-SDPEXT]); RDP
   * is a later part of the product (DESIGN §2), so it is answered with port 0 for now.
   */
  readonly applicationSharing: boolean
  /** How many SDP variants the body carried (SfB sends two in multipart/alternative). */
  readonly variants: number
}
