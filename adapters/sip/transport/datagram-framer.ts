/**
 * Takes one UDP datagram as one SIP message (RFC 3261 §18.3): with a Content-Length the body is
 * that many bytes and any excess is discarded; a datagram shorter than its Content-Length is an
 * error (a request gets 400, a response is dropped); without one the body runs to the end of
 * the datagram. Datagrams of only CR/LF/NUL/space are keepalives and are ignored.
 */
import type { FramingProblem } from './transport-types.js'
import type { FramingLimits } from './stream-framer.js'
import { scanHead } from './head-scan.js'

export type DatagramFrame =
  | { readonly _tag: 'Message'; readonly head: string; readonly body: Buffer }
  | { readonly _tag: 'Keepalive' }
  | { readonly _tag: 'Unframeable'; readonly head: string; readonly problem: FramingProblem }

const endOfHead = Buffer.from('\r\n\r\n')
const keptHeadChars = 8192

const isKeepaliveByte = (b: number): boolean => b === 0x0d || b === 0x0a || b === 0x00 || b === 0x20

export const frameDatagram = (datagram: Buffer, limits: FramingLimits): DatagramFrame => {
  let start = 0
  while (start < datagram.length && isKeepaliveByte(datagram[start] ?? 0)) start++
  if (start === datagram.length) return { _tag: 'Keepalive' }
  const at = datagram.indexOf(endOfHead, start)
  const head = datagram.toString('utf8', start, at === -1 ? Math.min(datagram.length, start + keptHeadChars) : at)
  if (datagram.length > limits.maxMessageBytes) {
    return { _tag: 'Unframeable', head: head.slice(0, keptHeadChars), problem: { _tag: 'MessageTooLarge', limit: limits.maxMessageBytes } }
  }
  if (at === -1) return { _tag: 'Unframeable', head, problem: { _tag: 'NoEndOfHeaders' } }
  const scan = scanHead(head)
  if (scan.headerCount > limits.maxHeaderCount) {
    return { _tag: 'Unframeable', head, problem: { _tag: 'TooManyHeaders', limit: limits.maxHeaderCount } }
  }
  if (scan.invalidContentLength !== undefined) {
    return { _tag: 'Unframeable', head, problem: { _tag: 'InvalidContentLength', value: scan.invalidContentLength } }
  }
  const bodyStart = at + endOfHead.length
  const available = datagram.length - bodyStart
  if (scan.contentLength === undefined) return { _tag: 'Message', head, body: Buffer.from(datagram.subarray(bodyStart)) }
  if (available < scan.contentLength) {
    return { _tag: 'Unframeable', head, problem: { _tag: 'TruncatedBody', declared: scan.contentLength, received: available } }
  }
  return { _tag: 'Message', head, body: Buffer.from(datagram.subarray(bodyStart, bodyStart + scan.contentLength)) }
}
