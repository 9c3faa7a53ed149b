/**
 * What a simulated endpoint can do to the world outside it, and what it perceives back, with
 * no word about how it travels. Two implementations: in-process over the pure core
 * (in-process/in-process-network.ts, the `sim` world) and, later, real SIP to a running node
 * (the `wire` world). The endpoint models in endpoints/ talk only to this interface, so the
 * same SfB client, room system or web client serves both worlds.
 *
 * How a kind of endpoint does a thing (RFC 4733 or H.245 DTMF, VbSS or BFCP or H.239 content,
 * an SfB IM session or an in-dialog MESSAGE) is the endpoint model's choice and is passed
 * along as a `...Means`; the in-process network ignores it, a wire network encodes it.
 */
import type { DtmfDigit, Layout, MediaAnswer, MediaOffer, Party, Protocol } from '../core/model/call.js'
import type { Sound, View } from '../core/node/effect.js'

/** RFC 4733 telephone-event, SIP INFO `application/dtmf-relay`, H.245 UserInputIndication. */
export type DtmfMeans = 'rfc4733' | 'sip-info' | 'h245-user-input'
/** SfB video-based screen sharing or RDP application sharing, BFCP + second video, H.239, a web client's presentation channel. */
export type ContentMeans = 'vbss' | 'rdp' | 'bfcp' | 'h239' | 'web-presentation'
/** An SfB IM session (INVITE `m=message`, then MESSAGE), RFC 3428 MESSAGE in the call's dialog, a web chat channel. */
export type ChatMeans = 'sfb-im-session' | 'sip-message' | 'web-chat'

export type SplashScreen = Extract<View, { readonly _tag: 'Splash' }>['screen']

/**
 * What arrives on a call's video, with people named as the picture shows them (name overlays).
 * `none`: Parley sends no picture (an audio-only caller in an `avatar` VMR).
 */
export type Picture =
  | { readonly kind: 'none' }
  | { readonly kind: 'splash'; readonly splash: SplashScreen }
  | { readonly kind: 'self-view' }
  | { readonly kind: 'composed'; readonly layout: Layout; readonly participants: ReadonlyArray<string> }
  | { readonly kind: 'content'; readonly presenter: string; readonly speaker?: string }
  /** A point-to-point call (gateway or SfB to SfB): the other side's camera. */
  | { readonly kind: 'far-end'; readonly party: string }

/** What a call's audio carries besides prompts: a conference's mix, the other side, nothing. */
export type Hearing =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'conference'; readonly room: string }
  | { readonly kind: 'far-end'; readonly party: string }

export interface CallRequest {
  /** The address as the user typed or picked it, e.g. `meet.alice**1234@example.com`. */
  readonly to: string
  readonly from: Party
  readonly protocol: Protocol
  readonly offer: MediaOffer
  /** SfB `Ms-Conversation-ID`: an IM session and an AV call of one conversation share it. */
  readonly conversationId?: string
  /** SfB embeds the first IM of a session in its INVITE. */
  readonly firstMessage?: string
}

/** How the far side (Parley, or another endpoint) treats one call, as the endpoint perceives it. */
export interface CallEvents {
  /** 180 Ringing / Alerting: the caller hears ringback. */
  readonly ringing: () => void
  /** The call (or a media change) was answered; directions are the far side's. */
  readonly answered: (answer: MediaAnswer) => void
  readonly failed: (status: number, reason: string) => void
  /** The far side changed the media itself (Parley adding `sendonly` room video). */
  readonly reoffered: (offer: MediaAnswer) => void
  readonly ended: (reason: string) => void
  readonly picture: (picture: Picture) => void
  readonly sound: (sound: Sound) => void
  readonly hearing: (hearing: Hearing) => void
  readonly chat: (from: Party, text: string) => void
  readonly tone: (digit: DtmfDigit) => void
  readonly floor: (granted: boolean) => void
}

/** What an endpoint can do on a call it placed or answered. */
export interface CallControl {
  readonly sendDigits: (digits: string, means: DtmfMeans) => void
  readonly sendChat: (text: string, means: ChatMeans) => void
  /** SfB KeyboardActivity INFO; carries no text. */
  readonly typing: (means: ChatMeans) => void
  readonly changeMedia: (offer: MediaOffer) => void
  readonly startContent: (means: ContentMeans) => void
  readonly stopContent: (means: ContentMeans) => void
  readonly hangup: () => void
}

/** A call arriving at an endpoint; it answers with the streams it accepts, or declines. */
export interface IncomingCall {
  readonly from: Party
  readonly protocol: Protocol
  readonly offer: MediaOffer
  readonly conversationId?: string
  readonly accept: (media: MediaOffer) => void
  readonly decline: (status: number, reason: string) => void
  readonly control: CallControl
}

/** An endpoint reachable at an address (a registration, a DNS name, an SfB user homed on a pool). */
export interface Reachable {
  readonly identity: Party
  /** `user@domain`, as dialled. */
  readonly address: string
  readonly protocols: ReadonlyArray<Protocol>
  /** The network offers a call; the endpoint returns how it will perceive it. */
  readonly ring: (call: IncomingCall) => CallEvents
}

/** What a contact list shows for an address. */
export type ContactPicture = { readonly kind: 'product-logo' } | { readonly kind: 'image'; readonly hash: string }
export type PresenceView =
  | { readonly state: 'Available'; readonly displayName: string; readonly picture: ContactPicture }
  | { readonly state: 'Presence unknown' }

export interface PresenceEvents {
  readonly update: (view: PresenceView) => void
}

export interface PresenceControl {
  readonly unsubscribe: () => void
}

export interface SimNetwork {
  readonly attach: (endpoint: Reachable) => void
  readonly call: (request: CallRequest, events: CallEvents) => CallControl
  readonly subscribe: (watcher: string, target: string, events: PresenceEvents) => PresenceControl
}
