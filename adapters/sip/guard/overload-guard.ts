/**
 * Overload control (issue 9): beyond a bound, new work is refused so that the work in hand
 * finishes. A request that would start a call or a subscription (INVITE, SUBSCRIBE outside a
 * dialog) is answered 503 Service Unavailable with Retry-After (RFC 3261 §21.5.4: the server
 * is temporarily overloaded; the client may retry after the given time), before any leg or
 * subscription is made. In-dialog requests (ACK, BYE, re-INVITE, refreshes) never pass here:
 * calls in progress continue. OPTIONS is answered by the stack as ever, and HTTP (/healthz) is
 * untouched.
 *
 * The bounds: the event loop's lag (event-loop-lag.ts) and the SIP stack's server transactions
 * (each one a request in hand or absorbing retransmissions; RFC 3261 §17.2).
 */
import type { Logger } from 'pino'
import { header } from '../stack/message-writer.js'
import type { ServerRequest } from '../stack/stack-types.js'

export interface OverloadBounds {
  /** Event-loop lag above which new calls and subscriptions are refused (ms). */
  readonly maxLagMs: number
  /** Server transactions above which they are refused. */
  readonly maxServerTransactions: number
  /** Retry-After of the 503 (s). */
  readonly retryAfterS: number
}

/**
 * A loop late by 300 ms is late by more than half of T1; 200k transactions is ~3000 calls/s held
 * for their 32 s of retransmission absorption (Timer J/I), above what one node sustains.
 */
export const defaultOverloadBounds: OverloadBounds = { maxLagMs: 300, maxServerTransactions: 200_000, retryAfterS: 5 }

export type Overload =
  | { readonly _tag: 'EventLoopLag'; readonly lagMs: number; readonly boundMs: number }
  | { readonly _tag: 'TooManyTransactions'; readonly transactions: number; readonly bound: number }

export interface OverloadReadings {
  readonly lagMs: () => number
  readonly serverTransactions: () => number
}

/** Whether the node is over a bound now, and which. */
export const overloadNow = (bounds: OverloadBounds, readings: OverloadReadings): Overload | undefined => {
  const transactions = readings.serverTransactions()
  if (transactions > bounds.maxServerTransactions) return { _tag: 'TooManyTransactions', transactions, bound: bounds.maxServerTransactions }
  const lagMs = readings.lagMs()
  if (lagMs > bounds.maxLagMs) return { _tag: 'EventLoopLag', lagMs: Math.round(lagMs), boundMs: bounds.maxLagMs }
  return undefined
}

/** Methods that start new work outside a dialog. */
const newWork = new Set(['INVITE', 'SUBSCRIBE'])

export const overloadReason = 'Overloaded; retry later'

export interface OverloadGuardOptions {
  readonly bounds?: Partial<OverloadBounds>
  readonly readings: OverloadReadings
  readonly logger?: Logger
  /** The time now (ms), for rate-limiting the warning. */
  readonly now: () => number
}

/**
 * Wraps the handler of requests outside any dialog (sip-app.ts `routeRequest`): new INVITEs and
 * SUBSCRIBEs are refused while overloaded; everything else goes through. One warning per
 * episode (at most one per 10 s) says which bound and how many were refused since the last.
 */
export const refuseWhenOverloaded = (options: OverloadGuardOptions, route: (incoming: ServerRequest) => void): ((incoming: ServerRequest) => void) => {
  const bounds: OverloadBounds = { ...defaultOverloadBounds, ...options.bounds }
  const retryAfter = header('Retry-After', String(bounds.retryAfterS))
  let refusedSinceWarning = 0
  let lastWarningAt = -Infinity
  return (incoming) => {
    if (!newWork.has(incoming.request.method) || incoming.dialog !== undefined) return route(incoming)
    const overload = overloadNow(bounds, options.readings)
    if (overload === undefined) return route(incoming)
    incoming.respond({ status: 503, reason: overloadReason, headers: [retryAfter] })
    refusedSinceWarning++
    const now = options.now()
    if (now - lastWarningAt >= 10_000) {
      options.logger?.warn({ overload, refused: refusedSinceWarning, method: incoming.request.method }, 'overloaded: new calls and subscriptions refused with 503')
      lastWarningAt = now
      refusedSinceWarning = 0
    }
  }
}
