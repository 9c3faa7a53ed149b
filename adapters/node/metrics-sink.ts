/**
 * What the node counts for `GET /metrics` (DESIGN §4 "Observability"), as a narrow sink the
 * runtime and the SIP application call: the core's Observe effects, every SIP message on the
 * wire, each NOTIFY sent. Gauges (legs, conferences, presence subscriptions) are read from the
 * core's state when scraped, not counted here. adapters/http/metrics/ implements it with
 * prom-client; `noMetrics` is for assemblies and tests that count nothing.
 */
import type { Observation } from '../../core/node/effect.js'

export type SipDirection = 'in' | 'out'

/** One SIP message as it crossed the transport (retransmissions included: they are traffic). */
export type SipMessageSeen =
  | { readonly _tag: 'Request'; readonly direction: SipDirection; readonly method: string }
  | { readonly _tag: 'Response'; readonly direction: SipDirection; readonly method: string; readonly status: number }

export interface NodeMetricsSink {
  /** An Observe effect of the core (calls by result, PIN failures, chat relayed, …). */
  readonly observed: (observation: Observation) => void
  readonly sipMessage: (message: SipMessageSeen) => void
  /** A presence NOTIFY was sent in a subscription dialog (not counting its retransmissions). */
  readonly notifySent: () => void
}

export const noMetrics: NodeMetricsSink = {
  observed: () => undefined,
  sipMessage: () => undefined,
  notifySent: () => undefined,
}
