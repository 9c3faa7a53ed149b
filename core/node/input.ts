/**
 * Facts from the world, each carrying the time it happened (DESIGN §1). Adapters decode wire
 * events into these; the simulator builds them directly.
 */
import type { CompiledConfig } from '../config/compiled.js'
import type { DtmfDigit, MediaOffer, Party, Protocol } from '../model/call.js'
import type { ConferenceId, LegId, Millis, SubscriptionId, TimerId } from '../model/ids.js'

/** A call arrived: an INVITE, an H.323 Setup, a web client joining, an SfB IM session. */
export interface CallOffered {
  readonly _tag: 'CallOffered'
  readonly at: Millis
  readonly leg: LegId
  /** The dialled address as received (request-URI or To), e.g. `sip:meet.alice**1234@example.com`. */
  readonly dialled: string
  readonly caller: Party
  readonly protocol: Protocol
  readonly offer: MediaOffer
  /** The network source, for lockouts and rules on source. */
  readonly source: string
  /**
   * `source` is a configured trusted peer whose asserted identity named `caller` (DESIGN §2, §3):
   * the PIN lockout then keys on the peer and the caller, not the peer alone (core/lockout/).
   */
  readonly trusted?: boolean
  readonly registered: boolean
  /** SfB `Ms-Conversation-ID`: an IM session and an AV call of one conversation share it. */
  readonly conversationId?: string
  /** SfB embeds the first IM in the INVITE (`ms-text-format`; PROTOCOLS 1.3). */
  readonly firstMessage?: string
}

/** A dial-out (ADP, gateway b-leg) was answered by the far end. */
export interface CallAnswered {
  readonly _tag: 'CallAnswered'
  readonly at: Millis
  readonly leg: LegId
  readonly answer: MediaOffer
}

/** A dial-out failed: a final error response, no answer, no route to the proxy. */
export interface CallFailed {
  readonly _tag: 'CallFailed'
  readonly at: Millis
  readonly leg: LegId
  readonly status: number
  readonly reason: string
}

/** The far end hung up (BYE), gave up before answer (CANCEL), or vanished (timers). */
export interface CallEnded {
  readonly _tag: 'CallEnded'
  readonly at: Millis
  readonly leg: LegId
  readonly reason: 'bye' | 'cancel' | 'timeout' | 'transport'
}

/** The far end changed its media (re-INVITE), e.g. an audio-only caller starting video. */
export interface MediaChanged {
  readonly _tag: 'MediaChanged'
  readonly at: Millis
  readonly leg: LegId
  readonly offer: MediaOffer
}

/** One DTMF digit: RFC 4733, SIP INFO dtmf-relay, or H.245 UserInputIndication. */
export interface DtmfReceived {
  readonly _tag: 'DtmfReceived'
  readonly at: Millis
  readonly leg: LegId
  readonly digit: DtmfDigit
}

/** A chat message from a participant (SfB IM MESSAGE, SIP MESSAGE in the dialog, web chat). */
export interface ChatReceived {
  readonly _tag: 'ChatReceived'
  readonly at: Millis
  readonly leg: LegId
  readonly text: string
}

/** A participant asks for the content floor (BFCP FloorRequest, H.239 token, SfB share). */
export interface ContentRequested {
  readonly _tag: 'ContentRequested'
  readonly at: Millis
  readonly leg: LegId
}

export interface ContentReleased {
  readonly _tag: 'ContentReleased'
  readonly at: Millis
  readonly leg: LegId
}

/** The media side heard a new loudest speaker in a conference. */
export interface ActiveSpeakerChanged {
  readonly _tag: 'ActiveSpeakerChanged'
  readonly at: Millis
  readonly conference: ConferenceId
  readonly leg: LegId
}

/** A timer the core asked for (`StartTimer`) is due. */
export interface TimerFired {
  readonly _tag: 'TimerFired'
  readonly at: Millis
  readonly timer: TimerId
}

/** A watcher subscribed to the presence of an address (one resource of a batch, or a single one). */
export interface PresenceSubscribed {
  readonly _tag: 'PresenceSubscribed'
  readonly at: Millis
  readonly subscription: SubscriptionId
  /** The watched address as received, e.g. `sip:meet.alice@example.com`. */
  readonly target: string
  readonly watcher: string
}

/** A subscription ended: unsubscribed (Expires: 0), expired without refresh, or its dialog died. */
export interface PresenceUnsubscribed {
  readonly _tag: 'PresenceUnsubscribed'
  readonly at: Millis
  readonly subscription: SubscriptionId
}

/** The operator changed the configuration; the new one is already validated and compiled. */
export interface ConfigChanged {
  readonly _tag: 'ConfigChanged'
  readonly at: Millis
  readonly config: CompiledConfig
}

export type Input =
  | CallOffered
  | CallAnswered
  | CallFailed
  | CallEnded
  | MediaChanged
  | DtmfReceived
  | ChatReceived
  | ContentRequested
  | ContentReleased
  | ActiveSpeakerChanged
  | TimerFired
  | PresenceSubscribed
  | PresenceUnsubscribed
  | ConfigChanged
