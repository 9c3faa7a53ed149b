/**
 * Builds responses (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq copied from the request, the To
 * copied with our tag added (except on 100), Record-Route copied into responses that create a
 * dialog (§12.1.1), Timestamp echoed on 100 Trying (§8.2.6.1).
 */
import { getReasonPhrase } from 'sip.js/lib/core/messages/utils.js'
import type { SipHeader, SipHeaders } from '../dialect/sip-headers.js'
import { canonicalHeaderName } from './header-names.js'
import { splitHeaderList } from './header-list.js'
import { header, serialize, type SipBody } from './message-writer.js'
import type { SipRequest } from './sip-message.js'

export interface ResponseSpec {
  readonly status: number
  /** Reason phrase; the RFC's phrase for the status when absent. */
  readonly reason?: string
  readonly headers?: SipHeaders
  readonly body?: SipBody
  /**
   * Contact of a response that creates a dialog or answers a target refresh (a name-addr such as
   * `<sip:meet.alice@192.0.2.10:5061;transport=tls>`); the stack's own contact when absent.
   */
  readonly contact?: string
}

/** The parts of a request every response copies. */
export interface ResponseFrame {
  readonly vias: ReadonlyArray<string>
  readonly from: string
  readonly to: string
  readonly toHasTag: boolean
  readonly callId: string
  readonly cseq: string
  readonly recordRoutes: ReadonlyArray<string>
  readonly timestamp: string | undefined
}

export const reasonFor = (status: number): string => {
  const phrase: string = getReasonPhrase(status)
  return phrase === '' ? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error') : phrase
}

/** Reason phrases are TEXT-UTF8 without CR/LF (RFC 3261 §25.1); anything else is cut. */
const safeReason = (reason: string): string => reason.replace(/[\r\n]+/g, ' ').slice(0, 200)

export const frameOf = (request: SipRequest): ResponseFrame => ({
  vias: request.getHeaders('Via'),
  from: request.getHeader('From') ?? '',
  to: request.getHeader('To') ?? '',
  toHasTag: request.toTag !== '' && request.toTag !== undefined,
  callId: request.callId,
  cseq: `${request.cseq} ${request.method}`,
  recordRoutes: request.getHeaders('Record-Route'),
  timestamp: request.getHeader('Timestamp'),
})

const tagParam = /;\s*tag\s*=/i

/** The same frame read from raw header lines, for requests that failed to parse. */
export const frameOfLines = (lines: SipHeaders): ResponseFrame | undefined => {
  const values = (name: string): string[] => lines.filter((h) => canonicalHeaderName(h.name) === name).map((h) => h.value)
  const vias = values('Via').flatMap(splitHeaderList)
  if (vias.length === 0) return undefined
  const to = values('To')[0] ?? ''
  const afterUri = to.includes('>') ? to.slice(to.lastIndexOf('>')) : to
  return {
    vias,
    from: values('From')[0] ?? '',
    to,
    toHasTag: tagParam.test(afterUri),
    callId: values('Call-ID')[0] ?? '',
    cseq: values('CSeq')[0] ?? '',
    recordRoutes: [],
    timestamp: undefined,
  }
}

export interface ResponseOptions {
  /** Our To tag; added unless the request's To already has one or the status is 100. */
  readonly toTag: string | undefined
  /** Copy Record-Route: for 101-299 responses to dialog-creating requests. */
  readonly copyRecordRoute: boolean
  /** Contact to write when the spec has none (dialog-creating responses). */
  readonly defaultContact: string | undefined
  /** `Server` header value. */
  readonly server: string | undefined
}

export const buildResponse = (frame: ResponseFrame, spec: ResponseSpec, options: ResponseOptions): Buffer => {
  const headers: SipHeader[] = frame.vias.map((v) => header('Via', v))
  if (options.copyRecordRoute) for (const rr of frame.recordRoutes) headers.push(header('Record-Route', rr))
  // A stateless 400 may answer a request that lacked one of these: then it lacks it too.
  if (frame.from !== '') headers.push(header('From', frame.from))
  const addTag = !frame.toHasTag && spec.status > 100 && options.toTag !== undefined
  if (frame.to !== '') headers.push(header('To', addTag ? `${frame.to};tag=${options.toTag ?? ''}` : frame.to))
  if (frame.callId !== '') headers.push(header('Call-ID', frame.callId))
  if (frame.cseq !== '') headers.push(header('CSeq', frame.cseq))
  if (spec.status === 100 && frame.timestamp !== undefined) headers.push(header('Timestamp', frame.timestamp))
  const callerContact = spec.headers?.some((h) => canonicalHeaderName(h.name) === 'Contact') ?? false
  const contact = spec.contact ?? (callerContact ? undefined : options.defaultContact)
  if (contact !== undefined) headers.push(header('Contact', contact))
  if (options.server !== undefined) headers.push(header('Server', options.server))
  for (const h of spec.headers ?? []) headers.push(h)
  const reason = safeReason(spec.reason ?? reasonFor(spec.status))
  return serialize(`SIP/2.0 ${spec.status} ${reason}`, headers, spec.body)
}
