/**
 * Transaction matching keys. Server side, RFC 3261 §17.2.3: branch, sent-by and method (an ACK
 * matches its INVITE; a CANCEL has its own transaction but finds the INVITE by the same branch,
 * §9.2). Requests from RFC 2543 clients (no magic cookie) are keyed on Call-ID, From tag, CSeq
 * number and the top Via instead. Client side, §17.1.3: branch and CSeq method.
 */
import type { SipRequest } from '../sip-message.js'
import { magicCookie } from '../via-hop.js'

const sentBy = (request: SipRequest): string => `${request.topVia.host.toLowerCase()}:${request.topVia.port ?? ''}`

export const serverKeyFor = (request: SipRequest, method: string): string => {
  const branch = request.topVia.branch
  if (branch !== undefined && branch.startsWith(magicCookie)) return `${branch}|${sentBy(request)}|${method}`
  return `2543|${request.callId}|${request.fromTag}|${request.cseq}|${sentBy(request)}|${branch ?? ''}|${method}`
}

/** The key of the server transaction a request belongs to (ACK → its INVITE). */
export const serverKey = (request: SipRequest): string => serverKeyFor(request, request.method === 'ACK' ? 'INVITE' : request.method)

export const clientKey = (branch: string, method: string): string => `${branch}|${method}`
