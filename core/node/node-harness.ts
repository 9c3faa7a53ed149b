/**
 * Test support: drives `stepNode` the way the shell does, with a virtual clock. It stamps each
 * input with the current time, keeps the timers the core started (and forgets those it
 * cancelled), fires them in due order when time advances, and remembers which legs the core
 * has hung up or rejected. Specs and the benchmark use it; it is not part of the node.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { CompiledConfig } from '../config/compiled.js'
import { compileConfig } from '../config/compile.js'
import type { Adp, GatewayRule, GlobalSettings, NodeConfig, Vmr } from '../config/model.js'
import type { Pin } from '../dial-string/pin.js'
import type { DtmfDigit, MediaOffer, Party, Protocol } from '../model/call.js'
import type { LegId, Millis, TimerId } from '../model/ids.js'
import { ConferenceId, LegId as legId } from '../model/ids.js'
import { jsPatternEngine } from '../ports/fakes/js-pattern-engine.js'
import { defaultGlobalSettings } from '../config/codecs.js'
import type { Effect } from './effect.js'
import type { CallOffered, Input } from './input.js'
import type { NodeState } from './router.js'
import { initialNodeState, stepNode } from './router.js'

export const defaultGlobal: GlobalSettings = defaultGlobalSettings

export const pin = (s: string): Pin => s as Pin

export const makeVmr = (id: string, overrides: Partial<Vmr> = {}): Vmr => ({
  id: ConferenceId(id),
  name: `Room ${id}`,
  description: '',
  aliases: [`room${id}@example.com`],
  allowGuests: false,
  callType: 'video',
  hostView: 'one_main_seven_pips',
  guestView: 'one_main_seven_pips',
  guestsCanPresent: true,
  enableChat: true,
  audioOnlyView: 'room',
  ...overrides,
})

export const makeAdp = (id: string, conference: string, overrides: Partial<Adp> = {}): Adp => ({
  id,
  conferenceIds: [ConferenceId(conference)],
  alias: `adp${id}@rooms.example.com`,
  protocol: 'sip',
  callType: 'video',
  role: 'guest',
  dtmfSequence: '',
  keepConferenceAlive: 'if_multiple',
  remoteDisplayName: `ADP ${id}`,
  routing: 'manual',
  ...overrides,
})

export const makeRule = (id: string, matchString: string, overrides: Partial<GatewayRule> = {}): GatewayRule => ({
  id,
  name: `rule ${id}`,
  priority: 100,
  enabled: true,
  matchIncomingCalls: true,
  matchOutgoingCalls: false,
  matchIncomingProtocols: ['sip', 'mssip', 'webrtc', 'h323'],
  matchIncomingOnlyIfRegistered: false,
  matchString,
  replaceString: '',
  outgoingProtocol: 'sip',
  callType: 'video',
  treatAsTrusted: false,
  ...overrides,
})

export interface ConfigParts {
  readonly global?: Partial<GlobalSettings>
  readonly vmrs?: ReadonlyArray<Vmr>
  readonly adps?: ReadonlyArray<Adp>
  readonly rules?: ReadonlyArray<GatewayRule>
}

/** A CompiledConfig through the real `compileConfig` (with the JS pattern engine). */
export const makeConfig = (parts: ConfigParts): CompiledConfig => {
  const source: NodeConfig = {
    global: { ...defaultGlobal, ...parts.global },
    vmrs: parts.vmrs ?? [],
    adps: parts.adps ?? [],
    rules: parts.rules ?? [],
  }
  const compiled = compileConfig(source, jsPatternEngine)
  if (E.isLeft(compiled)) throw new Error(`test configuration does not compile: ${JSON.stringify(compiled.left)}`)
  return compiled.right
}

export const videoOffer: MediaOffer = { audio: true, video: true, content: true, chat: false }
export const audioOffer: MediaOffer = { audio: true, video: false, content: false, chat: false }
export const imOffer: MediaOffer = { audio: false, video: false, content: false, chat: true }

export interface OfferOptions {
  readonly protocol?: Protocol
  readonly offer?: MediaOffer
  readonly caller?: Party
  readonly source?: string
  readonly conversationId?: string
  readonly firstMessage?: string
}

type Unstamped<I> = I extends Input ? Omit<I, 'at'> : never

export class NodeHarness {
  state: NodeState
  now: Millis = 0
  /** Timers started and neither cancelled nor fired. */
  readonly timers = new Map<TimerId, Millis>()
  /** Every effect so far, in order. */
  readonly log: Effect[] = []
  /** Legs Parley has hung up or rejected. */
  readonly ended = new Set<LegId>()

  constructor(config: CompiledConfig) {
    this.state = initialNodeState(config)
  }

  send(input: Unstamped<Input>): ReadonlyArray<Effect> {
    const stamped = { ...input, at: this.now } as Input
    if (stamped._tag === 'TimerFired') this.timers.delete(stamped.timer)
    const step = stepNode(this.state, stamped)
    this.state = step.state
    for (const e of step.effects) {
      this.log.push(e)
      if (e._tag === 'StartTimer') this.timers.set(e.timer, e.due)
      else if (e._tag === 'CancelTimer') this.timers.delete(e.timer)
      else if (e._tag === 'Hangup' || e._tag === 'Reject') this.ended.add(e.leg)
    }
    return step.effects
  }

  offer(leg: string, dialled: string, options: OfferOptions = {}): ReadonlyArray<Effect> {
    const offered: Omit<CallOffered, 'at'> = {
      _tag: 'CallOffered',
      leg: legId(leg),
      dialled,
      caller: options.caller ?? { displayName: leg, uri: `sip:${leg}@callers.example.com` },
      protocol: options.protocol ?? 'sip',
      offer: options.offer ?? videoOffer,
      source: options.source ?? '192.0.2.1',
      registered: false,
      ...(options.conversationId === undefined ? {} : { conversationId: options.conversationId }),
      ...(options.firstMessage === undefined ? {} : { firstMessage: options.firstMessage }),
    }
    return this.send(offered)
  }

  keys(leg: string, digits: string): ReadonlyArray<Effect> {
    const out: Effect[] = []
    for (const digit of digits) out.push(...this.send({ _tag: 'DtmfReceived', leg: legId(leg), digit: digit as DtmfDigit }))
    return out
  }

  hangUp(leg: string, reason: 'bye' | 'cancel' = 'bye'): ReadonlyArray<Effect> {
    return this.send({ _tag: 'CallEnded', leg: legId(leg), reason })
  }

  answer(leg: string, answer: MediaOffer = videoOffer): ReadonlyArray<Effect> {
    return this.send({ _tag: 'CallAnswered', leg: legId(leg), answer })
  }

  chat(leg: string, text: string): ReadonlyArray<Effect> {
    return this.send({ _tag: 'ChatReceived', leg: legId(leg), text })
  }

  /** Fires one pending timer now (time does not move back if it was due earlier). */
  fire(timer: TimerId): ReadonlyArray<Effect> {
    const due = this.timers.get(timer)
    if (due !== undefined && due > this.now) this.now = due
    return this.send({ _tag: 'TimerFired', timer })
  }

  /** Moves time forward, firing every timer due on the way in due order. */
  advance(ms: Millis): ReadonlyArray<Effect> {
    const target = this.now + ms
    const out: Effect[] = []
    for (;;) {
      let next: [TimerId, Millis] | undefined
      for (const entry of this.timers) if (next === undefined || entry[1] < next[1]) next = entry
      if (next === undefined || next[1] > target) break
      this.now = Math.max(this.now, next[1])
      out.push(...this.send({ _tag: 'TimerFired', timer: next[0] }))
    }
    this.now = target
    return out
  }

  timersOf(leg: string): ReadonlyArray<TimerId> {
    return [...this.timers.keys()].filter((t) => t.startsWith(`leg:${encodeURIComponent(leg)}:`) || t.endsWith(`:host-wait:${leg}`))
  }
}

/** The effects of one kind, typed. */
export const only = <T extends Effect['_tag']>(effects: ReadonlyArray<Effect>, tag: T): ReadonlyArray<Extract<Effect, { readonly _tag: T }>> =>
  effects.filter((e): e is Extract<Effect, { readonly _tag: T }> => e._tag === tag)

export const observations = (effects: ReadonlyArray<Effect>): ReadonlyArray<Extract<Effect, { readonly _tag: 'Observe' }>['observation']> =>
  only(effects, 'Observe').map((o) => o.observation)

export const forLeg = (effects: ReadonlyArray<Effect>, leg: string): ReadonlyArray<Effect> =>
  effects.filter((e) => 'leg' in e && e.leg === leg)
