/**
 * Parsed SIP messages: SIP.js's IncomingRequestMessage / IncomingResponseMessage (so its
 * accessors `getHeader`, `parseHeader`, `from`, `toTag`, `callId`, `cseq` work as documented)
 * plus what the wire world needs and SIP.js does not keep: the headers in arrival order, the
 * body as bytes (Content-Length counts bytes, RFC 3261 §20.14), the raw Request-URI (a `tel:` or
 * `urn:` URI is not a SIP.js URI), and the top Via as a ViaHop.
 */
import { IncomingRequestMessage } from 'sip.js/lib/core/messages/incoming-request-message.js'
import { IncomingResponseMessage } from 'sip.js/lib/core/messages/incoming-response-message.js'
import type { SipHeaders } from '../dialect/sip-headers.js'
import type { Flow } from '../transport/transport-types.js'
import { parseHeaderValue } from './fast-header-values.js'
import { canonicalHeaderName } from './header-names.js'
import type { ParseMemo } from './parse-memo.js'
import type { ViaHop } from './via-hop.js'

/** Grammar rule per canonical header name, for the headers SIP.js's grammar knows. */
const grammarRule: Readonly<Record<string, string>> = {
  'Call-ID': 'Call_ID',
  Contact: 'Contact',
  'Content-Disposition': 'Content_Disposition',
  'Content-Length': 'Content_Length',
  'Content-Type': 'Content_Type',
  CSeq: 'CSeq',
  Event: 'Event',
  From: 'From',
  'Max-Forwards': 'Max_Forwards',
  'Min-SE': 'Min_SE',
  'Proxy-Authenticate': 'Proxy_Authenticate',
  'Record-Route': 'Record_Route',
  'Refer-To': 'Refer_To',
  'Referred-By': 'Referred_By',
  Replaces: 'Replaces',
  Require: 'Require',
  // Route has the Record-Route syntax (RFC 3261 §25.1); SIP.js has no rule of its own for it.
  Route: 'Record_Route',
  'Session-Expires': 'Session_Expires',
  'Subscription-State': 'Subscription_State',
  Supported: 'Supported',
  To: 'To',
  Via: 'Via',
  'WWW-Authenticate': 'WWW_Authenticate',
}

interface MessageExtras {
  /** Every header line in arrival order, names as written (compact forms included). */
  headerList: SipHeaders
  bodyBytes: Buffer
  topVia: ViaHop
  memo: ParseMemo
}

/** SIP.js's lazy `parseHeader`, through our readers and the shared memo. */
const memoParseHeader = (message: IncomingRequestMessage | IncomingResponseMessage, memo: ParseMemo, name: string, idx: number): unknown => {
  const canonical = canonicalHeaderName(name)
  const entries = message.headers[canonical]
  const entry = entries?.[idx]
  if (entry === undefined) return undefined
  if (entry.parsed !== undefined) return entry.parsed
  const rule = grammarRule[canonical] ?? canonical.replace(/-/g, '_')
  let parsed = parseHeaderValue(entry.raw, rule, memo)
  if (parsed === -1) return undefined
  // Contact and (Record-)Route parse as a list; each entry holds one element (see the parser).
  if ((rule === 'Contact' || rule === 'Record_Route') && Array.isArray(parsed)) parsed = (parsed[0] as { parsed?: unknown } | undefined)?.parsed
  entry.parsed = parsed
  return parsed
}

type HeaderEntries = Record<string, Array<{ raw: string; parsed?: unknown }> | undefined>

/*
 * SIP.js's own accessors run `headerize` (a split, a regex and a join) on the name at every
 * call; canonicalHeaderName is a cached lookup that spells names the same way.
 */
const firstValue = (message: IncomingRequestMessage | IncomingResponseMessage, name: string): string | undefined =>
  (message.headers as HeaderEntries)[canonicalHeaderName(name)]?.[0]?.raw

const allValues = (message: IncomingRequestMessage | IncomingResponseMessage, name: string): string[] => {
  const entries = (message.headers as HeaderEntries)[canonicalHeaderName(name)]
  return entries === undefined ? [] : entries.map((e) => e.raw)
}

const addValue = (message: IncomingRequestMessage | IncomingResponseMessage, name: string, value: string): void => {
  const headers = message.headers as HeaderEntries
  const canonical = canonicalHeaderName(name)
  const entries = headers[canonical]
  if (entries === undefined) headers[canonical] = [{ raw: value }]
  else entries.push({ raw: value })
}

export class SipRequest extends IncomingRequestMessage implements MessageExtras {
  headerList: SipHeaders = []
  bodyBytes: Buffer = Buffer.alloc(0)
  /** The Request-URI as written; `ruri` is only set for sip: and sips: URIs. */
  requestUri = ''
  topVia!: ViaHop
  memo!: ParseMemo

  // SIP.js declares `parseHeader` as returning `any`; this keeps its signature.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override parseHeader(name: string, idx = 0): any {
    return memoParseHeader(this, this.memo, name, idx)
  }

  /** The value of the header, whichever form (long or compact) it arrived in. */
  override getHeader(name: string): string | undefined {
    return firstValue(this, name)
  }

  override getHeaders(name: string): string[] {
    return allValues(this, name)
  }

  override hasHeader(name: string): boolean {
    return this.headers[canonicalHeaderName(name)] !== undefined
  }

  override addHeader(name: string, value: string): void {
    addValue(this, name, value)
  }
}

export class SipResponse extends IncomingResponseMessage implements MessageExtras {
  headerList: SipHeaders = []
  bodyBytes: Buffer = Buffer.alloc(0)
  topVia!: ViaHop
  memo!: ParseMemo
  /** The flow the response arrived on (a dialog made by it keeps using that connection). */
  receivedOn: Flow | undefined

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override parseHeader(name: string, idx = 0): any {
    return memoParseHeader(this, this.memo, name, idx)
  }

  override getHeader(name: string): string | undefined {
    return firstValue(this, name)
  }

  override getHeaders(name: string): string[] {
    return allValues(this, name)
  }

  override hasHeader(name: string): boolean {
    return this.headers[canonicalHeaderName(name)] !== undefined
  }

  override addHeader(name: string, value: string): void {
    addValue(this, name, value)
  }

  /** SIP.js types the status as possibly undefined; a parsed response always has one. */
  get status(): number {
    return this.statusCode ?? 0
  }
}

export type SipMessage = SipRequest | SipResponse
