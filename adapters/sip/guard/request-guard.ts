/**
 * Requests the stack's parser is lenient with but RFC 3261 refuses (RFC 4475 §3.1.2 and §3.3),
 * checked on the head before the stack sees it. Every other message passes untouched (responses
 * always: a bad response is dropped by the stack, RFC 3261 §18.3).
 *
 * - Request-Line (RFC 3261 §25.1 `Method SP Request-URI SP SIP-Version CRLF`): exactly one SP
 *   between three non-empty elements, none after; a Request-URI with no `<`, `>` or `"`
 *   (RFC 4475 §3.1.2.7 ltgtruri, 3.1.2.8 lwsruri, 3.1.2.9 lwsstart, 3.1.2.10 trws): 400.
 * - A sip/sips Request-URI with headers (`?`): not allowed there (RFC 3261 §19.1.1 Table 1;
 *   RFC 4475 §3.1.2.11 escruri): 400.
 * - A Request-URI scheme Parley does not serve (RFC 3261 §8.2.2.1; RFC 4475 §3.3.2 unkscm,
 *   3.3.3 novelsc): 416 Unsupported URI Scheme.
 * - A header field that takes one value given more than once (RFC 3261 §7.3.1; RFC 4475 §3.3.8
 *   multi01, 3.3.9 mcl01): 400.
 *
 * - Scalars out of range (RFC 4475 §3.1.2.4 scalar02): a CSeq number of 2**31 or more (RFC 3261
 *   §8.1.1.5) or a Max-Forwards over 255 (§20.22): 400.
 *
 * A version other than SIP/2.0 is left to the stack, which answers 505.
 */

export type RequestFault =
  | { readonly _tag: 'MalformedRequestLine'; readonly status: 400; readonly reason: string }
  | { readonly _tag: 'HeadersInRequestUri'; readonly status: 400; readonly reason: string }
  | { readonly _tag: 'UnsupportedScheme'; readonly status: 416; readonly reason: string }
  | { readonly _tag: 'RepeatedSingleValueHeader'; readonly status: 400; readonly reason: string }
  | { readonly _tag: 'ScalarOutOfRange'; readonly status: 400; readonly reason: string }

/** Schemes a dialled address may carry (DESIGN §2 "Dial strings and aliases"). */
const servedSchemes = new Set(['sip', 'sips', 'tel', 'h323'])

/** RFC 3261 §25.1 token characters. */
const token = /^[A-Za-z0-9.!%*_+`'~-]+$/
const badUriCharacter = /[<>"\t]/
const version = /^SIP\/\d+\.\d+$/i

/** Full and compact names (RFC 3261 §7.3.3, §20) of the header fields that take a single value, as bits. */
const singleValued: ReadonlyMap<string, number> = new Map([
  ['call-id', 1],
  ['i', 1],
  ['cseq', 2],
  ['max-forwards', 4],
  ['from', 8],
  ['f', 8],
  ['to', 16],
  ['t', 16],
  ['content-length', 32],
  ['l', 32],
  ['content-type', 64],
  ['c', 64],
])
const bitNames: Readonly<Record<number, string>> = { 1: 'Call-ID', 2: 'CSeq', 4: 'Max-Forwards', 8: 'From', 16: 'To', 32: 'Content-Length', 64: 'Content-Type' }

const fault = <T extends RequestFault['_tag']>(tag: T, status: Extract<RequestFault, { _tag: T }>['status'], reason: string): RequestFault =>
  ({ _tag: tag, status, reason }) as RequestFault

const malformedLine = (): RequestFault => fault('MalformedRequestLine', 400, 'Malformed Request-Line')

const checkRequestLine = (line: string): RequestFault | undefined => {
  // Two single spaces, three non-empty elements, nothing after (indexes, not split: this runs per message).
  const first = line.indexOf(' ')
  const second = first < 0 ? -1 : line.indexOf(' ', first + 1)
  if (first <= 0 || second <= first + 1 || second === line.length - 1 || line.indexOf(' ', second + 1) >= 0) return malformedLine()
  const uri = line.slice(first + 1, second)
  if (!token.test(line.slice(0, first)) || badUriCharacter.test(uri) || !version.test(line.slice(second + 1))) return malformedLine()
  const colon = uri.indexOf(':')
  const scheme = colon > 0 ? uri.slice(0, colon).toLowerCase() : ''
  if (!servedSchemes.has(scheme)) return fault('UnsupportedScheme', 416, 'Unsupported URI Scheme')
  // Headers follow the hostport; a `?` in the user part (RFC 4475 §3.1.1.2 intmeth) is an unreserved character.
  if ((scheme === 'sip' || scheme === 'sips') && uri.indexOf('?', uri.lastIndexOf('@') + 1) >= 0) return fault('HeadersInRequestUri', 400, 'Headers are not allowed in a Request-URI')
  return undefined
}

/** RFC 3261 §8.1.1.5: CSeq below 2**31; §20.22: Max-Forwards 0-255. Leading digits only: the parser judges the rest. */
const scalarFault = (name: 'cseq' | 'max-forwards', value: string): RequestFault | undefined => {
  const digits = /^\s*(\d+)/.exec(value)?.[1]
  if (digits === undefined) return undefined
  const limit = name === 'cseq' ? 2 ** 31 - 1 : 255
  return digits.length > 10 || Number(digits) > limit ? fault('ScalarOutOfRange', 400, `${name === 'cseq' ? 'CSeq' : 'Max-Forwards'} out of range`) : undefined
}

const checkSingleValued = (head: string, from: number): RequestFault | undefined => {
  let seen = 0
  let at = from
  while (at < head.length) {
    const end = head.indexOf('\r\n', at)
    const lineEnd = end < 0 ? head.length : end
    const first = head.charCodeAt(at) | 0x20
    // c, f, i, l, m, t: the first letters of the names looked for; other lines cost one comparison.
    if (first === 0x63 || first === 0x66 || first === 0x69 || first === 0x6c || first === 0x6d || first === 0x74) {
      const colon = head.indexOf(':', at)
      // The longest name looked for is 14 characters (plus any blanks before the colon).
      if (colon > at && colon < lineEnd && colon - at <= 20) {
        const bit = singleValued.get(head.slice(at, colon).trimEnd().toLowerCase())
        if (bit !== undefined) {
          if ((seen & bit) !== 0) return fault('RepeatedSingleValueHeader', 400, `More than one ${bitNames[bit] ?? 'single-value'} header field`)
          seen |= bit
          const outOfRange = bit === 2 || bit === 4 ? scalarFault(bit === 2 ? 'cseq' : 'max-forwards', head.slice(colon + 1, lineEnd)) : undefined
          if (outOfRange !== undefined) return outOfRange
        }
      }
    }
    if (end < 0) break
    at = end + 2
  }
  return undefined
}

/** What is wrong with a message head, if it is a request the guard refuses; undefined otherwise. */
export const requestFault = (head: string): RequestFault | undefined => {
  if (head.startsWith('SIP/')) return undefined
  const firstEnd = head.indexOf('\r\n')
  const line = firstEnd < 0 ? head : head.slice(0, firstEnd)
  return checkRequestLine(line) ?? (firstEnd < 0 ? undefined : checkSingleValued(head, firstEnd + 2))
}
