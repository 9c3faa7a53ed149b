/**
 * The simulated network of the `sim` world: Parley is the pure core (`stepNode`), driven in
 * process. Endpoint actions become the core's inputs, stamped with the virtual clock's time;
 * the core's effects become what each endpoint perceives: ringing, answers, pictures named by
 * the people in them, prompts, the conference it hears, chat lines, tones, the content floor,
 * presence. Dial-outs ring the endpoint attached at the address they name, and that
 * endpoint's answer comes back as an input.
 *
 * Inputs are queued and stepped one at a time, each step's effects carried out in order before
 * the next input is stepped (an endpoint that answers while an effect rings it is answered
 * after that step, as on a wire). Timers the core asks for run on the virtual clock.
 */
import type { CompiledConfig } from '../../core/config/compiled.js'
import type { DtmfDigit, MediaAnswer, MediaOffer, Party } from '../../core/model/call.js'
import { LegId, SubscriptionId, type ConferenceId } from '../../core/model/ids.js'
import type { DialOut, Effect, Observation, PresenceDocument, View } from '../../core/node/effect.js'
import type { Input } from '../../core/node/input.js'
import { initialNodeState, stepNode, type NodeState } from '../../core/node/router.js'
import { composedTiles } from '../../core/conference/tiles.js'
import { addressKey } from '../address.js'
import type {
  CallControl,
  CallEvents,
  CallRequest,
  IncomingCall,
  Picture,
  PresenceControl,
  PresenceEvents,
  PresenceView,
  Reachable,
  SimNetwork,
} from '../network.js'
import { CoreTimers, type VirtualClock } from '../virtual-clock.js'

/** One leg as the network knows it: who is on it and how they perceive it. */
interface Leg {
  readonly id: LegId
  /** The person on the leg, as Parley's pictures name them. */
  readonly party: Party
  readonly direction: 'incoming' | 'dial-out'
  events: CallEvents
  offer: MediaOffer
  answered: boolean
  closed: boolean
}

/** `,` in a DTMF sequence: a 2 s pause (Pexip `dtmf_sequence`, PROTOCOLS 3.5). */
const pauseMs = 2000

const dtmfDigits = new Set('0123456789*#ABCD')
const isDigit = (c: string): c is DtmfDigit => dtmfDigits.has(c)

const noEvents: CallEvents = {
  ringing: () => undefined,
  answered: () => undefined,
  failed: () => undefined,
  reoffered: () => undefined,
  ended: () => undefined,
  picture: () => undefined,
  sound: () => undefined,
  hearing: () => undefined,
  chat: () => undefined,
  tone: () => undefined,
  floor: () => undefined,
}

const offered = (answer: MediaAnswer): MediaOffer => ({
  audio: answer.audio !== undefined,
  video: answer.video !== undefined,
  content: answer.content !== undefined,
  chat: answer.chat === true,
})

export class InProcessNetwork implements SimNetwork {
  private state: NodeState
  private config: CompiledConfig
  private readonly legs = new Map<LegId, Leg>()
  /** Endpoints by address; one address may be a SIP and an H.323 system at once. */
  private readonly endpoints = new Map<string, Reachable[]>()
  private readonly watchers = new Map<SubscriptionId, PresenceEvents>()
  private readonly sources = new Map<string, string>()
  private readonly timers: CoreTimers
  private readonly queue: Input[] = []
  private draining = false
  private legCount = 0
  private subscriptionCount = 0
  /** What operators would count or log (the core's `Observe` effects), in order. */
  readonly observations: Observation[] = []
  /** Every call Parley placed, in order (an ADP, a gateway's far half, a call to an SfB user). */
  readonly dialOuts: DialOut[] = []

  constructor(
    config: CompiledConfig,
    private readonly clock: VirtualClock,
  ) {
    this.config = config
    this.state = initialNodeState(config)
    this.timers = new CoreTimers(clock, (fired) => this.input(fired))
  }

  readonly attach = (endpoint: Reachable): void => {
    const key = addressKey(endpoint.address) ?? endpoint.address
    this.endpoints.set(key, [...(this.endpoints.get(key) ?? []), endpoint])
  }

  readonly call = (request: CallRequest, events: CallEvents): CallControl => {
    const leg = this.newLeg({ party: request.from, direction: 'incoming', events, offer: request.offer })
    this.input({
      _tag: 'CallOffered',
      at: this.clock.now(),
      leg: leg.id,
      dialled: request.to,
      caller: request.from,
      protocol: request.protocol,
      offer: request.offer,
      source: this.sourceOf(request.from.uri),
      registered: false,
      ...(request.conversationId === undefined ? {} : { conversationId: request.conversationId }),
      ...(request.firstMessage === undefined ? {} : { firstMessage: request.firstMessage }),
    })
    return this.controlFor(leg)
  }

  readonly subscribe = (watcher: string, target: string, events: PresenceEvents): PresenceControl => {
    this.subscriptionCount += 1
    const subscription = SubscriptionId(`sub-${this.subscriptionCount}`)
    this.watchers.set(subscription, events)
    this.input({ _tag: 'PresenceSubscribed', at: this.clock.now(), subscription, target, watcher })
    return {
      unsubscribe: () => {
        if (!this.watchers.delete(subscription)) return
        this.input({ _tag: 'PresenceUnsubscribed', at: this.clock.now(), subscription })
      },
    }
  }

  /** The operator's new configuration reaches the running node. */
  reconfigure(config: CompiledConfig): void {
    this.config = config
    this.input({ _tag: 'ConfigChanged', at: this.clock.now(), config })
  }

  /** The loudest speaker in a conference changed (the media side's report). */
  speakerChanged(conference: ConferenceId, speaker: Party): void {
    const leg = [...this.legs.values()].find((l) => !l.closed && l.party.uri === speaker.uri)
    if (leg !== undefined) this.input({ _tag: 'ActiveSpeakerChanged', at: this.clock.now(), conference, leg: leg.id })
  }

  /** The core's state, for the sim world's status checks (the wire world asks the status API). */
  get nodeState(): NodeState {
    return this.state
  }

  conferenceIdNamed(name: string): ConferenceId | undefined {
    return [...this.config.vmrById.values()].find((vmr) => vmr.name === name)?.id
  }

  conferenceName(conference: ConferenceId): string {
    return this.config.vmrById.get(conference)?.name ?? conference
  }

  private newLeg(args: { party: Party; direction: Leg['direction']; events: CallEvents; offer: MediaOffer }): Leg {
    this.legCount += 1
    const leg: Leg = { id: LegId(`leg-${this.legCount}`), answered: false, closed: false, ...args }
    this.legs.set(leg.id, leg)
    return leg
  }

  /** Every caller address gets its own network source, as a lockout would see it. */
  private sourceOf(uri: string): string {
    const known = this.sources.get(uri)
    if (known !== undefined) return known
    const source = `192.0.2.${this.sources.size + 10}`
    this.sources.set(uri, source)
    return source
  }

  private controlFor(leg: Leg): CallControl {
    const live = (): boolean => !leg.closed
    const at = (): number => this.clock.now()
    return {
      sendDigits: (digits) => {
        for (const digit of digits) if (live() && isDigit(digit)) this.input({ _tag: 'DtmfReceived', at: at(), leg: leg.id, digit })
      },
      sendChat: (text) => {
        if (live()) this.input({ _tag: 'ChatReceived', at: at(), leg: leg.id, text })
      },
      // KeyboardActivity INFO: the node answers it and drops it; the core has nothing to decide.
      typing: () => undefined,
      changeMedia: (offer) => {
        if (!live()) return
        leg.offer = offer
        this.input({ _tag: 'MediaChanged', at: at(), leg: leg.id, offer })
      },
      startContent: () => {
        if (!live()) return
        if (!leg.offer.content) {
          leg.offer = { ...leg.offer, content: true }
          this.input({ _tag: 'MediaChanged', at: at(), leg: leg.id, offer: leg.offer })
        }
        this.input({ _tag: 'ContentRequested', at: at(), leg: leg.id })
      },
      stopContent: () => {
        if (live()) this.input({ _tag: 'ContentReleased', at: at(), leg: leg.id })
      },
      hangup: () => {
        if (!live()) return
        leg.closed = true
        this.input({ _tag: 'CallEnded', at: at(), leg: leg.id, reason: leg.answered || leg.direction === 'dial-out' ? 'bye' : 'cancel' })
      },
    }
  }

  private input(input: Input): void {
    this.queue.push(input)
    if (this.draining) return
    this.draining = true
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        const { state, effects } = stepNode(this.state, next)
        this.state = state
        for (const effect of effects) this.perform(effect)
      }
    } finally {
      this.draining = false
    }
    // A timer asked for with no delay (a guests-only timeout of 0 s) fires in this same instant.
    this.clock.fireDue()
  }

  private perform(effect: Effect): void {
    switch (effect._tag) {
      case 'Ring':
        return this.leg(effect.leg)?.events.ringing()
      case 'Answer': {
        const leg = this.leg(effect.leg)
        if (leg === undefined) return
        leg.answered = true
        return leg.events.answered(effect.answer)
      }
      case 'Reject': {
        const leg = this.leg(effect.leg)
        if (leg === undefined) return
        leg.closed = true
        return leg.events.failed(effect.status, effect.reason)
      }
      case 'Reoffer':
        return this.leg(effect.leg)?.events.reoffered(effect.offer)
      case 'Hangup': {
        const leg = this.leg(effect.leg)
        if (leg === undefined) return
        leg.closed = true
        return leg.events.ended(leg.direction === 'dial-out' && !leg.answered ? 'cancel' : effect.reason)
      }
      case 'DialOut':
        return this.dialOut(effect)
      case 'SendDtmf':
        return this.sendTones(effect.leg, effect.digits)
      case 'Show':
        return this.leg(effect.leg)?.events.picture(this.picture(effect.view, effect.leg))
      case 'Play':
        return this.leg(effect.leg)?.events.sound(effect.sound)
      case 'JoinMix':
        return this.leg(effect.leg)?.events.hearing({ kind: 'conference', room: this.conferenceName(effect.conference) })
      case 'LeaveMix':
        return this.leg(effect.leg)?.events.hearing({ kind: 'nothing' })
      case 'Bridge':
        return this.bridge(effect.a, effect.b)
      case 'GrantFloor':
        return this.leg(effect.leg)?.events.floor(true)
      case 'RevokeFloor':
        return this.leg(effect.leg)?.events.floor(false)
      case 'DeliverChat':
        return this.leg(effect.leg)?.events.chat(effect.from, effect.text)
      case 'PresenceAnswer':
      case 'PresenceNotify':
        return this.watchers.get(effect.subscription)?.update(this.presence(effect.document))
      case 'StartTimer':
        return this.timers.start(effect)
      case 'CancelTimer':
        return this.timers.cancel(effect)
      case 'Observe':
        this.observations.push(effect.observation)
        return
    }
  }

  private leg(id: LegId): Leg | undefined {
    const leg = this.legs.get(id)
    return leg === undefined || leg.closed ? undefined : leg
  }

  /** Parley places a call: the endpoint attached at that address rings, if it speaks the protocol. */
  private dialOut(effect: DialOut): void {
    this.dialOuts.push(effect)
    const key = addressKey(effect.to)
    const callee = key === undefined ? undefined : this.endpoints.get(key)?.find((e) => e.protocols.includes(effect.protocol))
    if (callee === undefined) {
      this.input({ _tag: 'CallFailed', at: this.clock.now(), leg: effect.leg, status: 404, reason: 'Not Found' })
      return
    }
    const leg: Leg = {
      id: effect.leg,
      party: callee.identity,
      direction: 'dial-out',
      events: noEvents,
      offer: offered(effect.offer),
      answered: false,
      closed: false,
    }
    this.legs.set(leg.id, leg)
    const incoming: IncomingCall = {
      from: effect.from,
      protocol: effect.protocol,
      offer: leg.offer,
      accept: (media) => {
        if (leg.closed) return
        leg.answered = true
        leg.offer = media
        this.input({ _tag: 'CallAnswered', at: this.clock.now(), leg: leg.id, answer: media })
      },
      decline: (status, reason) => {
        if (leg.closed) return
        leg.closed = true
        this.input({ _tag: 'CallFailed', at: this.clock.now(), leg: leg.id, status, reason })
      },
      control: this.controlFor(leg),
    }
    leg.events = callee.ring(incoming)
  }

  /** An ADP's `dtmf_sequence` or relayed DTMF: `,` is a 2 s pause (PROTOCOLS 3.5). */
  private sendTones(id: LegId, digits: string): void {
    let delay = 0
    for (const c of digits) {
      if (c === ',') delay += pauseMs
      else if (isDigit(c)) {
        if (delay === 0) this.leg(id)?.events.tone(c)
        else this.clock.schedule(this.clock.now() + delay, () => this.leg(id)?.events.tone(c))
      }
    }
  }

  /** The two halves of a gateway call see and hear each other. */
  private bridge(a: LegId, b: LegId): void {
    const legA = this.leg(a)
    const legB = this.leg(b)
    if (legA === undefined || legB === undefined) return
    for (const [self, other] of [
      [legA, legB],
      [legB, legA],
    ] as const) {
      self.events.hearing({ kind: 'far-end', party: other.party.displayName })
      self.events.picture({ kind: 'far-end', party: other.party.displayName })
    }
  }

  private nameOf(id: LegId): string {
    return this.legs.get(id)?.party.displayName ?? id
  }

  /** What `viewer` sees: a composed layout names the others in it, never the viewer itself. */
  private picture(view: View, viewer: LegId): Picture {
    switch (view._tag) {
      case 'Splash':
        return { kind: 'splash', splash: view.screen }
      case 'SelfView':
        return { kind: 'self-view' }
      case 'Composed':
        return { kind: 'composed', layout: view.layout, participants: composedTiles(view, viewer).map((p) => this.nameOf(p)) }
      case 'Content':
        return { kind: 'content', presenter: view.presenter, ...(view.speaker === undefined ? {} : { speaker: this.nameOf(view.speaker) }) }
      case 'NoVideo':
        return { kind: 'none' }
    }
  }

  private presence(document: PresenceDocument): PresenceView {
    if (document._tag === 'Unknown') return { state: 'Presence unknown' }
    return {
      state: 'Available',
      displayName: document.displayName,
      picture: document.avatar._tag === 'ProductLogo' ? { kind: 'product-logo' } : { kind: 'image', hash: document.avatar.hash },
    }
  }
}
