/**
 * The node's SIP transport with the request guard (request-guard.ts) in front of the stack: a
 * request the guard refuses is answered here, statelessly, on the flow it came on (RFC 3261
 * §8.2.6, as the stack answers a request it cannot parse) and never reaches the stack. The
 * response copies Via, From, To (with a tag), Call-ID and CSeq (the first of each) so that the
 * sender can match it; without them there is nothing to answer and the request is dropped.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Flow, InboundEvent, SipTransport } from '../transport/transport-types.js'
import type { RequestFault } from './request-guard.js'
import { requestFault } from './request-guard.js'

const copied: Readonly<Record<string, string>> = { via: 'Via', v: 'Via', from: 'From', f: 'From', to: 'To', t: 'To', 'call-id': 'Call-ID', i: 'Call-ID', cseq: 'CSeq' }

/** The header fields a stateless answer needs, by canonical name, continuation lines unfolded. */
const fieldsOf = (head: string): Map<string, string[]> => {
  const fields = new Map<string, string[]>()
  let last: { name: string; values: string[] } | undefined
  for (const line of head.split('\r\n').slice(1)) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last !== undefined) last.values[last.values.length - 1] += ` ${line.trim()}`
      continue
    }
    const colon = line.indexOf(':')
    const name = colon > 0 ? copied[line.slice(0, colon).trim().toLowerCase()] : undefined
    if (name === undefined) {
      last = undefined
      continue
    }
    const values = fields.get(name) ?? []
    values.push(line.slice(colon + 1).trim())
    fields.set(name, values)
    last = { name, values }
  }
  return fields
}

/** The top Via with where the request came from (RFC 3261 §18.2.1, RFC 3581 §4). */
const stamped = (via: string, flow: Flow): string => {
  const top = via.split(',')[0]?.trim() ?? via
  const received = /;\s*received=/i.test(top) ? top : `${top};received=${flow.remote.host}`
  return /;\s*rport(?=;|$)/i.test(received) ? received.replace(/;\s*rport(?=;|$)/i, `;rport=${flow.remote.port}`) : received
}

/** A stateless response to a refused request, or undefined when it lacks what one needs. */
export const refusal = (head: string, flow: Flow, fault: RequestFault, toTag: string): Buffer | undefined => {
  const fields = fieldsOf(head)
  const vias = fields.get('Via')
  const [from, to, callId, cseq] = ['From', 'To', 'Call-ID', 'CSeq'].map((n) => fields.get(n)?.[0])
  if (vias === undefined || from === undefined || to === undefined || callId === undefined || cseq === undefined) return undefined
  const [top = '', ...rest] = vias
  const lines = [
    `SIP/2.0 ${fault.status} ${fault.reason}`,
    `Via: ${stamped(top, flow)}`,
    ...(top.includes(',') ? [`Via: ${top.slice(top.indexOf(',') + 1).trim()}`] : []),
    ...rest.map((v) => `Via: ${v}`),
    `From: ${from}`,
    `To: ${/;\s*tag=/i.test(to.slice(to.lastIndexOf('>') + 1)) ? to : `${to};tag=${toTag}`}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    `Reason: SIP ;cause=${fault.status} ;text="${fault.reason.replace(/["\\]/g, '')}"`,
    'Server: Parley',
    'Content-Length: 0',
    '',
    '',
  ]
  return Buffer.from(lines.join('\r\n'), 'latin1')
}

export interface GuardedTransportOptions {
  readonly logger?: Logger
  readonly tag?: () => string
}

export const guardedTransport = (inner: SipTransport, options: GuardedTransportOptions = {}): SipTransport => {
  const tag = options.tag ?? (() => randomBytes(6).toString('hex'))
  return {
    listening: () => inner.listening(),
    send: (target, bytes) => inner.send(target, bytes),
    onInbound: (deliver: (event: InboundEvent) => void): void =>
      inner.onInbound((event) => {
        if (event._tag !== 'Message') return deliver(event)
        const fault = requestFault(event.head)
        if (fault === undefined) return deliver(event)
        options.logger?.info({ remote: `${event.flow.remote.host}:${event.flow.remote.port}`, protocol: event.flow.protocol, fault: fault._tag }, 'SIP request refused by the guard')
        const answer = refusal(event.head, event.flow, fault, tag())
        if (answer !== undefined) void inner.send({ _tag: 'Flow', flow: event.flow }, answer)
      }),
    close: () => inner.close(),
  }
}
