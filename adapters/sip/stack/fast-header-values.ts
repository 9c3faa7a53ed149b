/**
 * Hand-written readers for the header values every call carries and most of which are new in
 * each call (the From and To tags, our own To tag in the ACK and BYE, a peer's Contact, the
 * CSeq numbers of a long dialog): SIP.js's PEG grammar costs 100-400 µs a value (it rebuilds its
 * constant table on every call) and the memo cannot help with values seen once.
 *
 * Each reader takes the common shape of its value and answers exactly what
 * `Grammar.parse(text, rule)` answers — the same SIP.js classes (`NameAddrHeader`, `URI`), the
 * same fields, the same parameter order — or undefined for anything it does not model (quoted
 * pairs, escapes, IPv6 references, URI headers, `q`/`expires`, the parameters SIP.js's grammar
 * treats specially), which then goes to the grammar. A property test holds the readers to the
 * grammar's answers (fast-header-values.spec.ts).
 */
import { NameAddrHeader } from 'sip.js/lib/grammar/name-addr-header.js'
import { URI } from 'sip.js/lib/grammar/uri.js'
import type { ParseMemo } from './parse-memo.js'
import { readAbsoluteFromOrTo } from './absolute-uri.js'

const tokenChars = "A-Za-z0-9.!%*_+`'~-"
const charTable = (pattern: string): Uint8Array => {
  const table = new Uint8Array(128)
  const matcher = new RegExp(`^[${pattern}]$`)
  for (let c = 0; c < 128; c++) table[c] = matcher.test(String.fromCharCode(c)) ? 1 : 0
  return table
}
/** RFC 3261 §25.1 token. */
const token = charTable(tokenChars)
/** URI user: unreserved and user-unreserved, without `;`, `?`, `/` (ambiguous with parameters) and `%` (escapes). */
const userChar = charTable("A-Za-z0-9\\-_.!~*'()&=+$,")
/** URI parameter names and values (paramchar) without `%`. */
const paramChar = charTable("A-Za-z0-9\\-_.!~*'()\\[\\]/:&+$")
/** Domain labels as SIP.js's grammar reads them (it allows `_`). */
const labelChar = charTable('A-Za-z0-9_\\-')

const isIn = (table: Uint8Array, text: string, from: number, to: number): boolean => {
  if (from >= to) return false
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c >= 128 || table[c] === 0) return false
  }
  return true
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)

/** A canonical dotted quad (no leading zeros, each octet <= 255), as the grammar's dec-octet takes it. */
const isIpv4 = (text: string, from: number, to: number): boolean => {
  let octets = 0
  let start = from
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 0x2e) {
      if (!isDigit(text.charCodeAt(i))) return false
      continue
    }
    const length = i - start
    if (length === 0 || length > 3 || (length > 1 && text.charCodeAt(start) === 0x30)) return false
    if (Number(text.slice(start, i)) > 255) return false
    octets++
    start = i + 1
  }
  return octets === 4
}

/**
 * A host name as the grammar reads one (labels of letters, digits, `-` and `_`, the last one
 * starting with a letter), or an IPv4 address; no trailing dot, no IPv6 reference.
 */
const isHost = (text: string, from: number, to: number): boolean => {
  if (from >= to) return false
  const lastDot = text.lastIndexOf('.', to - 1)
  const topStart = lastDot < from ? from : lastDot + 1
  if (topStart < to && isAlpha(text.charCodeAt(topStart))) {
    let labelStart = from
    for (let i = from; i <= to; i++) {
      if (i < to && text.charCodeAt(i) !== 0x2e) continue
      if (!isIn(labelChar, text, labelStart, i)) return false
      labelStart = i + 1
    }
    // The grammar's last label is a letter then letters, digits and `-` only.
    for (let i = topStart; i < to; i++) if (text.charCodeAt(i) === 0x5f) return false
    return true
  }
  return isIpv4(text, from, to)
}

type HeaderParams = Record<string, string | undefined>
/**
 * SIP.js types parameters as strings, but its constructors take undefined (a parameter without
 * a value) and store null, which is what its grammar hands them.
 */
type SipJsParams = { [name: string]: string }

/** The names SIP.js's grammar gives rules of their own inside a URI; anything like them is left to it. */
const specialUriParam = /^(?:transport|user|method|ttl|maddr|lr)/i

/**
 * `;name[=value]` URI parameters between `from` and `to`, into `into` (names lower case).
 * `transport` and `user` values are lower-cased as the grammar does; everything else named like
 * a special parameter is declined.
 */
const readUriParams = (text: string, from: number, to: number, into: Record<string, string | undefined>): boolean => {
  let i = from
  while (i < to) {
    if (text.charCodeAt(i) !== 0x3b) return false
    let end = text.indexOf(';', i + 1)
    if (end < 0 || end > to) end = to
    const eq = text.indexOf('=', i + 1)
    const nameEnd = eq >= 0 && eq < end ? eq : end
    if (!isIn(paramChar, text, i + 1, nameEnd)) return false
    const name = text.slice(i + 1, nameEnd).toLowerCase()
    if (Object.prototype.hasOwnProperty.call(into, name)) return false
    let value: string | undefined
    if (nameEnd < end) {
      if (!isIn(paramChar, text, nameEnd + 1, end)) return false
      value = text.slice(nameEnd + 1, end)
    }
    if (specialUriParam.test(name)) {
      if (name === 'lr' && value === undefined) {
        // lr-param: present, no value.
      } else if ((name === 'transport' || name === 'user') && value !== undefined && isIn(token, value, 0, value.length)) {
        const lower = value.toLowerCase()
        // The grammar commits to a known value that is a prefix (`udpx` is read as `udp`, then fails).
        const known = name === 'transport' ? ['udp', 'tcp', 'sctp', 'tls'] : ['phone', 'ip']
        if (known.some((k) => lower.startsWith(k) && lower !== k)) return false
        value = lower
      } else return false
    }
    into[name] = value
    i = end
  }
  return true
}

/**
 * A sip: or sips: URI between `from` and `to` (no URI headers, no password, no escapes). With
 * `withParams` false the URI ends at the first `;` and `paramsAt` receives where it stopped (an
 * addr-spec's parameters belong to the header, RFC 3261 §20.10).
 */
const readSipUri = (text: string, from: number, to: number, withParams: boolean, stop?: { paramsAt: number }): URI | undefined => {
  let schemeEnd: number
  const c3 = text.charCodeAt(from + 3)
  if (c3 === 0x3a) schemeEnd = from + 3
  else if ((c3 === 0x73 || c3 === 0x53) && text.charCodeAt(from + 4) === 0x3a) schemeEnd = from + 4
  else return undefined
  const scheme = text.slice(from, schemeEnd)
  if (scheme.slice(0, 3).toLowerCase() !== 'sip') return undefined
  let i = schemeEnd + 1
  let end = to
  const semicolon = text.indexOf(';', i)
  const paramsStart = semicolon < 0 || semicolon > to ? to : semicolon
  if (!withParams) end = paramsStart
  if (text.indexOf('?', i) >= 0 && text.indexOf('?', i) < to) return undefined
  let user: string | undefined
  const at = text.indexOf('@', i)
  if (at >= 0 && at < to) {
    if (at > paramsStart || !isIn(userChar, text, i, at)) return undefined
    user = text.slice(i, at)
    i = at + 1
  }
  const hostEnd = withParams ? paramsStart : end
  const colon = text.indexOf(':', i)
  const hostStop = colon >= 0 && colon < hostEnd ? colon : hostEnd
  if (!isHost(text, i, hostStop)) return undefined
  const host = text.slice(i, hostStop)
  let port: number | undefined
  if (hostStop < hostEnd) {
    const digits = hostEnd - hostStop - 1
    if (digits < 1 || digits > 5) return undefined
    for (let k = hostStop + 1; k < hostEnd; k++) if (!isDigit(text.charCodeAt(k))) return undefined
    port = Number(text.slice(hostStop + 1, hostEnd))
    if (port > 65535) return undefined
  }
  let params: Record<string, string | undefined> | undefined
  if (withParams && paramsStart < to) {
    params = {}
    if (!readUriParams(text, paramsStart, to, params)) return undefined
  }
  if (stop !== undefined) stop.paramsAt = end
  return new URI(scheme, user as string, host, port as number, params as SipJsParams | undefined)
}

/** A display name: a quoted string without quoted pairs or control characters, or tokens separated by blanks. */
const readDisplayName = (text: string, from: number, to: number): string | undefined | false => {
  let end = to
  while (end > from && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--
  if (end === from) return from === to ? undefined : false
  const first = text.charCodeAt(from)
  if (first === 0x20 || first === 0x09) return false
  if (first === 0x22) {
    if (end - from < 2 || text.charCodeAt(end - 1) !== 0x22) return false
    for (let i = from + 1; i < end - 1; i++) {
      const c = text.charCodeAt(i)
      if (c === 0x22 || c === 0x5c || (c < 0x20 && c !== 0x09) || c === 0x7f) return false
    }
    return text.slice(from + 1, end - 1)
  }
  let sawBlank = false
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09) {
      sawBlank = true
      continue
    }
    if (c >= 128 || token[c] === 0) return false
    sawBlank = false
  }
  return sawBlank ? false : text.slice(from, end)
}


/**
 * `;name[=token]` header parameters from `from` to the end (no blanks, no quoted values, no
 * repeats). Answers false when they are not of that shape.
 */
const readHeaderParams = (text: string, from: number, into: HeaderParams): boolean => {
  let i = from
  const to = text.length
  while (i < to) {
    if (text.charCodeAt(i) !== 0x3b) return false
    let end = text.indexOf(';', i + 1)
    if (end < 0) end = to
    const eq = text.indexOf('=', i + 1)
    const nameEnd = eq >= 0 && eq < end ? eq : end
    if (!isIn(token, text, i + 1, nameEnd)) return false
    const name = text.slice(i + 1, nameEnd).toLowerCase()
    if (Object.prototype.hasOwnProperty.call(into, name)) return false
    let value: string | undefined
    if (nameEnd < end) {
      if (!isIn(token, text, nameEnd + 1, end)) return false
      value = text.slice(nameEnd + 1, end)
    }
    into[name] = value
    i = end
  }
  return true
}

interface NameAddrParts {
  readonly uri: URI
  readonly displayName: string | undefined
  readonly params: HeaderParams
}

/** name-addr or addr-spec, then header parameters (RFC 3261 §20.20, §20.39, §20.10). */
const readNameAddr = (text: string): NameAddrParts | undefined => {
  const open = text.indexOf('<')
  let uri: URI | undefined
  let displayName: string | undefined
  let paramsAt: number
  if (open < 0) {
    // addr-spec: the URI has no parameters of its own; no display name.
    const stop = { paramsAt: 0 }
    uri = readSipUri(text, 0, text.length, false, stop)
    paramsAt = stop.paramsAt
  } else {
    const close = text.indexOf('>', open)
    if (close < 0 || text.indexOf('<', open + 1) >= 0) return undefined
    const name = readDisplayName(text, 0, open)
    if (name === false) return undefined
    displayName = name
    uri = readSipUri(text, open + 1, close, true)
    paramsAt = close + 1
  }
  if (uri === undefined) return undefined
  const params: HeaderParams = {}
  if (!readHeaderParams(text, paramsAt, params)) return undefined
  return { uri, displayName, params }
}

/** From and To: the `tag` parameter is set last, as the grammar's action does. */
const readFromOrTo = (text: string): NameAddrHeader | undefined => {
  const parts = readNameAddr(text)
  if (parts === undefined) return undefined
  const { tag, ...others } = parts.params
  if ('tag' in parts.params && tag === undefined) return undefined // `;tag` without a value: the grammar's generic-param path
  const header = new NameAddrHeader(parts.uri, parts.displayName as string, others as SipJsParams)
  if (tag !== undefined) header.setParam('tag', tag)
  return header
}

/** One Contact (the parser splits lists): the grammar's multi-header shape with one element. */
const readContact = (text: string): ReadonlyArray<{ position: number; offset: number; parsed: NameAddrHeader }> | undefined => {
  // Contact: * (RFC 3261 §20.10) is tried first by the grammar, so a display name starting with * is its to judge.
  if (text.charCodeAt(0) === 0x2a) return undefined
  const parts = readNameAddr(text)
  if (parts === undefined || 'q' in parts.params || 'expires' in parts.params) return undefined
  return [{ position: text.length, offset: 0, parsed: new NameAddrHeader(parts.uri, parts.displayName as string, parts.params as SipJsParams) }]
}

const knownMethods = ['INVITE', 'ACK', 'OPTIONS', 'BYE', 'CANCEL', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'REFER']

/** `CSeq: 1 INVITE` → `{ value, method }`. */
const readCSeq = (text: string): { value: number; method: string } | undefined => {
  const space = text.indexOf(' ')
  if (space < 1 || space > 10) return undefined
  for (let i = 0; i < space; i++) if (!isDigit(text.charCodeAt(i))) return undefined
  let methodStart = space + 1
  while (text.charCodeAt(methodStart) === 0x20) methodStart++
  if (!isIn(token, text, methodStart, text.length)) return undefined
  const method = text.slice(methodStart)
  // The grammar commits to a known method that is a prefix of a longer one, then fails.
  if (!knownMethods.includes(method) && knownMethods.some((m) => method.startsWith(m))) return undefined
  return { value: Number(text.slice(0, space)), method }
}

/** A decimal number of up to 9 digits (Content-Length, Max-Forwards, Expires). */
const readNumber = (text: string): number | undefined => {
  if (text.length < 1 || text.length > 9) return undefined
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return undefined
  return Number(text)
}

/** The Request-URI or a Route's URI. */
const readUri = (text: string): URI | undefined => readSipUri(text, 0, text.length, true)

/**
 * What `Grammar.parse(text, rule)` answers, for the rules and shapes read here; undefined
 * means "ask the grammar", never "invalid".
 */
export const fastHeaderValue = (text: string, rule: string): unknown => {
  switch (rule) {
    case 'From':
    case 'To':
      return readFromOrTo(text)
    case 'Contact':
      return readContact(text)
    case 'CSeq':
      return readCSeq(text)
    case 'Content_Length':
    case 'Max_Forwards':
      return readNumber(text)
    case 'SIP_URI':
      return readUri(text)
    default:
      return undefined
  }
}

/**
 * A header value as the grammar would parse it: the readers above first, the memoised grammar
 * for the rest. From and To with a URI other than sip/sips, which RFC 3261 allows and the
 * grammar refuses (answering -1 for every one of them), are read by absolute-uri.ts before the
 * grammar is asked: a tel: From from a PSTN gateway is new in each call, as its tag is.
 */
export const parseHeaderValue = (text: string, rule: string, memo: ParseMemo): unknown => {
  const fast = fastHeaderValue(text, rule)
  if (fast !== undefined) return fast
  if (rule === 'From' || rule === 'To') {
    const absolute = readAbsoluteFromOrTo(text)
    if (absolute !== undefined) return absolute
  }
  return memo.parse(text, rule)
}
