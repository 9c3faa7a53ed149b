/**
 * Test support: a scripted SIP peer on a FakeNetwork that writes messages by hand and keeps
 * what it receives, parsed, so that specs can check the stack's answers header by header.
 */
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type { FakeNetwork, FakeSipTransport } from '../../transport/fake-network.js'
import type { Flow, TransportProtocol } from '../../transport/transport-types.js'
import { parseMessage } from '../message-parser.js'
import { createParseMemo } from '../parse-memo.js'
import { SipRequest, type SipMessage, SipResponse } from '../sip-message.js'

const memo = createParseMemo(256)

export interface Received {
  readonly message: SipMessage
  readonly flow: Flow
}

export class RawPeer {
  readonly received: Received[] = []
  /** Messages that did not parse, as text (a stateless 400 to a request without Call-ID has none either). */
  readonly unparsed: string[] = []
  private lastFlow: Flow | undefined

  constructor(
    readonly transport: FakeSipTransport,
    readonly host: string,
    readonly port: number,
  ) {
    transport.onInbound((event) => {
      assert.equal(event._tag, 'Message', 'the stack sent something unframeable')
      if (event._tag !== 'Message') return
      const parsed = parseMessage(event.head, event.body, memo)
      this.lastFlow = event.flow
      if (E.isLeft(parsed)) {
        this.unparsed.push(event.head)
        return
      }
      this.received.push({ message: parsed.right, flow: event.flow })
      this.lastFlow = event.flow
    })
  }

  static on(network: FakeNetwork, host: string, port: number, protocol: TransportProtocol = 'udp'): RawPeer {
    return new RawPeer(network.endpoint(host, { [protocol]: port }), host, port)
  }

  /** Sends `lines` (joined with CRLF, a blank line and the body appended, Content-Length computed). */
  send(protocol: TransportProtocol, to: { host: string; port: number }, lines: ReadonlyArray<string>, body = ''): void {
    const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    void this.transport.send({ _tag: 'Destination', protocol, host: to.host, port: to.port }, Buffer.from(text))
  }

  /** Sends raw bytes as they are (for malformed input). */
  sendRaw(protocol: TransportProtocol, to: { host: string; port: number }, text: string): void {
    void this.transport.send({ _tag: 'Destination', protocol, host: to.host, port: to.port }, Buffer.from(text))
  }

  /** Sends on the connection the last message came in on. */
  reply(lines: ReadonlyArray<string>, body = ''): void {
    const flow = this.lastFlow
    assert.ok(flow !== undefined, 'nothing received to reply to')
    const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    void this.transport.send({ _tag: 'Flow', flow }, Buffer.from(text))
  }

  responses(): SipResponse[] {
    return this.received.map((r) => r.message).filter((m): m is SipResponse => m instanceof SipResponse)
  }

  requests(): SipRequest[] {
    return this.received.map((r) => r.message).filter((m): m is SipRequest => m instanceof SipRequest)
  }

  lastResponse(): SipResponse {
    const last = this.responses().at(-1)
    assert.ok(last !== undefined, 'no response received')
    return last
  }

  /** Answers a received request: Via, From, To (+tag), Call-ID and CSeq copied. */
  answer(request: SipRequest, status: number, extra: ReadonlyArray<string> = [], toTag?: string): void {
    const to = request.getHeader('To') ?? ''
    this.reply([
      `SIP/2.0 ${status} Answer`,
      ...request.getHeaders('Via').map((v) => `Via: ${v}`),
      `From: ${request.getHeader('From') ?? ''}`,
      `To: ${toTag === undefined || request.toTag !== '' ? to : `${to};tag=${toTag}`}`,
      `Call-ID: ${request.callId}`,
      `CSeq: ${request.cseq} ${request.method}`,
      ...extra,
    ])
  }
}

/** Delivers every queued packet and lets promise callbacks run, until the network is quiet. */
export const settle = async (network: FakeNetwork): Promise<void> => {
  for (let round = 0; round < 20; round++) {
    network.deliverAll()
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (network.pending === 0) return
  }
  throw new Error('the network did not settle')
}
