/**
 * A SIP user agent for the node's own specs over real loopback sockets: the project's SIP stack
 * (adapters/sip/stack) on a UDP port of its own, placing calls and presence subscriptions to a
 * running node as a room system or a watcher would.
 */
import * as E from 'fp-ts/lib/Either.js'
import { randomBytes } from 'node:crypto'
import { systemClock } from '../system-clock.js'
import { SipStack } from '../../sip/stack/sip-stack.js'
import type { Dialog, RequestFailure, SipResponse } from '../../sip/stack/stack-types.js'
import { NodeSipTransport } from '../../sip/transport/node-sip-transport.js'

/** An audio+video offer as a SIP room system sends it (RFC 4566; ports are never used). */
export const roomSystemOffer = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'm=video 49172 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=sendrecv',
  '',
].join('\r\n')

export interface PresenceAnswer {
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
}

export type CallOutcome = { readonly _tag: 'Answered'; readonly dialog: Dialog; readonly answer: string } | { readonly _tag: 'Failed'; readonly status: number }

const token = (): string => randomBytes(8).toString('hex')

const statusOf = (failure: RequestFailure): number => (failure._tag === 'Rejected' ? failure.response.status : 0)

export class TestSipClient {
  private constructor(
    private readonly stack: SipStack,
    private readonly transport: NodeSipTransport,
    private readonly nodePort: number,
  ) {
    // Requests the node sends outside what we track (a final NOTIFY at its stop): refused.
    stack.onRequest((incoming) => void incoming.respond({ status: 481 }))
  }

  static async open(nodeUdpPort: number): Promise<TestSipClient> {
    const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: 0 } })
    if (E.isLeft(opened)) throw new Error(`could not open a SIP client socket: ${opened.left._tag}`)
    return new TestSipClient(new SipStack({ transport: opened.right, clock: systemClock, publicHost: '127.0.0.1' }), opened.right, nodeUdpPort)
  }

  private get node() {
    return { protocol: 'udp' as const, host: '127.0.0.1', port: this.nodePort }
  }

  /**
   * An RFC 3856 presence SUBSCRIBE for `alias` asking for PIDF with the first notification in
   * the 200 (`ms-piggyback-first-notify`), so that one answer says what a watcher sees now.
   */
  async subscribe(alias: string, expiresS = 60): Promise<PresenceAnswer> {
    const answered = await this.stack.request({
      method: 'SUBSCRIBE',
      requestUri: `sip:${alias}`,
      from: `<sip:watcher-${token()}@127.0.0.1>`,
      to: `<sip:${alias}>`,
      headers: [
        { name: 'Event', value: 'presence' },
        { name: 'Accept', value: 'application/pidf+xml' },
        { name: 'Supported', value: 'ms-piggyback-first-notify' },
        { name: 'Expires', value: String(expiresS) },
      ],
      destination: this.node,
    })
    if (E.isLeft(answered)) return { status: statusOf(answered.left), contentType: undefined, body: '' }
    const response: SipResponse = answered.right
    return { status: response.status, contentType: response.getHeader('Content-Type'), body: response.bodyBytes.toString('utf8') }
  }

  /** Calls `dialled` (e.g. `meet.bob@example.com`, `meet.alice**1234@example.com`) as `displayName`. */
  call(dialled: string, displayName: string, offer: string = roomSystemOffer): Promise<CallOutcome> {
    const user = displayName.toLowerCase().replace(/[^a-z0-9]/g, '')
    return new Promise((resolve) => {
      this.stack.invite(
        {
          requestUri: `sip:${dialled}`,
          from: `"${displayName}" <sip:${user}@127.0.0.1>`,
          to: `<sip:${dialled}>`,
          body: { contentType: 'application/sdp', content: offer },
          destination: this.node,
        },
        {
          onAnswered: (response, dialog) => resolve({ _tag: 'Answered', dialog, answer: response.bodyBytes.toString('utf8') }),
          onFailed: (failure) => resolve({ _tag: 'Failed', status: statusOf(failure) }),
        },
      )
    })
  }

  /** An OPTIONS to the node (RFC 3261 §11): its status, 0 when nothing answered. */
  async options(): Promise<number> {
    const answered = await this.stack.request({ method: 'OPTIONS', requestUri: 'sip:127.0.0.1', from: `<sip:probe-${token()}@127.0.0.1>`, to: '<sip:127.0.0.1>', destination: this.node })
    return E.isLeft(answered) ? statusOf(answered.left) : answered.right.status
  }

  async close(): Promise<void> {
    this.stack.close()
    await this.transport.close()
  }
}

/** What a PIDF document (RFC 3863, CIPID RFC 4482) says: open or not, and the display name. */
export const readPidf = (body: string): { readonly open: boolean; readonly displayName: string | undefined } => ({
  open: /<(?:\w+:)?basic>\s*open\s*<\/(?:\w+:)?basic>/.test(body),
  displayName: /<(?:\w+:)?display-name>([^<]*)<\/(?:\w+:)?display-name>/.exec(body)?.[1]?.replace(/&apos;/g, "'").replace(/&amp;/g, '&'),
})
