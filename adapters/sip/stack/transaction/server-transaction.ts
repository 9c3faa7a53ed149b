/**
 * Server transactions, RFC 3261 §17.2 with RFC 6026: the INVITE server transaction (Figure 7
 * as amended: Proceeding, Accepted, Completed, Confirmed; Timers G, H, I, L) and the non-INVITE
 * server transaction (Figure 8; Timer J). Retransmitted requests are absorbed or answered with
 * the last response; they never reach the transaction user.
 *
 * RFC 6026 makes the 2xx to an INVITE the TU's to retransmit (RFC 3261 §13.3.1.4: from T1,
 * doubling up to T2, until the ACK, for 64*T1). The retransmission lives here, in the Accepted
 * state, because this object already holds the response and the flow; the dialog that receives
 * the ACK (a separate transaction, new branch) calls `ackReceived`.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SendTarget, TransportError } from '../../transport/transport-types.js'
import { transactionTimers, type TransactionTimers } from '../sip-timers.js'
import { NamedTimers } from './named-timers.js'
import { sendToFirst, type TransactionContext } from './transaction-context.js'

export type ServerTransactionState = 'Trying' | 'Proceeding' | 'Accepted' | 'Completed' | 'Confirmed' | 'Terminated'

export interface ServerTransactionUser {
  readonly onTerminated: () => void
  /** An INVITE's final response was never acknowledged: Timer H (failure) or L (2xx, RFC 6026). */
  readonly onAckTimeout: (outcome: 'success' | 'failure') => void
  readonly onTransportError: (error: TransportError) => void
  /**
   * The final response is sent, or the ACK for an INVITE's 2xx has arrived: from then on the
   * transaction only absorbs retransmissions (for up to 64·T1), so its user may let go of the
   * request and whatever hangs off it rather than keep them alive that long.
   */
  readonly onFinalResponse?: () => void
  readonly onAcknowledged?: () => void
}

export type AlreadyFinal = { readonly _tag: 'AlreadyFinal' }

/** What became of a request that matched this transaction. */
export type Absorption = 'absorbed' | 'ack-for-tu'

abstract class ServerTransaction {
  protected stateNow: ServerTransactionState
  protected readonly timers: NamedTimers
  protected readonly t: TransactionTimers
  protected lastResponse: Buffer | undefined
  private finalStatus: number | undefined

  constructor(
    protected readonly context: TransactionContext,
    /** RFC 3261 §17.2.3 key: branch, sent-by and method. */
    readonly key: string,
    /** The request's flow first, then the Via address (RFC 3261 §18.2.2). */
    protected readonly responseTargets: ReadonlyArray<SendTarget>,
    reliable: boolean,
    protected readonly user: ServerTransactionUser,
    initial: ServerTransactionState,
  ) {
    this.stateNow = initial
    this.timers = new NamedTimers(context.clock)
    this.t = transactionTimers(context.timers, reliable)
  }

  get state(): ServerTransactionState {
    return this.stateNow
  }

  /** The final status sent, if any. */
  get finalResponseStatus(): number | undefined {
    return this.finalStatus
  }

  abstract respond(status: number, bytes: Buffer): E.Either<AlreadyFinal, void>
  abstract receiveRequest(method: string): Absorption

  dispose(): void {
    this.timers.stopAll()
    this.stateNow = 'Terminated'
  }

  protected noteFinal(status: number): void {
    this.finalStatus = status
    this.user.onFinalResponse?.()
  }

  protected transmit(bytes: Buffer): void {
    void sendToFirst(this.context, this.responseTargets, bytes).then((result) => {
      if (E.isRight(result) || this.stateNow === 'Terminated') return
      // RFC 3261 §17.2.4: when every address failed, the transaction informs its user and ends.
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

  protected after(name: string, ms: number, then: () => void): void {
    if (ms === 0) then()
    else this.timers.start(name, ms, then)
  }
}

export class NonInviteServerTransaction extends ServerTransaction {
  constructor(context: TransactionContext, key: string, responseTargets: ReadonlyArray<SendTarget>, reliable: boolean, user: ServerTransactionUser) {
    super(context, key, responseTargets, reliable, user, 'Trying')
  }

  respond(status: number, bytes: Buffer): E.Either<AlreadyFinal, void> {
    if (this.stateNow !== 'Trying' && this.stateNow !== 'Proceeding') return E.left({ _tag: 'AlreadyFinal' })
    this.lastResponse = bytes
    if (status < 200) {
      this.stateNow = 'Proceeding'
      this.transmit(bytes)
      return E.right(undefined)
    }
    this.stateNow = 'Completed'
    this.noteFinal(status)
    this.transmit(bytes)
    this.after('J', this.t.J, () => this.terminate())
    return E.right(undefined)
  }

  receiveRequest(): Absorption {
    // Trying: absorbed. Proceeding and Completed: the last response again (RFC 3261 §17.2.2).
    if ((this.stateNow === 'Proceeding' || this.stateNow === 'Completed') && this.lastResponse !== undefined) this.transmit(this.lastResponse)
    return 'absorbed'
  }
}

export class InviteServerTransaction extends ServerTransaction {
  private acknowledged = false
  /** Sends 100 Trying, while the TU has not responded yet (see `tryingAfter`). */
  private trying: (() => void) | undefined

  constructor(context: TransactionContext, key: string, responseTargets: ReadonlyArray<SendTarget>, reliable: boolean, user: ServerTransactionUser) {
    super(context, key, responseTargets, reliable, user, 'Proceeding')
  }

  /**
   * RFC 3261 §17.2.1: 100 Trying unless the TU answers within 200 ms. The stack sends it after
   * `ms` if nothing else has gone out by then, or at once when the client retransmits the INVITE
   * first; a TU that answers sooner (a VMR picks up in a few ms) saves the 100 altogether.
   */
  tryingAfter(ms: number, sendTrying: () => void): void {
    this.trying = sendTrying
    if (ms <= 0) this.sendTryingNow()
    else this.timers.start('Trying', ms, () => this.sendTryingNow())
  }

  private sendTryingNow(): void {
    const trying = this.trying
    this.trying = undefined
    this.timers.stop('Trying')
    if (trying !== undefined && this.stateNow === 'Proceeding' && this.lastResponse === undefined) trying()
  }

  respond(status: number, bytes: Buffer): E.Either<AlreadyFinal, void> {
    if (this.stateNow !== 'Proceeding') return E.left({ _tag: 'AlreadyFinal' })
    if (this.trying !== undefined) {
      this.trying = undefined
      this.timers.stop('Trying')
    }
    this.lastResponse = bytes
    this.transmit(bytes)
    if (status < 200) return E.right(undefined)
    this.noteFinal(status)
    if (status < 300) {
      this.stateNow = 'Accepted'
      this.timers.start('2xx', this.t.G, () => this.retransmit2xx(this.t.G))
      this.timers.start('L', this.t.L, () => {
        if (!this.acknowledged) this.user.onAckTimeout('success')
        this.terminate()
      })
      return E.right(undefined)
    }
    this.stateNow = 'Completed'
    if (this.t.retransmits) this.timers.start('G', this.t.G, () => this.timerG(this.t.G))
    this.timers.start('H', this.t.H, () => {
      if (this.stateNow !== 'Completed') return
      this.user.onAckTimeout('failure')
      this.terminate()
    })
    return E.right(undefined)
  }

  /** The ACK for our 2xx reached the dialog: stop retransmitting it (RFC 3261 §13.3.1.4). */
  ackReceived(): void {
    if (this.acknowledged) return
    this.acknowledged = true
    this.timers.stop('2xx')
    this.user.onAcknowledged?.()
  }

  get awaitingAck(): boolean {
    return this.stateNow === 'Accepted' && !this.acknowledged
  }

  receiveRequest(method: string): Absorption {
    if (method === 'ACK') {
      if (this.stateNow === 'Completed') {
        this.stateNow = 'Confirmed'
        this.timers.stop('G')
        this.timers.stop('H')
        this.after('I', this.t.I, () => this.terminate())
      }
      // RFC 6026 §7.1: an ACK matching an Accepted transaction goes to the TU.
      return this.stateNow === 'Accepted' ? 'ack-for-tu' : 'absorbed'
    }
    // A retransmitted INVITE: the last provisional (Proceeding) or final (Completed) again, or
    // the 100 Trying held back so far. In Accepted it is absorbed; the 2xx is retransmitted on
    // its own schedule (RFC 6026 §7.1).
    if (this.stateNow === 'Proceeding' && this.lastResponse === undefined) this.sendTryingNow()
    else if ((this.stateNow === 'Proceeding' || this.stateNow === 'Completed') && this.lastResponse !== undefined) this.transmit(this.lastResponse)
    return 'absorbed'
  }

  private timerG(interval: number): void {
    if (this.stateNow !== 'Completed' || this.lastResponse === undefined) return
    this.transmit(this.lastResponse)
    const next = Math.min(2 * interval, this.t.T2)
    this.timers.start('G', next, () => this.timerG(next))
  }

  private retransmit2xx(interval: number): void {
    if (this.stateNow !== 'Accepted' || this.acknowledged || this.lastResponse === undefined) return
    this.transmit(this.lastResponse)
    const next = Math.min(2 * interval, this.t.T2)
    this.timers.start('2xx', next, () => this.retransmit2xx(next))
  }
}
