/**
 * A Skype for Business / Lync client (PROTOCOLS 1): contacts with presence, video and
 * audio-only calls with escalation, the dial pad (RFC 4733), IM sessions with typing, screen
 * sharing, adding someone to a conversation, and an alert when someone calls.
 *
 * Where SfB differs from the others, it is here: chat is a separate IM session of the same
 * conversation (INVITE `m=message`, the first message embedded; PROTOCOLS 1.3); content is
 * video-based screen sharing (DESIGN §2: VbSS first on the wire); a presentation shows the
 * banner "<name> is presenting"; a call with no incoming video shows the other party's contact
 * picture, which the client looks up by subscribing to its presence as it does for everyone
 * it talks to.
 */
import type { MediaOffer, Protocol } from '../../core/model/call.js'
import { addressKey } from '../address.js'
import type { ChatMeans, ContentMeans, DtmfMeans, IncomingCall, Picture, PresenceControl, PresenceView } from '../network.js'
import { Endpoint, type EndpointKind, type EndpointSetup, type Screen } from './endpoint.js'
import type { AddedParticipant, ConversationMember, SfbFrontEnd } from './sfb-front-end.js'
import type { SimCall } from './sim-call.js'

const imOnly: MediaOffer = { audio: false, video: false, content: false, chat: true }

/** A contact as the list shows it; `looking-up` until the first answer. */
export type Contact = PresenceView | { readonly state: 'looking-up' }

export class SfbClient extends Endpoint implements ConversationMember {
  readonly kind: EndpointKind = 'sfb'
  readonly protocol: Protocol = 'mssip'
  readonly reachableBy: ReadonlyArray<Protocol> = ['mssip']
  /** The dial pad sends RFC 4733 telephone-events, payload type 101 (PROTOCOLS 1.4). */
  protected readonly dtmfMeans: DtmfMeans = 'rfc4733'
  protected readonly contentMeans: ContentMeans = 'vbss'
  readonly chatMeans: ChatMeans | undefined = 'sfb-im-session'
  protected readonly videoOffer: MediaOffer = { audio: true, video: true, content: false, chat: false }
  /** The contact list, and the contacts of conversations, by address as typed. */
  private readonly contacts = new Map<string, { view: Contact; readonly control: PresenceControl; readonly listed: boolean }>()
  /** People added to each conversation from outside SfB. */
  private readonly added = new Map<string, AddedParticipant[]>()
  private conversations = 0
  /** Calls placed to add someone to a conversation: part of it, not a window of their own. */
  private readonly additions = new Set<SimCall>()

  constructor(
    setup: EndpointSetup,
    private readonly frontEnd: SfbFrontEnd,
  ) {
    super(setup, frontEnd)
  }

  override dial(address: string, media: 'video' | 'audio-only' = 'video'): SimCall {
    return this.place({
      to: address,
      from: this.identity,
      protocol: this.protocol,
      offer: media === 'video' ? this.videoOffer : { ...this.videoOffer, video: false },
      conversationId: this.newConversationId(),
    })
  }

  /** Adds an address to the contact list: the client subscribes to its presence. */
  addContact(address: string): void {
    this.lookUp(address, true)
  }

  removeContact(address: string): void {
    const entry = this.contacts.get(address)
    if (entry === undefined) return
    entry.control.unsubscribe()
    this.contacts.delete(address)
  }

  /** What the contact list (or the conversation window) shows for an address. */
  contact(address: string): Contact | undefined {
    return this.contacts.get(address)?.view
  }

  /** Sends an IM in the current conversation, opening its IM session with the first message. */
  override sendChat(text: string): void {
    const av = this.requireCall()
    const session = this.imSession(av)
    if (session?.control !== undefined) {
      session.control.sendChat(text, 'sfb-im-session')
      return
    }
    this.place({
      to: av.remote,
      from: this.identity,
      protocol: this.protocol,
      offer: imOnly,
      ...(av.conversationId === undefined ? {} : { conversationId: av.conversationId }),
      firstMessage: text,
    })
  }

  /** Typing in the conversation window: a KeyboardActivity INFO in an open IM session, else nothing on the wire. */
  typing(): void {
    this.imSession(this.requireCall())?.control?.typing('sfb-im-session')
  }

  /** Drags an address into the current conversation (DESIGN §2: an ordinary incoming call for Parley). */
  addToConversation(address: string): void {
    const current = this.requireCall()
    const conversationId = current.conversationId ?? this.newConversationId()
    const call = this.place({ to: address, from: this.identity, protocol: this.protocol, offer: this.videoOffer, conversationId })
    this.additions.add(call)
    this.frontEnd.conversationGrew(conversationId, { address, call })
  }

  readonly conversationGrew = (conversationId: string, added: AddedParticipant): void => {
    this.added.set(conversationId, [...(this.added.get(conversationId) ?? []), added])
  }

  /** Who has been added to the current conversation from outside SfB. */
  get addedToConversation(): ReadonlyArray<AddedParticipant> {
    const id = this.currentCall?.conversationId
    return id === undefined ? [] : (this.added.get(id) ?? [])
  }

  /** An IM invitation opens the conversation window with its first message (PROTOCOLS 1.3). */
  protected override answersByItself(incoming: IncomingCall): boolean {
    return incoming.offer.chat && !incoming.offer.audio && !incoming.offer.video
  }

  /** IM sessions and calls adding someone to the conversation are not what the main window shows. */
  protected override isSideCall(call: SimCall): boolean {
    return (call.offer.chat && !call.offer.audio) || this.additions.has(call)
  }

  protected override watch(call: SimCall): void {
    call.onChange = () => {
      if (call.status === 'connected' && !this.isSideCall(call)) this.lookUp(this.contactAddress(call), false)
    }
  }

  /** No incoming video: the other party's contact picture (DESIGN §2 `audio_only_view: avatar`). */
  protected override withoutVideo(call: SimCall): Screen {
    const of = this.contactAddress(call)
    const view = this.contact(of)
    return { kind: 'contact-picture', of, ...(view?.state === 'Available' ? { picture: view.picture } : {}) }
  }

  /** Content comes with the banner SfB writes from the presenting party's name (guide: "<VMR contact name> is presenting"). */
  protected override render(picture: Picture, call: SimCall): Screen {
    return picture.kind === 'content'
      ? {
          kind: 'content',
          presenter: picture.presenter,
          banner: `${picture.presenter} is presenting`,
          ...(picture.speaker === undefined ? {} : { speaker: picture.speaker }),
        }
      : super.render(picture, call)
  }

  private imSession(av: SimCall): SimCall | undefined {
    return this.calls.find((c) => c.live && this.isSideCall(c) && c.conversationId !== undefined && c.conversationId === av.conversationId)
  }

  /** The address SfB shows for the other party: the one dialled, or the caller's. */
  private contactAddress(call: SimCall): string {
    if (call.direction === 'outgoing') return call.remote
    const caller = call.caller?.uri ?? call.remote
    return addressKey(caller) ?? caller
  }

  private lookUp(address: string, listed: boolean): void {
    const existing = this.contacts.get(address)
    if (existing !== undefined) {
      if (listed && !existing.listed) this.contacts.set(address, { ...existing, listed })
      return
    }
    const entry: { view: Contact; control: PresenceControl; listed: boolean } = {
      view: { state: 'looking-up' },
      control: { unsubscribe: () => undefined },
      listed,
    }
    this.contacts.set(address, entry)
    entry.control = this.frontEnd.subscribe(this.identity.uri, /^[a-z0-9]+:/i.test(address) ? address : `sip:${address}`, {
      update: (view) => {
        entry.view = view
      },
    })
  }

  private newConversationId(): string {
    this.conversations += 1
    return `${this.address}/conversation-${this.conversations}`
  }
}
