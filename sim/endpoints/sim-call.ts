/**
 * One call as an endpoint lives it: what it hears and sees, what it sends, who answered, how it
 * ended. It is the endpoint's side of `CallEvents`; the endpoint models read it to say what the
 * user perceives.
 */
import type { Direction, DtmfDigit, MediaAnswer, MediaOffer, Party } from '../../core/model/call.js'
import type { Sound } from '../../core/node/effect.js'
import type { CallControl, CallEvents, Hearing, Picture } from '../network.js'

export type CallStatus = 'calling' | 'ringing' | 'alerting' | 'connected' | 'failed' | 'ended'

export interface StreamState {
  readonly sending: boolean
  readonly receiving: boolean
}

export interface MediaState {
  readonly audio: StreamState
  readonly video: StreamState
  readonly content: StreamState
}

export interface ChatLine {
  readonly from: Party
  readonly text: string
}

const idle: StreamState = { sending: false, receiving: false }
const noMedia: MediaState = { audio: idle, video: idle, content: idle }

/** `direction` is the far side's; the endpoint sends what the far side receives and vice versa. */
const fromFarSide = (offered: boolean, direction: Direction | undefined): StreamState =>
  !offered || direction === undefined
    ? idle
    : { sending: direction === 'sendrecv' || direction === 'recvonly', receiving: direction === 'sendrecv' || direction === 'sendonly' }

export class SimCall {
  status: CallStatus
  /** The address dialled, or the caller's address for an incoming call. */
  readonly remote: string
  readonly direction: 'outgoing' | 'incoming'
  readonly conversationId: string | undefined
  /** Who called, for an incoming call. */
  readonly caller: Party | undefined
  offer: MediaOffer
  media: MediaState = noMedia
  picture: Picture = { kind: 'none' }
  /** Every picture that arrived, in order (a PIN entry screen once shown stays in history). */
  readonly pictures: Picture[] = []
  sound: Sound | undefined
  readonly sounds: Sound[] = []
  hearing: Hearing = { kind: 'nothing' }
  presenting = false
  failure: { readonly status: number; readonly reason: string } | undefined
  endReason: string | undefined
  readonly chat: ChatLine[] = []
  /** Tones received (an ADP's `dtmf_sequence`, relayed DTMF), in order. */
  tones = ''
  control: CallControl | undefined
  /** Called whenever something the user perceives changes (the SfB client looks up pictures). */
  onChange: (() => void) | undefined

  constructor(args: {
    readonly remote: string
    readonly direction: 'outgoing' | 'incoming'
    readonly offer: MediaOffer
    readonly conversationId?: string
    readonly caller?: Party
  }) {
    this.remote = args.remote
    this.direction = args.direction
    this.offer = args.offer
    this.conversationId = args.conversationId
    this.caller = args.caller
    this.status = args.direction === 'outgoing' ? 'calling' : 'alerting'
  }

  get live(): boolean {
    return this.status === 'calling' || this.status === 'ringing' || this.status === 'alerting' || this.status === 'connected'
  }

  private readonly onRinging = (): void => {
    if (this.status === 'calling') this.status = 'ringing'
  }

  private readonly onAnswered = (answer: MediaAnswer): void => {
    if (!this.live) return
    this.status = 'connected'
    this.media = {
      audio: fromFarSide(this.offer.audio, answer.audio),
      video: fromFarSide(this.offer.video, answer.video),
      content: fromFarSide(this.offer.content, answer.content),
    }
    this.onChange?.()
  }

  /** The endpoint takes what it is offered (Parley adding room video to an audio-only call). */
  private readonly onReoffered = (offer: MediaAnswer): void => {
    if (!this.live) return
    this.media = {
      audio: fromFarSide(offer.audio !== undefined, offer.audio),
      video: fromFarSide(offer.video !== undefined, offer.video),
      content: fromFarSide(offer.content !== undefined, offer.content),
    }
    this.onChange?.()
  }

  private readonly onFailed = (status: number, reason: string): void => {
    if (!this.live) return
    this.status = 'failed'
    this.failure = { status, reason }
    this.onChange?.()
  }

  private readonly onEnded = (reason: string): void => {
    if (!this.live) return
    this.status = 'ended'
    this.endReason = reason
    this.presenting = false
    this.hearing = { kind: 'nothing' }
    this.onChange?.()
  }

  private readonly onPicture = (picture: Picture): void => {
    this.picture = picture
    this.pictures.push(picture)
    this.onChange?.()
  }

  private readonly onSound = (sound: Sound): void => {
    this.sound = sound
    this.sounds.push(sound)
  }

  private readonly onHearing = (hearing: Hearing): void => {
    this.hearing = hearing
  }

  private readonly onChat = (from: Party, text: string): void => {
    this.chat.push({ from, text })
  }

  private readonly onTone = (digit: DtmfDigit): void => {
    this.tones += digit
  }

  private readonly onFloor = (granted: boolean): void => {
    this.presenting = granted
  }

  /** The events to hand to the network (fields named as `CallEvents` wants them). */
  readonly events: CallEvents = {
    ringing: this.onRinging,
    answered: this.onAnswered,
    failed: this.onFailed,
    reoffered: this.onReoffered,
    ended: this.onEnded,
    picture: this.onPicture,
    sound: this.onSound,
    hearing: this.onHearing,
    chat: this.onChat,
    tone: this.onTone,
    floor: this.onFloor,
  }
}
