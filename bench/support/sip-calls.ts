/**
 * Calls the bench holds itself (not SIPp's): INVITE with an offer, 200, ACK, and later BYE, over
 * a UdpPeer. Used for calls that must stay up across a measurement (the overload bench's calls
 * in progress, the IM bench's participants).
 */
import { header, type SipText, type UdpPeer } from './sip-udp-peer.js'

export interface HeldCall {
  readonly peer: UdpPeer
  readonly port: number
  readonly callId: string
  readonly from: string
  readonly to: string
  readonly requestUri: string
  cseq: number
}

let counter = 0

/** Audio and video (no re-INVITE from a VMR), plus an SfB-style IM line when `chat`. */
export const offer = (host: string, mediaPort: number, chat: boolean): string =>
  [
    'v=0',
    `o=bench ${mediaPort} 1 IN IP4 ${host}`,
    's=-',
    `c=IN IP4 ${host}`,
    't=0 0',
    `m=audio ${mediaPort} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    `m=video ${mediaPort + 2} RTP/AVP 96`,
    'a=rtpmap:96 H264/90000',
    ...(chat ? [`m=message 5060 sip sip:bench${mediaPort}@${host}`, 'a=accept-types:text/plain'] : []),
    '',
  ].join('\r\n')

const contactUri = (head: string): string | undefined => /<([^>]+)>/.exec(header(head, 'contact', 'm'))?.[1]

/** Places a call to `target` (user@host) and ACKs its 200; undefined when it is not answered 200. */
export const placeCall = async (peer: UdpPeer, port: number, target: string, options: { readonly chat?: boolean; readonly user?: string } = {}): Promise<HeldCall | undefined> => {
  const n = ++counter
  const host = peer.host
  const user = options.user ?? `caller${n}`
  const callId = `held-${process.pid}-${n}@${host}`
  const from = `"${user}" <sip:${user}@${host}:${peer.port}>;tag=h${n}`
  const body = offer(host, 20000 + (n % 10000) * 4, options.chat === true)
  const invite = [
    `INVITE sip:${target} SIP/2.0`,
    `Via: SIP/2.0/UDP ${host}:${peer.port};branch=z9hG4bKi${n};rport`,
    'Max-Forwards: 70',
    `From: ${from}`,
    `To: <sip:${target}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${user}@${host}:${peer.port}>`,
    'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')
  const answer = await peer.request(invite, port, 16_000)
  if (answer === undefined || answer.status !== 200) return undefined
  const call: HeldCall = { peer, port, callId, from, to: header(answer.head, 'to', 't'), requestUri: contactUri(answer.head) ?? `sip:${target}`, cseq: 1 }
  peer.send(inDialog(call, 'ACK', 1), port)
  return call
}

/** A request in the call's dialog (RFC 3261 §12.2.1.1), optionally with a body. */
export const inDialog = (call: HeldCall, method: string, cseq: number, body?: { readonly type: string; readonly text: string }): string =>
  [
    `${method} ${call.requestUri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${call.peer.host}:${call.peer.port};branch=z9hG4bK${method.toLowerCase()}${cseq}x${call.callId.replace(/[^a-z0-9]/gi, '')};rport`,
    'Max-Forwards: 70',
    `From: ${call.from}`,
    `To: ${call.to}`,
    `Call-ID: ${call.callId}`,
    `CSeq: ${cseq} ${method}`,
    ...(body === undefined ? ['Content-Length: 0', '', ''] : [`Content-Type: ${body.type}`, `Content-Length: ${Buffer.byteLength(body.text)}`, '', body.text]),
  ].join('\r\n')

/** Sends a request in the dialog and resolves with its final response (undefined: none). */
export const requestInDialog = (call: HeldCall, method: string, body?: { readonly type: string; readonly text: string }, timeoutMs = 8000): Promise<SipText | undefined> => {
  call.cseq++
  return call.peer.request(inDialog(call, method, call.cseq, body), call.port, timeoutMs)
}

/** BYE; true when answered 200. */
export const hangUp = async (call: HeldCall, timeoutMs = 8000): Promise<boolean> => (await requestInDialog(call, 'BYE', undefined, timeoutMs))?.status === 200
