/**
 * From and To values whose URI is not sip: or sips: (RFC 3261 §20.20, §20.39: `name-addr` /
 * `addr-spec` admit any `absoluteURI`, §25.1; §19.1 names `tel:` as one a UAS meets). PSTN
 * gateways and SfB send `From: "+1 555" <tel:+15551234567>;tag=…` for a PSTN caller; RFC 4475
 * §3.3.4 (unksm2) sends `To: isbn:…` and `From: <http://…>` and says parsers must not fail on
 * them. SIP.js's grammar only reads SIP-URIs there (it answers -1 for every other scheme, a fact
 * fast-header-values.spec.ts checks), so these are read here instead of being refused with 400.
 *
 * The URI is kept as the opaque text it is (a UAS has no use for its parts): an `AbsoluteUri`
 * is a SIP.js `URI` whose `toString` gives that text back, so the stack's users (dialog
 * targets, logs) see what the peer wrote.
 */
import { NameAddrHeader } from 'sip.js/lib/grammar/name-addr-header.js'
import { URI } from 'sip.js/lib/grammar/uri.js'

/** A non-SIP absolute URI, held as written: `scheme` lower case, `text` the whole URI. */
export class AbsoluteUri extends URI {
  constructor(
    scheme: string,
    readonly text: string,
  ) {
    // SIP.js's URI needs a host; the part after the scheme stands in for it.
    super(scheme, undefined as unknown as string, text.slice(scheme.length + 1))
  }

  override get aor(): string {
    return this.text
  }

  override clone(): URI {
    return new AbsoluteUri(this.scheme, this.text)
  }

  override toRaw(): string {
    return this.text
  }

  override toString(): string {
    return this.text
  }
}

const charTable = (pattern: string): Uint8Array => {
  const table = new Uint8Array(128)
  const matcher = new RegExp(`^[${pattern}]$`)
  for (let c = 0; c < 128; c++) table[c] = matcher.test(String.fromCharCode(c)) ? 1 : 0
  return table
}
/** RFC 3261 §25.1 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
const schemeChar = charTable('A-Za-z0-9+.-')
/** uric = reserved / unreserved (escaped is checked apart). */
const uric = charTable(";/?:@&=+$,A-Za-z0-9\\-_.!~*'()")
/** RFC 3261 §25.1 token, for header parameters and display-name words. */
const token = charTable("A-Za-z0-9.!%*_+`'~-")

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)

/** uric characters and `%HH` escapes only, at least one. */
const isUricText = (text: string, from: number, to: number): boolean => {
  if (from >= to) return false
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x25) {
      if (i + 2 >= to || !isHex(text.charCodeAt(i + 1)) || !isHex(text.charCodeAt(i + 2))) return false
      i += 2
    } else if (c >= 128 || uric[c] === 0) return false
  }
  return true
}

/**
 * An absoluteURI between `from` and `to` whose scheme is not sip or sips (those are the
 * grammar's), or undefined. `hier-part` and `opaque-part` are both uric strings; an opaque part
 * must not start with `/`, which a hier-part does, so any uric string after the colon is one of them.
 */
export const readAbsoluteUri = (text: string, from: number, to: number): AbsoluteUri | undefined => {
  const colon = text.indexOf(':', from)
  if (colon <= from || colon >= to - 1) return undefined
  const first = text.charCodeAt(from)
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return undefined
  for (let i = from + 1; i < colon; i++) {
    const c = text.charCodeAt(i)
    if (c >= 128 || schemeChar[c] === 0) return undefined
  }
  const scheme = text.slice(from, colon).toLowerCase()
  if (scheme === 'sip' || scheme === 'sips') return undefined
  if (!isUricText(text, colon + 1, to)) return undefined
  return new AbsoluteUri(scheme, text.slice(from, to))
}

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09

/**
 * A display name before `<`: a quoted string (quoted pairs allowed, RFC 3261 §25.1) or tokens
 * separated by blanks; `undefined` for none, false when it is neither.
 */
const readDisplayName = (text: string, to: number): string | undefined | false => {
  let from = 0
  let end = to
  while (from < end && isBlank(text.charCodeAt(from))) from++
  while (end > from && isBlank(text.charCodeAt(end - 1))) end--
  if (from === end) return undefined
  if (text.charCodeAt(from) === 0x22) {
    if (end - from < 2 || text.charCodeAt(end - 1) !== 0x22) return false
    let name = ''
    for (let i = from + 1; i < end - 1; i++) {
      const c = text.charCodeAt(i)
      if (c === 0x5c) {
        if (i + 1 >= end - 1) return false
        name += text[++i]
      } else if (c === 0x22 || (c < 0x20 && c !== 0x09) || c === 0x7f) return false
      else name += text[i]
    }
    return name
  }
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i)
    if (!isBlank(c) && (c >= 128 || token[c] === 0)) return false
  }
  return text.slice(from, end)
}

/** `;name[=value]` header parameters (token or quoted-string values), names lower case, none repeated. */
const readParams = (text: string, from: number): Record<string, string | undefined> | undefined => {
  const params: Record<string, string | undefined> = {}
  let i = from
  while (i < text.length && isBlank(text.charCodeAt(i))) i++
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x3b) return undefined
    i++
    while (i < text.length && isBlank(text.charCodeAt(i))) i++
    const nameStart = i
    while (i < text.length && text.charCodeAt(i) < 128 && token[text.charCodeAt(i)] === 1) i++
    if (i === nameStart) return undefined
    const name = text.slice(nameStart, i).toLowerCase()
    if (Object.prototype.hasOwnProperty.call(params, name)) return undefined
    while (i < text.length && isBlank(text.charCodeAt(i))) i++
    let value: string | undefined
    if (text.charCodeAt(i) === 0x3d) {
      i++
      while (i < text.length && isBlank(text.charCodeAt(i))) i++
      const valueStart = i
      if (text.charCodeAt(i) === 0x22) {
        const close = text.indexOf('"', i + 1)
        if (close < 0) return undefined
        i = close + 1
      } else while (i < text.length && text.charCodeAt(i) < 128 && token[text.charCodeAt(i)] === 1) i++
      if (i === valueStart) return undefined
      value = text.slice(valueStart, i)
      while (i < text.length && isBlank(text.charCodeAt(i))) i++
    }
    params[name] = value
  }
  return params
}

/**
 * A From or To value whose URI is an absoluteURI other than sip/sips, as a SIP.js
 * `NameAddrHeader` (the shape the grammar gives a SIP one: `tag` set last), or undefined. In the
 * addr-spec form the URI ends at the first `;` (what follows are header parameters) and cannot
 * hold `,` or `?` (RFC 3261 §20.10: such a URI must be in angle brackets).
 */
export const readAbsoluteFromOrTo = (text: string): NameAddrHeader | undefined => {
  const open = text.indexOf('<')
  let uri: AbsoluteUri | undefined
  let displayName: string | undefined
  let paramsAt: number
  if (open < 0) {
    let start = 0
    while (start < text.length && isBlank(text.charCodeAt(start))) start++
    const semicolon = text.indexOf(';', start)
    let end = semicolon < 0 ? text.length : semicolon
    while (end > start && isBlank(text.charCodeAt(end - 1))) end--
    for (let i = start; i < end; i++) if (text.charCodeAt(i) === 0x2c || text.charCodeAt(i) === 0x3f) return undefined
    uri = readAbsoluteUri(text, start, end)
    paramsAt = end
  } else {
    const close = text.indexOf('>', open)
    if (close < 0 || text.indexOf('<', open + 1) >= 0) return undefined
    const name = readDisplayName(text, open)
    if (name === false) return undefined
    displayName = name
    uri = readAbsoluteUri(text, open + 1, close)
    paramsAt = close + 1
  }
  if (uri === undefined) return undefined
  const params = readParams(text, paramsAt)
  if (params === undefined) return undefined
  const { tag, ...others } = params
  if ('tag' in params && tag === undefined) return undefined
  const header = new NameAddrHeader(uri, displayName as string, others as { [name: string]: string })
  if (tag !== undefined) header.setParam('tag', tag)
  return header
}
