/**
 * The UAC side of an INVITE (RFC 3261 §13.2): early dialogs from tagged provisionals, the
 * dialog from the first 2xx (ACKed at once, the ACK resent for each 2xx retransmission), other
 * forks' 2xx ACKed and ended with BYE (§13.2.2.4), and CANCEL (§9.1) sent only once a
 * provisional has arrived. A 2xx that crosses our CANCEL is ACKed and ended with BYE, so that
 * `cancel()` always ends as `Cancelled`.
 */
import type { Logger } from 'pino'
import type { Clock } from '../../../core/ports/clock.js'
import type { SipDialog } from './dialog.js'
import type { SipTimerConfig } from './sip-timers.js'
import type { SipResponse } from './sip-message.js'
import type { InviteEvents, InviteHandle, InviteSpec, RequestFailure } from './stack-types.js'
import type { RequestPlan, StartedInvite, UacCore } from './uac-core.js'

export interface InviteClientHost {
  readonly uac: UacCore
  readonly clock: Clock
  readonly timers: SipTimerConfig
  readonly logger: Logger
  /** A UAC dialog from a response carrying a To tag (RFC 3261 §12.1.2). */
  readonly createDialog: (plan: RequestPlan, response: SipResponse, early: boolean, started: StartedInvite) => SipDialog | undefined
}

export class InviteClient implements InviteHandle {
  private readonly forks = new Map<string, SipDialog>()
  private answered: SipDialog | undefined
  private started: StartedInvite | undefined
  private provisionalSeen = false
  private cancelRequested = false
  private cancelSent = false
  private finished = false
  private stopCancelGuard: (() => void) | undefined

  constructor(
    private readonly host: InviteClientHost,
    private readonly plan: RequestPlan,
    private readonly spec: InviteSpec,
    private readonly events: InviteEvents,
  ) {}

  get callId(): string {
    return this.plan.callId
  }

  start(): void {
    this.started = this.host.uac.invite(this.plan, {
      onResponse: (response) => this.onResponse(response),
      onTimeout: () => this.fail({ _tag: 'Timeout' }),
      onTransportError: (error) => this.fail({ _tag: 'TransportFailure', error }),
      onAborted: () => this.fail({ _tag: 'StackClosed' }),
    })
  }

  readonly cancel = (): void => {
    if (this.finished || this.cancelRequested) return
    this.cancelRequested = true
    if (this.provisionalSeen) this.sendCancel()
    // RFC 3261 §9.1: with no final response 64*T1 after CANCEL, the INVITE counts as cancelled.
    this.stopCancelGuard = this.host.clock.schedule(this.host.clock.now() + 64 * this.host.timers.T1, () => {
      if (this.finished) return
      this.started?.transaction.dispose()
      this.fail({ _tag: 'Cancelled' })
    })
  }

  private sendCancel(): void {
    if (this.cancelSent || this.started === undefined) return
    this.cancelSent = true
    void this.host.uac.cancel(this.started, this.plan).then((result) => {
      if (result._tag === 'Left') this.host.logger.debug({ callId: this.plan.callId, failure: result.left._tag }, 'CANCEL got no 2xx')
    })
  }

  private onResponse(response: SipResponse): void {
    const status = response.status
    if (status < 200) {
      this.provisionalSeen = true
      const dialog = status > 100 ? this.fork(response, true) : undefined
      if (!this.finished && !this.cancelRequested) this.safely(() => this.events.onProgress?.(response, dialog))
      if (this.cancelRequested) this.sendCancel()
      return
    }
    if (status < 300) return this.onSuccess(response)
    this.endForks(status)
    this.fail(this.cancelRequested ? { _tag: 'Cancelled' } : { _tag: 'Rejected', response })
  }

  private onSuccess(response: SipResponse): void {
    const cseq = this.plan.cseq
    if (this.answered !== undefined && this.answered.id.remoteTag === response.toTag) {
      // A retransmission of the 2xx we accepted: our ACK was lost.
      this.answered.resendAck(cseq)
      return
    }
    const dialog = this.fork(response, false)
    if (dialog === undefined) {
      this.host.logger.warn({ callId: this.plan.callId }, '2xx to INVITE without a To tag or Contact; ignored')
      return
    }
    dialog.confirm()
    dialog.refreshTarget(response.getHeader('Contact'))
    if (this.answered !== undefined || this.finished) {
      // Another fork answered too, or the INVITE already ended: ACK and hang up (RFC 3261 §13.2.2.4).
      dialog.sendAck(cseq, undefined)
      void dialog.sendBye([], { _tag: 'ByeSent' })
      return
    }
    dialog.sendAck(cseq, this.spec.ackBody?.(response))
    this.answered = dialog
    for (const [tag, early] of this.forks) if (tag !== response.toTag) early.end({ _tag: 'EarlyDialogFailed', status: response.status })
    if (this.cancelRequested) {
      void dialog.sendBye([], { _tag: 'ByeSent' })
      this.fail({ _tag: 'Cancelled' })
      return
    }
    this.finish()
    this.safely(() => this.events.onAnswered(response, dialog))
  }

  /** The dialog for a response's To tag: an existing fork, or a new one. */
  private fork(response: SipResponse, early: boolean): SipDialog | undefined {
    const tag = response.toTag
    if (tag === '' || tag === undefined || this.started === undefined) return undefined
    const known = this.forks.get(tag)
    if (known !== undefined) return known
    const created = this.host.createDialog(this.plan, response, early, this.started)
    if (created !== undefined) this.forks.set(tag, created)
    return created
  }

  private endForks(status: number): void {
    for (const dialog of this.forks.values()) if (dialog !== this.answered) dialog.end({ _tag: 'EarlyDialogFailed', status })
  }

  private fail(failure: RequestFailure): void {
    if (this.finished) return
    this.endForks(0)
    this.finish()
    this.safely(() => this.events.onFailed(failure))
  }

  private finish(): void {
    this.finished = true
    this.stopCancelGuard?.()
  }

  private safely(call: () => void): void {
    try {
      call()
    } catch (error) {
      this.host.logger.error({ callId: this.plan.callId, err: error instanceof Error ? error.message : String(error) }, 'INVITE event handler failed')
    }
  }
}
