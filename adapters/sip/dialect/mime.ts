/**
 * MIME bodies as SIP peers send them: `Content-Type` with parameters (RFC 2045 §5.1), text in
 * a declared charset, and multipart bodies (RFC 2046 §5.1) — SfB offers an SDP as
 * `multipart/alternative` with two variants (PROTOCOLS 1.5), IM bodies may be
 * `multipart/alternative` (PROTOCOLS 1.3). Nothing here throws on what a peer sends.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SipHeader } from './sip-headers.js'

/** A message body as received: text the stack already decoded, or raw bytes. */
export type Body = string | Uint8Array

export interface ContentType {
  /** Lower case, e.g. `application`. */
  readonly type: string
  /** Lower case, e.g. `sdp`. */
  readonly subtype: string
  /** Parameter names in lower case, values unquoted and as written. */
  readonly params: ReadonlyMap<string, string>
}

export interface MimePart {
  readonly contentType: ContentType
  readonly headers: ReadonlyArray<SipHeader>
  /** After Content-Transfer-Encoding is undone. */
  readonly body: Uint8Array
}

export type MimeError =
  | { readonly _tag: 'BadContentType'; readonly value: string }
  | { readonly _tag: 'BadMultipart'; readonly reason: string }

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** `type/subtype` in lower case. */
export const mediaTypeOf = (ct: ContentType): string => `${ct.type}/${ct.subtype}`

export const parseContentType = (value: string): E.Either<MimeError, ContentType> => {
  const bad: E.Either<MimeError, never> = E.left({ _tag: 'BadContentType', value })
  const semi = value.indexOf(';')
  const head = (semi < 0 ? value : value.slice(0, semi)).trim()
  const slash = head.indexOf('/')
  if (slash < 0) return bad
  const type = head.slice(0, slash).trim().toLowerCase()
  const subtype = head.slice(slash + 1).trim().toLowerCase()
  if (!token.test(type) || !token.test(subtype)) return bad
  const params = new Map<string, string>()
  let i = semi < 0 ? value.length : semi + 1
  while (i < value.length) {
    const eq = value.indexOf('=', i)
    if (eq < 0) break
    const name = value.slice(i, eq).trim().toLowerCase()
    let j = eq + 1
    while (j < value.length && (value[j] === ' ' || value[j] === '\t')) j += 1
    let paramValue: string
    if (value[j] === '"') {
      let out = ''
      let k = j + 1
      while (k < value.length && value[k] !== '"') {
        if (value[k] === '\\' && k + 1 < value.length) k += 1
        out += value[k]
        k += 1
      }
      paramValue = out
      const next = value.indexOf(';', k)
      i = next < 0 ? value.length : next + 1
    } else {
      const next = value.indexOf(';', j)
      paramValue = value.slice(j, next < 0 ? value.length : next).trim()
      i = next < 0 ? value.length : next + 1
    }
    if (name !== '' && !params.has(name)) params.set(name, paramValue)
  }
  return E.right({ type, subtype, params })
}

const utf8 = new TextEncoder()

export const bodyBytes = (body: Body): Uint8Array => (typeof body === 'string' ? utf8.encode(body) : body)

/**
 * Text in the given charset (default UTF-8). An unknown charset label reads as UTF-8; bad byte
 * sequences become U+FFFD rather than an error, as a user would rather see a mangled word than
 * lose the message.
 */
export const decodeText = (bytes: Uint8Array, charset?: string): string => {
  const label = charset === undefined || charset.trim() === '' ? 'utf-8' : charset.trim()
  try {
    return new TextDecoder(label, { fatal: false }).decode(bytes)
  } catch {
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  }
}

/** A body as text, honouring a `charset` parameter when the body arrived as bytes. */
export const bodyText = (body: Body, contentType?: ContentType): string =>
  typeof body === 'string' ? body : decodeText(body, contentType?.params.get('charset'))

// Multipart parsing works on a latin1 view of the bytes: one char per byte, so part bodies
// keep their exact bytes whatever their charset.
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'))

const lineEnd = (s: string, from: number): number => {
  const nl = s.indexOf('\n', from)
  return nl < 0 ? s.length : nl + 1
}

/** Part headers with RFC 5322 folding undone. */
const parsePartHeaders = (text: string): ReadonlyArray<SipHeader> => {
  const headers: SipHeader[] = []
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue
    const last = headers[headers.length - 1]
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers[headers.length - 1] = { name: last.name, value: `${last.value} ${line.trim()}` }
      continue
    }
    const colon = line.indexOf(':')
    if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() })
  }
  return headers
}

const base64Text = /^[A-Za-z0-9+/]*={0,2}$/

const undoTransferEncoding = (encoding: string | undefined, raw: string): Uint8Array | undefined => {
  switch ((encoding ?? '7bit').trim().toLowerCase()) {
    case '7bit':
    case '8bit':
    case 'binary':
      return fromLatin1(raw)
    case 'base64': {
      const compact = raw.replace(/[\r\n\t ]/g, '')
      return base64Text.test(compact) ? new Uint8Array(Buffer.from(compact, 'base64')) : undefined
    }
    case 'quoted-printable': {
      const soft = raw.replace(/=\r?\n/g, '')
      return fromLatin1(soft.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))))
    }
    default:
      return undefined
  }
}

const defaultPartType: ContentType = { type: 'text', subtype: 'plain', params: new Map([['charset', 'us-ascii']]) }

const headerOf = (headers: ReadonlyArray<SipHeader>, name: string): string | undefined =>
  headers.find((h) => h.name.toLowerCase() === name)?.value

/**
 * The parts of a multipart body. Parts whose Content-Type or transfer encoding cannot be read
 * are skipped; a body without a usable boundary, or without any part, is an error.
 */
export const splitMultipart = (contentType: ContentType, body: Body): E.Either<MimeError, ReadonlyArray<MimePart>> => {
  if (contentType.type !== 'multipart') return E.left({ _tag: 'BadMultipart', reason: 'not a multipart type' })
  const boundary = contentType.params.get('boundary')
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70) {
    return E.left({ _tag: 'BadMultipart', reason: 'missing or invalid boundary' })
  }
  const text = latin1(bodyBytes(body))
  const delimiter = `--${boundary}`
  // Delimiters start a line (RFC 2046 §5.1.1); the CRLF before one belongs to it.
  const starts: number[] = []
  let closed = false
  for (let at = text.indexOf(delimiter); at >= 0; at = text.indexOf(delimiter, at + delimiter.length)) {
    if (at !== 0 && text[at - 1] !== '\n') continue
    starts.push(at)
    if (text.startsWith('--', at + delimiter.length)) {
      closed = true
      break
    }
  }
  const parts: MimePart[] = []
  for (let i = 0; i + 1 < starts.length || (!closed && i < starts.length); i += 1) {
    const start = lineEnd(text, starts[i] ?? 0)
    const next = starts[i + 1]
    let end = next ?? text.length
    if (next !== undefined) {
      if (text[end - 1] === '\n') end -= 1
      if (text[end - 1] === '\r') end -= 1
    }
    if (start > end) continue
    const raw = text.slice(start, end)
    const blank = /\r?\n\r?\n/.exec(raw)
    const startsBlank = /^\r?\n/.exec(raw)
    const headerText = startsBlank !== null ? '' : blank === null ? raw : raw.slice(0, blank.index)
    const partBody = startsBlank !== null ? raw.slice(startsBlank[0].length) : blank === null ? '' : raw.slice(blank.index + blank[0].length)
    const headers = parsePartHeaders(headerText)
    const ctValue = headerOf(headers, 'content-type')
    const partType = ctValue === undefined ? E.right(defaultPartType) : parseContentType(ctValue)
    if (E.isLeft(partType)) continue
    const decoded = undoTransferEncoding(headerOf(headers, 'content-transfer-encoding'), partBody)
    if (decoded === undefined) continue
    parts.push({ contentType: partType.right, headers, body: decoded })
  }
  return parts.length === 0 ? E.left({ _tag: 'BadMultipart', reason: 'no readable part' }) : E.right(parts)
}
