/**
 * A Gateway call (DESIGN §2 "Gateway rules"): the caller's leg `a` and the leg Parley places for
 * it, `b`, bridged once `b` answers. Keyed by `a`; `b` is `<a>/out` (derived, never random).
 * It rings the caller, dials the rewritten destination through the rule's proxy with the rule's
 * protocol and call type, answers the caller with what both ends support, and relays DTMF,
 * content and (between two chat-capable ends only) chat. Either end hanging up ends the other.
 */
import type { MediaOffer, Party, Protocol } from '../model/call.js'
import type { LegId } from '../model/ids.js'
import { LegId as legId } from '../model/ids.js'
import type { Effect, Reject } from '../node/effect.js'
import type { GatewayMessage, GatewayStart, LegInput } from '../node/messages.js'
import { toCall } from '../node/messages.js'
import type { Out } from '../node/outcome.js'
import type { Route } from './route.js'
import { dialUriOf } from '../call/address.js'
import { answerUnder, carriesCall, commonMedia } from '../call/media.js'

export type Side = 'a' | 'b'

export interface GatewayCallState {
  readonly a: LegId
  readonly b: LegId
  readonly parties: Readonly<Record<Side, Party>>
  readonly callerProtocol: Protocol
  readonly route: Route
  readonly callerOffer: MediaOffer
  readonly bridged: boolean
  /** Each end takes chat: it offered it (SfB IM, web client), or has itself sent some. */
  readonly chat: Readonly<Record<Side, boolean>>
  readonly presenter: Side | undefined
}

export const gatewayOutLeg = (a: LegId): LegId => legId(`${a}/out`)

const other = (side: Side): Side => (side === 'a' ? 'b' : 'a')
const legOf = (g: GatewayCallState, side: Side): LegId => (side === 'a' ? g.a : g.b)

const observe = (out: Out, observation: Extract<Effect, { readonly _tag: 'Observe' }>['observation']): void =>
  out.emit({ _tag: 'Observe', observation })

/** What the caller hears when the far end fails: its SIP final response, folded onto ours. */
export const mapFailureStatus = (status: number): Reject['status'] => {
  if (status === 486 || status === 600) return 486
  if (status === 404 || status === 604 || status === 410 || status === 484) return 404
  if (status === 403) return 403
  if (status === 603) return 603
  if (status === 488 || status === 606 || status === 415) return 488
  if (status >= 500 && status < 600) return 503
  return 480
}

export const startGateway = (start: GatewayStart, out: Out): GatewayCallState | undefined => {
  const { a, route } = start
  const refuse = (status: Reject['status'], reason: string): undefined => {
    out.emit({ _tag: 'Reject', leg: a, status, reason })
    out.send(toCall(a, { _tag: 'Forget' }))
    return undefined
  }
  // DESIGN §2: an h323 rule is placed like any other. The simulator has H.323 endpoints; the live
  // node has no H.323 wire adapter yet, so its signalling answers the DialOut with CallFailed 503
  // and a clear reason, which reaches the caller through the ordinary failure path below.
  const offer = answerUnder(start.offer, route.callType)
  if (!carriesCall(offer) && offer.chat !== true) return refuse(488, `nothing the caller offered can go through rule "${route.ruleName}"`)
  const b = gatewayOutLeg(a)
  const to = dialUriOf(route.destination)
  out.emit(
    { _tag: 'Ring', leg: a },
    {
      _tag: 'DialOut',
      leg: b,
      from: start.party,
      to,
      protocol: route.protocol,
      ...(route.proxy === undefined ? {} : { proxy: route.proxy }),
      callType: route.callType,
      offer,
    },
  )
  const calledParty: Party = { displayName: route.destination, uri: to }
  out.send({ _tag: 'TrackDialOut', leg: b, owner: { _tag: 'GatewayOut', gateway: a }, protocol: route.protocol, party: calledParty })
  return {
    a,
    b,
    parties: { a: start.party, b: calledParty },
    callerProtocol: start.protocol,
    route,
    callerOffer: start.offer,
    bridged: false,
    chat: { a: start.offer.chat || start.protocol === 'webrtc', b: false },
    presenter: undefined,
  }
}

/** One event on one of the two legs: the next state (`undefined`: the call is over) and effects into `out`. */
export const stepGateway = (g: GatewayCallState, message: GatewayMessage, out: Out): GatewayCallState | undefined =>
  react(g, message.side, message.input, out)

const react = (g: GatewayCallState, side: Side, input: LegInput, out: Out): GatewayCallState | undefined => {
  const here = legOf(g, side)
  const there = legOf(g, other(side))
  switch (input._tag) {
    case 'CallAnswered': {
      if (side !== 'b' || g.bridged) return g
      const answer = commonMedia(g.callerOffer, input.answer, g.route.callType)
      if (!carriesCall(answer) && answer.chat !== true) {
        out.emit(
          { _tag: 'Hangup', leg: g.b, reason: 'no media in common with the caller' },
          { _tag: 'Reject', leg: g.a, status: 488, reason: 'the called end has no media in common with you' },
        )
        out.send(toCall(g.a, { _tag: 'Forget' }), toCall(g.b, { _tag: 'Forget' }))
        return undefined
      }
      out.emit({ _tag: 'Answer', leg: g.a, answer }, { _tag: 'Bridge', a: g.a, b: g.b })
      return { ...g, bridged: true, chat: { ...g.chat, b: input.answer.chat } }
    }
    case 'CallFailed':
      if (side !== 'b' || g.bridged) return g
      out.emit({ _tag: 'Reject', leg: g.a, status: mapFailureStatus(input.status), reason: input.reason })
      out.send(toCall(g.a, { _tag: 'Forget' }))
      return undefined
    case 'CallEnded':
      // Before the answer this is the caller's CANCEL, or the far end vanishing: either way the
      // other half is abandoned (a Hangup of an unanswered dial-out is a CANCEL).
      if (side === 'b' && !g.bridged) out.emit({ _tag: 'Reject', leg: g.a, status: 480, reason: 'the called end did not answer' })
      else out.emit({ _tag: 'Hangup', leg: there, reason: side === 'a' ? 'the caller hung up' : 'the called end hung up' })
      out.send(toCall(there, { _tag: 'Forget' }))
      return undefined
    case 'DtmfReceived':
      if (g.bridged) out.emit({ _tag: 'SendDtmf', leg: there, digits: input.digit })
      return g
    case 'ChatReceived': {
      if (!g.bridged) return g
      const chat = { ...g.chat, [side]: true }
      const deliver = chat[other(side)]
      if (deliver) out.emit({ _tag: 'DeliverChat', leg: there, from: g.parties[side], text: input.text })
      observe(out, { _tag: 'ChatRelayed', from: here, recipients: deliver ? 1 : 0 })
      return { ...g, chat }
    }
    case 'ContentRequested': {
      if (!g.bridged) {
        out.emit({ _tag: 'RevokeFloor', leg: here })
        return g
      }
      if (g.presenter === other(side)) out.emit({ _tag: 'RevokeFloor', leg: there })
      out.emit(
        { _tag: 'GrantFloor', leg: here },
        { _tag: 'Show', leg: there, view: { _tag: 'Content', presenter: g.parties[side].displayName } },
      )
      return { ...g, presenter: side }
    }
    case 'ContentReleased': {
      if (g.presenter !== side) return g
      // The releasing leg's floor goes on the media side too, as on a presenter switch.
      out.emit({ _tag: 'RevokeFloor', leg: here })
      out.emit({ _tag: 'Show', leg: there, view: { _tag: 'Composed', layout: 'one_main_zero_pips', participants: [here] } })
      return { ...g, presenter: undefined }
    }
    case 'MediaChanged': {
      // The change goes through to the other end, under the rule's ceiling.
      if (!g.bridged) return side === 'a' ? { ...g, callerOffer: input.offer } : g
      const media = answerUnder(input.offer, g.route.callType)
      out.emit({ _tag: 'Answer', leg: here, answer: media })
      out.emit({ _tag: 'Reoffer', leg: there, offer: media })
      return side === 'a' ? { ...g, callerOffer: input.offer } : g
    }
  }
}
