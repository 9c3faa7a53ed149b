/**
 * The SDP a simulated endpoint sends and reads, built with Parley's own SDP code
 * (adapters/sip/sdp/) so that what goes on the wire is well-formed: offers in each dialect's
 * shape (SfB: RTP/SAVP with SDES keys and ICE, `main-audio`/`main-video` labels, the body as
 * `multipart/alternative` with an OCS 2007 fallback variant, PROTOCOLS 1.5; an IM session as
 * `m=message 5060 sip null`, PROTOCOLS 1.3; standard SIP: RTP/AVP, content as a second video
 * with its BFCP line, RFC 8856), answers to the node's offers, and the media an answer or a
 * re-offer from the node grants.
 *
 * No RTP flows: the ports named are where an endpoint would receive, and nothing is sent.
 */
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { Direction, MediaAnswer, MediaOffer } from '../../core/model/call.js'
import { negotiateAnswer } from '../../adapters/sip/sdp/build-answer.js'
import { buildOffer, type OfferDialect } from '../../adapters/sip/sdp/build-offer.js'
import type { LocalMedia } from '../../adapters/sip/sdp/local-media.js'
import type { ParsedOffer } from '../../adapters/sip/sdp/parsed-offer.js'
import { readOffer } from '../../adapters/sip/sdp/read-offer.js'
import type { SipBody } from '../../adapters/sip/stack/stack-types.js'

/** Where one call of an endpoint "receives" media, and its SDP session (`o=` id and version). */
export class EndpointMedia {
  private version = 0
  private readonly sessionId = String(Math.floor(Math.random() * 2 ** 40))
  /** The last SDP this endpoint sent in a dialog, for its own re-offers (RFC 3264 §8). */
  last: string | undefined
  private address = { host: '127.0.0.1', basePort: 40_000 }

  constructor(private readonly localUri: string) {}

  get host(): string {
    return this.address.host
  }

  /** The endpoint's address and the first of its four ports, once its user agent is open. */
  placeAt(host: string, basePort: number): void {
    this.address = { host, basePort }
  }

  local(): LocalMedia {
    this.version += 1
    return {
      publicHost: this.address.host,
      ports: { audio: this.address.basePort, video: this.address.basePort + 2, content: this.address.basePort + 4, floorControl: this.address.basePort + 6 },
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      session: { id: this.sessionId, version: this.version },
      localUri: this.localUri,
    }
  }
}

/** What an endpoint offering `offer` wants: every stream both ways. */
export const wanted = (offer: MediaOffer): MediaAnswer => ({
  ...(offer.audio ? { audio: 'sendrecv' } : {}),
  ...(offer.video ? { video: 'sendrecv' } : {}),
  ...(offer.content ? { content: 'sendrecv' } : {}),
  ...(offer.chat ? { chat: true } : {}),
})

const boundary = '----=_NextPart_000_wire_parley'

/** SfB's A/V body: the current SDP after an OCS 2007 fallback variant (PROTOCOLS 1.5). */
const sfbMultipart = (sdp: string): SipBody => ({
  contentType: `multipart/alternative;boundary="${boundary}"`,
  content: [
    `--${boundary}`,
    'Content-Type: application/sdp',
    'Content-Transfer-Encoding: 7bit',
    'Content-Disposition: session; handling=optional; ms-proxy-2007fallback',
    '',
    sdp.replace(/^a=(ice-ufrag|ice-pwd|candidate|ice-lite)[^\r\n]*\r\n/gm, ''),
    `--${boundary}`,
    'Content-Type: application/sdp',
    'Content-Transfer-Encoding: 7bit',
    'Content-Disposition: session; handling=optional',
    '',
    sdp,
    `--${boundary}--`,
    '',
  ].join('\r\n'),
})

/** An SfB IM session offer as the SfB 2015 client writes it (PROTOCOLS 1.3). */
const sfbImOffer = (host: string): SipBody => ({
  contentType: 'application/sdp',
  content: [
    'v=0',
    `o=- 0 0 IN IP4 ${host}`,
    's=session',
    `c=IN IP4 ${host}`,
    't=0 0',
    'm=message 5060 sip null',
    'a=accept-types:text/plain multipart/alternative image/gif text/rtf text/html application/x-ms-ink application/ms-imdn+xml text/x-msmsgsinvite ',
    '',
  ].join('\r\n'),
})

const isImOnly = (offer: MediaOffer): boolean => offer.chat && !offer.audio && !offer.video && !offer.content

/**
 * Parley's offer builder writes the BFCP line of a floor control server; a room system is a
 * floor participant (RFC 8856 §4 `c-only`) that connects to the server (RFC 4145 `active`, port
 * 9 by convention), and the server gives the conference and user ids, so it sends none.
 */
export const asFloorParticipant = (sdp: string): string =>
  sdp
    .replace(/^m=application \d+ TCP\/BFCP /m, 'm=application 9 TCP/BFCP ')
    .replace(/^a=floorctrl:s-only(?=\r?\n)/m, 'a=floorctrl:c-only')
    .replace(/^a=setup:passive(?=\r?\n)/m, 'a=setup:active')
    .replace(/^a=(?:confid|userid):[^\r\n]*\r?\n/gm, '')

/** The body of a first INVITE offering `offer` in `dialect`. */
export const initialOffer = (dialect: OfferDialect, offer: MediaOffer, media: EndpointMedia): E.Either<string, SipBody> => {
  if (dialect === 'mssip' && isImOnly(offer)) return E.right(sfbImOffer(media.host))
  const built = buildOffer({ _tag: 'Initial', dialect, media: wanted(offer), local: media.local() })
  if (E.isLeft(built)) return E.left(`the endpoint's offer could not be built: ${built.left._tag}`)
  const sdp = dialect === 'mssip' ? built.right : asFloorParticipant(built.right)
  media.last = sdp
  return E.right(dialect === 'mssip' ? sfbMultipart(sdp) : { contentType: 'application/sdp', content: sdp })
}

/** A re-offer in a dialog (escalation: the endpoint adds video). */
export const updatedOffer = (offer: MediaOffer, media: EndpointMedia): E.Either<string, SipBody> => {
  if (media.last === undefined) return E.left('no SDP of the endpoint to update')
  const built = buildOffer({ _tag: 'Update', previous: media.last, media: wanted(offer), local: media.local() })
  if (E.isLeft(built)) return E.left(`the endpoint's re-offer could not be built: ${built.left._tag}`)
  const sdp = asFloorParticipant(built.right)
  media.last = sdp
  return E.right({ contentType: 'application/sdp', content: sdp })
}

/** The far side's directions per stream in an SDP (an answer, or a re-offer from the node). */
export const grantedMedia = (parsed: ParsedOffer): MediaAnswer => {
  const granted: { audio?: Direction; video?: Direction; content?: Direction; chat?: boolean } = {}
  for (const stream of parsed.streams) {
    if (stream.port === 0 || stream.unusable !== undefined) continue
    if (stream.kind === 'rtp' && stream.primary) granted[stream.role] = stream.direction
    if (stream.kind === 'message' && stream.primary) granted.chat = true
  }
  return granted
}

export const readSdp = (contentType: string | undefined, body: Uint8Array): E.Either<string, ParsedOffer> =>
  E.mapLeft((e: { readonly _tag: string }) => `unreadable SDP (${e._tag})`)(readOffer(contentType ?? 'application/sdp', body))

/**
 * The node's offer as a floor participant answers it: the node's BFCP line is a floor control
 * server's (`s-only`), which Parley's answer code refuses from an offerer since Parley is the
 * server itself; a room system takes it (RFC 8856 §4).
 */
const asServersOffer = (offer: ParsedOffer): ParsedOffer => ({
  ...offer,
  streams: offer.streams.map((s) => {
    if (s.kind !== 'floor-control' || s.unusable !== 'offerer-insists-on-floor-control') return s
    const { unusable: _, ...usable } = s
    return { ...usable, primary: !offer.streams.some((o) => o !== s && o.kind === 'floor-control' && o.primary) }
  }),
})

/** The endpoint's answer to the node's offer, accepting the streams in `accepted`; a BFCP line as a floor participant. */
export const answerTo = (offer: ParsedOffer, accepted: MediaOffer, media: EndpointMedia): SipBody => {
  const sdp = asFloorParticipant(negotiateAnswer(asServersOffer(offer), wanted(accepted), media.local()).sdp)
  media.last = sdp
  return { contentType: 'application/sdp', content: sdp }
}

/** What the endpoint keeps of a re-offer: everything offered, as offered (DESIGN §2: it takes Parley's room video). */
export const acceptAll = (offer: ParsedOffer): MediaOffer => offer.media
