/**
 * The client side below the transaction user: builds a request from a plan (RFC 3261 §8.1.1:
 * Via with a fresh branch and, over UDP, `rport` per RFC 3581; Max-Forwards; Route; CSeq),
 * runs it through a client transaction, and turns the outcome into an Either. Also CANCEL
 * (§9.1) and the ACK for failure responses (§17.1.1.3).
 */
import { randomBytes, randomFillSync } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { SipHeader, SipHeaders } from '../dialect/sip-headers.js'
import { isReliable, viaTransportToken, type SendTarget, type TransportProtocol } from '../transport/transport-types.js'
import { header, serialize, type SipBody } from './message-writer.js'
import type { SipResponse } from './sip-message.js'
import type { RequestFailure } from './stack-types.js'
import { InviteClientTransaction, NonInviteClientTransaction, type ClientTransactionUser } from './transaction/client-transaction.js'
import { sendToFirst, type TransactionContext } from './transaction/transaction-context.js'
import { clientKey } from './transaction/transaction-keys.js'
import { magicCookie } from './via-hop.js'

export interface RequestPlan {
  readonly method: string
  readonly requestUri: string
  /** From header value, with our tag. */
  readonly from: string
  /** To header value (with the remote tag inside a dialog). */
  readonly to: string
  readonly callId: string
  readonly cseq: number
  readonly routes: ReadonlyArray<string>
  readonly contact: string | undefined
  readonly headers: SipHeaders
  readonly body: SipBody | undefined
  /** Next hops in order of preference, all of `protocol`. */
  readonly targets: ReadonlyArray<SendTarget>
  readonly protocol: TransportProtocol
}

export interface UacHost {
  readonly context: TransactionContext
  /** `host:port` for our Via on this transport. */
  readonly viaSentBy: (protocol: TransportProtocol) => string
  readonly userAgent: string | undefined
  readonly track: (transaction: InviteClientTransaction | NonInviteClientTransaction) => void
  readonly untrack: (key: string) => void
}

/*
 * Tags and branches (RFC 3261 §19.3: globally unique, cryptographically random) are cut from a
 * pool refilled from the CSPRNG 4 KB at a time: crypto.randomBytes costs ~15-20 µs a call, most
 * of it the job around the few bytes asked for.
 */
const tokenPool = Buffer.allocUnsafe(4096)
let tokenPoolUsed = tokenPool.length

export const randomToken = (bytes = 8): string => {
  if (bytes > tokenPool.length) return randomBytes(bytes).toString('hex')
  if (tokenPoolUsed + bytes > tokenPool.length) {
    randomFillSync(tokenPool)
    tokenPoolUsed = 0
  }
  const token = tokenPool.toString('hex', tokenPoolUsed, tokenPoolUsed + bytes)
  tokenPoolUsed += bytes
  return token
}
export const newBranch = (): string => magicCookie + randomToken(10)

export interface BuiltRequest {
  readonly bytes: Buffer
  readonly via: string
  readonly branch: string
}

export const buildRequest = (plan: RequestPlan, sentBy: string, userAgent: string | undefined, branch = newBranch()): BuiltRequest => {
  const via = `SIP/2.0/${viaTransportToken(plan.protocol)} ${sentBy};branch=${branch}${plan.protocol === 'udp' ? ';rport' : ''}`
  const headers: SipHeader[] = [header('Via', via), header('Max-Forwards', '70')]
  for (const route of plan.routes) headers.push(header('Route', route))
  headers.push(header('From', plan.from), header('To', plan.to), header('Call-ID', plan.callId), header('CSeq', `${plan.cseq} ${plan.method}`))
  if (plan.contact !== undefined) headers.push(header('Contact', plan.contact))
  if (userAgent !== undefined) headers.push(header('User-Agent', userAgent))
  headers.push(...plan.headers)
  return { bytes: serialize(`${plan.method} ${plan.requestUri} SIP/2.0`, headers, plan.body), via, branch }
}

/** The hop-by-hop ACK for a failure response: the INVITE's Via, Route, From, Call-ID; the response's To. */
const failureAck = (plan: RequestPlan, via: string, response: SipResponse): Buffer => {
  const headers: SipHeader[] = [header('Via', via), header('Max-Forwards', '70')]
  for (const route of plan.routes) headers.push(header('Route', route))
  headers.push(header('From', plan.from), header('To', response.getHeader('To') ?? plan.to), header('Call-ID', plan.callId), header('CSeq', `${plan.cseq} ACK`))
  return serialize(`ACK ${plan.requestUri} SIP/2.0`, headers)
}

export interface InviteTransactionUser {
  readonly onResponse: (response: SipResponse) => void
  readonly onTimeout: () => void
  readonly onTransportError: ClientTransactionUser['onTransportError']
  /** The stack closed before the INVITE ended. */
  readonly onAborted: () => void
}

export interface StartedInvite {
  readonly transaction: InviteClientTransaction
  readonly built: BuiltRequest
}

export class UacCore {
  /** What to tell the waiting transaction users if the stack closes under them. */
  private readonly aborts = new Set<() => void>()

  constructor(private readonly host: UacHost) {}

  /** Ends every pending request with StackClosed (their transactions are disposed by the stack). */
  abortAll(): void {
    const aborts = [...this.aborts]
    this.aborts.clear()
    for (const abort of aborts) abort()
  }

  /** A non-INVITE request; resolves with the 2xx, or the failure (Rejected for 3xx-6xx). */
  nonInvite(plan: RequestPlan, branch?: string): Promise<E.Either<RequestFailure, SipResponse>> {
    return new Promise((resolvePromise) => {
      const abort = (): void => resolvePromise(E.left({ _tag: 'StackClosed' }))
      this.aborts.add(abort)
      const resolve = (result: E.Either<RequestFailure, SipResponse>): void => {
        this.aborts.delete(abort)
        resolvePromise(result)
      }
      const built = buildRequest(plan, this.host.viaSentBy(plan.protocol), this.host.userAgent, branch)
      const key = clientKey(built.branch, plan.method)
      const transaction = new NonInviteClientTransaction(this.host.context, key, built.bytes, plan.targets, isReliable(plan.protocol), {
        onResponse: (response) => {
          if (response.status < 200) return
          resolve(response.status < 300 ? E.right(response) : E.left({ _tag: 'Rejected', response }))
        },
        onTimeout: () => resolve(E.left({ _tag: 'Timeout' })),
        onTransportError: (error) => resolve(E.left({ _tag: 'TransportFailure', error })),
        onTerminated: () => this.host.untrack(key),
      })
      this.host.track(transaction)
      transaction.start()
    })
  }

  invite(plan: RequestPlan, user: InviteTransactionUser): StartedInvite {
    const built = buildRequest(plan, this.host.viaSentBy(plan.protocol), this.host.userAgent)
    const key = clientKey(built.branch, 'INVITE')
    const abort = (): void => user.onAborted()
    this.aborts.add(abort)
    const transaction = new InviteClientTransaction(
      this.host.context,
      key,
      built.bytes,
      plan.targets,
      isReliable(plan.protocol),
      {
        onResponse: user.onResponse,
        onTimeout: user.onTimeout,
        onTransportError: user.onTransportError,
        onTerminated: () => {
          this.aborts.delete(abort)
          this.host.untrack(key)
        },
      },
      (response) => failureAck(plan, built.via, response),
    )
    this.host.track(transaction)
    transaction.start()
    return { transaction, built }
  }

  /**
   * CANCEL for a pending INVITE (RFC 3261 §9.1): same Request-URI, Call-ID, From, To, CSeq
   * number, Route and top Via (so the same branch), sent where the INVITE went.
   */
  cancel(invite: StartedInvite, plan: RequestPlan): Promise<E.Either<RequestFailure, SipResponse>> {
    const cancelPlan: RequestPlan = {
      ...plan,
      method: 'CANCEL',
      contact: undefined,
      headers: [],
      body: undefined,
      targets: invite.transaction.sameDestination,
    }
    return this.nonInvite(cancelPlan, invite.built.branch)
  }

  /** Sends bytes outside any transaction (the ACK for a 2xx is its own, RFC 3261 §17.1.1.3). */
  sendStateless(targets: ReadonlyArray<SendTarget>, bytes: Buffer): void {
    void sendToFirst(this.host.context, targets, bytes)
  }
}
