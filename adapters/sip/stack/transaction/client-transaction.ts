/**
 * Client transactions, RFC 3261 §17.1 with the RFC 6026 Accepted state: the INVITE client
 * transaction (Figure 5, Timers A, B, D, M) and the non-INVITE client transaction (Figure 6,
 * Timers E, F, K). On an unreliable transport the request is retransmitted (Timer A doubling
 * without a cap; Timer E doubling up to T2, then every T2 once a provisional arrived), which
 * SIP.js's transactions leave out.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Flow, SendTarget, TransportError } from '../../transport/transport-types.js'
import type { SipResponse } from '../sip-message.js'
import { transactionTimers, type TransactionTimers } from '../sip-timers.js'
import { NamedTimers } from './named-timers.js'
import { sendToFirst, type TransactionContext } from './transaction-context.js'

export type ClientTransactionState = 'Calling' | 'Trying' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated'

export interface ClientTransactionUser {
  /** Provisional and final responses; for INVITE also 2xx retransmissions while Accepted. */
  readonly onResponse: (response: SipResponse) => void
  /** Timer B or F fired without a final response. */
  readonly onTimeout: () => void
  readonly onTransportError: (error: TransportError) => void
  readonly onTerminated: () => void
}

abstract class ClientTransaction {
  protected stateNow: ClientTransactionState
  protected readonly timers: NamedTimers
  protected readonly t: TransactionTimers
  private pinned: Flow | undefined

  constructor(
    protected readonly context: TransactionContext,
    /** Branch plus CSeq method (RFC 3261 §17.1.3). */
    readonly key: string,
    protected readonly request: Buffer,
    private readonly targets: ReadonlyArray<SendTarget>,
    reliable: boolean,
    protected readonly user: ClientTransactionUser,
    initial: ClientTransactionState,
  ) {
    this.stateNow = initial
    this.timers = new NamedTimers(context.clock)
    this.t = transactionTimers(context.timers, reliable)
  }

  get state(): ClientTransactionState {
    return this.stateNow
  }

  /** The flow the request left on, once known: CANCEL and ACK follow it (RFC 3261 §9.1, §17.1.1.3). */
  get flow(): Flow | undefined {
    return this.pinned
  }

  /** Where a CANCEL or ACK for this request goes: the same flow, else the same targets. */
  get sameDestination(): ReadonlyArray<SendTarget> {
    return this.pinned === undefined ? this.targets : [{ _tag: 'Flow', flow: this.pinned }, ...this.targets]
  }

  abstract receiveResponse(response: SipResponse): void

  /** Ends the transaction without telling the transaction user anything (the stack is closing). */
  dispose(): void {
    this.timers.stopAll()
    this.stateNow = 'Terminated'
  }

  protected transmit(bytes: Buffer): void {
    void sendToFirst(this.context, this.sameDestination, bytes).then((result) => {
      if (E.isRight(result)) {
        this.pinned ??= result.right
        return
      }
      // RFC 3261 §17.1.1.2 / §17.1.2.2: a transport failure ends the transaction.
      if (this.stateNow === 'Terminated' || this.stateNow === 'Completed' || this.stateNow === 'Accepted') return
      this.terminate()
      this.user.onTransportError(result.left)
    })
  }

  protected terminate(): void {
    if (this.stateNow === 'Terminated') return
    this.timers.stopAll()
    this.stateNow = 'Terminated'
    this.user.onTerminated()
  }

  /** Runs `then` after `ms`, or at once when `ms` is 0 (reliable transports). */
  protected after(name: string, ms: number, then: () => void): void {
    if (ms === 0) then()
    else this.timers.start(name, ms, then)
  }
}

export class NonInviteClientTransaction extends ClientTransaction {
  constructor(context: TransactionContext, key: string, request: Buffer, targets: ReadonlyArray<SendTarget>, reliable: boolean, user: ClientTransactionUser) {
    super(context, key, request, targets, reliable, user, 'Trying')
  }

  start(): void {
    this.transmit(this.request)
    if (this.t.retransmits) this.timers.start('E', this.t.E, () => this.timerE(this.t.E))
    this.timers.start('F', this.t.F, () => {
      if (this.stateNow !== 'Trying' && this.stateNow !== 'Proceeding') return
      this.terminate()
      this.user.onTimeout()
    })
  }

  private timerE(interval: number): void {
    if (this.stateNow !== 'Trying' && this.stateNow !== 'Proceeding') return
    this.transmit(this.request)
    // Trying: double up to T2. Proceeding: every T2 (RFC 3261 §17.1.2.2).
    const next = this.stateNow === 'Trying' ? Math.min(2 * interval, this.t.T2) : this.t.T2
    this.timers.start('E', next, () => this.timerE(next))
  }

  receiveResponse(response: SipResponse): void {
    if (this.stateNow !== 'Trying' && this.stateNow !== 'Proceeding') return
    if (response.status < 200) {
      this.stateNow = 'Proceeding'
      this.user.onResponse(response)
      return
    }
    this.stateNow = 'Completed'
    this.timers.stop('E')
    this.timers.stop('F')
    this.user.onResponse(response)
    this.after('K', this.t.K, () => this.terminate())
  }
}

export class InviteClientTransaction extends ClientTransaction {
  private ack: Buffer | undefined

  constructor(
    context: TransactionContext,
    key: string,
    request: Buffer,
    targets: ReadonlyArray<SendTarget>,
    reliable: boolean,
    user: ClientTransactionUser,
    /** Builds the ACK for a failure response (RFC 3261 §17.1.1.3): same branch, To from the response. */
    private readonly buildAck: (response: SipResponse) => Buffer,
  ) {
    super(context, key, request, targets, reliable, user, 'Calling')
  }

  start(): void {
    this.transmit(this.request)
    if (this.t.retransmits) this.timers.start('A', this.t.A, () => this.timerA(this.t.A))
    this.timers.start('B', this.t.B, () => {
      if (this.stateNow !== 'Calling') return
      this.terminate()
      this.user.onTimeout()
    })
  }

  private timerA(interval: number): void {
    if (this.stateNow !== 'Calling') return
    this.transmit(this.request)
    const next = 2 * interval
    this.timers.start('A', next, () => this.timerA(next))
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status
    switch (this.stateNow) {
      case 'Calling':
      case 'Proceeding':
        this.timers.stop('A')
        this.timers.stop('B')
        if (status < 200) {
          this.stateNow = 'Proceeding'
          this.user.onResponse(response)
        } else if (status < 300) {
          // RFC 6026 §8.4: stay to pass 2xx retransmissions (from any fork) to the TU.
          this.stateNow = 'Accepted'
          this.timers.start('M', this.t.M, () => this.terminate())
          this.user.onResponse(response)
        } else {
          this.stateNow = 'Completed'
          this.ack = this.buildAck(response)
          this.transmit(this.ack)
          this.user.onResponse(response)
          this.after('D', this.t.D, () => this.terminate())
        }
        return
      case 'Accepted':
        if (status >= 200 && status < 300) this.user.onResponse(response)
        return
      case 'Completed':
        // A retransmitted failure response means our ACK was lost: send it again.
        if (status >= 300 && this.ack !== undefined) this.transmit(this.ack)
        return
      default:
        return
    }
  }
}
