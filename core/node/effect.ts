/**
 * Instructions the core gives the world (DESIGN §1). Adapters carry them out; the simulator
 * turns them into what each endpoint sees and hears. Effects name legs, never transports.
 */
import type { Layout, MediaAnswer, OutgoingProtocol, Party, RuleCallType } from '../model/call.js'
import type { ConferenceId, LegId, Millis, SubscriptionId, TimerId } from '../model/ids.js'

/** 180 Ringing (or H.225 Alerting) while Parley places the other half of a gateway call. */
export interface Ring { readonly _tag: 'Ring'; readonly leg: LegId }
/** 200 OK with this media. */
export interface Answer { readonly _tag: 'Answer'; readonly leg: LegId; readonly answer: MediaAnswer }
/** A final error response to a call that was not answered. */
export interface Reject {
  readonly _tag: 'Reject'
  readonly leg: LegId
  readonly status: 403 | 404 | 480 | 486 | 488 | 503 | 603
  readonly reason: string
}
/** Parley's own re-INVITE (e.g. adding sendonly video to an audio-only leg: RFC 3264 §8). */
export interface Reoffer { readonly _tag: 'Reoffer'; readonly leg: LegId; readonly offer: MediaAnswer }
/** End an established leg (BYE) or abandon an unanswered dial-out (CANCEL). */
export interface Hangup { readonly _tag: 'Hangup'; readonly leg: LegId; readonly reason: string }
/** Place an outgoing call (ADP, gateway b-leg, dial-out to an SfB user). */
export interface DialOut {
  readonly _tag: 'DialOut'
  readonly leg: LegId
  readonly from: Party
  /** The address to call, e.g. `sip:room1@rooms.example.com`. */
  readonly to: string
  readonly protocol: OutgoingProtocol
  /** `host[:port]` of the proxy to send it through; absent = the host of `to`. */
  readonly proxy?: string
  readonly callType: RuleCallType
  readonly offer: MediaAnswer
}
/** Send DTMF digits on a leg (ADP `dtmf_sequence`, gateway relay). */
export interface SendDtmf { readonly _tag: 'SendDtmf'; readonly leg: LegId; readonly digits: string }

/** What a participant's screen shows. */
export type View =
  | { readonly _tag: 'Splash'; readonly screen: 'pin-entry' | 'waiting-for-host' | 'invalid-pin' | 'conference-ending' }
  /** The first participant sees themselves until someone joins. */
  | { readonly _tag: 'SelfView' }
  /**
   * The room's composed layout. `participants` is the conference's order (most recent active
   * speaker first, then by arrival), the same list for every viewer and possibly holding the
   * viewer itself: a viewer sees the first `layoutCapacity[layout]` of them other than itself
   * (`composedTiles` in core/conference/tiles.ts). One list per room, not one per viewer.
   */
  | { readonly _tag: 'Composed'; readonly layout: Layout; readonly participants: ReadonlyArray<LegId> }
  /** Content main, the active speaker small; `presenter` is the name the receiver is shown. */
  | { readonly _tag: 'Content'; readonly presenter: string; readonly speaker?: LegId }
  /** No video at all (audio-only leg in an `avatar` VMR: the client shows the contact picture). */
  | { readonly _tag: 'NoVideo' }

export interface Show { readonly _tag: 'Show'; readonly leg: LegId; readonly view: View }

/** What a participant hears besides the conference mix. */
export type Sound = 'pin-prompt' | 'invalid-pin' | 'hold-music' | 'conference-ending' | 'conference'
export interface Play { readonly _tag: 'Play'; readonly leg: LegId; readonly sound: Sound }

/** Put a leg into the conference's audio mix and video composition, or take it out. */
export interface JoinMix { readonly _tag: 'JoinMix'; readonly leg: LegId; readonly conference: ConferenceId }
export interface LeaveMix { readonly _tag: 'LeaveMix'; readonly leg: LegId; readonly conference: ConferenceId }
/** Connect the two halves of a gateway call, transcoding where they differ. */
export interface Bridge { readonly _tag: 'Bridge'; readonly a: LegId; readonly b: LegId }

/** Content floor (BFCP FloorRequestStatus Granted / Revoked, H.239 token). */
export interface GrantFloor { readonly _tag: 'GrantFloor'; readonly leg: LegId }
export interface RevokeFloor { readonly _tag: 'RevokeFloor'; readonly leg: LegId }

/** Deliver one chat message to one leg, from the party it should appear to come from. */
export interface DeliverChat { readonly _tag: 'DeliverChat'; readonly leg: LegId; readonly from: Party; readonly text: string }

/** What a watcher sees for an address (DESIGN §2 "Presence and avatar"). */
export type Avatar = { readonly _tag: 'ProductLogo' } | { readonly _tag: 'ConferenceAvatar'; readonly conference: ConferenceId; readonly hash: string }
export type PresenceDocument =
  /** SfB availability 3500; PIDF basic `open`. */
  | { readonly _tag: 'Available'; readonly displayName: string; readonly avatar: Avatar }
  /** No presence: SfB shows "Presence unknown". */
  | { readonly _tag: 'Unknown' }

/** The first answer to a subscription (SUBSCRIBE 200 + first NOTIFY, or piggybacked). */
export interface PresenceAnswer { readonly _tag: 'PresenceAnswer'; readonly subscription: SubscriptionId; readonly document: PresenceDocument }
/** A later change for an existing watcher (NOTIFY). */
export interface PresenceNotify { readonly _tag: 'PresenceNotify'; readonly subscription: SubscriptionId; readonly document: PresenceDocument }

export interface StartTimer { readonly _tag: 'StartTimer'; readonly timer: TimerId; readonly due: Millis }
export interface CancelTimer { readonly _tag: 'CancelTimer'; readonly timer: TimerId }

/** Something operators count or log (metrics, audit log). It changes nothing. */
export type Observation =
  | { readonly _tag: 'PinFailed'; readonly leg: LegId; readonly conference: ConferenceId; readonly source: string }
  | { readonly _tag: 'PinAccepted'; readonly leg: LegId; readonly conference: ConferenceId; readonly role: 'host' | 'guest' }
  | { readonly _tag: 'CallResolved'; readonly leg: LegId; readonly result: 'conference' | 'gateway' | 'rejected' }
  | { readonly _tag: 'ChatRelayed'; readonly from: LegId; readonly recipients: number }
  | { readonly _tag: 'ConferenceEnded'; readonly conference: ConferenceId; readonly reason: string }
  | { readonly _tag: 'GatewayUnavailable'; readonly leg: LegId; readonly reason: string }
  /** An ADP the conference did not place: no outgoing rule matched, or its protocol has no adapter. */
  | { readonly _tag: 'AdpNotDialled'; readonly conference: ConferenceId; readonly adp: string; readonly reason: string }
  /** A lockout key (a source, or a trusted peer and its asserted caller) reached `pin_lockout.failures` (core/lockout/). */
  | { readonly _tag: 'SourceLockedOut'; readonly key: string; readonly failures: number; readonly until: Millis }
  /** A call refused (403) because its lockout key is blocked. */
  | { readonly _tag: 'LockedOutCallRefused'; readonly leg: LegId; readonly key: string; readonly until: Millis }
export interface Observe { readonly _tag: 'Observe'; readonly observation: Observation }

export type Effect =
  | Ring
  | Answer
  | Reject
  | Reoffer
  | Hangup
  | DialOut
  | SendDtmf
  | Show
  | Play
  | JoinMix
  | LeaveMix
  | Bridge
  | GrantFloor
  | RevokeFloor
  | DeliverChat
  | PresenceAnswer
  | PresenceNotify
  | StartTimer
  | CancelTimer
  | Observe
