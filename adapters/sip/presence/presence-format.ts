/**
 * Which body a presence answer or NOTIFY carries (DESIGN §3: "Accept all shapes; answer in
 * what Accept prefers"; PROTOCOLS 1.1 and 2.1), from the SUBSCRIBE's Accept and Content-Type:
 * - the document: `application/msrtc-event-categories+xml` or `application/pidf+xml`, whichever
 *   Accept gives the higher q-value (the most specific matching range decides a type's q, as in
 *   RFC 7231 §5.3.2). On a tie an SfB categoryList subscription gets msrtc; otherwise the type
 *   named explicitly beats one reached by a wildcard, then the one listed first, then PIDF (a
 *   lone `*\/*` from a standard watcher).
 * - batched or not: a resource-list subscription (an `msrtc-adrl-categorylist+xml` or
 *   `adrl+xml` body) is answered as `multipart/related` + `application/rlmi+xml` when Accept
 *   allows both (RFC 4662 §4.1 requires a list subscriber to list them); a plain subscription
 *   to one address is answered with the document alone.
 * Without an Accept header: PIDF for a standard SIP watcher (RFC 3856 §6.5: Accept defaults to
 * `application/pidf+xml`), msrtc for an SfB categoryList subscription (it names categories,
 * which only msrtc carries), batched for a list.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { PartFormat } from './batched-answer.js'

export type DocumentFormat = PartFormat

export interface PresenceFormat {
  readonly document: DocumentFormat
  readonly batched: boolean
}

/** None of Parley's formats is acceptable: answer 406 with `Accept:` listing them (RFC 3261 §21.4.7). */
export interface NotAcceptable {
  readonly _tag: 'NotAcceptable'
  readonly accept: string
}

export const categoryListContentType = 'application/msrtc-adrl-categorylist+xml'
export const adrlContentType = 'application/adrl+xml'

/** What Parley can send, for the `Accept` of a 406. */
export const producedContentTypes = [
  'application/msrtc-event-categories+xml',
  'application/pidf+xml',
  'multipart/related',
  'application/rlmi+xml',
] as const

interface MediaRange {
  readonly type: string
  readonly subtype: string
  readonly q: number
  readonly position: number
}

/** Splits on commas outside quoted strings (a parameter value may be quoted). */
const splitOutsideQuotes = (s: string, separator: string): ReadonlyArray<string> => {
  const out: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '"') quoted = !quoted
    if (c === '\\' && quoted && i + 1 < s.length) {
      current += c + s[i + 1]
      i++
      continue
    }
    if (c === separator && !quoted) {
      out.push(current)
      current = ''
    } else current += c
  }
  out.push(current)
  return out
}

/** `q=` as RFC 3261 §20.1 writes it; a malformed value counts as 1, as if absent (lenient). */
const qValue = (raw: string): number => {
  const q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(raw) ? Number(raw) : 1
  return q
}

/** Parses an Accept header value; ranges that are not `type/subtype` are ignored. */
export const parseAccept = (accept: string): ReadonlyArray<MediaRange> => {
  const ranges: MediaRange[] = []
  splitOutsideQuotes(accept, ',').forEach((entry, position) => {
    const [media = '', ...params] = splitOutsideQuotes(entry, ';')
    const slash = media.indexOf('/')
    if (slash < 0) return
    const type = media.slice(0, slash).trim().toLowerCase()
    const subtype = media.slice(slash + 1).trim().toLowerCase()
    if (type === '' || subtype === '') return
    let q = 1
    for (const p of params) {
      const eq = p.indexOf('=')
      if (eq >= 0 && p.slice(0, eq).trim().toLowerCase() === 'q') q = qValue(p.slice(eq + 1).trim())
    }
    ranges.push({ type, subtype, q, position })
  })
  return ranges
}

interface Acceptance {
  readonly q: number
  /** 2 exact, 1 `type/*`, 0 `*\/*`. */
  readonly specificity: number
  readonly position: number
}

/** How `mediaType` is accepted: by its most specific matching range; q 0 = not at all. */
export const acceptance = (ranges: ReadonlyArray<MediaRange>, mediaType: string): Acceptance => {
  const [type, subtype] = mediaType.split('/') as [string, string]
  let best: Acceptance = { q: 0, specificity: -1, position: Number.MAX_SAFE_INTEGER }
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1
    if (specificity > best.specificity) best = { q: r.q, specificity, position: r.position }
  }
  return best
}

/** The media type of a Content-Type value, lower case, without parameters. */
export const mediaTypeOf = (contentType: string | undefined): string | undefined =>
  contentType === undefined ? undefined : (contentType.split(';')[0] ?? '').trim().toLowerCase()

export const chooseFormat = (accept: string | undefined, contentType: string | undefined): E.Either<NotAcceptable, PresenceFormat> => {
  const requestType = mediaTypeOf(contentType)
  const categoryList = requestType === categoryListContentType
  const list = categoryList || requestType === adrlContentType
  // An empty Accept value is treated like an absent one: clients that send it mean no preference.
  if (accept === undefined || accept.trim() === '')
    return E.right({ document: categoryList ? 'msrtc-categories' : 'pidf', batched: list })

  const ranges = parseAccept(accept)
  const msrtc = acceptance(ranges, 'application/msrtc-event-categories+xml')
  const pidf = acceptance(ranges, 'application/pidf+xml')
  if (msrtc.q === 0 && pidf.q === 0) return E.left({ _tag: 'NotAcceptable', accept })

  const msrtcWins =
    msrtc.q !== pidf.q
      ? msrtc.q > pidf.q
      : categoryList ||
        (msrtc.specificity !== pidf.specificity ? msrtc.specificity > pidf.specificity : msrtc.position < pidf.position)
  const batched = list && acceptance(ranges, 'multipart/related').q > 0 && acceptance(ranges, 'application/rlmi+xml').q > 0
  return E.right({ document: msrtcWins ? 'msrtc-categories' : 'pidf', batched })
}
