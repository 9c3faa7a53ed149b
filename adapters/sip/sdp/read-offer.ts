/**
 * The SDP offer of an INVITE (or re-INVITE) body: `application/sdp`, or a multipart body
 * carrying SDP variants. SfB sends `multipart/alternative` with two SDPs (PROTOCOLS 1.5): one
 * for OCS 2007-era peers (`Content-Disposition: …; ms-proxy-2007fallback`, ICE draft 6
 * candidates, no `a=ice-ufrag`) and the current one (RFC 5245 ICE). Which variant is read:
 *
 *  1. only variants that parse are candidates;
 *  2. the one Parley can accept most streams of (audio, video, content, chat) wins —
 *     "the one we can answer";
 *  3. then one whose accepted RTP streams all have SDES keys (SRTP, as SfB wants when it
 *     offers RTP/SAVP) over a plain one;
 *  4. then one not marked `ms-proxy-2007fallback`;
 *  5. then the later one: RFC 2046 §5.1.4 orders alternatives from least to most preferred.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Body, ContentType, MimePart } from '../dialect/mime.js'
import { bodyBytes, bodyText, decodeText, mediaTypeOf, parseContentType, splitMultipart } from '../dialect/mime.js'
import type { ParsedOffer } from './parsed-offer.js'
import { parseSdp } from './parse-sdp.js'
import type { SdpError } from './sdp-error.js'

const isSdp = (ct: ContentType): boolean => mediaTypeOf(ct) === 'application/sdp'

const answerableCount = (offer: ParsedOffer): number => Object.values(offer.media).filter((v) => v === true).length

const fullySecured = (offer: ParsedOffer): boolean =>
  offer.streams.every((s) => s.kind !== 'rtp' || !s.primary || s.crypto.length > 0)

const isSfbFallback = (part: MimePart): boolean =>
  part.headers.some((h) => h.name.toLowerCase() === 'content-disposition' && /ms-proxy-2007fallback/i.test(h.value))

interface Candidate {
  readonly offer: ParsedOffer
  readonly fallback: boolean
  readonly position: number
}

/** Positive when `a` is the better variant (rules 2-5 above). */
const compareVariants = (a: Candidate, b: Candidate): number =>
  answerableCount(a.offer) - answerableCount(b.offer) ||
  Number(fullySecured(a.offer)) - Number(fullySecured(b.offer)) ||
  Number(b.fallback) - Number(a.fallback) ||
  a.position - b.position

const readMultipart = (ct: ContentType, body: Body): E.Either<SdpError, ParsedOffer> => {
  const parts = splitMultipart(ct, body)
  if (E.isLeft(parts)) return E.left({ _tag: 'MalformedMultipart', reason: parts.left._tag === 'BadMultipart' ? parts.left.reason : 'bad content type' })
  const sdpParts = parts.right.filter((p) => isSdp(p.contentType))
  if (sdpParts.length === 0) return E.left({ _tag: 'NoSdpPart' })
  const candidates: Candidate[] = []
  let firstError: SdpError | undefined
  for (const [position, part] of sdpParts.entries()) {
    const parsed = parseSdp(decodeText(part.body, part.contentType.params.get('charset')), sdpParts.length)
    if (E.isLeft(parsed)) firstError ??= parsed.left
    else candidates.push({ offer: parsed.right, fallback: isSfbFallback(part), position })
  }
  const best = candidates.reduce<Candidate | undefined>((acc, c) => (acc === undefined || compareVariants(c, acc) > 0 ? c : acc), undefined)
  return best === undefined ? E.left(firstError ?? { _tag: 'NoSdpPart' }) : E.right(best.offer)
}

/**
 * Reads an offer from a request body and its Content-Type. Never throws; a malformed body is
 * a tagged error (the upper layer answers 400/488).
 */
export const readOffer = (contentType: string, body: Body): E.Either<SdpError, ParsedOffer> => {
  if (bodyBytes(body).length === 0 || (typeof body === 'string' && body.trim() === '')) return E.left({ _tag: 'EmptyBody' })
  const ct = parseContentType(contentType)
  if (E.isLeft(ct)) return E.left({ _tag: 'UnsupportedContentType', contentType })
  if (isSdp(ct.right)) return parseSdp(bodyText(body, ct.right))
  if (ct.right.type === 'multipart') return readMultipart(ct.right, body)
  return E.left({ _tag: 'UnsupportedContentType', contentType })
}
