/**
 * The live status objects (DESIGN §6 "Status"), read from the core's current state — the
 * runtime's NodeState, persistent data, so reading it copies nothing and races with nothing —
 * plus the two facts the core does not keep: when each leg was answered (the runtime) and what
 * each leg is shown and played (the media side's snapshot). Nothing here is stored.
 *
 * Shapes follow Pexip's status API where it has the field (`display_name`, `role` chair/guest,
 * `protocol` SIP/MSSIP/H323/WebRTC, `service_type` conference/waiting_room/gateway,
 * `is_presenting`, `connect_time`, `call_direction`, `source_alias`, `remote_address`,
 * `is_started`); Parley adds `call_type`, `is_waiting_for_host`, `is_entering_pin`,
 * `media_view` and `media_sound`, and per conference the counts and presence watchers.
 */
import type { Vmr } from '../../../core/config/model.js'
import type { ConferenceState, Participant } from '../../../core/conference/conference-state.js'
import type { Protocol } from '../../../core/model/call.js'
import type { LegId, Millis } from '../../../core/model/ids.js'
import type { Sound, View } from '../../../core/node/effect.js'
import type { NodeState } from '../../../core/node/router.js'

export const statusPrefix = '/api/admin/status/v1/'

/** What the media side says it does with one leg (LoopbackMedia.snapshot() rows fit). */
export interface LegMediaView {
  readonly leg: LegId
  readonly view?: View
  readonly sound?: Sound
}

/** One consistent reading of the running node. */
export interface LiveView {
  readonly state: NodeState
  readonly connectedAt: (leg: LegId) => Millis | undefined
  readonly media: ReadonlyMap<LegId, LegMediaView>
}

/** Where the status API and the dashboard read from; undefined while no core runs. */
export type LiveSource = () => LiveView | undefined

export type JsonValue = string | number | boolean | null | ReadonlyArray<JsonValue> | { readonly [key: string]: JsonValue }

export interface ParticipantStatus {
  readonly [key: string]: JsonValue
  readonly id: string
  readonly resource_uri: string
  readonly conference: string
  readonly conference_id: string
  readonly service_type: 'conference' | 'waiting_room' | 'gateway'
  readonly display_name: string
  readonly source_alias: string
  readonly destination_alias: string | null
  readonly role: 'chair' | 'guest' | 'unknown'
  readonly protocol: string
  readonly call_direction: 'in' | 'out'
  readonly call_type: 'video' | 'audio' | 'chat'
  readonly has_media: boolean
  readonly is_presenting: boolean
  readonly is_waiting_for_host: boolean
  readonly is_entering_pin: boolean
  readonly connect_time: string | null
  readonly remote_address: string | null
  readonly media_view: string | null
  readonly media_sound: string | null
}

export interface ConferenceStatus {
  readonly [key: string]: JsonValue
  readonly id: string
  readonly resource_uri: string
  readonly name: string
  readonly service_type: 'conference'
  /** Pexip: a Host has joined, so Guests no longer wait. */
  readonly is_started: boolean
  readonly is_locked: boolean
  readonly guests_muted: boolean
  /** The earliest connect time among those in it now (the core keeps no start time). */
  readonly start_time: string | null
  readonly tag: string
  readonly participant_count: number
  readonly waiting_for_host_count: number
  readonly entering_pin_count: number
  readonly presenter: string | null
  readonly presence_watchers: number
}

const pexipProtocol: Readonly<Record<Protocol, string>> = { sip: 'SIP', mssip: 'MSSIP', h323: 'H323', webrtc: 'WebRTC' }

const isoTime = (at: Millis | undefined): string | null => (at === undefined ? null : new Date(at).toISOString())

/** A short, stable description of a screen: `composed 1:7`, `splash waiting-for-host`, … */
export const describeView = (view: View | undefined): string | null => {
  if (view === undefined) return null
  switch (view._tag) {
    case 'Splash':
      return `splash ${view.screen}`
    case 'SelfView':
      return 'self-view'
    case 'Composed':
      return `composed ${view.layout}`
    case 'Content':
      return `content from ${view.presenter}`
    case 'NoVideo':
      return 'no-video'
  }
}

const participantUri = (leg: string): string => `${statusPrefix}participant/${encodeURIComponent(leg)}/`
const conferenceUri = (id: string): string => `${statusPrefix}conference/${encodeURIComponent(id)}/`

/** What the caller brings: `video` when it sends video; an audio-only caller shown the room is still `audio`. */
const callTypeOf = (p: Participant): ParticipantStatus['call_type'] => (p.chatOnly ? 'chat' : p.media.sendsVideo ? 'video' : 'audio')

const mediaOf = (live: LiveView, leg: LegId): Pick<ParticipantStatus, 'media_view' | 'media_sound'> => {
  const media = live.media.get(leg)
  return { media_view: describeView(media?.view), media_sound: media?.sound ?? null }
}

const sourceOf = (live: LiveView, leg: LegId): string | null => {
  const call = live.state.calls.get(leg)
  return call !== undefined && 'source' in call ? call.source : null
}

const conferenceParticipant = (live: LiveView, c: ConferenceState, p: Participant): ParticipantStatus => ({
  id: p.leg,
  resource_uri: participantUri(p.leg),
  conference: c.vmr.name,
  conference_id: c.id,
  service_type: p.waiting ? 'waiting_room' : 'conference',
  display_name: p.party.displayName,
  source_alias: p.party.uri,
  destination_alias: null,
  role: p.role === 'host' ? 'chair' : 'guest',
  protocol: pexipProtocol[p.protocol],
  call_direction: p.adp === undefined ? 'in' : 'out',
  call_type: callTypeOf(p),
  has_media: !p.chatOnly,
  is_presenting: c.presenter === p.leg,
  is_waiting_for_host: p.waiting,
  is_entering_pin: false,
  connect_time: isoTime(live.connectedAt(p.leg)),
  remote_address: sourceOf(live, p.leg),
  ...mediaOf(live, p.leg),
})

/** A leg at the VMR's PIN prompt: not in the conference yet, so no role. */
const pinEntryParticipant = (live: LiveView, c: ConferenceState, leg: LegId): ParticipantStatus | undefined => {
  const call = live.state.calls.get(leg)
  if (call === undefined) return undefined
  return {
    id: leg,
    resource_uri: participantUri(leg),
    conference: c.vmr.name,
    conference_id: c.id,
    service_type: 'waiting_room',
    display_name: call.party.displayName,
    source_alias: call.party.uri,
    destination_alias: null,
    role: 'unknown',
    protocol: pexipProtocol[call.protocol],
    call_direction: 'in',
    call_type: call.phase === 'pin-entry' && (call.offer.video || !call.offer.audio) ? 'video' : 'audio',
    has_media: true,
    is_presenting: false,
    is_waiting_for_host: false,
    is_entering_pin: true,
    connect_time: isoTime(live.connectedAt(leg)),
    remote_address: sourceOf(live, leg),
    ...mediaOf(live, leg),
  }
}

/** Both halves of each gateway call; `conference` is the rule that routed it, as Pexip shows. */
const gatewayParticipants = (live: LiveView): ParticipantStatus[] => {
  const rows: ParticipantStatus[] = []
  for (const g of live.state.gateways.values()) {
    for (const side of ['a', 'b'] as const) {
      const leg = side === 'a' ? g.a : g.b
      const party = g.parties[side]
      rows.push({
        id: leg,
        resource_uri: participantUri(leg),
        conference: g.route.ruleName,
        conference_id: g.route.ruleId,
        service_type: 'gateway',
        display_name: party.displayName,
        source_alias: party.uri,
        destination_alias: side === 'a' ? g.route.destination : null,
        role: 'chair',
        protocol: pexipProtocol[side === 'a' ? g.callerProtocol : g.route.protocol],
        call_direction: side === 'a' ? 'in' : 'out',
        call_type: g.route.callType === 'audio' ? 'audio' : 'video',
        has_media: true,
        is_presenting: g.presenter === side,
        is_waiting_for_host: false,
        is_entering_pin: false,
        connect_time: isoTime(live.connectedAt(leg)),
        remote_address: side === 'a' ? sourceOf(live, leg) : null,
        ...mediaOf(live, leg),
      })
    }
  }
  return rows
}

/** Every participant: conferences (joined, waiting, at the PIN prompt), then gateway calls. */
export const participantStatuses = (live: LiveView): ReadonlyArray<ParticipantStatus> => {
  const rows: ParticipantStatus[] = []
  for (const c of live.state.conferences.values()) {
    for (const p of c.participants) rows.push(conferenceParticipant(live, c, p))
    for (const leg of c.pending) {
      const row = pinEntryParticipant(live, c, leg)
      if (row !== undefined) rows.push(row)
    }
  }
  rows.push(...gatewayParticipants(live))
  return rows
}

/** Presence watchers per VMR id: each watched resource counts toward the VMR its alias reaches. */
export const presenceWatchersByVmr = (state: NodeState): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>()
  for (const resource of state.presence.resources.values()) {
    const vmr = state.config.vmrByAlias.get(resource.key)
    if (vmr === undefined || resource.watchers.size === 0) continue
    counts.set(vmr.id, (counts.get(vmr.id) ?? 0) + resource.watchers.size)
  }
  return counts
}

const conferenceStatus = (live: LiveView, c: ConferenceState, watchers: ReadonlyMap<string, number>): ConferenceStatus => {
  let earliest: Millis | undefined
  for (const leg of [...c.participants.map((p) => p.leg), ...c.pending]) {
    const at = live.connectedAt(leg)
    if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at
  }
  const presenter = c.presenter === undefined ? undefined : c.participants.find((p) => p.leg === c.presenter)
  return {
    id: c.id,
    resource_uri: conferenceUri(c.id),
    name: c.vmr.name,
    service_type: 'conference',
    is_started: c.activated,
    is_locked: false,
    guests_muted: false,
    start_time: isoTime(earliest),
    tag: '',
    participant_count: c.participants.length,
    waiting_for_host_count: c.participants.filter((p) => p.waiting).length,
    entering_pin_count: c.pending.length,
    presenter: presenter?.party.displayName ?? null,
    presence_watchers: watchers.get(c.id) ?? 0,
  }
}

/** Conferences in use (someone in it or at its PIN prompt), as Pexip lists them. */
export const conferenceStatuses = (live: LiveView): ReadonlyArray<ConferenceStatus> => {
  const watchers = presenceWatchersByVmr(live.state)
  return Array.from(live.state.conferences.values(), (c) => conferenceStatus(live, c, watchers))
}

/** A configured VMR as the dashboard lists it, with what is live in it. */
export interface VmrOverview {
  readonly [key: string]: JsonValue
  readonly id: string
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly presence_watchers: number
  readonly participant_count: number
  readonly in_use: boolean
}

export const vmrOverviews = (state: NodeState): ReadonlyArray<VmrOverview> => {
  const watchers = presenceWatchersByVmr(state)
  return state.config.source.vmrs.map((vmr: Vmr) => {
    const c = state.conferences.get(vmr.id)
    return {
      id: vmr.id,
      name: vmr.name,
      aliases: vmr.aliases,
      presence_watchers: watchers.get(vmr.id) ?? 0,
      participant_count: c === undefined ? 0 : c.participants.length + c.pending.length,
      in_use: c !== undefined,
    }
  })
}
