/**
 * SUBSCRIBE rate per source (issue 9): a watcher list is subscribed once and refreshed in its
 * dialog, so new subscriptions from one untrusted address come in bursts at login and rarely
 * after. A token bucket per source address (rate per second, burst) bounds how fast one address
 * can make the node build subscriptions; beyond it a new SUBSCRIBE gets 503 with Retry-After
 * (RFC 3261 §21.5.4; RFC 6665 has no status of its own for it). Trusted peers (an SfB pool
 * subscribing for all its users) are not limited here; the count caps in
 * presence-subscriptions.ts apply to everyone else as well.
 */
import type { Logger } from 'pino'
import { header } from '../stack/message-writer.js'
import type { Flow } from '../transport/transport-types.js'
import type { ServerRequest } from '../stack/stack-types.js'

export interface SubscribeRate {
  /** New SUBSCRIBEs per second one source may keep up. */
  readonly perSecond: number
  /** How many it may send at once (a client's contact list at login). */
  readonly burst: number
}

export const defaultSubscribeRate: SubscribeRate = { perSecond: 20, burst: 200 }

interface Bucket {
  tokens: number
  at: number
}

/** Sources remembered at most; full buckets are forgotten first (they say nothing). */
const maxSources = 10_000

export interface SubscribeRateOptions {
  readonly rate?: Partial<SubscribeRate>
  readonly isTrusted: (flow: Flow) => boolean
  readonly now: () => number
  readonly logger?: Logger
}

export const limitSubscribeRate = (options: SubscribeRateOptions, route: (incoming: ServerRequest) => void): ((incoming: ServerRequest) => void) => {
  const rate: SubscribeRate = { ...defaultSubscribeRate, ...options.rate }
  const buckets = new Map<string, Bucket>()
  const refill = (bucket: Bucket, now: number): void => {
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond)
    bucket.at = now
  }
  const forgetFull = (now: number): void => {
    for (const [source, bucket] of buckets) {
      refill(bucket, now)
      if (bucket.tokens >= rate.burst) buckets.delete(source)
    }
  }
  return (incoming) => {
    if (incoming.request.method !== 'SUBSCRIBE' || incoming.dialog !== undefined || options.isTrusted(incoming.flow)) return route(incoming)
    const now = options.now()
    const source = incoming.flow.remote.host
    let bucket = buckets.get(source)
    if (bucket === undefined) {
      if (buckets.size >= maxSources) forgetFull(now)
      bucket = { tokens: rate.burst, at: now }
      buckets.set(source, bucket)
    } else refill(bucket, now)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return route(incoming)
    }
    const retryAfterS = Math.max(1, Math.ceil((1 - bucket.tokens) / rate.perSecond))
    options.logger?.debug({ source, retryAfterS }, 'SUBSCRIBE rate exceeded')
    incoming.respond({ status: 503, reason: 'Too many subscriptions from this source; retry later', headers: [header('Retry-After', String(retryAfterS))] })
  }
}
