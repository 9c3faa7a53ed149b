/**
 * The running core as the HTTP side reads it (status API, dashboard, metrics gauges): the node
 * runtime the SIP service started, and what the media side does with each leg. Both exist only
 * once SIP has started, so they are read through functions; before that (or in an assembly
 * without SIP) there is nothing live to show.
 */
import type { LegMediaView, LiveSource } from '../http/status/live-status.js'
import type { LiveGauges } from '../http/metrics/prometheus-metrics.js'
import type { NodeRuntime } from './node-runtime.js'

export interface LiveCore {
  readonly runtime: () => NodeRuntime | undefined
  readonly media: () => ReadonlyArray<LegMediaView>
}

export const noLiveCore: LiveCore = { runtime: () => undefined, media: () => [] }

/** One consistent reading: the core's state now, its connect times, the media snapshot. */
export const liveSource =
  (core: LiveCore): LiveSource =>
  () => {
    const runtime = core.runtime()
    if (runtime === undefined) return undefined
    return {
      state: runtime.nodeState,
      connectedAt: (leg) => runtime.connectedAt(leg),
      media: new Map(core.media().map((m) => [m.leg, m])),
    }
  }

export const liveGauges = (core: LiveCore): LiveGauges | undefined => {
  const state = core.runtime()?.nodeState
  if (state === undefined) return undefined
  return {
    legs: state.calls.size,
    conferences: state.conferences.size,
    gatewayCalls: state.gateways.size,
    presenceSubscriptions: state.presence.subscriptions.size,
  }
}

/** Listeners told "something live changed" (the dashboard's event streams); no payload. */
export class ChangeHub {
  private readonly listeners = new Set<() => void>()

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  readonly emit = (): void => {
    for (const listener of this.listeners) listener()
  }
}
