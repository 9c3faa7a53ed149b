/**
 * The Skype for Business server side the SfB clients sign in to (a Front End pool): it carries
 * calls and presence between its own users itself, and sends everything else (a VMR, an
 * address the gateway reaches) to Parley over the static route (PROTOCOLS 1.7). When a user adds
 * someone to a conversation, the conversation becomes a meeting and its roster is shared by
 * every member; Parley sees only an ordinary incoming call (DESIGN §2).
 */
import type { DtmfDigit, MediaAnswer, MediaOffer, Party } from '../../core/model/call.js'
import { addressKey } from '../address.js'
import type {
  CallControl,
  CallEvents,
  CallRequest,
  IncomingCall,
  PresenceControl,
  PresenceEvents,
  Reachable,
  SimNetwork,
} from '../network.js'
import type { SimCall } from './sim-call.js'

/** Someone added to a conversation from outside SfB, as every member sees them. */
export interface AddedParticipant {
  readonly address: string
  readonly call: SimCall
}

/** A member of the pool's conversations: told when the roster grows. */
export interface ConversationMember {
  readonly reachable: Reachable
  readonly conversationGrew: (conversationId: string, added: AddedParticipant) => void
}

const dtmfDigits = new Set('0123456789*#ABCD')
const isDigit = (c: string): c is DtmfDigit => dtmfDigits.has(c)

const answerFor = (media: MediaOffer): MediaAnswer => ({
  ...(media.audio ? { audio: 'sendrecv' } : {}),
  ...(media.video ? { video: 'sendrecv' } : {}),
  ...(media.content ? { content: 'sendrecv' } : {}),
  ...(media.chat ? { chat: true } : {}),
})

export class SfbFrontEnd {
  private readonly users = new Map<string, ConversationMember>()
  private readonly members = new Map<string, Set<ConversationMember>>()

  constructor(private readonly network: SimNetwork) {}

  /** Signs a user in: calls to their address reach them, from SfB users and from Parley. */
  home(member: ConversationMember): void {
    this.users.set(addressKey(member.reachable.address) ?? member.reachable.address, member)
    this.network.attach(member.reachable)
  }

  isUser(address: string): boolean {
    const key = addressKey(address)
    return key !== undefined && this.users.has(key)
  }

  readonly call = (request: CallRequest, events: CallEvents): CallControl => {
    const from = this.userAt(request.from.uri)
    if (from !== undefined && request.conversationId !== undefined) this.join(request.conversationId, from)
    const callee = this.userAt(request.to)
    return callee === undefined ? this.network.call(request, events) : this.direct(request, events, callee)
  }

  /** A user's presence is the pool's own business; anything else is asked of Parley. */
  readonly subscribe = (watcher: string, target: string, events: PresenceEvents): PresenceControl => {
    const user = this.userAt(target)
    if (user === undefined) return this.network.subscribe(watcher, target, events)
    events.update({ state: 'Available', displayName: user.reachable.identity.displayName, picture: { kind: 'product-logo' } })
    return { unsubscribe: () => undefined }
  }

  /** A member added someone from outside: every member's roster shows them. */
  conversationGrew(conversationId: string, added: AddedParticipant): void {
    for (const member of this.members.get(conversationId) ?? []) member.conversationGrew(conversationId, added)
  }

  private userAt(address: string): ConversationMember | undefined {
    const key = addressKey(address)
    return key === undefined ? undefined : this.users.get(key)
  }

  private join(conversationId: string, member: ConversationMember): void {
    const set = this.members.get(conversationId) ?? new Set<ConversationMember>()
    set.add(member)
    this.members.set(conversationId, set)
  }

  /** A call between two SfB users: media flows between them, Parley never sees it. */
  private direct(request: CallRequest, caller: CallEvents, callee: ConversationMember): CallControl {
    if (request.conversationId !== undefined) this.join(request.conversationId, callee)
    // Known once the callee has been rung; the relays read it late.
    const calleeSide: { events?: CallEvents } = {}
    let answered = false
    const calleeParty = callee.reachable.identity
    const relay = (from: Party, self: () => CallEvents | undefined, other: () => CallEvents | undefined): CallControl => ({
      sendDigits: (digits) => {
        for (const c of digits) if (isDigit(c)) other()?.tone(c)
      },
      sendChat: (text) => other()?.chat(from, text),
      typing: () => undefined,
      changeMedia: (offer) => {
        self()?.answered(answerFor(offer))
        other()?.reoffered(answerFor(offer))
      },
      startContent: () => {
        self()?.floor(true)
        other()?.picture({ kind: 'content', presenter: from.displayName })
      },
      stopContent: () => {
        self()?.floor(false)
        other()?.picture({ kind: 'far-end', party: from.displayName })
      },
      hangup: () => other()?.ended(answered ? 'bye' : 'cancel'),
    })
    const incoming: IncomingCall = {
      from: request.from,
      protocol: 'mssip',
      offer: request.offer,
      ...(request.conversationId === undefined ? {} : { conversationId: request.conversationId }),
      accept: (media) => {
        answered = true
        caller.answered(answerFor(media))
        caller.picture({ kind: 'far-end', party: calleeParty.displayName })
        caller.hearing({ kind: 'far-end', party: calleeParty.displayName })
        calleeSide.events?.picture({ kind: 'far-end', party: request.from.displayName })
        calleeSide.events?.hearing({ kind: 'far-end', party: request.from.displayName })
      },
      decline: (status, reason) => caller.failed(status, reason),
      control: relay(calleeParty, () => calleeSide.events, () => caller),
    }
    caller.ringing()
    const calleeEvents = callee.reachable.ring(incoming)
    calleeSide.events = calleeEvents
    // SfB embeds the first IM of a session in its INVITE (PROTOCOLS 1.3).
    if (request.firstMessage !== undefined) calleeEvents.chat(request.from, request.firstMessage)
    if (answered) {
      // It answered by itself, before its events were known here.
      calleeEvents.picture({ kind: 'far-end', party: request.from.displayName })
      calleeEvents.hearing({ kind: 'far-end', party: request.from.displayName })
    }
    return relay(request.from, () => caller, () => calleeSide.events)
  }
}
