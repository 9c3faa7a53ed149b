/**
 * The node's `step` (DESIGN §1): a thin router over keyed aggregates. Each input goes to the
 * aggregate its key names (a leg's Call, a conference, a timer's owner from its id prefix, a
 * presence subscription), and the messages aggregates address to one another are delivered in
 * order, within the same step, until none is left. The aggregates live in persistent maps, so a
 * step costs the size of the aggregates it touches (plus O(log32 n) per map update), never the
 * size of the node. The one exception is ConfigChanged, which visits every conference (to end
 * those whose VMR is gone) and lets presence work out which watchers to notify.
 */
import type { CompiledConfig } from '../config/compiled.js'
import type { CallState } from '../call/call.js'
import { offerCall, placeCall, stepCall } from '../call/call.js'
import type { ConferenceState } from '../conference/conference-state.js'
import { newConference } from '../conference/conference-state.js'
import type { ConferenceEvent } from '../conference/conference.js'
import { stepConference } from '../conference/conference.js'
import type { GatewayCallState } from '../gateway/gateway-call.js'
import { startGateway, stepGateway } from '../gateway/gateway-call.js'
import type { PresenceTable } from '../presence/presence-table.js'
import { emptyPresenceTable, stepPresenceTable } from '../presence/presence-table.js'
import type { ConferenceId, LegId } from '../model/ids.js'
import type { Effect } from './effect.js'
import type { Input } from './input.js'
import type { CallMessage, ConferenceMessage, NodeMessage } from './messages.js'
import { toCall, toConference } from './messages.js'
import type { Outcome, StepContext } from './outcome.js'
import { PersistentMap } from './persistent-map.js'
import { parseTimerId } from './timer-key.js'

export interface NodeState {
  readonly config: CompiledConfig
  /** Every live leg's Call, by leg id. */
  readonly calls: PersistentMap<CallState>
  /** Conferences in use, by VMR id. */
  readonly conferences: PersistentMap<ConferenceState>
  /** Gateway calls, by the caller's leg id. */
  readonly gateways: PersistentMap<GatewayCallState>
  readonly presence: PresenceTable
}

export interface NodeStep {
  readonly state: NodeState
  readonly effects: ReadonlyArray<Effect>
}

export const initialNodeState = (config: CompiledConfig): NodeState => ({
  config,
  calls: PersistentMap.empty(),
  conferences: PersistentMap.empty(),
  gateways: PersistentMap.empty(),
  presence: emptyPresenceTable,
})

/**
 * No chain of messages is this long in a correct core (a conference ending sends one message per
 * participant); reaching it means two aggregates are bouncing a message forever: a bug.
 */
const maxMessagesPerStep = 100_000

type Work = { readonly _tag: 'External'; readonly input: Input } | NodeMessage

interface Applied {
  readonly state: NodeState
  readonly effects: ReadonlyArray<Effect>
  readonly messages: ReadonlyArray<NodeMessage>
}

const nothing = (state: NodeState): Applied => ({ state, effects: [], messages: [] })

export const stepNode = (state: NodeState, input: Input): NodeStep => {
  let s = state
  const effects: Effect[] = []
  const queue: Work[] = [{ _tag: 'External', input }]
  for (let i = 0; i < queue.length; i++) {
    if (i > maxMessagesPerStep) throw new Error(`stepNode: more than ${maxMessagesPerStep} internal messages for one ${input._tag}`)
    const applied = dispatch(s, queue[i]!, input.at)
    s = applied.state
    for (const e of applied.effects) effects.push(e)
    for (const m of applied.messages) queue.push(m)
  }
  return { state: s, effects }
}

const contextOf = (s: NodeState, at: number): StepContext => ({ at, config: s.config })

const withCall = (s: NodeState, leg: LegId, r: Outcome<CallState>): Applied => ({
  state: { ...s, calls: s.calls.put(leg, r.state) },
  effects: r.effects,
  messages: r.messages,
})

const withConference = (s: NodeState, id: ConferenceId, r: Outcome<ConferenceState>): Applied => ({
  state: { ...s, conferences: s.conferences.put(id, r.state) },
  effects: r.effects,
  messages: r.messages,
})

const withGateway = (s: NodeState, a: LegId, r: Outcome<GatewayCallState>): Applied => ({
  state: { ...s, gateways: s.gateways.put(a, r.state) },
  effects: r.effects,
  messages: r.messages,
})

const toCallState = (s: NodeState, leg: LegId, at: number, event: Parameters<typeof stepCall>[2]): Applied => {
  const call = s.calls.get(leg)
  // A leg Parley no longer knows (already ended on both sides): late news, nothing to do.
  return call === undefined ? nothing(s) : withCall(s, leg, stepCall(contextOf(s, at), call, event))
}

const toConferenceState = (s: NodeState, id: ConferenceId, at: number, event: ConferenceEvent): Applied => {
  const conference = s.conferences.get(id)
  return conference === undefined ? nothing(s) : withConference(s, id, stepConference(contextOf(s, at), conference, event))
}

const dispatch = (s: NodeState, work: Work, at: number): Applied => {
  switch (work._tag) {
    case 'External':
      return external(s, work.input)
    case 'ToCall':
      return toCallState(s, work.leg, at, work.message)
    case 'ToConference':
      return deliverToConference(s, work.conference, work.message, at)
    case 'ToGateway': {
      const gateway = s.gateways.get(work.gateway)
      return gateway === undefined ? nothing(s) : withGateway(s, work.gateway, stepGateway(gateway, work.message))
    }
    case 'TrackDialOut':
      // Dial-out ids are derived from their owner and live as long as their leg: a clash is a bug.
      if (s.calls.has(work.leg)) throw new Error(`stepNode: dial-out leg ${work.leg} already exists`)
      return { state: { ...s, calls: s.calls.set(work.leg, placeCall(work.leg, work.party, work.protocol, work.owner)) }, effects: [], messages: [] }
    case 'StartGateway':
      return withGateway(s, work.start.a, startGateway(work.start))
  }
}

const legOfArrival = (m: ConferenceMessage): LegId | undefined => {
  switch (m._tag) {
    case 'LegArrived':
      return m.leg
    case 'Admit':
    case 'ChatSessionOffered':
      return m.admission.leg
    default:
      return undefined
  }
}

/** A conference comes into being when a first leg arrives for it, from the configuration in force. */
const deliverToConference = (s: NodeState, id: ConferenceId, message: ConferenceMessage, at: number): Applied => {
  const existing = s.conferences.get(id)
  if (existing !== undefined) return withConference(s, id, stepConference(contextOf(s, at), existing, message))
  const leg = legOfArrival(message)
  if (leg === undefined) return nothing(s)
  const vmr = s.config.vmrById.get(id)
  if (vmr === undefined) {
    const dismiss: CallMessage = {
      _tag: 'Dismiss',
      reason: 'the meeting room no longer exists',
      farewell: { screen: 'conference-ending', sound: 'conference-ending' },
    }
    return { state: s, effects: [], messages: [toCall(leg, dismiss)] }
  }
  const fresh = newConference(vmr, s.config.adpsByConference.get(id) ?? [])
  return withConference(s, id, stepConference(contextOf(s, at), fresh, message))
}

const external = (s: NodeState, input: Input): Applied => {
  switch (input._tag) {
    case 'CallOffered':
      // The same leg offered twice (a retransmission the adapter let through): the first stands.
      if (s.calls.has(input.leg)) return nothing(s)
      return withCall(s, input.leg, offerCall(contextOf(s, input.at), input))
    case 'CallAnswered':
    case 'CallFailed':
    case 'CallEnded':
    case 'MediaChanged':
    case 'DtmfReceived':
    case 'ChatReceived':
    case 'ContentRequested':
    case 'ContentReleased':
      return toCallState(s, input.leg, input.at, input)
    case 'ActiveSpeakerChanged':
      return toConferenceState(s, input.conference, input.at, input)
    case 'TimerFired': {
      const timer = parseTimerId(input.timer)
      if (timer === undefined) return nothing(s)
      switch (timer.owner._tag) {
        case 'Leg':
          return toCallState(s, timer.owner.leg, input.at, { _tag: 'CallTimerFired', name: timer.name })
        case 'Conference':
          return toConferenceState(s, timer.owner.conference, input.at, { _tag: 'ConferenceTimerFired', name: timer.name })
        case 'Presence':
          // Presence resources run no timers (subscription expiry is the SIP adapter's).
          return nothing(s)
      }
      return nothing(s)
    }
    case 'PresenceSubscribed':
    case 'PresenceUnsubscribed': {
      const step = stepPresenceTable(s.presence, input, s.config)
      return { state: { ...s, presence: step.state }, effects: step.effects, messages: [] }
    }
    case 'ConfigChanged': {
      // New calls use the new configuration at once. Running conferences keep the VMR they
      // started with, except that one whose VMR is gone ends (choice, DESIGN §2 leaves it open).
      const presence = stepPresenceTable(s.presence, input, s.config)
      const removed: NodeMessage[] = []
      for (const conference of s.conferences.values())
        if (!input.config.vmrById.has(conference.id)) removed.push(toConference(conference.id, { _tag: 'VmrRemoved' }))
      return { state: { ...s, config: input.config, presence: presence.state }, effects: presence.effects, messages: removed }
    }
  }
}
