/**
 * What the SIP side keeps for one leg: the transaction or dialog that carries it, the last
 * offer from the far end and the last SDP Parley sent (a re-offer updates it, RFC 3264 §8),
 * the leg's RTP ports, and a queue so that the core's effects for the leg reach the wire in the
 * order the core emitted them, each after the previous one is done (an Answer waits for its
 * ports; a Reoffer waits for the ACK of that Answer).
 */
import type { MediaAnswer, MediaOffer, Protocol } from '../../../core/model/call.js'
import type { LegId } from '../../../core/model/ids.js'
import type { RtpPorts } from '../../media/loopback/loopback-media.js'
import type { IceSession } from '../sdp/ice-credentials.js'
import type { ParsedOffer } from '../sdp/parsed-offer.js'
import type { Dialog, InviteHandle, ServerRequest } from '../stack/stack-types.js'

export type Dialect = 'sip' | 'mssip'

export interface PendingReinvite {
  readonly request: ServerRequest
  /** Absent for an offerless re-INVITE (Parley offers in the 200, the answer comes in the ACK). */
  readonly offer: ParsedOffer | undefined
  /** Set as soon as the core answers (synchronously, before the answer is built). */
  answeredByCore: boolean
}

export class CallLeg {
  /** Incoming: the INVITE until its final response. */
  invite: ServerRequest | undefined
  /** Outgoing: the INVITE until it is answered or fails. */
  dialOut: InviteHandle | undefined
  dialog: Dialog | undefined
  /** The far end's latest offer (or its answer to Parley's offer). */
  remoteOffer: ParsedOffer | undefined
  /** What that offer (or answer) carries, as the core sees it. */
  remoteMedia: MediaOffer | undefined
  /** The last SDP Parley sent in this dialog, and the media it described. */
  localSdp: string | undefined
  localMedia: MediaAnswer | undefined
  reinvite: PendingReinvite | undefined
  /** Parley's ICE credentials and the far end's, kept across re-INVITEs (adapters/sip/sdp/ice-credentials.ts). */
  iceSession: IceSession | undefined
  ports: RtpPorts = {}
  sessionVersion = 0
  /** The ACK for Parley's 2xx has arrived (or Parley is the caller: nothing to wait for). */
  acked = false
  ended = false
  private ackWaiters: Array<() => void> = []
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    readonly id: LegId,
    readonly direction: 'incoming' | 'outgoing',
    readonly protocol: Protocol,
    /** Parley's address in this call: the dialled alias, or the party a dial-out comes from. */
    readonly localUri: string,
    readonly sessionId: string,
  ) {}

  get dialect(): Dialect {
    return this.protocol === 'mssip' ? 'mssip' : 'sip'
  }

  /** Runs `work` after every earlier piece of work for this leg has finished. */
  enqueue<A>(work: () => Promise<A>): Promise<A> {
    const next = this.queue.then(work, work)
    this.queue = next.catch(() => undefined)
    return next
  }

  /** Resolves once the far end has ACKed Parley's 2xx, or the leg has ended. */
  waitForAck(): Promise<void> {
    if (this.acked || this.ended) return Promise.resolve()
    return new Promise((resolve) => this.ackWaiters.push(resolve))
  }

  markAcked(): void {
    this.acked = true
    this.releaseWaiters()
  }

  markEnded(): void {
    this.ended = true
    this.releaseWaiters()
  }

  private releaseWaiters(): void {
    const waiters = this.ackWaiters
    this.ackWaiters = []
    for (const w of waiters) w()
  }
}
