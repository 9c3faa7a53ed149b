/**
 * Cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3: on a stream the Content-Length
 * header is mandatory and says where the body ends). Segments may split a message anywhere or
 * carry several at once. Between messages, CRLF pairs are keepalives (RFC 5626 §3.5.1): a
 * double CRLF is a ping the caller answers with a single CRLF, a lone CRLF is a pong or
 * padding before a start line (RFC 3261 §7.5) and is skipped.
 *
 * Pure apart from its own buffer, so every split and coalescing is testable without sockets.
 */
import type { FramingProblem } from './transport-types.js'
import { scanHead } from './head-scan.js'

export type StreamFrame =
  | { readonly _tag: 'Message'; readonly head: string; readonly body: Buffer }
  | { readonly _tag: 'KeepalivePing' }
  /** The stream cannot be resynchronised after this; the framer ignores all further input. */
  | { readonly _tag: 'Unframeable'; readonly head: string; readonly problem: FramingProblem }

export interface FramingLimits {
  readonly maxMessageBytes: number
  readonly maxHeaderCount: number
}

const CR = 0x0d
const LF = 0x0a
const endOfHead = Buffer.from('\r\n\r\n')
const emptyBuffer = Buffer.alloc(0)
/** How much of an unframeable head is kept for a 400 answer: enough for Via, From, To, CSeq. */
const keptHeadChars = 8192

export class StreamFramer {
  private buffered: Buffer = emptyBuffer
  /** Where the search for the blank line resumes, so a slow head is not rescanned from 0. */
  private searchFrom = 0
  /** CRLF pairs seen since the last message or ping. */
  private crlfPairs = 0
  private pending: { readonly head: string; readonly bodyStart: number; readonly total: number } | undefined
  private failed = false

  constructor(private readonly limits: FramingLimits) {}

  /** Bytes of a message begun but not complete (0 between messages). */
  get pendingBytes(): number {
    return this.buffered.length
  }

  /** True once an unframeable message was seen: the connection must be closed. */
  get broken(): boolean {
    return this.failed
  }

  push(chunk: Buffer): ReadonlyArray<StreamFrame> {
    if (this.failed || chunk.length === 0) return []
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    const frames: StreamFrame[] = []
    for (;;) {
      if (this.pending === undefined && !this.skipKeepalives(frames)) break
      const frame = this.nextMessage()
      if (frame === undefined) break
      frames.push(frame)
      if (frame._tag === 'Unframeable') {
        this.failed = true
        this.buffered = emptyBuffer
        break
      }
    }
    return frames
  }

  /** Consumes CRLFs before a start line; false when the buffer is exhausted (or ends in a lone CR). */
  private skipKeepalives(frames: StreamFrame[]): boolean {
    let at = 0
    const buf = this.buffered
    while (at < buf.length && buf[at] === CR) {
      if (at + 1 >= buf.length) break
      if (buf[at + 1] !== LF) break
      at += 2
      this.crlfPairs++
      if (this.crlfPairs === 2) {
        frames.push({ _tag: 'KeepalivePing' })
        this.crlfPairs = 0
      }
    }
    this.buffered = buf.subarray(at)
    // Nothing left, or a CR whose LF has not arrived yet: wait for more bytes.
    if (this.buffered.length === 0 || (this.buffered.length === 1 && this.buffered[0] === CR)) return false
    this.crlfPairs = 0
    return true
  }

  private nextMessage(): StreamFrame | undefined {
    if (this.pending === undefined) {
      const at = this.buffered.indexOf(endOfHead, Math.max(0, this.searchFrom - 3))
      if (at === -1) {
        this.searchFrom = this.buffered.length
        if (this.buffered.length > this.limits.maxMessageBytes) {
          return this.unframeable(this.buffered.toString('utf8', 0, keptHeadChars), { _tag: 'MessageTooLarge', limit: this.limits.maxMessageBytes })
        }
        return undefined
      }
      const head = this.buffered.toString('utf8', 0, at)
      const scan = scanHead(head)
      if (scan.headerCount > this.limits.maxHeaderCount) {
        return this.unframeable(head, { _tag: 'TooManyHeaders', limit: this.limits.maxHeaderCount })
      }
      if (scan.invalidContentLength !== undefined) {
        return this.unframeable(head, { _tag: 'InvalidContentLength', value: scan.invalidContentLength })
      }
      if (scan.contentLength === undefined) return this.unframeable(head, { _tag: 'MissingContentLength' })
      const bodyStart = at + endOfHead.length
      const total = bodyStart + scan.contentLength
      if (total > this.limits.maxMessageBytes) {
        return this.unframeable(head, { _tag: 'MessageTooLarge', limit: this.limits.maxMessageBytes })
      }
      this.pending = { head, bodyStart, total }
    }
    const { head, bodyStart, total } = this.pending
    if (this.buffered.length < total) return undefined
    // Copy the body out so the (possibly large) coalesced buffer is not retained by it.
    const body = Buffer.from(this.buffered.subarray(bodyStart, total))
    this.buffered = this.buffered.subarray(total)
    this.pending = undefined
    this.searchFrom = 0
    this.crlfPairs = 0
    return { _tag: 'Message', head, body }
  }

  private unframeable(head: string, problem: FramingProblem): StreamFrame {
    return { _tag: 'Unframeable', head: head.slice(0, keptHeadChars), problem }
  }
}
