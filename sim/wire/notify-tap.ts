/**
 * The subscriber's side of a presence subscription, which the SIP stack does not keep (it has
 * the notifier's side only: decision 0001). A watcher's transport is wrapped: NOTIFY and
 * BENOTIFY requests in a subscription the watcher started (known by Call-ID) are answered here
 * with 200 (RFC 6665 §4.1.3; BENOTIFY is never answered, MS-SIP 3.3.4.4) and their bodies
 * handed to the subscription; every other message goes to the stack as before.
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseMessage } from '../../adapters/sip/stack/message-parser.js'
import { createParseMemo } from '../../adapters/sip/stack/parse-memo.js'
import { buildResponse, frameOf } from '../../adapters/sip/stack/response-builder.js'
import { SipRequest } from '../../adapters/sip/stack/sip-message.js'
import type { HostPort, InboundEvent, SendTarget, SipTransport, TransportError, TransportProtocol, Flow } from '../../adapters/sip/transport/transport-types.js'

/** What a NOTIFY brings: its body and whether the subscription has ended. */
export interface Notification {
  readonly contentType: string | undefined
  readonly body: Uint8Array
  readonly terminated: boolean
}

const notifyStart = /^(?:BE)?NOTIFY /

export class NotifyTap implements SipTransport {
  private consumer: (event: InboundEvent) => void = () => undefined
  private readonly subscriptions = new Map<string, (notification: Notification) => void>()
  private readonly memo = createParseMemo(256)

  constructor(private readonly inner: SipTransport) {
    inner.onInbound((event) => this.receive(event))
  }

  /** NOTIFYs with this Call-ID are the subscription's from now on. */
  watch(callId: string, deliver: (notification: Notification) => void): () => void {
    this.subscriptions.set(callId, deliver)
    return () => this.subscriptions.delete(callId)
  }

  readonly listening = (): ReadonlyMap<TransportProtocol, HostPort> => this.inner.listening()

  readonly onInbound = (deliver: (event: InboundEvent) => void): void => {
    this.consumer = deliver
  }

  readonly send = (target: SendTarget, bytes: Buffer): Promise<E.Either<TransportError, Flow>> => this.inner.send(target, bytes)

  readonly close = (): Promise<void> => this.inner.close()

  private receive(event: InboundEvent): void {
    if (event._tag !== 'Message' || !notifyStart.test(event.head) || this.subscriptions.size === 0) return this.consumer(event)
    const parsed = parseMessage(event.head, event.body, this.memo)
    if (E.isLeft(parsed) || !(parsed.right instanceof SipRequest)) return this.consumer(event)
    const request = parsed.right
    const deliver = this.subscriptions.get(request.callId)
    if (deliver === undefined) return this.consumer(event)
    if (request.method === 'NOTIFY') {
      const response = buildResponse(frameOf(request), { status: 200 }, { toTag: undefined, copyRecordRoute: false, defaultContact: undefined, server: undefined })
      void this.inner.send({ _tag: 'Flow', flow: event.flow }, response)
    }
    const state = request.getHeader('Subscription-State') ?? ''
    deliver({ contentType: request.getHeader('Content-Type'), body: request.bodyBytes, terminated: /^\s*terminated/i.test(state) })
  }
}
