/**
 * Serialises outgoing messages: start line, header lines, Content-Type and a Content-Length
 * counted in bytes (RFC 3261 §20.14), always present so the message frames on any transport.
 */
import type { SipHeader, SipHeaders } from '../dialect/sip-headers.js'

export interface SipBody {
  readonly contentType: string
  readonly content: string | Buffer
  /** Extra body headers, e.g. Content-Disposition. */
  readonly headers?: SipHeaders
}

export const header = (name: string, value: string): SipHeader => ({ name, value })

const CRLF = '\r\n'

/** Names the stack writes itself; a caller's copy of one is dropped so it is never doubled. */
const stackOwned = new Set(['content-length', 'l', 'content-type', 'c'])

export const serialize = (startLine: string, headers: SipHeaders, body?: SipBody): Buffer => {
  let head = startLine + CRLF
  for (const h of headers) {
    if (stackOwned.has(h.name.toLowerCase())) continue
    head += `${h.name}: ${h.value}${CRLF}`
  }
  if (body === undefined) return Buffer.from(head + 'Content-Length: 0' + CRLF + CRLF, 'utf8')
  for (const h of body.headers ?? []) head += `${h.name}: ${h.value}${CRLF}`
  head += `Content-Type: ${body.contentType}${CRLF}Content-Length: `
  if (typeof body.content === 'string') {
    // One buffer written once, rather than the body encoded, the head encoded and both copied.
    return Buffer.from(`${head}${Buffer.byteLength(body.content, 'utf8')}${CRLF}${CRLF}${body.content}`, 'utf8')
  }
  head += `${body.content.length}${CRLF}${CRLF}`
  return Buffer.concat([Buffer.from(head, 'utf8'), body.content])
}
