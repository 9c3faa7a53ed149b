/**
 * The node's SIP transport as the stack sees it, with every message that crosses it counted by
 * method and response status (`GET /metrics`, DESIGN §4 "Observability"). Only the start line
 * and, for responses, the CSeq method are read; the message itself passes through untouched.
 * Methods outside the ones SIP names are counted as `other`, so that a peer cannot grow the
 * number of label values.
 */
import type { Either } from 'fp-ts/lib/Either.js'
import type { NodeMetricsSink, SipDirection, SipMessageSeen } from '../../node/metrics-sink.js'
import { defaultAllow, recognisedMethods } from '../stack/sip-stack.js'
import type { Flow, HostPort, InboundEvent, SendTarget, SipTransport, TransportError, TransportProtocol } from '../transport/transport-types.js'

const knownMethods = new Set([...defaultAllow, ...recognisedMethods])
const cseqMethod = /\r\ncseq[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)/i

const methodLabel = (method: string | undefined): string => (method !== undefined && knownMethods.has(method.toUpperCase()) ? method.toUpperCase() : 'other')

/** What one message's head says: `INVITE sip:… SIP/2.0` or `SIP/2.0 200 OK` … `CSeq: 1 INVITE`. */
export const readMessageHead = (direction: SipDirection, head: string): SipMessageSeen | undefined => {
  if (head.startsWith('SIP/2.0 ')) {
    const status = Number(head.slice(8, 11))
    if (!Number.isInteger(status) || status < 100 || status > 699) return undefined
    return { _tag: 'Response', direction, status, method: methodLabel(cseqMethod.exec(head)?.[1]) }
  }
  const space = head.indexOf(' ')
  if (space <= 0) return undefined
  return { _tag: 'Request', direction, method: methodLabel(head.slice(0, space)) }
}

/**
 * What an outgoing message is, read from its bytes without decoding the whole head: the start
 * line's first bytes, and for a response the CSeq line (Parley's writer spells it `CSeq`; any
 * other spelling falls back to a scan of the head): about 1 us a message, against 2.5 us to decode
 * the head first.
 */
export const readOutgoing = (bytes: Buffer): SipMessageSeen | undefined => {
  const start = bytes.toString('latin1', 0, Math.min(bytes.length, 16))
  if (!start.startsWith('SIP/2.0 ')) return readMessageHead('out', start)
  const at = bytes.indexOf('\r\nCSeq:')
  if (at >= 0) return readMessageHead('out', `${start}${bytes.toString('latin1', at, Math.min(bytes.length, at + 48))}`)
  const end = bytes.indexOf('\r\n\r\n')
  return readMessageHead('out', bytes.toString('latin1', 0, end < 0 ? Math.min(bytes.length, 2048) : end))
}

export const countedTransport = (inner: SipTransport, metrics: NodeMetricsSink): SipTransport => {
  const seen = (message: SipMessageSeen | undefined): void => {
    if (message !== undefined) metrics.sipMessage(message)
  }
  return {
    listening: (): ReadonlyMap<TransportProtocol, HostPort> => inner.listening(),
    send: (target: SendTarget, bytes: Buffer): Promise<Either<TransportError, Flow>> => {
      // CRLF keep-alives (RFC 5626 §3.5.1) are not messages.
      if (bytes.length > 4) seen(readOutgoing(bytes))
      return inner.send(target, bytes)
    },
    onInbound: (deliver: (event: InboundEvent) => void): void =>
      inner.onInbound((event) => {
        if (event._tag === 'Message') seen(readMessageHead('in', event.head))
        deliver(event)
      }),
    close: (): Promise<void> => inner.close(),
  }
}
