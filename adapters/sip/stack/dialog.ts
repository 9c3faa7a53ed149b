/**
 * Dialog state, RFC 3261 §12: id (Call-ID, local tag, remote tag), local and remote CSeq, route
 * set, remote target; requests within the dialog (§12.2.1.1, strict routes included), the ACK
 * for a 2xx (§13.2.2.4), re-INVITE (§14), BYE (§15). One usage per dialog: an INVITE session or
 * a SUBSCRIBE subscription (RFC 6665) — what SfB and SIP endpoints use with us.
 *
 * In-dialog requests go back over the connection the dialog was made on while it is open (SfB
 * and most SIP-over-TLS peers expect that; RFC 5923 connection reuse), else to the next hop.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { SipHeaders } from '../dialect/sip-headers.js'
import type { Flow, SendTarget, TransportProtocol } from '../transport/transport-types.js'
import { destinationOf, isLooseRoute, uriText, type Destination } from './next-hop.js'
import type { ParseMemo } from './parse-memo.js'
import type { SipRequest, SipResponse } from './sip-message.js'
import type {
  Dialog,
  DialogEnd,
  DialogHandler,
  DialogId,
  DialogState,
  DialogUsage,
  InDialogRequestSpec,
  ReinviteSpec,
  RequestFailure,
} from './stack-types.js'
import type { InviteServerTransaction } from './transaction/server-transaction.js'
import { buildRequest, newBranch, type RequestPlan, type UacCore } from './uac-core.js'

export interface DialogHost {
  readonly uac: UacCore
  readonly memo: ParseMemo
  readonly protocols: () => ReadonlySet<TransportProtocol>
  readonly contactFor: (protocol: TransportProtocol) => string
  readonly viaSentBy: (protocol: TransportProtocol) => string
  readonly userAgent: string | undefined
  readonly forget: (dialog: SipDialog) => void
  readonly logger: Logger
}

export interface DialogInit {
  readonly state: DialogState
  readonly localParty: string
  readonly remoteParty: string
  readonly localCSeq: number
  readonly remoteCSeq: number | undefined
  readonly remoteTarget: string
  readonly routeSet: ReadonlyArray<string>
  readonly flow: Flow | undefined
  readonly localContact: string | undefined
}

export const dialogKey = (id: DialogId): string => `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`

/** Methods whose request (and 2xx) replace the remote target (RFC 3261 §12.2, RFC 6665 §4.1.2). */
export const isTargetRefresh = (method: string): boolean => method === 'INVITE' || method === 'UPDATE' || method === 'SUBSCRIBE' || method === 'NOTIFY' || method === 'REFER'

/** The remote target from a Contact header value (the URI inside `<...>`). */
export const contactTarget = (contact: string | undefined): string | undefined => {
  if (contact === undefined || contact.trim() === '' || contact.trim() === '*') return undefined
  const target = uriText(contact)
  return target === '' ? undefined : target
}

const toDestinationTarget = (d: Destination): SendTarget => ({ _tag: 'Destination', protocol: d.protocol, host: d.host, port: d.port, ...(d.serverName === undefined ? {} : { serverName: d.serverName }) })

export class SipDialog implements Dialog {
  private stateNow: DialogState
  private handler: DialogHandler = {}
  private localCSeq: number
  private remoteCSeq: number | undefined
  private target: string
  private routes: ReadonlyArray<string>
  private readonly flowNow: Flow | undefined
  private readonly localContact: string | undefined
  private ended = false
  /** UAS: the INVITE transaction whose 2xx waits for its ACK. */
  private pendingAck: { readonly cseq: number; readonly transaction: InviteServerTransaction } | undefined
  /** UAC: the ACK sent for a 2xx, resent when that 2xx is retransmitted. */
  private sentAck: { readonly cseq: number; readonly bytes: Buffer; readonly targets: ReadonlyArray<SendTarget> } | undefined
  private uacInvitePending = false
  private uasInvitePending = false

  readonly localParty: string
  readonly remoteParty: string

  constructor(
    private readonly host: DialogHost,
    readonly id: DialogId,
    readonly usage: DialogUsage,
    init: DialogInit,
  ) {
    this.stateNow = init.state
    this.localParty = init.localParty
    this.remoteParty = init.remoteParty
    this.localCSeq = init.localCSeq
    this.remoteCSeq = init.remoteCSeq
    this.target = init.remoteTarget
    this.routes = init.routeSet
    this.flowNow = init.flow
    this.localContact = init.localContact
  }

  get state(): DialogState {
    return this.stateNow
  }

  get remoteTarget(): string {
    return this.target
  }

  get routeSet(): ReadonlyArray<string> {
    return this.routes
  }

  get flow(): Flow | undefined {
    return this.flowNow
  }

  get currentHandler(): DialogHandler {
    return this.handler
  }

  readonly setHandler = (handler: DialogHandler): void => {
    this.handler = handler
  }

  // ---- state changes driven by the stack (UAS side) -------------------------------------

  confirm(): void {
    if (this.stateNow === 'early') this.stateNow = 'confirmed'
  }

  /** RFC 3261 §12.2.2: a request with a lower CSeq than the last is out of order (answer 500). */
  acceptRemoteCSeq(cseq: number): boolean {
    if (this.remoteCSeq !== undefined && cseq <= this.remoteCSeq) return false
    this.remoteCSeq = cseq
    return true
  }

  refreshTarget(contact: string | undefined): void {
    const target = contactTarget(contact)
    if (target !== undefined) this.target = target
  }

  /** A route set learnt from a 2xx replaces the one from an early 1xx (RFC 3261 §12.1.2 note). */
  replaceRouteSet(routes: ReadonlyArray<string>): void {
    this.routes = routes
  }

  setPendingAck(cseq: number, transaction: InviteServerTransaction): void {
    this.pendingAck = { cseq, transaction }
  }

  set uasInviteInProgress(value: boolean) {
    this.uasInvitePending = value
  }

  get inviteInProgress(): { readonly uac: boolean; readonly uas: boolean } {
    return { uac: this.uacInvitePending, uas: this.uasInvitePending }
  }

  /** An ACK arrived for this dialog. True when it is the first for our pending 2xx. */
  receiveAck(ack: SipRequest): boolean {
    const pending = this.pendingAck
    if (pending === undefined || pending.cseq !== ack.cseq) return false
    pending.transaction.ackReceived()
    this.pendingAck = undefined
    this.confirm()
    return true
  }

  /** Ends the dialog and tells the handler, once. */
  end(reason: DialogEnd): void {
    if (this.ended) return
    this.ended = true
    this.stateNow = 'terminated'
    this.pendingAck?.transaction.ackReceived()
    this.pendingAck = undefined
    this.host.forget(this)
    try {
      this.handler.onTerminated?.(reason)
    } catch (error) {
      this.host.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'dialog termination handler failed')
    }
  }

  // ---- requests we send ------------------------------------------------------------------

  readonly request = (spec: InDialogRequestSpec): Promise<E.Either<RequestFailure, SipResponse>> => {
    // ACK and CANCEL belong to the stack (RFC 3261 §13.2.2.4, §9.1); asking for one is a bug.
    if (spec.method === 'ACK' || spec.method === 'CANCEL') throw new Error(`${spec.method} is sent by the stack, not requested`)
    if (spec.method === 'INVITE') return this.reinvite({ ...(spec.headers === undefined ? {} : { headers: spec.headers }), ...(spec.body === undefined ? {} : { body: spec.body }) })
    if (spec.method === 'BYE') return this.bye(spec.headers)
    if (this.stateNow === 'terminated') return Promise.resolve(E.left({ _tag: 'DialogTerminated' }))
    const plan = this.plan(spec.method, ++this.localCSeq, spec.headers ?? [], spec.body)
    if (E.isLeft(plan)) return Promise.resolve(plan)
    return this.host.uac.nonInvite(plan.right).then((result) => this.watchForRemoteGone(result))
  }

  readonly reinvite = (spec: ReinviteSpec): Promise<E.Either<RequestFailure, SipResponse>> => {
    if (this.stateNow === 'terminated') return Promise.resolve(E.left({ _tag: 'DialogTerminated' }))
    if (this.uacInvitePending || this.uasInvitePending) return Promise.resolve(E.left({ _tag: 'InviteInProgress' }))
    const cseq = ++this.localCSeq
    const plan = this.plan('INVITE', cseq, spec.headers ?? [], spec.body)
    if (E.isLeft(plan)) return Promise.resolve(plan)
    this.uacInvitePending = true
    return new Promise((resolve) => {
      const settle = (result: E.Either<RequestFailure, SipResponse>): void => {
        this.uacInvitePending = false
        resolve(this.watchForRemoteGone(result))
      }
      this.host.uac.invite(plan.right, {
        onResponse: (response) => {
          if (response.status < 200) return
          if (response.status >= 300) return settle(E.left({ _tag: 'Rejected', response }))
          // A 2xx to a re-INVITE (and its retransmissions) is ACKed by us (RFC 3261 §14.1).
          const first = this.sentAck?.cseq !== cseq
          this.refreshTarget(response.getHeader('Contact'))
          this.sendAck(cseq, first ? spec.ackBody?.(response) : undefined)
          if (first) settle(E.right(response))
        },
        onTimeout: () => settle(E.left({ _tag: 'Timeout' })),
        onTransportError: (error) => settle(E.left({ _tag: 'TransportFailure', error })),
        onAborted: () => settle(E.left({ _tag: 'StackClosed' })),
      })
    })
  }

  readonly bye = (headers?: SipHeaders): Promise<E.Either<RequestFailure, SipResponse>> => this.sendBye(headers ?? [], { _tag: 'ByeSent' })

  /** BYE, ending the dialog with `reason` as it is sent (RFC 3261 §15.1.1: whatever the answer). */
  sendBye(headers: SipHeaders, reason: DialogEnd): Promise<E.Either<RequestFailure, SipResponse>> {
    if (this.stateNow === 'terminated') return Promise.resolve(E.left({ _tag: 'DialogTerminated' }))
    const plan = this.plan('BYE', ++this.localCSeq, headers, undefined)
    this.end(reason)
    if (E.isLeft(plan)) return Promise.resolve(plan)
    return this.host.uac.nonInvite(plan.right)
  }

  readonly terminate = (): void => this.end({ _tag: 'Local' })

  /**
   * The ACK for the 2xx to our INVITE with `cseq` (RFC 3261 §13.2.2.4): a new transaction of
   * its own, sent again whenever that 2xx is retransmitted.
   */
  sendAck(cseq: number, body: InDialogRequestSpec['body']): void {
    if (this.sentAck?.cseq === cseq) {
      this.host.uac.sendStateless(this.sentAck.targets, this.sentAck.bytes)
      return
    }
    const plan = this.plan('ACK', cseq, [], body)
    if (E.isLeft(plan)) return
    const built = buildRequest(plan.right, this.host.viaSentBy(plan.right.protocol), this.host.userAgent, newBranch())
    this.sentAck = { cseq, bytes: built.bytes, targets: plan.right.targets }
    this.host.uac.sendStateless(plan.right.targets, built.bytes)
  }

  /** For the UAC: a retransmitted 2xx for an INVITE we already ACKed. */
  resendAck(cseq: number): void {
    if (this.sentAck?.cseq === cseq) this.host.uac.sendStateless(this.sentAck.targets, this.sentAck.bytes)
  }

  private watchForRemoteGone(result: E.Either<RequestFailure, SipResponse>): E.Either<RequestFailure, SipResponse> {
    // RFC 5057 §5.2: 481 and 408 to an in-dialog request end the dialog.
    if (E.isLeft(result) && result.left._tag === 'Rejected' && (result.left.response.status === 481 || result.left.response.status === 408)) {
      this.end({ _tag: 'RemoteGone', status: result.left.response.status })
    }
    return result
  }

  /** Request-URI, Route and next hop for a request in this dialog (RFC 3261 §12.2.1.1). */
  private plan(method: string, cseq: number, headers: SipHeaders, body: InDialogRequestSpec['body']): E.Either<RequestFailure, RequestPlan> {
    let requestUri = this.target
    let routes = this.routes
    const first = routes[0]
    if (first !== undefined && !isLooseRoute(first, this.host.memo)) {
      // A strict router: it becomes the Request-URI and the remote target the last Route.
      requestUri = uriText(first)
      routes = [...routes.slice(1), `<${this.target}>`]
    }
    const firstRoute = this.routes[0]
    const nextHop = destinationOf(firstRoute === undefined ? this.target : uriText(firstRoute), this.host.memo, this.host.protocols())
    const flow = this.flowNow
    let targets: SendTarget[]
    let protocol: TransportProtocol
    if (flow !== undefined && flow.protocol !== 'udp') {
      targets = [{ _tag: 'Flow', flow }]
      if (nextHop !== undefined && nextHop.protocol === flow.protocol) targets.push(toDestinationTarget(nextHop))
      protocol = flow.protocol
    } else if (nextHop !== undefined) {
      targets = [toDestinationTarget(nextHop)]
      protocol = nextHop.protocol
    } else {
      return E.left({ _tag: 'NoRoute', uri: this.routes[0] ?? this.target })
    }
    const contact = isTargetRefresh(method) ? (this.localContact ?? this.host.contactFor(protocol)) : undefined
    return E.right({
      method,
      requestUri,
      from: this.localParty,
      to: this.remoteParty,
      callId: this.id.callId,
      cseq,
      routes,
      contact,
      headers,
      body,
      targets,
      protocol,
    })
  }
}
