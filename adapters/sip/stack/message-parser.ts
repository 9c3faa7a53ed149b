/**
 * Turns one framed message (head text + body bytes, from the transport) into a SipRequest or
 * SipResponse. The line work is ours (faster than SIP.js's regex-per-line `Parser`, and it
 * handles compact forms, folded lines and comma-joined Vias); header values are read by our
 * own readers in their common shapes (fast-header-values.ts, via-hop.ts) and otherwise parsed
 * with SIP.js's grammar through the bounded memo. Only what every message needs is parsed eagerly:
 * the start line, top Via, From, To, Call-ID and CSeq (RFC 3261 §8.1.1 mandatory headers);
 * the rest is parsed on first `parseHeader`.
 *
 * Never throws on bad input: a problem names what was wrong and carries the header lines seen,
 * so that a request can still be answered with 400 (RFC 3261 §8.2.2, §21.4.1).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { NameAddrHeader } from 'sip.js/lib/grammar/name-addr-header.js'
import type { URI } from 'sip.js/lib/grammar/uri.js'
import type { SipHeader } from '../dialect/sip-headers.js'
import { canonicalHeaderName } from './header-names.js'
import { splitHeaderList } from './header-list.js'
import { parseHeaderValue } from './fast-header-values.js'
import type { ParseMemo } from './parse-memo.js'
import { SipRequest, SipResponse, type SipMessage } from './sip-message.js'
import { parseViaHop } from './via-hop.js'

export type ParseProblem =
  | { readonly _tag: 'BadStartLine'; readonly line: string }
  | { readonly _tag: 'UnsupportedVersion'; readonly version: string }
  | { readonly _tag: 'BadHeaderLine'; readonly line: string }
  | { readonly _tag: 'MissingHeader'; readonly name: string }
  | { readonly _tag: 'BadHeaderValue'; readonly name: string; readonly value: string }
  | { readonly _tag: 'CSeqMethodMismatch'; readonly method: string; readonly cseqMethod: string }

export interface ParseFailure {
  readonly problem: ParseProblem
  /** What the start line looked like, so the stack knows whether an answer is possible. */
  readonly kind: 'request' | 'response' | 'unknown'
  /** Header lines read before the problem (all of them when the problem is not in a line). */
  readonly headers: ReadonlyArray<SipHeader>
}

const requestLine = /^([A-Za-z0-9.!%*_+`'~-]+) +(\S+) +(SIP\/\S+)\s*$/
const statusLine = /^(SIP\/\S+) +([1-6][0-9]{2})(?: (.*))?$/
const sipScheme = /^sips?:/i

/** Describes a problem in a few words, for a 400 reason phrase and the logs. */
export const describeProblem = (problem: ParseProblem): string => {
  switch (problem._tag) {
    case 'BadStartLine':
      return 'Malformed start line'
    case 'UnsupportedVersion':
      return `Unsupported version ${problem.version}`
    case 'BadHeaderLine':
      return 'Malformed header line'
    case 'MissingHeader':
      return `Missing ${problem.name} header`
    case 'BadHeaderValue':
      return `Malformed ${problem.name} header`
    case 'CSeqMethodMismatch':
      return 'CSeq method does not match the request method'
  }
}

/** Splits a head into its start line and unfolded header lines (RFC 3261 §7.3.1 folding). */
const headerLines = (head: string): { startLine: string; lines: string[] } => {
  const raw = head.split('\r\n')
  const lines: string[] = []
  for (let i = 1; i < raw.length; i++) {
    const line = raw[i] ?? ''
    const first = line.charCodeAt(0)
    if ((first === 0x20 || first === 0x09) && lines.length > 0) lines[lines.length - 1] += ' ' + line.trim()
    else if (line !== '') lines.push(line)
  }
  return { startLine: raw[0] ?? '', lines }
}

/** RFC 3261 §8.1.1: every request carries these (and responses copy them). */
const mandatoryHeaders: ReadonlyArray<string> = ['Via', 'From', 'To', 'Call-ID', 'CSeq']

/** Hoisted rather than a closure per message: a closure costs an allocation, and tsx's keep-names a defineProperty. */
const failure = (kind: ParseFailure['kind'], headers: ReadonlyArray<SipHeader>, problem: ParseProblem): E.Either<ParseFailure, SipMessage> => E.left({ problem, kind, headers })

export const parseMessage = (head: string, body: Buffer, memo: ParseMemo): E.Either<ParseFailure, SipMessage> => {
  const { startLine, lines } = headerLines(head)
  // All lines are listed first, so that a failure anywhere still carries Via, From, To…; each
  // line is split once, for the list and for the parse below (undefined: no name before a colon).
  const headerList: SipHeader[] = []
  const entries: Array<SipHeader | undefined> = new Array<SipHeader | undefined>(lines.length)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const entry: SipHeader = { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() }
    headerList.push(entry)
    entries[i] = entry
  }
  let kind: ParseFailure['kind'] = 'unknown'

  let message: SipMessage
  const req = requestLine.exec(startLine)
  if (req !== null) {
    kind = 'request'
    const request = new SipRequest()
    request.method = req[1] ?? ''
    request.requestUri = req[2] ?? ''
    if (sipScheme.test(request.requestUri)) {
      const uri = parseHeaderValue(request.requestUri, 'SIP_URI', memo)
      if (uri === -1) return failure(kind, headerList, { _tag: 'BadStartLine', line: startLine.slice(0, 200) })
      request.ruri = uri as URI
    }
    if (req[3] !== 'SIP/2.0') return failure(kind, headerList, { _tag: 'UnsupportedVersion', version: req[3] ?? '' })
    message = request
  } else {
    const status = statusLine.exec(startLine)
    if (status === null || status[1] !== 'SIP/2.0') return failure(kind, headerList, { _tag: 'BadStartLine', line: startLine.slice(0, 200) })
    kind = 'response'
    const response = new SipResponse()
    response.statusCode = Number(status[2])
    response.reasonPhrase = status[3] ?? ''
    message = response
  }
  message.memo = memo
  message.data = head

  let viaSeen = false
  for (let i = 0; i < lines.length; i++) {
    const entry = entries[i]
    if (entry === undefined) return failure(kind, headerList, { _tag: 'BadHeaderLine', line: lines[i]!.slice(0, 200) })
    const writtenName = entry.name
    const value = entry.value
    if (writtenName === '' || /\s/.test(writtenName)) return failure(kind, headerList, { _tag: 'BadHeaderLine', line: lines[i]!.slice(0, 200) })
    const name = canonicalHeaderName(writtenName)
    switch (name) {
      case 'Via':
        // A line may carry several hops; each becomes its own entry (RFC 3261 §7.3.1).
        for (const hop of splitHeaderList(value)) {
          if (!viaSeen) {
            const top = parseViaHop(hop, memo)
            if (top === undefined) return failure(kind, headerList, { _tag: 'BadHeaderValue', name, value })
            message.topVia = top
            message.via = { host: top.host, port: top.port ?? 0 }
            message.viaBranch = top.branch ?? ''
            viaSeen = true
          }
          message.addHeader(name, hop)
        }
        break
      case 'From':
      case 'To': {
        if (message.hasHeader(name)) break // a duplicate: the first one stands
        const parsed = parseHeaderValue(value, name, memo)
        if (parsed === -1) return failure(kind, headerList, { _tag: 'BadHeaderValue', name, value })
        message.addHeader(name, value)
        const entry = message.headers[name]?.[0]
        if (entry !== undefined) entry.parsed = parsed
        const nameAddr = parsed as NameAddrHeader
        const tag = nameAddr.getParam('tag')
        if (name === 'From') {
          message.from = nameAddr
          message.fromTag = tag ?? ''
        } else {
          message.to = nameAddr
          message.toTag = tag ?? ''
        }
        break
      }
      case 'Call-ID':
        if (message.hasHeader(name)) break
        if (value === '' || /\s/.test(value)) return failure(kind, headerList, { _tag: 'BadHeaderValue', name, value })
        message.addHeader(name, value)
        message.callId = value
        break
      case 'CSeq': {
        if (message.hasHeader(name)) break
        const parsed = parseHeaderValue(value, 'CSeq', memo)
        if (parsed === -1) return failure(kind, headerList, { _tag: 'BadHeaderValue', name, value })
        message.addHeader(name, value)
        const cseq = parsed as { readonly value: number; readonly method: string }
        message.cseq = cseq.value
        if (message instanceof SipResponse) message.method = cseq.method
        else if (cseq.method !== message.method) return failure(kind, headerList, { _tag: 'CSeqMethodMismatch', method: message.method, cseqMethod: cseq.method })
        break
      }
      case 'Contact':
      case 'Record-Route':
      case 'Route':
        // One entry per element, as SIP.js's own parser files them (parseHeader gives a NameAddrHeader).
        for (const item of splitHeaderList(value)) message.addHeader(name, item)
        break
      default:
        message.addHeader(name, value)
    }
  }
  for (const required of mandatoryHeaders) {
    if (!message.hasHeader(required)) return failure(kind, headerList, { _tag: 'MissingHeader', name: required })
  }
  message.bodyBytes = body
  message.body = body.length === 0 ? '' : body.toString('utf8')
  message.headerList = headerList
  return E.right(message)
}
