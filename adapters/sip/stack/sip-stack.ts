/**
 * The SIP stack: parsing (SIP.js grammar behind a memo), RFC 3261 transactions with UDP
 * retransmission, dialogs, and the UAS/UAC cores, over any SipTransport. See stack-types.ts for
 * the API the call, presence and IM handling uses, and docs/decisions/0001-sip-stack.md for
 * what comes from SIP.js and why the rest does not.
 *
 * Answered here, statelessly (RFC 3261 §8.2.7), and never shown to the transaction user:
 * OPTIONS (200 with Allow, Accept, Supported), malformed requests (400 with the problem as
 * reason phrase and a Reason header, RFC 6432), SIP versions other than 2.0 (505), methods not
 * served (405/501 with Allow), unsupported Require (420), in-dialog requests for unknown dialogs
 * and BYE/CANCEL matching nothing (481), out-of-order CSeq in a dialog (500).
 */
import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import pino, { type Logger } from 'pino'
import type { Clock } from '../../../core/ports/clock.js'
import type { SipHeaders } from '../dialect/sip-headers.js'
import { defaultPort, describeFlow, isReliable, type Flow, type InboundEvent, type SendTarget, type SipTransport, type TransportError, type TransportProtocol } from '../transport/transport-types.js'
import { contactTarget, dialogKey, isTargetRefresh, SipDialog, type DialogHost } from './dialog.js'
import { splitHeaderList } from './header-list.js'
import { InviteClient } from './invite-client.js'
import { header } from './message-writer.js'
import { describeProblem, parseMessage, type ParseFailure } from './message-parser.js'
import { destinationOf, uriText, type Destination } from './next-hop.js'
import { createParseMemo, type ParseMemo } from './parse-memo.js'
import { admitRequest, allowHeader, type AdmissionPolicy } from './request-admission.js'
import { buildResponse, frameOf, frameOfLines, type ResponseFrame, type ResponseSpec } from './response-builder.js'
import { SipRequest, type SipResponse } from './sip-message.js'
import { defaultSipTimerConfig, type SipTimerConfig } from './sip-timers.js'
import type { DialogUsage, InviteEvents, InviteHandle, InviteSpec, OutgoingRequestSpec, RequestFailure, ServerRequest } from './stack-types.js'
import type { InviteClientTransaction, NonInviteClientTransaction } from './transaction/client-transaction.js'
import { InviteServerTransaction, NonInviteServerTransaction, type ServerTransactionUser } from './transaction/server-transaction.js'
import type { TransactionContext } from './transaction/transaction-context.js'
import { serverKey, serverKeyFor } from './transaction/transaction-keys.js'
import { UacCore, randomToken, type RequestPlan, type StartedInvite } from './uac-core.js'
import { UasRequest, type UasHost } from './uas-request.js'
import { magicCookie, stampViaHop } from './via-hop.js'

/** The methods Parley serves (DESIGN §4). REFER, PRACK, UPDATE… are answered 405. */
export const defaultAllow: ReadonlyArray<string> = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY']
/** Methods recognised but not served: 405 rather than 501 (RFC 3261 §8.2.1). */
export const recognisedMethods: ReadonlyArray<string> = ['REFER', 'PRACK', 'UPDATE', 'PUBLISH', 'REGISTER', 'SERVICE', 'BENOTIFY', 'NEGOTIATE']
/** Body types we take (OPTIONS Accept). */
export const defaultAccept: ReadonlyArray<string> = [
  'application/sdp',
  'multipart/alternative',
  'multipart/mixed',
  'application/dtmf-relay',
  'text/plain',
  'text/html',
  'application/msrtc-adrl-categorylist+xml',
  'application/im-iscomposing+xml',
]
/** Option tags a request may Require: SfB batched presence (PROTOCOLS 1.1) needs these. */
export const defaultSupported: ReadonlyArray<string> = ['adhoclist', 'categoryList', 'eventlist', 'ms-benotify', 'ms-piggyback-first-notify']

export interface SipStackOptions {
  readonly transport: SipTransport
  readonly clock: Clock
  /** Host for Via sent-by and our Contact (PARLEY_PUBLIC_HOST). */
  readonly publicHost: string
  readonly timers?: Partial<SipTimerConfig>
  readonly allow?: ReadonlyArray<string>
  readonly accept?: ReadonlyArray<string>
  readonly supported?: ReadonlyArray<string>
  /** `Server` / `User-Agent` header value; none when absent. */
  readonly userAgent?: string
  /** Distinct parsed header values remembered (default 4096; 0 turns the memo off). */
  readonly parseMemoCapacity?: number
  readonly logger?: Logger
}

type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction
type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction

/**
 * A request from an RFC 2543 element: its top Via branch lacks RFC 3261's magic cookie
 * (§8.1.1.7). Such an INVITE may come without Contact; RFC 4475 §3.4.1 (inv2543) is one that
 * RFC 3261 elements keeping backward compatibility accept.
 */
const isRfc2543 = (request: SipRequest): boolean => !request.viaBranch.startsWith(magicCookie)

const hostForUri = (host: string): string => (isIP(host) === 6 ? `[${host}]` : host)

export class SipStack {
  private readonly transport: SipTransport
  private readonly clock: Clock
  private readonly publicHost: string
  private readonly timers: SipTimerConfig
  private readonly policy: AdmissionPolicy
  private readonly accept: ReadonlyArray<string>
  private readonly userAgent: string | undefined
  private readonly logger: Logger
  private readonly memo: ParseMemo
  private readonly context: TransactionContext
  private readonly uac: UacCore
  private readonly dialogHost: DialogHost
  /** What every UasRequest needs of the stack: one object, not two closures per request. */
  private readonly uasHost: UasHost
  private readonly servers = new Map<string, ServerTransaction>()
  /** INVITEs not answered yet by server key, for CANCEL (RFC 3261 §9.2). */
  private readonly invites = new Map<string, UasRequest>()
  private readonly clients = new Map<string, ClientTransaction>()
  private readonly dialogs = new Map<string, SipDialog>()
  private handler: ((request: ServerRequest) => void) | undefined
  private closed = false

  constructor(options: SipStackOptions) {
    this.transport = options.transport
    this.clock = options.clock
    this.publicHost = options.publicHost
    this.timers = { ...defaultSipTimerConfig, ...options.timers }
    this.policy = { allow: options.allow ?? defaultAllow, recognised: recognisedMethods, supported: options.supported ?? defaultSupported }
    this.accept = options.accept ?? defaultAccept
    this.userAgent = options.userAgent
    this.logger = options.logger ?? pino({ level: 'silent' })
    this.memo = createParseMemo(options.parseMemoCapacity ?? 4096)
    this.context = { clock: this.clock, timers: this.timers, send: (target, bytes) => this.transport.send(target, bytes), logger: this.logger }
    this.uac = new UacCore({
      context: this.context,
      viaSentBy: (protocol) => this.sentBy(protocol),
      userAgent: this.userAgent,
      track: (transaction) => this.clients.set(transaction.key, transaction),
      untrack: (key) => this.clients.delete(key),
    })
    this.dialogHost = {
      uac: this.uac,
      memo: this.memo,
      protocols: () => new Set(this.transport.listening().keys()),
      contactFor: (protocol) => this.contactFor(protocol),
      viaSentBy: (protocol) => this.sentBy(protocol),
      userAgent: this.userAgent,
      forget: (dialog) => {
        if (this.dialogs.get(dialogKey(dialog.id)) === dialog) this.dialogs.delete(dialogKey(dialog.id))
      },
      logger: this.logger,
    }
    this.uasHost = {
      contactFor: (protocol) => this.contactFor(protocol),
      server: this.userAgent,
      createDialog: (req, f, localTag, usage, early, localContact) => this.createUasDialog(req, f, localTag, usage, early, localContact),
      logger: this.logger,
    }
    this.transport.onInbound((event) => this.receive(event))
  }

  // ---- API ----------------------------------------------------------------------------------

  /** The single consumer of requests outside a dialog (INVITE, SUBSCRIBE, MESSAGE…). Without one the stack answers 480. */
  onRequest(handler: (request: ServerRequest) => void): void {
    this.handler = handler
  }

  /** A request outside a dialog (MESSAGE, OPTIONS, NOTIFY…). Resolves with the 2xx, or why there was none. */
  request(spec: OutgoingRequestSpec): Promise<E.Either<RequestFailure, SipResponse>> {
    if (this.closed) return Promise.resolve(E.left({ _tag: 'StackClosed' }))
    const plan = this.planOutOfDialog(spec.method, spec)
    if (E.isLeft(plan)) return Promise.resolve(plan)
    return this.uac.nonInvite(plan.right)
  }

  /** An INVITE outside a dialog; events report progress, the answer or the failure. */
  invite(spec: InviteSpec, events: InviteEvents): InviteHandle {
    const plan = this.planOutOfDialog('INVITE', spec)
    if (this.closed || E.isLeft(plan)) {
      const failure: RequestFailure = E.isLeft(plan) ? plan.left : { _tag: 'StackClosed' }
      // Reported asynchronously, as every other outcome is.
      queueMicrotask(() => events.onFailed(failure))
      return { callId: spec.callId ?? '', cancel: () => undefined }
    }
    const client = new InviteClient(
      {
        uac: this.uac,
        clock: this.clock,
        timers: this.timers,
        logger: this.logger,
        createDialog: (p, response, early, started) => this.createUacDialog(p, response, early, started),
      },
      plan.right,
      spec,
      events,
    )
    client.start()
    return client
  }

  /** Our Contact for a transport: `<sip:host:port;transport=tls>`, with a user part when given. */
  contactFor(protocol: TransportProtocol, user?: string): string {
    const port = this.transport.listening().get(protocol)?.port ?? defaultPort(protocol)
    const userPart = user === undefined ? '' : `${user}@`
    return `<sip:${userPart}${hostForUri(this.publicHost)}:${port}${protocol === 'udp' ? '' : `;transport=${protocol}`}>`
  }

  /** Counts for status and tests. */
  get counts(): { readonly serverTransactions: number; readonly clientTransactions: number; readonly dialogs: number } {
    return { serverTransactions: this.servers.size, clientTransactions: this.clients.size, dialogs: this.dialogs.size }
  }

  /**
   * Ends pending requests and dialogs (StackClosed, without sending anything) and stops every
   * timer. The transport is closed by its owner. To hang up calls first, BYE their dialogs.
   */
  close(): void {
    this.closed = true
    this.uac.abortAll()
    for (const dialog of [...this.dialogs.values()]) dialog.end({ _tag: 'StackClosed' })
    for (const transaction of this.servers.values()) transaction.dispose()
    for (const transaction of this.clients.values()) transaction.dispose()
    this.servers.clear()
    this.clients.clear()
    this.invites.clear()
  }

  // ---- inbound --------------------------------------------------------------------------------

  private receive(event: InboundEvent): void {
    if (this.closed) return
    if (event._tag === 'Unframeable') return this.answerUnframeable(event)
    const parsed = parseMessage(event.head, event.body, this.memo)
    if (E.isLeft(parsed)) return this.answerMalformed(parsed.left, event.flow)
    const message = parsed.right
    if (message instanceof SipRequest) return this.receiveRequest(message, event.flow)
    message.receivedOn = event.flow
    this.receiveResponse(message)
  }

  private receiveResponse(response: SipResponse): void {
    // RFC 3261 §17.1.3: branch of the top Via and CSeq method; unmatched responses are dropped.
    const transaction = this.clients.get(`${response.viaBranch}|${response.method}`)
    if (transaction === undefined) {
      this.logger.debug({ status: response.status, method: response.method }, 'dropping a response that matches no transaction')
      return
    }
    transaction.receiveResponse(response)
  }

  private receiveRequest(request: SipRequest, flow: Flow): void {
    // RFC 3261 §18.2.1 / RFC 3581 §4: note where the request really came from.
    const stamped = stampViaHop(request.topVia, flow.remote)
    if (stamped !== request.topVia) {
      request.topVia = stamped
      const vias = request.headers['Via']
      if (vias !== undefined && vias.length > 0) vias[0] = { raw: stamped.text }
    }
    const existing = this.servers.get(serverKey(request))
    if (existing !== undefined) {
      const absorbed = existing.receiveRequest(request.method)
      if (absorbed === 'ack-for-tu') this.routeAck(request)
      return
    }
    if (request.method === 'ACK') return this.routeAck(request)
    if (request.method === 'CANCEL') return this.receiveCancel(request, flow)
    const admission = admitRequest(request, this.policy)
    if (admission._tag === 'Refuse') {
      return this.answerStatelessly(request, flow, { status: admission.status, ...(admission.reason === undefined ? {} : { reason: admission.reason }), headers: admission.headers })
    }
    if (request.method === 'OPTIONS') return this.answerStatelessly(request, flow, { status: 200, headers: this.capabilityHeaders() })
    if (request.toTag !== '' && request.toTag !== undefined) return this.receiveInDialog(request, flow)
    this.receiveOutOfDialog(request, flow)
  }

  private receiveOutOfDialog(request: SipRequest, flow: Flow): void {
    const method = request.method
    // RFC 3261 §15.1.2: a BYE outside a dialog.
    if (method === 'BYE') return this.answerStatelessly(request, flow, { status: 481 })
    if ((method === 'INVITE' || method === 'SUBSCRIBE') && contactTarget(request.getHeader('Contact')) === undefined && !(method === 'INVITE' && isRfc2543(request))) {
      return this.answerStatelessly(request, flow, { status: 400, reason: 'Missing Contact header', headers: [reasonHeader(400, 'Missing Contact header')] })
    }
    const uas = this.startServerTransaction(request, flow, undefined)
    const handler = this.handler
    if (handler === undefined) {
      uas.respond({ status: 480, reason: 'No handler' })
      return
    }
    this.deliver(handler, uas)
  }

  private receiveInDialog(request: SipRequest, flow: Flow): void {
    const dialog = this.dialogs.get(dialogKey({ callId: request.callId, localTag: request.toTag, remoteTag: request.fromTag }))
    // RFC 3261 §12.2.2: a To tag that matches no dialog.
    if (dialog === undefined) return this.answerStatelessly(request, flow, { status: 481 })
    if (!dialog.acceptRemoteCSeq(request.cseq)) return this.answerStatelessly(request, flow, { status: 500, reason: 'CSeq out of order' })
    const method = request.method
    if (method === 'INVITE') {
      // RFC 3261 §14.2: glare and overlapping re-INVITEs.
      const pending = dialog.inviteInProgress
      if (pending.uac) return this.answerStatelessly(request, flow, { status: 491 })
      if (pending.uas) return this.answerStatelessly(request, flow, { status: 500, headers: [header('Retry-After', String(Math.floor(Math.random() * 10)))] })
    }
    const uas = this.startServerTransaction(request, flow, dialog)
    if (method === 'BYE') {
      uas.respond({ status: 200 })
      dialog.end({ _tag: 'ByeReceived', request })
      return
    }
    if (method === 'INVITE') dialog.uasInviteInProgress = true
    if (isTargetRefresh(method)) dialog.refreshTarget(request.getHeader('Contact'))
    const onRequest = dialog.currentHandler.onRequest
    if (onRequest === undefined) {
      uas.respond({ status: 501, reason: 'No handler for this request in the dialog' })
      return
    }
    this.deliver(onRequest, uas)
  }

  private receiveCancel(request: SipRequest, flow: Flow): void {
    // RFC 3261 §9.2: the CANCEL finds its INVITE by the same matching rules, method INVITE.
    const inviteKey = serverKeyFor(request, 'INVITE')
    const invite = this.invites.get(inviteKey)
    if (invite === undefined && !this.servers.has(inviteKey)) return this.answerStatelessly(request, flow, { status: 481 })
    const uas = this.startServerTransaction(request, flow, undefined)
    uas.respond({ status: 200 })
    // An INVITE already answered finally is not affected (§9.2); its CANCEL still gets its 200.
    invite?.cancelled()
  }

  private routeAck(ack: SipRequest): void {
    const dialog = this.dialogs.get(dialogKey({ callId: ack.callId, localTag: ack.toTag, remoteTag: ack.fromTag }))
    if (dialog === undefined || !dialog.receiveAck(ack)) return
    const onAck = dialog.currentHandler.onAck
    if (onAck === undefined) return
    try {
      onAck(ack)
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'ACK handler failed')
    }
  }

  private startServerTransaction(request: SipRequest, flow: Flow, dialog: SipDialog | undefined): UasRequest {
    const key = serverKey(request)
    const user = new ServerTransactionOwner(this, key, flow)
    const targets = this.responseTargets(request, flow)
    const reliable = isReliable(flow.protocol)
    const transaction =
      request.method === 'INVITE'
        ? new InviteServerTransaction(this.context, key, targets, reliable, user)
        : new NonInviteServerTransaction(this.context, key, targets, reliable, user)
    this.servers.set(key, transaction)
    const uas = new UasRequest(this.uasHost, request, flow, transaction, dialog)
    if (request.method === 'INVITE') {
      user.uas = uas
      this.invites.set(key, uas)
      // RFC 3261 §17.2.1: 100 Trying unless the TU answers within 200 ms (see tryingAfter).
      ;(transaction as InviteServerTransaction).tryingAfter(this.timers.trying, () => uas.respond({ status: 100 }))
    }
    return uas
  }

  /** For ServerTransactionOwner: the transaction is over. */
  serverTransactionEnded(key: string): void {
    this.servers.delete(key)
    this.invites.delete(key)
  }

  /** For ServerTransactionOwner: the INVITE has its final response, so a CANCEL can no longer affect it. */
  inviteAnswered(key: string): void {
    this.invites.delete(key)
  }

  /** For ServerTransactionOwner. */
  responseNotSent(flow: Flow, error: TransportError): void {
    this.logger.info({ flow: describeFlow(flow), error }, 'could not send a response')
  }

  private deliver(handler: (request: ServerRequest) => void, uas: UasRequest): void {
    try {
      handler(uas)
    } catch (error) {
      this.logger.error({ method: uas.request.method, err: error instanceof Error ? error.message : String(error) }, 'request handler failed')
      uas.respond({ status: 500, reason: 'Server Internal Error' })
    }
  }

  // ---- dialogs ----------------------------------------------------------------------------------

  private createUasDialog(request: SipRequest, flow: Flow, localTag: string, usage: DialogUsage, early: boolean, localContact: string): SipDialog {
    const to = request.getHeader('To') ?? ''
    const dialog = new SipDialog(this.dialogHost, { callId: request.callId, localTag, remoteTag: request.fromTag }, usage, {
      state: early ? 'early' : 'confirmed',
      localParty: request.toTag !== '' && request.toTag !== undefined ? to : `${to};tag=${localTag}`,
      remoteParty: request.getHeader('From') ?? '',
      localCSeq: 0,
      remoteCSeq: request.cseq,
      // An RFC 2543 INVITE may lack Contact (optional there): its From address is then the caller.
      remoteTarget: contactTarget(request.getHeader('Contact')) ?? request.from?.uri.toString() ?? request.requestUri,
      // RFC 3261 §12.1.1: the Record-Route values in order.
      routeSet: request.getHeaders('Record-Route').flatMap(splitHeaderList),
      flow,
      localContact,
    })
    this.dialogs.set(dialogKey(dialog.id), dialog)
    return dialog
  }

  private createUacDialog(plan: RequestPlan, response: SipResponse, early: boolean, started: StartedInvite): SipDialog | undefined {
    const target = contactTarget(response.getHeader('Contact'))
    if (target === undefined) return undefined
    const localTag = fromTagOf(plan.from)
    const dialog = new SipDialog(this.dialogHost, { callId: plan.callId, localTag, remoteTag: response.toTag }, 'invite', {
      state: early ? 'early' : 'confirmed',
      localParty: plan.from,
      remoteParty: response.getHeader('To') ?? plan.to,
      localCSeq: plan.cseq,
      remoteCSeq: undefined,
      remoteTarget: target,
      // RFC 3261 §12.1.2: the Record-Route values in reverse order.
      routeSet: response.getHeaders('Record-Route').flatMap(splitHeaderList).reverse(),
      flow: response.receivedOn ?? started.transaction.flow,
      localContact: plan.contact,
    })
    this.dialogs.set(dialogKey(dialog.id), dialog)
    return dialog
  }

  // ---- outbound helpers --------------------------------------------------------------------------

  private sentBy(protocol: TransportProtocol): string {
    const port = this.transport.listening().get(protocol)?.port ?? defaultPort(protocol)
    return `${hostForUri(this.publicHost)}:${port}`
  }

  private planOutOfDialog(method: string, spec: Omit<OutgoingRequestSpec, 'method'>): E.Either<RequestFailure, RequestPlan> {
    const routes = spec.route ?? []
    const firstRoute = routes[0]
    const hop: Destination | undefined = spec.destination ?? destinationOf(firstRoute === undefined ? spec.requestUri : uriText(firstRoute), this.memo, new Set(this.transport.listening().keys()))
    if (hop === undefined) return E.left({ _tag: 'NoRoute', uri: routes[0] ?? spec.requestUri })
    const target: SendTarget = { _tag: 'Destination', protocol: hop.protocol, host: hop.host, port: hop.port, ...(hop.serverName === undefined ? {} : { serverName: hop.serverName }) }
    const wantsContact = method === 'INVITE' || isTargetRefresh(method)
    return E.right({
      method,
      requestUri: spec.requestUri,
      from: `${spec.from};tag=${randomToken(6)}`,
      to: spec.to,
      callId: spec.callId ?? `${randomToken(12)}@${hostForUri(this.publicHost)}`,
      cseq: spec.cseq ?? 1,
      routes,
      contact: spec.contact ?? (wantsContact ? this.contactFor(hop.protocol) : undefined),
      headers: spec.headers ?? [],
      body: spec.body,
      targets: [target],
      protocol: hop.protocol,
    })
  }

  /**
   * RFC 3261 §18.2.2 with RFC 3581: back on the request's connection, else a new one to the
   * `received` address and sent-by port; over UDP to `received`:`rport` (the source), or to
   * `received` and the sent-by port.
   */
  private responseTargets(request: SipRequest, flow: Flow): ReadonlyArray<SendTarget> {
    const via = request.topVia
    const host = unbracket(via.received ?? via.host)
    if (flow.protocol !== 'udp') {
      return [
        { _tag: 'Flow', flow },
        { _tag: 'Destination', protocol: flow.protocol, host, port: via.port ?? defaultPort(flow.protocol) },
      ]
    }
    const port = via.rport ?? via.port ?? defaultPort('udp')
    return [{ _tag: 'Destination', protocol: 'udp', host, port }]
  }

  // ---- stateless answers ------------------------------------------------------------------------------

  private capabilityHeaders(): SipHeaders {
    return [allowHeader(this.policy), header('Accept', this.accept.join(', ')), header('Supported', this.policy.supported.join(', '))]
  }

  /** RFC 3261 §8.2.7: no transaction; a retransmission gets the same answer, same To tag. */
  private answerStatelessly(request: SipRequest, flow: Flow, spec: ResponseSpec): void {
    this.sendStateless(frameOf(request), spec, this.responseTargets(request, flow))
  }

  private sendStateless(frame: ResponseFrame, spec: ResponseSpec, targets: ReadonlyArray<SendTarget>): void {
    const toTag = createHash('sha1').update(`${frame.callId}|${frame.from}|${frame.vias[0] ?? ''}`).digest('hex').slice(0, 10)
    const bytes = buildResponse(frame, spec, { toTag, copyRecordRoute: false, defaultContact: undefined, server: this.userAgent })
    void (async () => {
      for (const target of targets) {
        const sent = await this.transport.send(target, bytes)
        if (E.isRight(sent)) return
      }
      this.logger.debug({ status: spec.status }, 'could not send a stateless response')
    })()
  }

  private answerMalformed(failure: ParseFailure, flow: Flow): void {
    const reason = describeProblem(failure.problem)
    this.logger.info({ flow: describeFlow(flow), problem: failure.problem }, 'malformed SIP message')
    if (failure.kind !== 'request') return // a bad response is dropped (RFC 3261 §18.3)
    const frame = frameOfLines(failure.headers)
    if (frame === undefined) return
    const status = failure.problem._tag === 'UnsupportedVersion' ? 505 : 400
    this.sendStateless(frame, { status, reason, headers: [reasonHeader(status, reason)] }, [{ _tag: 'Flow', flow }])
  }

  private answerUnframeable(event: Extract<InboundEvent, { _tag: 'Unframeable' }>): void {
    const problem = event.problem
    const reason =
      problem._tag === 'MissingContentLength'
        ? 'Missing Content-Length'
        : problem._tag === 'TruncatedBody'
          ? 'Body shorter than Content-Length'
          : problem._tag === 'InvalidContentLength'
            ? 'Malformed Content-Length'
            : problem._tag === 'TooManyHeaders'
              ? 'Too many header fields'
              : problem._tag === 'MessageTooLarge'
                ? 'Message Too Large'
                : 'Malformed message'
    this.logger.info({ flow: describeFlow(event.flow), problem }, 'unframeable SIP message')
    if (!/^[A-Za-z]+ \S+ SIP\/2\.0\r?$/m.test(event.head.split('\r\n', 1)[0] ?? '')) return
    const lines = event.head.split('\r\n').slice(1)
    const frame = frameOfLines(lines.flatMap((line) => {
      const colon = line.indexOf(':')
      return colon > 0 ? [{ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() }] : []
    }))
    if (frame === undefined) return
    // RFC 3261 §21.5.14: 513 for a message longer than we take.
    const status = problem._tag === 'MessageTooLarge' ? 513 : 400
    this.sendStateless(frame, { status, reason, headers: [reasonHeader(status, reason)] }, [{ _tag: 'Flow', flow: event.flow }])
  }
}

/** RFC 3326 Reason, allowed in responses by RFC 6432. */
const reasonHeader = (status: number, text: string) => header('Reason', `SIP ;cause=${status} ;text="${text.replace(/["\\]/g, '')}"`)

const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host)

const fromTagOf = (from: string): string => /;\s*tag=([^;\s>]+)/i.exec(from.slice(from.lastIndexOf('>') + 1))?.[1] ?? ''

/**
 * The user of one server transaction. A transaction outlives its request by up to 64·T1 (32 s)
 * to absorb retransmissions; holding the UasRequest (and through it the request, the dialog and
 * the call's state) that long kept ~36 KB per call alive under load, most of it promoted out of
 * the young generation. So the request is held only while it can still matter: an INVITE's
 * until its 2xx is acknowledged (an unacknowledged 2xx ends the dialog with BYE, RFC 3261
 * §13.3.1.4), nothing for other methods.
 */
class ServerTransactionOwner implements ServerTransactionUser {
  uas: UasRequest | undefined

  constructor(
    private readonly stack: SipStack,
    private readonly key: string,
    private readonly flow: Flow,
  ) {}

  onTerminated(): void {
    this.uas = undefined
    this.stack.serverTransactionEnded(this.key)
  }

  onAckTimeout(outcome: 'success' | 'failure'): void {
    const created = this.uas?.anyDialog
    this.uas = undefined
    if (outcome === 'success' && created !== undefined && created.state !== 'terminated') void created.sendBye([], { _tag: 'AckTimeout' })
  }

  onTransportError(error: TransportError): void {
    this.stack.responseNotSent(this.flow, error)
  }

  onFinalResponse(): void {
    this.stack.inviteAnswered(this.key)
  }

  onAcknowledged(): void {
    this.uas = undefined
  }
}
