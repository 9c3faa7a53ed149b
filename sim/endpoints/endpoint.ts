/**
 * What every simulated endpoint shares: an identity, calls placed and received through a
 * network, a dial pad, a camera, content, and a screen. Each kind (SfB client, SIP room system,
 * H.323 room system, web client, SIP video app) says how it does each thing (its protocol, DTMF
 * means, content means, chat means) and how it renders what it receives.
 */
import type { MediaOffer, Party, Protocol } from '../../core/model/call.js'
import type {
  CallControl,
  CallEvents,
  CallRequest,
  ChatMeans,
  ContactPicture,
  ContentMeans,
  DtmfMeans,
  IncomingCall,
  Picture,
  Reachable,
} from '../network.js'
import { SimCall } from './sim-call.js'

/** Places calls: the network itself, or an SfB Front End that keeps calls between its users. */
export interface CallPlacer {
  readonly call: (request: CallRequest, events: CallEvents) => CallControl
}

/** What the user sees on the main screen. */
export type Screen =
  | { readonly kind: 'idle' }
  | { readonly kind: 'incoming-call'; readonly from: string }
  | { readonly kind: 'calling' }
  | { readonly kind: 'call-failed'; readonly status: number }
  | Exclude<Picture, { readonly kind: 'none' | 'content' }>
  /** Content in the main window; `banner` is what the client writes above it. */
  | { readonly kind: 'content'; readonly presenter: string; readonly banner?: string; readonly speaker?: string }
  /** No video arrives: the SfB client shows the other party's contact picture. */
  | { readonly kind: 'contact-picture'; readonly of: string; readonly picture?: ContactPicture }
  /** No video arrives and the endpoint has nothing to show (room systems). */
  | { readonly kind: 'no-video' }

export type EndpointKind = 'sfb' | 'sip-room' | 'h323-room' | 'web' | 'sip-app'

export interface EndpointSetup {
  /** The user's name, also the display name the far side shows. */
  readonly name: string
  /** `user@domain`: where the endpoint can be called. */
  readonly address: string
}

const audioOnly: MediaOffer = { audio: true, video: false, content: false, chat: false }

export abstract class Endpoint {
  abstract readonly kind: EndpointKind
  abstract readonly protocol: Protocol
  /** Protocols it can be called with. */
  abstract readonly reachableBy: ReadonlyArray<Protocol>
  protected abstract readonly dtmfMeans: DtmfMeans
  protected abstract readonly contentMeans: ContentMeans
  /** How it chats, or undefined for endpoints without chat (standard room systems). */
  abstract readonly chatMeans: ChatMeans | undefined
  /** What it offers on a video call. */
  protected abstract readonly videoOffer: MediaOffer
  /** Room systems answer by themselves; people answer by hand. */
  autoAnswer = false
  /** The user is away: an incoming call rings until the caller gives up. */
  away = false
  readonly calls: SimCall[] = []
  readonly identity: Party
  private readonly pendingAnswers = new Map<SimCall, IncomingCall>()

  constructor(
    readonly setup: EndpointSetup,
    protected readonly placer: CallPlacer,
  ) {
    this.identity = { displayName: setup.name, uri: `sip:${setup.address}` }
  }

  get name(): string {
    return this.setup.name
  }

  get address(): string {
    return this.setup.address
  }

  get reachable(): Reachable {
    return { identity: this.identity, address: this.address, protocols: this.reachableBy, ring: this.ring }
  }

  /** The call the user is looking at: the newest live one, else the newest. */
  get currentCall(): SimCall | undefined {
    const live = this.calls.filter((c) => c.live && !this.isSideCall(c))
    return live[live.length - 1] ?? this.calls.filter((c) => !this.isSideCall(c)).at(-1)
  }

  /** Calls that are not what the main screen shows (an SfB IM session). */
  protected isSideCall(_call: SimCall): boolean {
    return false
  }

  dial(address: string, media: 'video' | 'audio-only' = 'video'): SimCall {
    return this.place({ to: address, from: this.identity, protocol: this.protocol, offer: media === 'video' ? this.videoOffer : audioOnly })
  }

  protected place(request: CallRequest): SimCall {
    const call = new SimCall({
      remote: request.to,
      direction: 'outgoing',
      offer: request.offer,
      ...(request.conversationId === undefined ? {} : { conversationId: request.conversationId }),
    })
    this.calls.push(call)
    this.watch(call)
    call.control = this.placer.call(request, call.events)
    return call
  }

  /** Hook for kinds that react to what a call shows (the SfB client fetches contact pictures). */
  protected watch(_call: SimCall): void {}

  private readonly ring = (incoming: IncomingCall): CallEvents => {
    const call = new SimCall({
      remote: incoming.from.uri,
      direction: 'incoming',
      offer: incoming.offer,
      caller: incoming.from,
      ...(incoming.conversationId === undefined ? {} : { conversationId: incoming.conversationId }),
    })
    call.control = incoming.control
    this.calls.push(call)
    this.watch(call)
    this.pendingAnswers.set(call, incoming)
    if ((this.autoAnswer && !this.away) || this.answersByItself(incoming)) this.accept(call)
    return call.events
  }

  /** Calls the endpoint takes without anyone picking up (an SfB IM session opens its window). */
  protected answersByItself(_incoming: IncomingCall): boolean {
    return false
  }

  /** Picks up the call that is ringing. */
  answer(): void {
    const call = this.alertingCall()
    this.accept(call)
  }

  /** Turns the ringing call down (SfB "Ignore"). */
  decline(): void {
    const call = this.alertingCall()
    const incoming = this.pendingAnswers.get(call)
    this.pendingAnswers.delete(call)
    call.events.ended('declined')
    incoming?.decline(603, 'Decline')
  }

  private alertingCall(): SimCall {
    const call = [...this.pendingAnswers.keys()].find((c) => c.status === 'alerting')
    if (call === undefined) throw new Error(`${this.name}: nothing is ringing`)
    return call
  }

  private accept(call: SimCall): void {
    const incoming = this.pendingAnswers.get(call)
    if (incoming === undefined) return
    this.pendingAnswers.delete(call)
    const accepted: MediaOffer = {
      audio: incoming.offer.audio && this.videoOffer.audio,
      video: incoming.offer.video && this.videoOffer.video,
      content: incoming.offer.content && this.videoOffer.content,
      chat: incoming.offer.chat && this.chatMeans !== undefined,
    }
    call.offer = accepted
    call.events.answered({
      ...(accepted.audio ? { audio: 'sendrecv' } : {}),
      ...(accepted.video ? { video: 'sendrecv' } : {}),
      ...(accepted.content ? { content: 'sendrecv' } : {}),
      ...(accepted.chat ? { chat: true } : {}),
    })
    incoming.accept(accepted)
  }

  hangUp(): void {
    const call = this.requireCall()
    call.control?.hangup()
    call.events.ended('hung up')
    for (const side of this.calls.filter((c) => c.live && c.conversationId !== undefined && c.conversationId === call.conversationId)) {
      side.control?.hangup()
      side.events.ended('hung up')
    }
  }

  /** Dial pad (SfB), remote control (room systems), keypad (web): one digit after another. */
  enterDigits(digits: string): void {
    this.requireControl().sendDigits(digits, this.dtmfMeans)
  }

  startVideo(): void {
    const call = this.requireCall()
    call.offer = { ...call.offer, video: true }
    this.requireControl().changeMedia(call.offer)
  }

  share(): void {
    const call = this.requireCall()
    if (!call.offer.content) call.offer = { ...call.offer, content: true }
    this.requireControl().startContent(this.contentMeans)
  }

  /** The presenter lets go of the floor itself (BFCP FloorRelease, H.239 token release): it knows it stopped. */
  stopSharing(): void {
    this.requireControl().stopContent(this.contentMeans)
    this.requireCall().events.floor(false)
  }

  sendChat(text: string): void {
    if (this.chatMeans === undefined) throw new Error(`${this.name}'s ${this.kind} has no chat`)
    this.requireControl().sendChat(text, this.chatMeans)
  }

  /** Chat lines that reached the user, in order. */
  get chatLines(): ReadonlyArray<{ readonly from: Party; readonly text: string }> {
    return this.calls.flatMap((c) => c.chat)
  }

  /** What the main screen shows now. */
  get screen(): Screen {
    const call = this.currentCall
    if (call === undefined) return { kind: 'idle' }
    switch (call.status) {
      case 'alerting':
        return { kind: 'incoming-call', from: call.caller?.displayName ?? call.remote }
      case 'calling':
      case 'ringing':
        return { kind: 'calling' }
      case 'failed':
        return { kind: 'call-failed', status: call.failure?.status ?? 0 }
      case 'ended':
        return { kind: 'idle' }
      case 'connected':
        // Splash screens and layouts are pictures: without incoming video there is nothing to show them on.
        return call.media.video.receiving ? this.render(call.picture, call) : this.withoutVideo(call)
    }
  }

  /** What the endpoint shows when no video arrives. */
  protected withoutVideo(_call: SimCall): Screen {
    return { kind: 'no-video' }
  }

  /** How the endpoint draws a picture it receives; `content` has no banner unless a kind adds one. */
  protected render(picture: Picture, call: SimCall): Screen {
    switch (picture.kind) {
      case 'none':
        return this.withoutVideo(call)
      case 'content':
        return { kind: 'content', presenter: picture.presenter, ...(picture.speaker === undefined ? {} : { speaker: picture.speaker }) }
      default:
        return picture
    }
  }

  protected requireCall(): SimCall {
    const call = this.currentCall
    if (call === undefined || !call.live) throw new Error(`${this.name} is not in a call`)
    return call
  }

  protected requireControl(): CallControl {
    const control = this.requireCall().control
    if (control === undefined) throw new Error(`${this.name}'s call has no control`)
    return control
  }
}
