/**
 * Dialled addresses (DESIGN §2 "Dial strings and aliases"):
 * `[scheme:]user[**PIN]@domain[;params][?headers]`, optionally inside `"Display Name" <...>`
 * (also an unquoted name, or `<...>` alone) as in an RFC 3261 §25.1 name-addr / addr-spec.
 *
 * This runs on every INVITE and SUBSCRIBE, so it is one hand-written pass over the text: one
 * table lookup per character, no regular expressions, and it never throws — every malformed
 * input comes back as a `DialStringError` with a reason and the position it was found at.
 *
 * Choices (DESIGN §2 leaves them to us):
 * - The `**PIN` form applies only when the text after the LAST `**` of the user part is a valid
 *   PIN (pin.ts) and something comes before it; otherwise the `**` is part of the user, so
 *   `meet.alice**12@example.com` dials the alias `meet.alice**12@example.com`. There is no way to
 *   dial an alias that itself ends in `**` + a valid PIN, which is why configured aliases may not.
 * - Percent-escapes in the user part are decoded before the PIN is looked for: RFC 3261 §19.1.4
 *   makes `%2A` and `*` the same character, so `meet.alice%2A%2A1234%23@example.com` carries
 *   PIN `1234#`. A raw `#` is accepted in the user part although RFC 3261 wants it escaped,
 *   because callers type `meet.alice**1234#@example.com`.
 * - A password (`user:password@`) is not split off; it is deprecated (RFC 3261 §19.1.1) and a
 *   dial string never needs one, so a `:` stays in the user.
 * - `sip:`/`sips:` without `@` name a host, not an alias (RFC 3261 §19.1.1): `missing-user`.
 *   `tel:`, `h323:` (RFC 3508: the host is optional) and scheme-less strings without `@` are a
 *   user alone (`tel:+15551234`, `h323:1001`, `1001`).
 * - Text after `>` must be header parameters (`;tag=x` of a To/From value); they are ignored.
 */
import * as E from 'fp-ts/lib/Either.js'
import { isPin, type Pin } from './pin.js'

export type DialScheme = 'sip' | 'sips' | 'h323' | 'tel'

/** A URI parameter as written (`;transport=tls`, `;lr`: no value). Not decoded. */
export interface UriParameter {
  readonly name: string
  readonly value?: string
}

/** A URI header as written (`?subject=x`). Not decoded. */
export interface UriHeader {
  readonly name: string
  readonly value: string
}

export interface DialString {
  /** Unquoted and unescaped; absent when there was no name (`""` is an empty one). */
  readonly displayName?: string
  /** Written inside `<...>` (always so when there is a display name). */
  readonly bracketed: boolean
  /** Lower case, whatever case it was written in. */
  readonly scheme?: DialScheme
  /** Percent-decoded, without the `**PIN`; never empty. */
  readonly user: string
  readonly pin?: Pin
  /** The host as written: a name, an IPv4 address or a bracketed IPv6 address (`[::1]`). */
  readonly domain?: string
  readonly port?: number
  readonly parameters: ReadonlyArray<UriParameter>
  readonly headers: ReadonlyArray<UriHeader>
}

export type DialStringErrorReason =
  | 'empty'
  | 'unterminated-quote'
  | 'missing-angle-bracket'
  | 'unterminated-angle-bracket'
  | 'text-after-uri'
  | 'unsupported-scheme'
  | 'missing-user'
  | 'invalid-user-character'
  | 'invalid-escape'
  | 'missing-domain'
  | 'invalid-domain'
  | 'invalid-port'
  | 'invalid-parameter'
  | 'invalid-header'

export interface DialStringError {
  readonly _tag: 'DialStringError'
  readonly reason: DialStringErrorReason
  /** Index in the input where the problem was found. */
  readonly position: number
}

// Character classes of RFC 3261 §25.1, one bit each, for ASCII. Non-ASCII is handled apart.
const USER = 1 // unreserved / user-unreserved, plus `:` (password) and `#` (typed PINs)
const HOST = 2 // hostname and IPv4 characters (`_` tolerated: it occurs in real host names)
const IPV6 = 4
const PARAM = 8 // paramchar, plus `%` kept as written
const HEADER = 16 // hnv-unreserved / unreserved, plus `%` kept as written
const SCHEME = 32 // RFC 3986 scheme characters
const SAFE_USER = 64 // characters `formatDialString` writes unescaped in the user part

const classes = new Uint8Array(128)
const mark = (chars: string, bits: number): void => {
  for (let i = 0; i < chars.length; i++) classes[chars.charCodeAt(i)]! |= bits
}
const lower = 'abcdefghijklmnopqrstuvwxyz'
const alnum = lower + lower.toUpperCase() + '0123456789'
const unreserved = alnum + "-_.!~*'()"
mark(unreserved + '&=+$,;?/' + ':#', USER)
mark(alnum + '-._', HOST)
mark('0123456789abcdefABCDEF:.', IPV6)
mark(unreserved + '[]/:&+$' + '%', PARAM)
mark(unreserved + '[]/?:+$' + '%', HEADER)
mark(alnum + '+-.', SCHEME)
mark(unreserved + '&=+$,/', SAFE_USER)

const SEMI = 0x3b
const QMARK = 0x3f
const COLON = 0x3a
const EQUALS = 0x3d
const AMP = 0x26
const PERCENT = 0x25
const QUOTE = 0x22
const BACKSLASH = 0x5c
const LT = 0x3c
const LBRACKET = 0x5b
const RBRACKET = 0x5d

const has = (c: number, bits: number): boolean => c < 128 && (classes[c]! & bits) !== 0
const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)

const noParameters: ReadonlyArray<UriParameter> = []
const noHeaders: ReadonlyArray<UriHeader> = []

const fail = (reason: DialStringErrorReason, position: number): E.Either<DialStringError, never> =>
  E.left({ _tag: 'DialStringError', reason, position })

/** The scheme written in `s[from, to)`, compared without regard to case. */
const knownScheme = (s: string, from: number, to: number): DialScheme | undefined => {
  const n = to - from
  if (n < 3 || n > 4) return undefined
  const c0 = s.charCodeAt(from) | 0x20
  const c1 = s.charCodeAt(from + 1) | 0x20
  const c2 = s.charCodeAt(from + 2) | 0x20
  if (c0 === 0x73 && c1 === 0x69 && c2 === 0x70) {
    if (n === 3) return 'sip'
    return (s.charCodeAt(from + 3) | 0x20) === 0x73 ? 'sips' : undefined
  }
  if (n === 3) return c0 === 0x74 && c1 === 0x65 && c2 === 0x6c ? 'tel' : undefined
  return c0 === 0x68 && s.charCodeAt(from + 1) === 0x33 && s.charCodeAt(from + 2) === 0x32 && s.charCodeAt(from + 3) === 0x33
    ? 'h323'
    : undefined
}

/**
 * Scans user characters from `from`, stopping before `to`, at the first character that is not
 * one, or (when `stopAtDelimiters`) at `;` or `?`. Returns where it stopped; the caller reads
 * the reason from the character found there.
 */
const scanUser = (s: string, from: number, to: number, stopAtDelimiters: boolean): number => {
  let i = from
  while (i < to) {
    const c = s.charCodeAt(i)
    if (c < 128) {
      if ((classes[c]! & USER) !== 0) {
        if (stopAtDelimiters && (c === SEMI || c === QMARK)) return i
        i++
      } else if (c === PERCENT && i + 2 < to && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
        i += 3
      } else return i
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < to ? s.charCodeAt(i + 1) : 0
      if (next < 0xdc00 || next > 0xdfff) return i
      i += 2
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return i
    } else i++
  }
  return i
}

const scanWhile = (s: string, from: number, to: number, bits: number): number => {
  let i = from
  while (i < to && has(s.charCodeAt(i), bits)) i++
  return i
}

const hexValue = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57)

/**
 * Decodes the escapes `scanUser` has checked. ASCII escapes (`%2A`, `%23`, `%40`: the ones dial
 * strings carry) are decoded here; UTF-8 sequences go to `decodeURIComponent`, whose exception
 * for malformed UTF-8 becomes `undefined`.
 */
const percentDecode = (text: string): string | undefined => {
  let out = ''
  let chunk = 0
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i)) {
    const byte = hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2))
    if (byte >= 0x80) {
      try {
        return decodeURIComponent(text)
      } catch {
        return undefined
      }
    }
    out += text.slice(chunk, i) + String.fromCharCode(byte)
    i += 3
    chunk = i
  }
  return out + text.slice(chunk)
}

const unquote = (s: string, from: number, to: number): string => {
  let out = ''
  let chunk = from
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === BACKSLASH) {
      out += s.slice(chunk, i)
      chunk = i + 1
      i++
    }
  }
  return out + s.slice(chunk, to)
}

export const parseDialString = (raw: string): E.Either<DialStringError, DialString> => {
  let start = 0
  let end = raw.length
  while (start < end && isWhitespace(raw.charCodeAt(start))) start++
  while (end > start && isWhitespace(raw.charCodeAt(end - 1))) end--
  if (start === end) return fail('empty', start)

  let displayName: string | undefined
  let lt: number
  if (raw.charCodeAt(start) === QUOTE) {
    let i = start + 1
    let escaped = false
    while (i < end) {
      const c = raw.charCodeAt(i)
      if (c === QUOTE) break
      if (c === BACKSLASH) {
        escaped = true
        i++
      }
      i++
    }
    if (i >= end) return fail('unterminated-quote', start)
    displayName = escaped ? unquote(raw, start + 1, i) : raw.slice(start + 1, i)
    i++
    while (i < end && isWhitespace(raw.charCodeAt(i))) i++
    if (i >= end || raw.charCodeAt(i) !== LT) return fail('missing-angle-bracket', i)
    lt = i
  } else {
    lt = raw.indexOf('<', start)
    if (lt === -1 || lt >= end) return parseUri(raw, start, end, undefined, false)
    let nameEnd = lt
    while (nameEnd > start && isWhitespace(raw.charCodeAt(nameEnd - 1))) nameEnd--
    if (nameEnd > start) displayName = raw.slice(start, nameEnd)
  }
  const gt = raw.indexOf('>', lt + 1)
  if (gt === -1 || gt >= end) return fail('unterminated-angle-bracket', lt)
  let after = gt + 1
  while (after < end && isWhitespace(raw.charCodeAt(after))) after++
  // Header parameters (`;tag=...`) belong to the To/From header, not to the address.
  if (after < end && raw.charCodeAt(after) !== SEMI) return fail('text-after-uri', after)
  return parseUri(raw, lt + 1, gt, displayName, true)
}

const parseUri = (
  s: string,
  from: number,
  to: number,
  displayName: string | undefined,
  bracketed: boolean,
): E.Either<DialStringError, DialString> => {
  let pos = from
  let scheme: DialScheme | undefined
  const schemeEnd = scanWhile(s, from, to, SCHEME)
  const first = s.charCodeAt(from) | 0x20
  // RFC 3986 §3.1: a scheme starts with a letter. `1001:...` is therefore a user, not a scheme.
  if (schemeEnd < to && s.charCodeAt(schemeEnd) === COLON && first >= 0x61 && first <= 0x7a) {
    scheme = knownScheme(s, from, schemeEnd)
    if (scheme === undefined) return fail('unsupported-scheme', from)
    pos = schemeEnd + 1
  }

  let at = s.indexOf('@', pos)
  if (at >= to) at = -1
  const userOnly = at === -1
  if (userOnly && (scheme === 'sip' || scheme === 'sips')) return fail('missing-user', pos)
  const userLimit = userOnly ? to : at
  const userEnd = scanUser(s, pos, userLimit, userOnly)
  if (userEnd < userLimit) {
    const c = s.charCodeAt(userEnd)
    if (!userOnly || (c !== SEMI && c !== QMARK))
      return fail(c === PERCENT ? 'invalid-escape' : 'invalid-user-character', userEnd)
  }
  if (userEnd === pos) return fail('missing-user', pos)
  let user = s.slice(pos, userEnd)
  if (user.indexOf('%') !== -1) {
    const decoded = percentDecode(user)
    if (decoded === undefined) return fail('invalid-escape', pos)
    user = decoded
  }
  let pin: Pin | undefined
  const stars = user.lastIndexOf('**')
  if (stars > 0) {
    const tail = user.slice(stars + 2)
    if (isPin(tail)) {
      pin = tail
      user = user.slice(0, stars)
    }
  }

  let k = userEnd
  let domain: string | undefined
  let port: number | undefined
  if (!userOnly) {
    const hostStart = at + 1
    if (hostStart === to) return fail('missing-domain', hostStart)
    let hostEnd: number
    if (s.charCodeAt(hostStart) === LBRACKET) {
      const close = scanWhile(s, hostStart + 1, to, IPV6)
      if (close === hostStart + 1 || close >= to || s.charCodeAt(close) !== RBRACKET) return fail('invalid-domain', close)
      hostEnd = close + 1
    } else {
      hostEnd = scanWhile(s, hostStart, to, HOST)
      if (hostEnd === hostStart) {
        const c = hostEnd < to ? s.charCodeAt(hostEnd) : 0
        return fail(c === SEMI || c === QMARK || c === COLON ? 'missing-domain' : 'invalid-domain', hostEnd)
      }
    }
    domain = s.slice(hostStart, hostEnd)
    k = hostEnd
    if (k < to && s.charCodeAt(k) === COLON) {
      const digitsStart = k + 1
      let value = 0
      k = digitsStart
      while (k < to) {
        const d = s.charCodeAt(k) - 0x30
        if (d < 0 || d > 9) break
        value = value * 10 + d
        k++
      }
      if (k === digitsStart || k - digitsStart > 5 || value > 65535) return fail('invalid-port', digitsStart)
      port = value
      if (k < to && s.charCodeAt(k) !== SEMI && s.charCodeAt(k) !== QMARK) return fail('invalid-port', k)
    } else if (k < to && s.charCodeAt(k) !== SEMI && s.charCodeAt(k) !== QMARK) {
      return fail('invalid-domain', k)
    }
  }

  let parameters = noParameters
  if (k < to && s.charCodeAt(k) === SEMI) {
    const list: UriParameter[] = []
    while (k < to && s.charCodeAt(k) === SEMI) {
      const nameStart = k + 1
      const nameEnd = scanWhile(s, nameStart, to, PARAM)
      if (nameEnd === nameStart) return fail('invalid-parameter', nameStart)
      k = nameEnd
      if (k < to && s.charCodeAt(k) === EQUALS) {
        const valueStart = k + 1
        k = valueStart
        while (k < to) {
          const c = s.charCodeAt(k)
          if (c !== EQUALS && !has(c, PARAM)) break
          k++
        }
        list.push({ name: s.slice(nameStart, nameEnd), value: s.slice(valueStart, k) })
      } else list.push({ name: s.slice(nameStart, nameEnd) })
    }
    if (k < to && s.charCodeAt(k) !== QMARK) return fail('invalid-parameter', k)
    parameters = list
  }

  let headers = noHeaders
  if (k < to) {
    // Only `?` can be here: every earlier stop has been checked.
    const list: UriHeader[] = []
    do {
      const nameStart = k + 1
      let nameEnd = nameStart
      while (nameEnd < to && has(s.charCodeAt(nameEnd), HEADER)) nameEnd++
      if (nameEnd === nameStart) return fail('invalid-header', nameStart)
      k = nameEnd
      let value = ''
      if (k < to && s.charCodeAt(k) === EQUALS) {
        const valueStart = k + 1
        k = valueStart
        while (k < to) {
          const c = s.charCodeAt(k)
          if (c !== EQUALS && !has(c, HEADER)) break
          k++
        }
        value = s.slice(valueStart, k)
      }
      list.push({ name: s.slice(nameStart, nameEnd), value })
    } while (k < to && s.charCodeAt(k) === AMP)
    if (k < to) return fail('invalid-header', k)
    headers = list
  }

  const parsed: {
    -readonly [K in keyof DialString]: DialString[K]
  } = { bracketed, user, parameters, headers }
  if (displayName !== undefined) parsed.displayName = displayName
  if (scheme !== undefined) parsed.scheme = scheme
  if (pin !== undefined) parsed.pin = pin
  if (domain !== undefined) parsed.domain = domain
  if (port !== undefined) parsed.port = port
  return E.right(parsed)
}

/** Writes the user part so that `parseDialString` reads back exactly `user` (RFC 3261 §19.1.2). */
const escapeUser = (user: string): string => {
  let i = 0
  while (i < user.length && has(user.charCodeAt(i), SAFE_USER)) i++
  if (i === user.length) return user
  let out = user.slice(0, i)
  for (; i < user.length; i++) {
    const c = user.charCodeAt(i)
    if (has(c, SAFE_USER)) {
      out += user[i]
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < user.length) {
      const next = user.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += encodeURIComponent(user.slice(i, i + 2))
        i++
      } else out += replacementCharacter
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate cannot be UTF-8 encoded; parseDialString never yields one.
      out += replacementCharacter
    } else out += encodeURIComponent(user[i]!)
  }
  return out
}
const replacementCharacter = '%EF%BF%BD'

const quoteDisplayName = (name: string): string => {
  let out = '"'
  let chunk = 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === QUOTE || c === BACKSLASH) {
      out += name.slice(chunk, i) + '\\'
      chunk = i
    }
  }
  return out + name.slice(chunk) + '"'
}

/**
 * The text of a dial string; `parseDialString(formatDialString(d))` gives `d` back for every
 * `d` that parsing can produce. The user part is percent-escaped where RFC 3261 requires it (a
 * PIN's `#` is written `%23`); parameters and headers are written as they were read.
 */
export const formatDialString = (d: DialString): string => {
  let uri = d.scheme === undefined ? '' : d.scheme + ':'
  uri += escapeUser(d.user)
  if (d.pin !== undefined) uri += '**' + (d.pin.endsWith('#') ? d.pin.slice(0, -1) + '%23' : d.pin)
  if (d.domain !== undefined) {
    uri += '@' + d.domain
    if (d.port !== undefined) uri += ':' + String(d.port)
  }
  for (const p of d.parameters) uri += p.value === undefined ? ';' + p.name : ';' + p.name + '=' + p.value
  for (let i = 0; i < d.headers.length; i++) {
    const h = d.headers[i]!
    uri += (i === 0 ? '?' : '&') + h.name + '=' + h.value
  }
  if (d.displayName !== undefined) return quoteDisplayName(d.displayName) + ' <' + uri + '>'
  return d.bracketed ? '<' + uri + '>' : uri
}

/**
 * The key aliases are matched and indexed by: `user@domain` (or `user` alone), lower case.
 * Scheme, PIN, URI parameters and headers are ignored (DESIGN §2), and so is the port (choice):
 * it says where a server listens, not which room is meant, so `meet.alice@example.com:5061`
 * reaches the same VMR as `meet.alice@example.com`.
 */
export const aliasKey = (d: DialString): string => {
  const user = d.user.charCodeAt(0) === 0x2b ? globalNumberKey(d.user) : d.user
  return d.domain === undefined ? toLowerCase(user) : toLowerCase(user) + '@' + toLowerCase(d.domain)
}

/**
 * A global telephone number (`+` then digits; RFC 3966 §5.1.4) without its visual separators:
 * `-`, `.`, `(` and `)` are only there for people to read and are ignored when numbers are
 * compared (RFC 3966 §5.1.1, §4), so `tel:+1-555-123-4567` and `+15551234567` reach the same
 * alias and match the same gateway rules. Whatever the scheme (a `sip:` URI's user part can be
 * a telephone-subscriber too, RFC 3261 §19.1.1/§19.1.6). A user with anything else is no number
 * and stays as it is.
 */
const globalNumberKey = (user: string): string => {
  let separators = 0
  let digits = 0
  for (let i = 1; i < user.length; i++) {
    const c = user.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) digits++
    else if (c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29) separators++
    else return user
  }
  return separators === 0 || digits === 0 ? user : '+' + user.slice(1).replace(/[-.()]/g, '')
}

/** Most addresses are already lower case: looking costs less than `toLowerCase` on this path. */
const toLowerCase = (s: string): string => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c >= 0x41 && c <= 0x5a) || c >= 0x80) return s.toLowerCase()
  }
  return s
}
