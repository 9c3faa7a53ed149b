/**
 * What the live dashboard draws, in one JSON document: every configured VMR with its presence
 * watchers, the conferences in use with their participants, the gateway calls, and totals. Built
 * from the same live reading as the status API (adapters/http/status/live-status.ts), so the two
 * never disagree. Long lists are cut at `maxParticipants` (the totals stay exact): a browser
 * cannot usefully draw a hundred thousand rows several times a second.
 */
import { conferenceStatuses, participantStatuses, vmrOverviews } from '../status/live-status.js'
import type { ConferenceStatus, LiveView, ParticipantStatus, VmrOverview } from '../status/live-status.js'

export const maxParticipants = 500

export interface DashboardSnapshot {
  readonly at: string
  /** False while no core runs (the node is starting, or has no SIP adapter). */
  readonly running: boolean
  /** Bumped by every configuration change: the page reloads its configuration lists then. */
  readonly config_revision: number
  readonly vmrs: ReadonlyArray<VmrOverview>
  readonly conferences: ReadonlyArray<ConferenceStatus>
  readonly participants: ReadonlyArray<ParticipantStatus>
  readonly gateway_calls: ReadonlyArray<ParticipantStatus>
  readonly totals: {
    readonly legs: number
    readonly conferences: number
    readonly participants: number
    readonly gateway_calls: number
    readonly presence_subscriptions: number
  }
  /** Participants were left out to keep the page fast. */
  readonly truncated: boolean
}

export const dashboardSnapshot = (live: LiveView | undefined, configRevision: number, now: Date): DashboardSnapshot => {
  if (live === undefined)
    return {
      at: now.toISOString(),
      running: false,
      config_revision: configRevision,
      vmrs: [],
      conferences: [],
      participants: [],
      gateway_calls: [],
      totals: { legs: 0, conferences: 0, participants: 0, gateway_calls: 0, presence_subscriptions: 0 },
      truncated: false,
    }
  const everyone = participantStatuses(live)
  const inConferences = everyone.filter((p) => p.service_type !== 'gateway')
  const gateway = everyone.filter((p) => p.service_type === 'gateway')
  return {
    at: now.toISOString(),
    running: true,
    config_revision: configRevision,
    vmrs: vmrOverviews(live.state),
    conferences: conferenceStatuses(live),
    participants: inConferences.slice(0, maxParticipants),
    gateway_calls: gateway.slice(0, maxParticipants),
    totals: {
      legs: live.state.calls.size,
      conferences: live.state.conferences.size,
      participants: inConferences.length,
      gateway_calls: live.state.gateways.size,
      presence_subscriptions: live.state.presence.subscriptions.size,
    },
    truncated: inConferences.length > maxParticipants || gateway.length > maxParticipants,
  }
}
