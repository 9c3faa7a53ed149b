/**
 * One request handed to the transaction user, with the means to answer it through its server
 * transaction. Dialog creation on the UAS side (RFC 3261 §12.1.1) happens here, when the TU
 * sends the response that creates the dialog: a 101-199 with our tag or a 2xx to an INVITE, a
 * 2xx to a SUBSCRIBE (RFC 6665 §4.2.1). The same To tag is used on every response (§8.2.6.2).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { Flow, TransportProtocol } from '../transport/transport-types.js'
import { contactTarget, isTargetRefresh, type SipDialog } from './dialog.js'
import { buildResponse, frameOf, type ResponseSpec } from './response-builder.js'
import type { SipRequest } from './sip-message.js'
import type { Dialog, DialogUsage, RespondError, ServerRequest } from './stack-types.js'
import type { InviteServerTransaction, NonInviteServerTransaction } from './transaction/server-transaction.js'
import { randomToken } from './uac-core.js'

export interface UasHost {
  readonly contactFor: (protocol: TransportProtocol) => string
  readonly server: string | undefined
  readonly createDialog: (request: SipRequest, flow: Flow, localTag: string, usage: DialogUsage, early: boolean, localContact: string) => SipDialog
  readonly logger: Logger
}

export class UasRequest implements ServerRequest {
  private localTag: string | undefined
  private cancelHandlers: Array<() => void> | undefined
  private dialogNow: SipDialog | undefined
  /** True when the dialog was created by this request (not an in-dialog request). */
  private createdDialog = false

  constructor(
    private readonly host: UasHost,
    readonly request: SipRequest,
    readonly flow: Flow,
    readonly transaction: InviteServerTransaction | NonInviteServerTransaction,
    dialog: SipDialog | undefined,
  ) {
    this.dialogNow = dialog
  }

  get dialog(): Dialog | undefined {
    return this.createdDialog ? undefined : this.dialogNow
  }

  /** The dialog this request created or belongs to, for the stack's own bookkeeping. */
  get anyDialog(): SipDialog | undefined {
    return this.dialogNow
  }

  // Methods rather than arrow properties: one function per class, not two closures per request.
  onCancel(handler: () => void): void {
    ;(this.cancelHandlers ??= []).push(handler)
  }

  respond(spec: ResponseSpec): E.Either<RespondError, Dialog | undefined> {
    const status = spec.status
    if (!Number.isInteger(status) || status < 100 || status > 699) return E.left({ _tag: 'InvalidStatus', status })
    const already = this.transaction.finalResponseStatus
    if (already !== undefined) return E.left({ _tag: 'AlreadyAnswered', status: already })
    const method = this.request.method
    const inDialog = this.dialogNow !== undefined && !this.createdDialog
    const createsDialog =
      !inDialog && ((method === 'INVITE' && status > 100 && status < 300) || (method === 'SUBSCRIBE' && status >= 200 && status < 300))
    const refreshes = inDialog && isTargetRefresh(method) && status >= 200 && status < 300
    const contact = spec.contact ?? this.host.contactFor(this.flow.protocol)
    const toTag = this.request.toTag !== '' && this.request.toTag !== undefined ? this.request.toTag : (this.localTag ??= randomToken(6))
    const bytes = buildResponse(frameOf(this.request), spec, {
      toTag,
      copyRecordRoute: createsDialog || (this.createdDialog && status < 300),
      defaultContact: createsDialog || refreshes || (this.createdDialog && status < 300) ? contact : undefined,
      server: this.host.server,
    })
    const sent = this.transaction.respond(status, bytes)
    if (E.isLeft(sent)) return E.left({ _tag: 'AlreadyAnswered', status: this.transaction.finalResponseStatus ?? status })
    if (createsDialog && this.dialogNow === undefined) {
      this.dialogNow = this.host.createDialog(this.request, this.flow, toTag, method === 'INVITE' ? 'invite' : 'subscription', status < 200, contact)
      this.createdDialog = true
    }
    const dialog = this.dialogNow
    if (dialog === undefined) return E.right(undefined)
    if (method === 'INVITE' && status >= 200) {
      dialog.uasInviteInProgress = false
      if (status < 300) {
        dialog.confirm()
        dialog.setPendingAck(this.request.cseq, this.transaction as InviteServerTransaction)
      } else if (this.createdDialog) {
        dialog.end({ _tag: 'EarlyDialogFailed', status })
      }
    }
    if (method === 'SUBSCRIBE' && status >= 200 && status < 300) dialog.confirm()
    return E.right(dialog)
  }

  /** The caller's CANCEL arrived (RFC 3261 §9.2): answer 487 if still unanswered, tell the TU. */
  cancelled(): void {
    if (this.transaction.finalResponseStatus !== undefined) return
    this.respond({ status: 487 })
    for (const handler of this.cancelHandlers ?? []) {
      try {
        handler()
      } catch (error) {
        this.host.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'CANCEL handler failed')
      }
    }
  }

  /** The remote target this request offers, for dialog creation. */
  get contactTarget(): string | undefined {
    return contactTarget(this.request.getHeader('Contact'))
  }
}
