/**
 * What one aggregate tells another (DESIGN §1: "routes effects that address another aggregate
 * back in as inputs"). The router delivers these within the same `stepNode`, in order, until
 * none is left; they never leave the core. Kept apart from the aggregates so that a Call and a
 * Conference can name each other's messages without importing each other.
 */
import type { MediaOffer, OutgoingProtocol, Party, Protocol, Role, CallType } from '../model/call.js'
import type { Sound, View } from './effect.js'
import type {
  CallAnswered,
  CallEnded,
  CallFailed,
  ChatReceived,
  ContentReleased,
  ContentRequested,
  DtmfReceived,
  MediaChanged,
} from './input.js'
import type { ConferenceId, LegId } from '../model/ids.js'
import type { Route } from '../gateway/route.js'

/** Inputs that name a leg: the router hands them to that leg's Call. */
export type LegInput =
  | CallAnswered
  | CallFailed
  | CallEnded
  | MediaChanged
  | DtmfReceived
  | ChatReceived
  | ContentRequested
  | ContentReleased

/** Who decides for a dial-out leg; its Call forwards what happens on the leg to it. */
export type DialOutOwner =
  | {
      readonly _tag: 'Adp'
      readonly conference: ConferenceId
      readonly adpId: string
      /** Sent once answered; `,` is a 2 s pause (DESIGN §2 ADP). */
      readonly dtmfSequence: string
      readonly callType: CallType
    }
  | { readonly _tag: 'GatewayOut'; readonly gateway: LegId }

/** What a participant's leg sends and receives, decided by its Call under the VMR's ceiling. */
export interface ParticipantMedia {
  /** The leg sends video into the room (it appears in others' layouts with its picture). */
  readonly sendsVideo: boolean
  /**
   * The leg receives the room's video: it offered video, or it is an audio-only leg of a
   * `room` VMR that was re-offered sendonly video. Otherwise it is shown NoVideo.
   */
  readonly receivesVideo: boolean
}

/** A screen and a sound to give a leg before hanging it up (e.g. conference-ending). */
export interface Farewell {
  readonly screen: Extract<View, { readonly _tag: 'Splash' }>['screen']
  readonly sound: Sound
}

/** A leg that passed PIN entry (or needed none) and enters the conference with a role. */
export interface Admission {
  readonly leg: LegId
  readonly role: Role
  readonly party: Party
  readonly protocol: Protocol
  readonly media: ParticipantMedia
  /** An SfB IM session, a web client, or a leg whose offer carried chat (DESIGN §2 IM). */
  readonly chatCapable: boolean
  /** An IM-only session: in the roster and the chat, never in the mix or the layouts. */
  readonly chatOnly: boolean
  readonly conversationId?: string
}

export type ConferenceMessage =
  /** A caller reached the PIN prompt: it is not in the conference, but the conference is not empty. */
  | { readonly _tag: 'LegArrived'; readonly leg: LegId }
  | { readonly _tag: 'Admit'; readonly admission: Admission }
  /**
   * An SfB IM session (chat, no audio or video) for this VMR. It attaches to the participant
   * with its conversation id, else joins alone with `standaloneRole` (undefined: it would
   * need a PIN it cannot type, so it is refused).
   */
  | {
      readonly _tag: 'ChatSessionOffered'
      readonly admission: Admission
      readonly standaloneRole: Role | undefined
      readonly firstMessage?: string
    }
  /** The leg is gone (hung up, or hung up by its own Call after three wrong PINs). */
  | { readonly _tag: 'LegLeft'; readonly leg: LegId }
  /** A waiting Guest typed the Host PIN. */
  | { readonly _tag: 'Promote'; readonly leg: LegId }
  | { readonly _tag: 'ParticipantChat'; readonly leg: LegId; readonly text: string }
  | { readonly _tag: 'ParticipantContent'; readonly leg: LegId; readonly wantsFloor: boolean }
  | { readonly _tag: 'ParticipantMediaChanged'; readonly leg: LegId; readonly media: ParticipantMedia }
  | { readonly _tag: 'AdpAnswered'; readonly leg: LegId; readonly adpId: string; readonly answer: MediaOffer }
  | { readonly _tag: 'AdpFailed'; readonly leg: LegId; readonly adpId: string }
  /** The VMR is no longer in the configuration. */
  | { readonly _tag: 'VmrRemoved' }

export type CallMessage =
  /** The leg waits for the Host: it may type the Host PIN (DESIGN §2 host gating). */
  | { readonly _tag: 'AwaitHost' }
  /** The leg no longer waits (a Host came, or it became one). */
  | { readonly _tag: 'Released' }
  /** An IM session was taken into the conference (its Answer is already emitted). */
  | { readonly _tag: 'ChatSessionAccepted' }
  /** End the leg: show and play `farewell` first when given, then hang up. */
  | { readonly _tag: 'Dismiss'; readonly reason: string; readonly farewell?: Farewell }
  /** The owner already ended the leg on the wire (Reject/Hangup emitted): drop its state. */
  | { readonly _tag: 'Forget' }
  /**
   * The leg's source was just locked out for wrong PINs (core/lockout/): a leg still at the PIN
   * prompt ends, a waiting Guest may no longer try the Host PIN, so that calls opened before
   * the block cannot go on guessing.
   */
  | { readonly _tag: 'PinLockedOut' }

/** A new gateway call: the caller's leg and the rule that matched its alias. */
export interface GatewayStart {
  readonly a: LegId
  readonly party: Party
  readonly protocol: Protocol
  readonly offer: MediaOffer
  readonly route: Route
}

export type GatewayMessage = { readonly _tag: 'GatewayLegInput'; readonly side: 'a' | 'b'; readonly input: LegInput }

export type NodeMessage =
  | { readonly _tag: 'ToConference'; readonly conference: ConferenceId; readonly message: ConferenceMessage }
  | { readonly _tag: 'ToCall'; readonly leg: LegId; readonly message: CallMessage }
  | { readonly _tag: 'ToGateway'; readonly gateway: LegId; readonly message: GatewayMessage }
  /** The caller's DialOut effect is already emitted; the router starts a Call for the new leg. */
  | {
      readonly _tag: 'TrackDialOut'
      readonly leg: LegId
      readonly owner: DialOutOwner
      readonly protocol: OutgoingProtocol
      readonly party: Party
    }
  | { readonly _tag: 'StartGateway'; readonly start: GatewayStart }

export const toConference = (conference: ConferenceId, message: ConferenceMessage): NodeMessage => ({
  _tag: 'ToConference',
  conference,
  message,
})
export const toCall = (leg: LegId, message: CallMessage): NodeMessage => ({ _tag: 'ToCall', leg, message })
export const toGateway = (gateway: LegId, message: GatewayMessage): NodeMessage => ({ _tag: 'ToGateway', gateway, message })

