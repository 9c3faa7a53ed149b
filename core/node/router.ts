/**
 * The node's `step` (DESIGN §1): a thin router over keyed aggregates. Each input goes to the
 * aggregate its key names (a leg's Call, a conference, a timer's owner from its id prefix, a
 * presence subscription), and the messages aggregates address to one another are delivered in
 * order, within the same step, until none is left. The aggregates live in persistent maps, so a
 * step costs the size of the aggregates it touches (plus O(log16 n) per map update, and no update
 * for an aggregate the input leaves as it was), never the size of the node. The one exception is ConfigChanged, which visits every conference (to end
 * those whose VMR is gone) and lets presence work out which watchers to notify.
 */
import type { CompiledConfig } from '../config/compiled.js'
import type { CallEvent, CallState } from '../call/call.js'
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
import type { ConferenceMessage, NodeMessage } from './messages.js'
import { toCall, toConference } from './messages.js'
import type { StepContext } from './outcome.js'
import { Out } from './outcome.js'
import { PersistentMap } from './persistent-map.js'
import { parseTimerId } from './timer-key.js'
import type { LockoutTable } from '../lockout/pin-lockout.js'
import { emptyLockoutTable } from '../lockout/pin-lockout.js'
import { countFailures, isLegOfKeys, judgeOffer, lockoutUnderPolicy } from '../lockout/lockout-guard.js'

export interface NodeState {
  readonly config: CompiledConfig
  /** Every live leg's Call, by leg id. */
  readonly calls: PersistentMap<CallState>
  /** Conferences in use, by VMR id. */
  readonly conferences: PersistentMap<ConferenceState>
  /** Gateway calls, by the caller's leg id. */
  readonly gateways: PersistentMap<GatewayCallState>
  readonly presence: PresenceTable
  /** PIN failures and blocks by source (DESIGN §6 `pin_lockout`, core/lockout/). */
  readonly lockout: LockoutTable
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
  lockout: emptyLockoutTable,
})

/**
 * No chain of messages is this long in a correct core (a conference ending sends one message per
 * participant); reaching it means two aggregates are bouncing a message forever: a bug.
 */
const maxMessagesPerStep = 100_000

/**
 * The context of the last aggregate step, reused while the time and configuration are the same:
 * a step hands the same context to every aggregate its messages reach (one object per step
 * rather than one per aggregate visited). It is read-only, so sharing it is safe.
 */
let lastContext: StepContext | undefined

const contextOf = (s: NodeState, at: number): StepContext => {
  const last = lastContext
  if (last !== undefined && last.at === at && last.config === s.config) return last
  const context: StepContext = { at, config: s.config }
  lastContext = context
  return context
}

/**
 * The one collector, reused by every step for its storage (see `Out`). A step runs to completion
 * before the next begins (nothing inside it calls out), and each step starts by resetting it, so
 * no step can see another's effects.
 */
const collector = new Out()

export const stepNode = (state: NodeState, input: Input): NodeStep => {
  const out = collector
  out.reset()
  const s = drain(external(state, input, out), input, out)
  const effects = out.takeEffects()
  // PIN lockout: the step's wrong PINs count against their source (core/lockout/). A step
  // without one leaves the table as it is (countFailures would answer undefined).
  const counted = out.pinFailures === 0 ? undefined : countFailures(s.lockout, effects, input.at, s.config.source.global.pinLockout)
  if (counted === undefined) return { state: s, effects }
  const locked = { ...s, lockout: counted.table }
  if (counted.locked.length === 0) return { state: locked, effects: counted.effects.length === 0 ? effects : [...effects, ...counted.effects] }
  // A block just started: the key's legs opened before it still at the PIN prompt (or able to try
  // the Host PIN) are told, or a guesser who opened many calls first would keep three guesses on
  // each. Scans the live calls, once per block started (rare: `failures` wrong PINs each).
  out.reset()
  for (const call of locked.calls.values())
    if ((call.phase === 'pin-entry' || call.phase === 'participant') && isLegOfKeys(locked.lockout, counted.locked, call.leg, call.source))
      out.send(toCall(call.leg, { _tag: 'PinLockedOut' }))
  const ended = drain(locked, input, out)
  return { state: ended, effects: [...effects, ...counted.effects, ...out.takeEffects()] }
}

/** Delivers the messages in `out`, and those they send in turn, until none is left. */
const drain = (state: NodeState, input: Input, out: Out): NodeState => {
  let s = state
  // Aggregates send messages while they are read: they are the queue of this step.
  for (let i = 0; i < out.messageTotal; i++) {
    if (i > maxMessagesPerStep) throw new Error(`stepNode: more than ${maxMessagesPerStep} internal messages for one ${input._tag}`)
    s = dispatch(s, out.messageAt(i), input.at, out)
  }
  return s
}

/**
 * The node state with some maps replaced, written out field by field: on this per-step path an
 * object spread fell to V8's slow path (bench/step.bench.ts).
 */
const nodeState = (
  s: NodeState,
  calls: PersistentMap<CallState>,
  conferences: PersistentMap<ConferenceState>,
  gateways: PersistentMap<GatewayCallState>,
  presence: PresenceTable,
  config: CompiledConfig = s.config,
): NodeState =>
  s.calls === calls && s.conferences === conferences && s.gateways === gateways && s.presence === presence && s.config === config
    ? s
    : { config, calls, conferences, gateways, presence, lockout: s.lockout }

const withCall = (s: NodeState, leg: LegId, call: CallState | undefined): NodeState =>
  nodeState(s, s.calls.put(leg, call), s.conferences, s.gateways, s.presence)

const withConference = (s: NodeState, id: ConferenceId, conference: ConferenceState | undefined): NodeState =>
  nodeState(s, s.calls, s.conferences.put(id, conference), s.gateways, s.presence)

const withGateway = (s: NodeState, a: LegId, gateway: GatewayCallState | undefined): NodeState =>
  nodeState(s, s.calls, s.conferences, s.gateways.put(a, gateway), s.presence)

const toCallState = (s: NodeState, leg: LegId, at: number, event: CallEvent, out: Out): NodeState => {
  const call = s.calls.get(leg)
  // A leg Parley no longer knows (already ended on both sides): late news, nothing to do.
  if (call === undefined) return s
  const next = stepCall(contextOf(s, at), call, event, out)
  // Most inputs leave a Call as it was (chat, in-call DTMF): no map update then.
  return next === call ? s : withCall(s, leg, next)
}

const toConferenceState = (s: NodeState, id: ConferenceId, at: number, event: ConferenceEvent, out: Out): NodeState => {
  const conference = s.conferences.get(id)
  if (conference === undefined) return s
  const next = stepConference(contextOf(s, at), conference, event, out)
  return next === conference ? s : withConference(s, id, next)
}

const dispatch = (s: NodeState, work: NodeMessage, at: number, out: Out): NodeState => {
  switch (work._tag) {
    case 'ToCall':
      return toCallState(s, work.leg, at, work.message, out)
    case 'ToConference':
      return deliverToConference(s, work.conference, work.message, at, out)
    case 'ToGateway': {
      const gateway = s.gateways.get(work.gateway)
      return gateway === undefined ? s : withGateway(s, work.gateway, stepGateway(gateway, work.message, out))
    }
    case 'TrackDialOut':
      // Dial-out ids are derived from their owner and live as long as their leg: a clash is a bug.
      if (s.calls.has(work.leg)) throw new Error(`stepNode: dial-out leg ${work.leg} already exists`)
      return withCall(s, work.leg, placeCall(contextOf(s, at), work.leg, work.party, work.protocol, work.owner, out))
    case 'StartGateway':
      return withGateway(s, work.start.a, startGateway(work.start, out))
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
const deliverToConference = (s: NodeState, id: ConferenceId, message: ConferenceMessage, at: number, out: Out): NodeState => {
  const existing = s.conferences.get(id)
  if (existing !== undefined) {
    const next = stepConference(contextOf(s, at), existing, message, out)
    return next === existing ? s : withConference(s, id, next)
  }
  const leg = legOfArrival(message)
  if (leg === undefined) return s
  const vmr = s.config.vmrById.get(id)
  if (vmr === undefined) {
    out.send(
      toCall(leg, {
        _tag: 'Dismiss',
        reason: 'the meeting room no longer exists',
        farewell: { screen: 'conference-ending', sound: 'conference-ending' },
      }),
    )
    return s
  }
  const fresh = newConference(vmr, s.config.adpsByConference.get(id) ?? [])
  return withConference(s, id, stepConference(contextOf(s, at), fresh, message, out))
}

const external = (s: NodeState, input: Input, out: Out): NodeState => {
  switch (input._tag) {
    case 'CallOffered':
      // The same leg offered twice (a retransmission the adapter let through): the first stands.
      if (s.calls.has(input.leg)) return s
      {
        // A source locked out for wrong PINs is refused before any aggregate sees its call.
        const verdict = judgeOffer(s.lockout, input, (leg) => s.calls.has(leg))
        if (verdict._tag === 'Refused') {
          for (const effect of verdict.effects) out.emit(effect)
          return s
        }
        if (verdict.table !== s.lockout) s = { ...s, lockout: verdict.table }
      }
      return withCall(s, input.leg, offerCall(contextOf(s, input.at), input, out))
    case 'CallAnswered':
    case 'CallFailed':
    case 'CallEnded':
    case 'MediaChanged':
    case 'DtmfReceived':
    case 'ChatReceived':
    case 'ContentRequested':
    case 'ContentReleased':
      return toCallState(s, input.leg, input.at, input, out)
    case 'ActiveSpeakerChanged':
      return toConferenceState(s, input.conference, input.at, input, out)
    case 'TimerFired': {
      const timer = parseTimerId(input.timer)
      if (timer === undefined) return s
      switch (timer.owner._tag) {
        case 'Leg':
          return toCallState(s, timer.owner.leg, input.at, { _tag: 'CallTimerFired', name: timer.name }, out)
        case 'Conference':
          return toConferenceState(s, timer.owner.conference, input.at, { _tag: 'ConferenceTimerFired', name: timer.name }, out)
        case 'Presence':
          // Presence resources run no timers (subscription expiry is the SIP adapter's).
          return s
      }
      return s
    }
    case 'PresenceSubscribed':
    case 'PresenceUnsubscribed': {
      const step = stepPresenceTable(s.presence, input, s.config)
      for (const e of step.effects) out.emit(e)
      return nodeState(s, s.calls, s.conferences, s.gateways, step.state)
    }
    case 'ConfigChanged': {
      // New calls use the new configuration at once. Running conferences keep the VMR they
      // started with, except that one whose VMR is gone ends (choice, DESIGN §2 leaves it open).
      const presence = stepPresenceTable(s.presence, input, s.config)
      for (const e of presence.effects) out.emit(e)
      for (const conference of s.conferences.values())
        if (!input.config.vmrById.has(conference.id)) out.send(toConference(conference.id, { _tag: 'VmrRemoved' }))
      const next = nodeState(s, s.calls, s.conferences, s.gateways, presence.state, input.config)
      const lockout = lockoutUnderPolicy(s.lockout, s.config.source.global.pinLockout, input.config.source.global.pinLockout)
      return lockout === next.lockout ? next : { ...next, lockout }
    }
  }
}
