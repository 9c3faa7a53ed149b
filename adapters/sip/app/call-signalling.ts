/**
 * Calls over SIP, both ways, as the Signalling port (CONVENTIONS 3: translation only). Wire
 * events become inputs — INVITE → CallOffered, CANCEL → CallEnded(cancel), BYE → CallEnded,
 * re-INVITE → MediaChanged, INFO dtmf-relay → DtmfReceived, MESSAGE in the dialog →
 * ChatReceived, a dial-out's 2xx → CallAnswered, its failure → CallFailed — and the core's
 * effects become SIP: Ring → 180, Answer → 200 with the SDP answer, Reject → the final status,
 * Reoffer → re-INVITE (RFC 3264 §8), Hangup → BYE / CANCEL / a final error, DialOut → INVITE,
 * SendDtmf → INFO per digit, DeliverChat → MESSAGE in the leg's dialog.
 *
 * Answers the adapter gives on its own are about the wire, never about the call:
 * - 400 for an SDP body that does not parse, 415 for a body that is not SDP;
 * - an INVITE without SDP (delayed offer, RFC 3261 §13.2.1, as CUCM and some gateways send by
 *   default) is offered to the core as audio and video; Parley's 200 carries its offer of
 *   what the core answered and the caller's answer comes in the ACK;
 * - a re-INVITE whose media are unchanged (session refresh, SfB's re-INVITE after ICE) is
 *   answered with the media in force, and so is one the core leaves unanswered: every INVITE
 *   transaction must end, and "no change" is the only answer that decides nothing;
 * - INFO that is neither DTMF nor typing (e.g. video fast-update requests) gets 200 and is
 *   ignored, as SfB KeyboardActivity is.
 */
import { randomBytes as nodeRandomBytes, randomInt } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Logger } from 'pino'
import type { Direction, MediaAnswer, MediaOffer } from '../../../core/model/call.js'
import type { LegId } from '../../../core/model/ids.js'
import { ceilingAllowsContent } from '../../../core/call/media.js'
import type { Answer, DeliverChat, DialOut, Hangup, Reject, Reoffer, SendDtmf } from '../../../core/node/effect.js'
import type { CallEnded, Input } from '../../../core/node/input.js'
import type { Clock } from '../../../core/ports/clock.js'
import type { Ids } from '../../../core/ports/ids.js'
import type { CallControlEffect, Signalling, SignallingError } from '../../../core/ports/signalling.js'
import type { RtpPortAllocator, RtpStream } from '../../media/loopback/loopback-media.js'
import type { LegMediaAttacher } from '../../media/worker/exchange-plan.js'
import { audioPlanOfExchange, contentPlanOfExchange, videoPlanOfExchange } from '../../media/worker/exchange-plan.js'
import { audioPlanOf, contentPlanOf, videoPlanOf } from '../../media/worker/leg-plan.js'
import type { AudioStreamPlan, VideoStreamPlan } from '../../media/worker/worker-protocol.js'
import { isMsSip } from '../dialect/ms-sip.js'
import { parseDtmfInfo, buildDtmfInfo } from '../dtmf/dtmf-info.js'
import type { DtmfDigit } from '../../../core/model/call.js'
import { decodeFirstMessage } from '../im/first-message.js'
import { buildMessageBody, decodeMessageBody } from '../im/message-body.js'
import { recogniseTyping } from '../im/typing.js'
import { buildOffer } from '../sdp/build-offer.js'
import { negotiateAnswer } from '../sdp/build-answer.js'
import { iceSessionOf, localForOffer, localForReoffer } from '../sdp/ice-credentials.js'
import type { LocalMedia } from '../sdp/local-media.js'
import type { ParsedOffer } from '../sdp/parsed-offer.js'
import { mLineCount, withinOwnOffer } from '../sdp/answer-to-own-offer.js'
import { readOffer } from '../sdp/read-offer.js'
import type { SdpError } from '../sdp/sdp-error.js'
import { header } from '../stack/message-writer.js'
import type { SipStack } from '../stack/sip-stack.js'
import type { Dialog, DialogEnd, RequestFailure, ServerRequest, SipRequest, SipResponse } from '../stack/stack-types.js'
import type { FloorControlHook } from '../../bfcp/floor-control.js'
import { CallLeg } from './call-leg.js'
import { SfbSharingSessions } from './sfb-sharing-sessions.js'
import { callerParty, dialledAddress, isTrusted, nameAddrOf, reasonHeader, sourceOf } from './request-reading.js'

export interface CallSignallingOptions {
  readonly stack: SipStack
  readonly ports: RtpPortAllocator
  /** Takes each leg's negotiated audio after every completed offer/answer (the media worker); none = signalling only. */
  readonly media?: LegMediaAttacher
  readonly clock: Clock
  readonly ids: Ids
  readonly logger: Logger
  /** PARLEY_PUBLIC_HOST: SDP `o=`, `c=` and ICE candidates. */
  readonly publicHost: string
  readonly trustedPeers: () => ReadonlyArray<string>
  readonly isOwnHost: (host: string) => boolean
  readonly randomBytes?: (length: number) => Uint8Array
  /** BFCP floor control (adapters/bfcp): its port and the leg's ids go into answers; none = BFCP lines get port 0. */
  readonly floorControl?: FloorControlHook
}

/** What a caller that sends no offer is assumed to want: a call; the 200's offer says the rest. */
const delayedOfferMedia: MediaOffer = { audio: true, video: true, content: false, chat: false }

/** Body types an INVITE may carry (RFC 3261 §21.4.13: a 415 lists them in Accept). */
const sdpBodyTypes = 'application/sdp, multipart/alternative, multipart/mixed'

/** RFC 3261 §14.1: after a 491, the owner of the Call-ID waits 2.1-4 s, the other 0-2 s; one retry. */
const glareRetryMs = 2_100

const rtpStreamsOf = (media: MediaAnswer): ReadonlyArray<RtpStream> =>
  (['audio', 'video', 'content'] as const).filter((s) => media[s] !== undefined)

/** The offerer's direction on the stream Parley answers for `role`; undefined when there is none. */
const directionOf = (offer: ParsedOffer, role: 'audio' | 'video' | 'content'): Direction | undefined => {
  for (const stream of offer.streams) if (stream.kind === 'rtp' && stream.primary && stream.role === role) return stream.direction
  return undefined
}

/**
 * A re-INVITE changes nothing when the same streams are offered in the same directions as the
 * far end's last offer or answer (`previous`). Direction counts (RFC 3264 §8.4): a caller that
 * answered Parley's sendonly video recvonly and later offers it sendrecv has started its camera.
 */
const sameMedia = (a: MediaOffer | undefined, previous: ParsedOffer | undefined, next: ParsedOffer): boolean => {
  const b = next.media
  if (a === undefined || a.audio !== b.audio || a.video !== b.video || a.content !== b.content || a.chat !== b.chat) return false
  if (previous === undefined) return true
  return directionOf(previous, 'audio') === directionOf(next, 'audio') && directionOf(previous, 'video') === directionOf(next, 'video') && directionOf(previous, 'content') === directionOf(next, 'content')
}

/** `media` without its content stream. */
const withoutContent = (media: MediaAnswer): MediaAnswer => {
  if (media.content === undefined) return media
  const { content: _, ...rest } = media
  return rest
}

/**
 * A SIP room system shares content by BFCP in the call's own dialog (RFC 8855), so Parley's
 * offer to one carries a content video and its BFCP line whenever the call type allows
 * presentation (PROTOCOLS 3.7: `video` and a rule's `auto`), also when the gateway caller
 * offered none (an SfB caller's content comes in a sharing dialog of its own, decision 0007):
 * the room system can then present to the caller, and be shown the caller's content.
 */
const dialOutMedia = (effect: DialOut): MediaAnswer =>
  effect.protocol === 'sip' && effect.offer.video !== undefined && effect.offer.content === undefined && ceilingAllowsContent(effect.callType)
    ? { ...effect.offer, content: 'sendrecv' }
    : effect.offer

const failureOf = (failure: RequestFailure): { readonly status: number; readonly reason: string } => {
  switch (failure._tag) {
    case 'Rejected':
      return { status: failure.response.status, reason: failure.response.reasonPhrase ?? `rejected with ${failure.response.status}` }
    case 'Timeout':
      return { status: 408, reason: 'no answer from the called end' }
    case 'TransportFailure':
      return { status: 503, reason: `could not reach the called end (${failure.error._tag})` }
    case 'NoRoute':
      return { status: 404, reason: `no route to ${failure.uri}` }
    case 'DialogTerminated':
    case 'InviteInProgress':
    case 'Cancelled':
    case 'StackClosed':
      return { status: 500, reason: failure._tag }
  }
}

const describeSdpError = (e: SdpError): string => {
  switch (e._tag) {
    case 'EmptyBody':
      return 'empty body'
    case 'UnsupportedContentType':
      return `body of type ${e.contentType} is not SDP`
    case 'MalformedMultipart':
      return `malformed multipart body: ${e.reason}`
    case 'NoSdpPart':
      return 'no SDP in the multipart body'
    case 'MalformedSdp':
      return `malformed SDP: ${e.reason}`
  }
}

/** A leg's negotiated streams, for the media side. */
interface LegStreams {
  readonly audio?: AudioStreamPlan
  readonly video?: VideoStreamPlan
  /** A room system's BFCP content video (`a=content:slides`), received while it holds the floor. */
  readonly content?: VideoStreamPlan
}

const sdpBody = (sdp: string) => ({ contentType: 'application/sdp', content: sdp })

const legGone = (leg: string): E.Either<SignallingError, void> => E.left({ _tag: 'LegGone', leg })
const wireFailure = (leg: string, reason: string): E.Either<SignallingError, void> => E.left({ _tag: 'WireFailure', leg, reason })
const done: E.Either<SignallingError, void> = E.right(undefined)

export class CallSignalling implements Signalling {
  private readonly legs = new Map<LegId, CallLeg>()
  /** The plans last given to the media side per leg: a refresh re-INVITE that changes nothing does not rebuild the streams. */
  private readonly attachedAudio = new WeakMap<CallLeg, string>()
  /** The caller's name, drawn on its tile by the media side. */
  private readonly tileNames = new WeakMap<CallLeg, string>()
  private consumer: (input: Input) => void = () => undefined
  private readonly randomBytes: (length: number) => Uint8Array
  /** Each leg's streams as last negotiated, so that an SfB share can be added to them (sfb-sharing-sessions.ts). */
  private readonly negotiatedStreams = new WeakMap<CallLeg, LegStreams>()
  /** SfB screen sharing dialogs, each the content of an SfB call (decision 0007). */
  readonly sfbSharing: SfbSharingSessions

  constructor(private readonly options: CallSignallingOptions) {
    this.randomBytes = options.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n)))
    this.sfbSharing = new SfbSharingSessions({
      publicHost: options.publicHost,
      ports: options.ports,
      randomBytes: this.randomBytes,
      logger: options.logger,
      now: () => this.now(),
      deliver: (input) => this.deliver(input),
      localUriOf: (id) => this.legs.get(id)?.localUri,
      reattach: (id) => {
        const leg = this.legs.get(id)
        const streams = leg === undefined ? undefined : this.negotiatedStreams.get(leg)
        if (leg !== undefined && streams !== undefined) this.attachMedia(leg, streams)
      },
    })
  }

  readonly onInput = (deliver: (input: Input) => void): void => {
    this.consumer = deliver
  }

  /** Legs the SIP side is carrying now. */
  get legCount(): number {
    return this.legs.size
  }

  private deliver(input: Input): void {
    this.consumer(input)
  }

  private now(): number {
    return this.options.clock.now()
  }

  // ---- incoming INVITE --------------------------------------------------------------------------

  /** An INVITE outside any dialog. */
  receiveInvite(incoming: ServerRequest): void {
    const request = incoming.request
    const offer = this.readBody(request)
    if (offer._tag === 'Refused') {
      incoming.respond({ status: offer.status, reason: offer.reason, headers: [reasonHeader(offer.status, offer.reason), ...offer.headers] })
      return
    }
    const trusted = isTrusted(incoming.flow, this.options.trustedPeers())
    const protocol = isMsSip(request.headerList) ? 'mssip' : 'sip'
    const dialled = dialledAddress(request, this.options.isOwnHost)
    const parsed = offer._tag === 'Offer' ? offer.offer : undefined
    // An SfB screen share of a call in progress is that call's content, not a new call (decision 0007).
    if (protocol === 'mssip' && parsed !== undefined && this.sfbSharing.receive(incoming, parsed, request.getHeader('Ms-Conversation-ID'))) return
    const media = parsed?.media ?? delayedOfferMedia
    const leg = new CallLeg(this.options.ids.leg(), 'incoming', protocol, dialled, String(randomInt(1, 2 ** 47)))
    leg.invite = incoming
    leg.remoteOffer = parsed
    leg.remoteMedia = media
    this.legs.set(leg.id, leg)
    incoming.onCancel(() => {
      if (leg.ended) return
      this.forget(leg)
      this.deliver({ _tag: 'CallEnded', at: this.now(), leg: leg.id, reason: 'cancel' })
    })
    const conversationId = request.getHeader('Ms-Conversation-ID')
    if (protocol === 'mssip') this.sfbSharing.noteCall(leg.id, conversationId, parsed)
    const firstMessage = media.chat ? decodeFirstMessage(request.headerList) : undefined
    const caller = callerParty(request, trusted)
    if (this.options.media !== undefined) this.tileNames.set(leg, caller.displayName || caller.uri.replace(/^(?:sips?|tel):/i, '').replace(/[@;].*$/, ''))
    // Every call passes here: the record is only built when info is logged (a node runs at warn under load).
    if (this.options.logger.isLevelEnabled('info'))
      this.options.logger.info(
        { leg: leg.id, callId: request.callId, dialled, from: caller.uri, protocol, source: sourceOf(incoming.flow), trusted, delayedOffer: parsed === undefined },
        'call offered',
      )
    this.deliver({
      _tag: 'CallOffered',
      at: this.now(),
      leg: leg.id,
      dialled,
      caller,
      protocol,
      offer: media,
      source: sourceOf(incoming.flow),
      ...(trusted ? { trusted: true } : {}),
      registered: false,
      ...(conversationId === undefined || conversationId.trim() === '' ? {} : { conversationId: conversationId.trim() }),
      ...(firstMessage !== undefined && E.isRight(firstMessage) ? { firstMessage: firstMessage.right } : {}),
    })
  }

  private readBody(
    request: SipRequest,
  ):
    | { readonly _tag: 'Offer'; readonly offer: ParsedOffer }
    | { readonly _tag: 'NoOffer' }
    | { readonly _tag: 'Refused'; readonly status: number; readonly reason: string; readonly headers: ReadonlyArray<ReturnType<typeof header>> } {
    if (request.bodyBytes.length === 0) return { _tag: 'NoOffer' }
    const parsed = readOffer(request.getHeader('Content-Type') ?? '', request.bodyBytes)
    if (E.isRight(parsed)) return { _tag: 'Offer', offer: parsed.right }
    switch (parsed.left._tag) {
      case 'EmptyBody':
        return { _tag: 'NoOffer' }
      case 'UnsupportedContentType':
        return { _tag: 'Refused', status: 415, reason: 'Unsupported Media Type', headers: [header('Accept', sdpBodyTypes)] }
      default:
        return { _tag: 'Refused', status: 400, reason: describeSdpError(parsed.left), headers: [] }
    }
  }

  // ---- effects ------------------------------------------------------------------------------------

  readonly perform = (effect: CallControlEffect): TE.TaskEither<SignallingError, void> => {
    if (effect._tag === 'DialOut') return () => this.dialOut(effect)
    const leg = this.legs.get(effect.leg)
    if (leg === undefined) return TE.fromEither(legGone(effect.leg))
    // The core's answer to a re-INVITE is noted at once, before the work is queued (see receiveReinvite).
    if (effect._tag === 'Answer' && leg.invite === undefined && leg.reinvite !== undefined) leg.reinvite.answeredByCore = true
    return () => leg.enqueue(() => this.carry(leg, effect))
  }

  private async carry(leg: CallLeg, effect: Exclude<CallControlEffect, DialOut>): Promise<E.Either<SignallingError, void>> {
    if (leg.ended) return legGone(leg.id)
    switch (effect._tag) {
      case 'Ring':
        return this.ring(leg)
      case 'Answer':
        return this.answer(leg, effect)
      case 'Reject':
        return this.reject(leg, effect)
      case 'Hangup':
        return this.hangup(leg, effect)
      case 'Reoffer':
        return this.reoffer(leg, effect, true)
      case 'SendDtmf':
        return this.sendDtmf(leg, effect)
      case 'DeliverChat':
        return this.deliverChat(leg, effect)
    }
  }

  private ring(leg: CallLeg): E.Either<SignallingError, void> {
    if (leg.invite === undefined) return wireFailure(leg.id, 'Ring for a call that is not ringing')
    const sent = leg.invite.respond({ status: 180 })
    if (E.isLeft(sent)) return legGone(leg.id)
    if (sent.right !== undefined) this.attach(leg, sent.right)
    return done
  }

  private local(leg: CallLeg): LocalMedia {
    leg.sessionVersion++
    return {
      publicHost: this.options.publicHost,
      ports: leg.ports,
      randomBytes: this.randomBytes,
      session: { id: leg.sessionId, version: leg.sessionVersion },
      localUri: leg.localUri,
    }
  }

  /**
   * What Parley's own offer on `leg` may carry: content only towards a SIP peer and with a floor
   * control server to name in its BFCP line (build-offer: content comes with it, RFC 8856);
   * otherwise the rest, as the core asked.
   */
  private offerable(leg: CallLeg, media: MediaAnswer): MediaAnswer {
    return leg.dialect === 'sip' && this.options.floorControl?.offerLocal !== undefined ? media : withoutContent(media)
  }

  /** A re-offer on a dial-out that set up content keeps it while video goes on (the core's re-offer carries the caller's streams). */
  private keepingContent(leg: CallLeg, media: MediaAnswer): MediaAnswer {
    const had = leg.direction === 'outgoing' ? leg.localMedia?.content : undefined
    return had !== undefined && media.content === undefined && media.video !== undefined ? { ...media, content: had } : media
  }

  /** The local side of an offer of Parley's: with content, the BFCP port and the leg's ids (Parley is the floor control server). */
  private localForOwnOffer(leg: CallLeg, media: MediaAnswer): LocalMedia {
    const local = this.local(leg)
    const floorControl = this.options.floorControl
    return media.content === undefined || floorControl?.offerLocal === undefined ? local : floorControl.offerLocal(leg.id, local)
  }

  /** Ports for the streams `media` needs; the leg ends (CallEnded transport) when there are none. */
  private async portsFor(leg: CallLeg, media: MediaAnswer): Promise<boolean> {
    const streams = rtpStreamsOf(media)
    if (streams.length === 0) return true
    const allocated = await this.options.ports.allocate(leg.id, streams)
    if (E.isLeft(allocated)) {
      this.options.logger.warn({ leg: leg.id, error: allocated.left }, 'no RTP ports for the call')
      return false
    }
    leg.ports = { ...leg.ports, ...allocated.right }
    return true
  }

  private async answer(leg: CallLeg, effect: Answer): Promise<E.Either<SignallingError, void>> {
    if (leg.invite !== undefined) return this.answerInvite(leg, leg.invite, effect.answer)
    const pending = leg.reinvite
    if (pending !== undefined) {
      leg.reinvite = undefined
      return this.answerReinvite(leg, pending.request, pending.offer, effect.answer)
    }
    return wireFailure(leg.id, 'Answer with no offer pending')
  }

  /** The 200 to the initial INVITE: the SDP answer (or, to an offerless INVITE, Parley's offer). */
  private async answerInvite(leg: CallLeg, invite: ServerRequest, media: MediaAnswer): Promise<E.Either<SignallingError, void>> {
    if (!(await this.portsFor(leg, media))) {
      invite.respond({ status: 503, reason: 'No media ports', headers: [reasonHeader(503, 'no RTP ports free'), header('Retry-After', '30')] })
      return this.lose(leg, 'transport', 'no RTP ports free')
    }
    if (leg.ended) return legGone(leg.id)
    const sdp = this.describe(leg, leg.remoteOffer, media)
    if (E.isLeft(sdp)) {
      invite.respond({ status: 500, reason: 'Could not build SDP', headers: [reasonHeader(500, sdp.left)] })
      return this.lose(leg, 'transport', sdp.left)
    }
    const sent = invite.respond({ status: 200, body: sdpBody(sdp.right.sdp) })
    // The caller's CANCEL got there first (the stack answered 487): the leg is already over.
    if (E.isLeft(sent) || sent.right === undefined) return legGone(leg.id)
    leg.invite = undefined
    leg.localSdp = sdp.right.sdp
    leg.localMedia = media
    this.attach(leg, sent.right)
    this.attachMedia(leg, sdp.right)
    return done
  }

  /** Parley's answer to `offer`, or its own offer when there is none (delayed offer). */
  private describe(leg: CallLeg, offer: ParsedOffer | undefined, media: MediaAnswer): E.Either<string, { readonly sdp: string } & LegStreams> {
    try {
      if (offer !== undefined) {
        const local = localForOffer(this.local(leg), leg.iceSession, offer)
        const negotiated = negotiateAnswer(offer, media, this.options.floorControl?.answerLocal(leg.id, offer, local) ?? local)
        leg.iceSession = iceSessionOf(negotiated)
        this.options.floorControl?.negotiated(leg.id, negotiated.streams)
        const audio = audioPlanOf(negotiated)
        const video = videoPlanOf(negotiated)
        const content = contentPlanOf(negotiated)
        return E.right({ sdp: negotiated.sdp, ...(audio === undefined ? {} : { audio }), ...(video === undefined ? {} : { video }), ...(content === undefined ? {} : { content }) })
      }
      const offered = this.offerable(leg, media)
      const built = buildOffer({ _tag: 'Initial', dialect: leg.dialect, media: offered, local: this.localForOwnOffer(leg, offered) })
      return E.isRight(built) ? E.right({ sdp: built.right }) : E.left(`offer: ${built.left._tag}`)
    } catch (error) {
      return E.left(error instanceof Error ? error.message : String(error))
    }
  }

  private async answerReinvite(leg: CallLeg, request: ServerRequest, offer: ParsedOffer | undefined, media: MediaAnswer): Promise<E.Either<SignallingError, void>> {
    if (!(await this.portsFor(leg, media))) {
      request.respond({ status: 488, reason: 'No media ports for the new streams', headers: [reasonHeader(488, 'no RTP ports free')] })
      return wireFailure(leg.id, 'no RTP ports free')
    }
    // An offerless re-INVITE gets the SDP in force as Parley's offer (RFC 3264 §8: unchanged).
    const sdp: E.Either<string, { readonly sdp: string } & LegStreams> = offer === undefined && leg.localSdp !== undefined ? E.right({ sdp: leg.localSdp }) : this.describe(leg, offer, media)
    if (E.isLeft(sdp)) {
      request.respond({ status: 500, reason: 'Could not build SDP', headers: [reasonHeader(500, sdp.left)] })
      return wireFailure(leg.id, sdp.left)
    }
    const sent = request.respond({ status: 200, body: sdpBody(sdp.right.sdp) })
    if (E.isLeft(sent)) return legGone(leg.id)
    leg.localSdp = sdp.right.sdp
    leg.localMedia = media
    if (offer !== undefined) {
      leg.remoteOffer = offer
      leg.remoteMedia = offer.media
    }
    this.attachMedia(leg, sdp.right)
    return done
  }

  private reject(leg: CallLeg, effect: Reject): Promise<E.Either<SignallingError, void>> | E.Either<SignallingError, void> {
    if (leg.invite !== undefined) {
      leg.invite.respond({ status: effect.status, reason: effect.reason, headers: [reasonHeader(effect.status, effect.reason)] })
      this.forget(leg)
      return done
    }
    // Already answered (or a dial-out): a Reject can only end it.
    return this.hangup(leg, { _tag: 'Hangup', leg: effect.leg, reason: effect.reason })
  }

  private async hangup(leg: CallLeg, effect: Hangup): Promise<E.Either<SignallingError, void>> {
    if (leg.invite !== undefined) {
      // Never answered: a final error is the only way to end it (RFC 3261 §13.3.1).
      leg.invite.respond({ status: 480, reason: 'Call ended', headers: [reasonHeader(480, effect.reason)] })
      this.forget(leg)
      return done
    }
    if (leg.dialOut !== undefined) {
      // RFC 3261 §9.1: an unanswered dial-out is cancelled.
      leg.dialOut.cancel()
      this.forget(leg)
      return done
    }
    const dialog = leg.dialog
    this.forget(leg)
    if (dialog === undefined || dialog.state === 'terminated') return done
    // Q.850 cause 16 (normal clearing) is what SIP peers expect in Reason on a BYE (RFC 3326).
    const bye = await dialog.bye([header('Reason', `Q.850 ;cause=16 ;text="${effect.reason.replace(/["\\\r\n]/g, '')}"`)])
    if (E.isLeft(bye)) this.options.logger.debug({ leg: leg.id, failure: bye.left._tag }, 'BYE got no 2xx')
    return done
  }

  private async reoffer(leg: CallLeg, effect: Reoffer, retry: boolean): Promise<E.Either<SignallingError, void>> {
    await leg.waitForAck()
    const dialog = leg.dialog
    if (leg.ended || dialog === undefined || leg.localSdp === undefined) return legGone(leg.id)
    const media = this.offerable(leg, this.keepingContent(leg, effect.offer))
    if (!(await this.portsFor(leg, media))) return wireFailure(leg.id, 'no RTP ports free')
    const offer = buildOffer({ _tag: 'Update', previous: leg.localSdp, media, local: localForReoffer(this.localForOwnOffer(leg, media), leg.iceSession) })
    if (E.isLeft(offer)) return wireFailure(leg.id, `re-offer: ${offer.left._tag}`)
    const result = await dialog.reinvite({ body: sdpBody(offer.right) })
    if (E.isRight(result)) {
      leg.localSdp = offer.right
      leg.localMedia = media
      const answer = this.readOwnOfferAnswer(leg, result.right)
      if (E.isRight(answer)) {
        this.takeOwnOfferAnswer(leg, answer.right)
      }
      return done
    }
    const glare = result.left._tag === 'InviteInProgress' || (result.left._tag === 'Rejected' && result.left.response.status === 491)
    if (glare && retry && !leg.ended) {
      await new Promise<void>((resolve) => this.options.clock.schedule(this.now() + glareRetryMs, resolve))
      return this.reoffer(leg, effect, false)
    }
    return wireFailure(leg.id, `re-INVITE: ${result.left._tag}${result.left._tag === 'Rejected' ? ` ${result.left.response.status}` : ''}`)
  }

  private async sendDtmf(leg: CallLeg, effect: SendDtmf): Promise<E.Either<SignallingError, void>> {
    await leg.waitForAck()
    for (const digit of effect.digits) {
      const dialog = leg.dialog
      if (leg.ended || dialog === undefined) return legGone(leg.id)
      const info = buildDtmfInfo(digit as DtmfDigit)
      const sent = await dialog.request({ method: 'INFO', body: { contentType: info.contentType, content: info.body } })
      if (E.isLeft(sent)) return wireFailure(leg.id, `INFO for ${digit}: ${sent.left._tag}`)
    }
    return done
  }

  private async deliverChat(leg: CallLeg, effect: DeliverChat): Promise<E.Either<SignallingError, void>> {
    await leg.waitForAck()
    const dialog = leg.dialog
    if (leg.ended || dialog === undefined) return legGone(leg.id)
    const message = buildMessageBody(effect.text)
    const sent = await dialog.request({ method: 'MESSAGE', body: { contentType: message.contentType, content: message.body } })
    return E.isLeft(sent) ? wireFailure(leg.id, `MESSAGE: ${sent.left._tag}`) : done
  }

  // ---- dial-out --------------------------------------------------------------------------------------

  private async dialOut(effect: DialOut): Promise<E.Either<SignallingError, void>> {
    if (this.legs.has(effect.leg)) return wireFailure(effect.leg, 'DialOut for a leg that exists')
    const fail = (status: number, reason: string): E.Either<SignallingError, void> => {
      this.deliver({ _tag: 'CallFailed', at: this.now(), leg: effect.leg, status, reason })
      return wireFailure(effect.leg, reason)
    }
    // DESIGN §2: H.323 has no wire adapter yet; the call fails with a clear reason.
    if (effect.protocol === 'h323') return fail(503, 'H.323 calls are not available yet')
    const leg = new CallLeg(effect.leg, 'outgoing', effect.protocol, effect.from.uri.includes(':') ? effect.from.uri : `sip:${effect.from.uri}`, String(randomInt(1, 2 ** 47)))
    leg.acked = true
    this.legs.set(leg.id, leg)
    return leg.enqueue(async () => {
      const media = this.offerable(leg, dialOutMedia(effect))
      if (!(await this.portsFor(leg, media))) {
        this.forget(leg)
        return fail(503, 'no RTP ports free')
      }
      const offer = buildOffer({ _tag: 'Initial', dialect: leg.dialect, media, local: this.localForOwnOffer(leg, media) })
      if (E.isLeft(offer)) {
        this.forget(leg)
        return fail(500, `could not build the offer (${offer.left._tag})`)
      }
      leg.localSdp = offer.right
      leg.localMedia = media
      const route = effect.proxy === undefined ? undefined : [`<sip:${effect.proxy}${effect.protocol === 'mssip' ? ';transport=tls' : ''};lr>`]
      this.options.logger.info({ leg: leg.id, to: effect.to, proxy: effect.proxy, protocol: effect.protocol }, 'dialling out')
      leg.dialOut = this.options.stack.invite(
        {
          requestUri: effect.to,
          from: nameAddrOf(effect.from),
          to: `<${effect.to}>`,
          ...(route === undefined ? {} : { route }),
          body: sdpBody(offer.right),
        },
        {
          onAnswered: (response, dialog) => this.dialOutAnswered(leg, response, dialog),
          onFailed: (failure) => {
            leg.dialOut = undefined
            // Parley cancelled it (Hangup) or is stopping: the core already knows.
            if (leg.ended || failure._tag === 'Cancelled' || failure._tag === 'StackClosed') return
            this.forget(leg)
            const { status, reason } = failureOf(failure)
            this.options.logger.info({ leg: leg.id, status, reason }, 'dial-out failed')
            this.deliver({ _tag: 'CallFailed', at: this.now(), leg: leg.id, status, reason })
          },
        },
      )
      return done
    })
  }

  private dialOutAnswered(leg: CallLeg, response: SipResponse, dialog: Dialog): void {
    leg.dialOut = undefined
    if (leg.ended) {
      void dialog.bye()
      return
    }
    this.attach(leg, dialog)
    const answer = this.readOwnOfferAnswer(leg, response)
    if (E.isLeft(answer)) {
      this.options.logger.info({ leg: leg.id, problem: describeSdpError(answer.left) }, 'dial-out answered without a usable SDP answer')
      this.forget(leg)
      void dialog.bye()
      this.deliver({ _tag: 'CallFailed', at: this.now(), leg: leg.id, status: 488, reason: `unusable SDP answer: ${describeSdpError(answer.left)}` })
      return
    }
    this.takeOwnOfferAnswer(leg, answer.right)
    this.deliver({ _tag: 'CallAnswered', at: this.now(), leg: leg.id, answer: answer.right.media })
  }

  // ---- dialogs ------------------------------------------------------------------------------------------

  private attach(leg: CallLeg, dialog: Dialog): void {
    if (leg.dialog === dialog) return
    leg.dialog = dialog
    dialog.setHandler({
      onRequest: (request) => this.receiveInDialog(leg, request),
      onAck: (ack) => {
        // The answer to Parley's offer in a 200 (delayed offer, offerless re-INVITE) comes here.
        if (ack.bodyBytes.length > 0) {
          const answer = this.readOwnOfferAnswer(leg, ack)
          if (E.isRight(answer)) {
            this.takeOwnOfferAnswer(leg, answer.right)
          }
        }
        leg.markAcked()
      },
      onTerminated: (end) => this.dialogEnded(leg, end),
    })
  }

  private dialogEnded(leg: CallLeg, end: DialogEnd): void {
    if (leg.ended) return
    const reason = ((): CallEnded['reason'] | undefined => {
      switch (end._tag) {
        case 'ByeReceived':
          return 'bye'
        case 'AckTimeout':
          return 'timeout'
        case 'RemoteGone':
          return end.status === 408 ? 'timeout' : 'transport'
        case 'EarlyDialogFailed':
          // The early dialog of a ringing call ends when Parley rejects it; the core decided that.
          return undefined
        case 'ByeSent':
        case 'Local':
        case 'StackClosed':
          return undefined
      }
    })()
    if (reason === undefined) {
      if (end._tag !== 'EarlyDialogFailed') this.forget(leg)
      return
    }
    this.forget(leg)
    if (this.options.logger.isLevelEnabled('info')) this.options.logger.info({ leg: leg.id, reason }, 'call ended by the far end')
    this.deliver({ _tag: 'CallEnded', at: this.now(), leg: leg.id, reason })
  }

  /**
   * Gives the media side the leg's negotiated audio and video (the worker starts or replaces its
   * RTP; a stream left out is removed); the leg's ports are released with the leg (forget). A plan
   * the worker refuses leaves the call up without media, and says why in the log.
   */
  private attachMedia(leg: CallLeg, streams: LegStreams): void {
    const media = this.options.media
    if (media === undefined || (streams.audio === undefined && streams.video === undefined) || leg.ended) return
    this.negotiatedStreams.set(leg, streams)
    const name = this.tileNames.get(leg)
    // An SfB call's content comes from its sharing dialog, not from an m-line of its own.
    const content = streams.content ?? this.sfbSharing.contentOf(leg.id)
    const more = {
      ...(streams.video === undefined ? {} : { video: streams.video }),
      ...(content === undefined ? {} : { content }),
      ...(name === undefined ? {} : { displayName: name }),
    }
    const key = JSON.stringify([streams.audio, more])
    if (this.attachedAudio.get(leg) === key) return
    this.attachedAudio.set(leg, key)
    void media.attach(leg.id, streams.audio, more)().then((attached) => {
      if (E.isLeft(attached)) this.options.logger.warn({ leg: leg.id, error: attached.left }, 'the call’s media could not be started')
    })
  }

  /** The plans when Parley offered (`leg.localSdp`) and `answer` came back. */
  /**
   * The far end's answer to Parley's offer (a dial-out's 200, the ACK of an offerless INVITE, the
   * answer to a re-INVITE): the leg's remote side, floor control told (the BFCP line of the
   * answer, RFC 8856), and the media attached by the exchange.
   */
  private takeOwnOfferAnswer(leg: CallLeg, answer: ParsedOffer): void {
    leg.remoteOffer = answer
    leg.remoteMedia = answer.media
    this.options.floorControl?.offerAnswered?.(leg.id, answer)
    this.attachMedia(leg, this.planOfOwnOffer(leg, answer))
  }

  /**
   * The far end's answer to Parley's offer on the leg (leg.localSdp), held to the offer's
   * m-lines: lines past them are not accepted streams (RFC 3264 §6) and are ignored, not fatal.
   */
  private readOwnOfferAnswer(leg: CallLeg, message: SipRequest | SipResponse): E.Either<SdpError, ParsedOffer> {
    const answer = readOffer(message.getHeader('Content-Type') ?? '', message.bodyBytes)
    if (E.isLeft(answer) || leg.localSdp === undefined) return answer
    const held = withinOwnOffer(answer.right, mLineCount(leg.localSdp))
    if (E.isLeft(held)) return held
    if (held.right.ignoredLines > 0)
      this.options.logger.warn({ leg: leg.id, ignoredLines: held.right.ignoredLines }, 'answer has more m-lines than Parley offered: the extra ones are ignored (RFC 3264 §6)')
    return E.right(held.right.answer)
  }

  private planOfOwnOffer(leg: CallLeg, answer: ParsedOffer): LegStreams {
    if (this.options.media === undefined || leg.localSdp === undefined) return {}
    const ours = readOffer('application/sdp', leg.localSdp)
    if (E.isLeft(ours)) return {}
    const audio = audioPlanOfExchange(ours.right, answer)
    const video = videoPlanOfExchange(ours.right, answer)
    const content = contentPlanOfExchange(ours.right, answer)
    return { ...(audio === undefined ? {} : { audio }), ...(video === undefined ? {} : { video }), ...(content === undefined ? {} : { content }) }
  }

  /** Ends the leg on the SIP side and tells the core (the adapter could not carry the call). */
  private lose(leg: CallLeg, reason: CallEnded['reason'], why: string): E.Either<SignallingError, void> {
    this.forget(leg)
    this.deliver({ _tag: 'CallEnded', at: this.now(), leg: leg.id, reason })
    return wireFailure(leg.id, why)
  }

  private forget(leg: CallLeg): void {
    if (leg.ended) return
    leg.markEnded()
    this.legs.delete(leg.id)
    this.options.ports.release(leg.id)
    this.options.floorControl?.release(leg.id)
    this.sfbSharing.callEnded(leg.id)
  }

  // ---- requests within a call's dialog -------------------------------------------------------------------

  private receiveInDialog(leg: CallLeg, incoming: ServerRequest): void {
    const request = incoming.request
    switch (request.method) {
      case 'INVITE':
        return this.receiveReinvite(leg, incoming)
      case 'INFO':
        return this.receiveInfo(leg, incoming)
      case 'MESSAGE':
        return this.receiveMessage(leg, incoming)
      case 'NOTIFY':
        // No subscription of Parley's lives in a call's dialog (no REFER); nothing to act on.
        incoming.respond({ status: 200 })
        return
      default:
        incoming.respond({ status: 405, headers: [header('Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE')] })
    }
  }

  private receiveReinvite(leg: CallLeg, incoming: ServerRequest): void {
    const body = this.readBody(incoming.request)
    if (body._tag === 'Refused') {
      incoming.respond({ status: body.status === 415 ? 415 : 488, reason: body.reason, headers: [reasonHeader(488, body.reason), ...body.headers] })
      return
    }
    const current = leg.localMedia ?? {}
    if (body._tag === 'NoOffer') {
      // An offerless re-INVITE (RFC 3261 §14.2): Parley offers what is in force; the ACK answers.
      leg.acked = false
      void leg.enqueue(() => this.answerReinvite(leg, incoming, undefined, current))
      return
    }
    const offer = body.offer
    if (sameMedia(leg.remoteMedia, leg.remoteOffer, offer)) {
      void leg.enqueue(() => this.answerReinvite(leg, incoming, offer, current))
      return
    }
    const pending = { request: incoming, offer, answeredByCore: false }
    leg.reinvite = pending
    this.deliver({ _tag: 'MediaChanged', at: this.now(), leg: leg.id, offer: offer.media })
    // The core answers in the same step when it answers at all; otherwise the media in force stand.
    queueMicrotask(() => {
      if (pending.answeredByCore || leg.reinvite !== pending || leg.ended) return
      leg.reinvite = undefined
      void leg.enqueue(() => this.answerReinvite(leg, incoming, offer, current))
    })
  }

  private receiveInfo(leg: CallLeg, incoming: ServerRequest): void {
    const request = incoming.request
    const contentType = request.getHeader('Content-Type') ?? ''
    if (/^\s*application\/dtmf(-relay)?\s*(;|$)/i.test(contentType)) {
      const info = parseDtmfInfo(contentType, request.bodyBytes)
      if (E.isLeft(info)) {
        const reason = info.left._tag === 'NotADtmfDigit' ? `not a DTMF digit: ${info.left.text}` : info.left._tag === 'MalformedDtmfBody' ? info.left.reason : info.left._tag
        incoming.respond({ status: 400, reason: 'Bad DTMF', headers: [reasonHeader(400, reason)] })
        return
      }
      incoming.respond({ status: 200 })
      this.deliver({ _tag: 'DtmfReceived', at: this.now(), leg: leg.id, digit: info.right.digit })
      return
    }
    // SfB KeyboardActivity and RFC 3994 typing: answered, relayed to no one (PROTOCOLS 1.3).
    if (E.isRight(recogniseTyping(contentType, request.bodyBytes))) {
      incoming.respond({ status: 200 })
      return
    }
    this.options.logger.debug({ leg: leg.id, contentType }, 'INFO ignored')
    incoming.respond({ status: 200 })
  }

  private receiveMessage(leg: CallLeg, incoming: ServerRequest): void {
    const request = incoming.request
    const contentType = request.getHeader('Content-Type') ?? 'text/plain'
    const text = decodeMessageBody(contentType, request.bodyBytes)
    if (E.isLeft(text)) {
      switch (text.left._tag) {
        case 'EmptyMessage':
          incoming.respond({ status: 200 })
          return
        case 'UnsupportedImContentType':
          incoming.respond({ status: 415, headers: [header('Accept', 'text/plain, text/html, text/rtf, multipart/alternative')] })
          return
        default:
          incoming.respond({ status: 400, reason: 'Unreadable message', headers: [reasonHeader(400, text.left._tag === 'MalformedImBody' ? text.left.reason : text.left._tag)] })
          return
      }
    }
    incoming.respond({ status: 200 })
    this.deliver({ _tag: 'ChatReceived', at: this.now(), leg: leg.id, text: text.right })
  }

  // ---- stopping ------------------------------------------------------------------------------------------

  /**
   * Ends every call as cleanly as the wire allows: BYE for established ones, 503 for ringing
   * ones, CANCEL for dial-outs. Resolves when the BYEs are answered or `withinMs` has passed.
   */
  async endAll(withinMs: number): Promise<void> {
    const byes: Array<Promise<unknown>> = []
    for (const leg of [...this.legs.values()]) {
      if (leg.invite !== undefined) {
        leg.invite.respond({ status: 503, reason: 'Service Unavailable', headers: [reasonHeader(503, 'the node is stopping'), header('Retry-After', '60')] })
      } else if (leg.dialOut !== undefined) {
        leg.dialOut.cancel()
      } else if (leg.dialog !== undefined && leg.dialog.state !== 'terminated') {
        byes.push(leg.dialog.bye([header('Reason', 'Q.850 ;cause=16 ;text="the node is stopping"')]))
      }
      this.forget(leg)
    }
    if (byes.length === 0) return
    let timer: (() => void) | undefined
    await Promise.race([Promise.allSettled(byes), new Promise<void>((resolve) => (timer = this.options.clock.schedule(this.now() + withinMs, resolve)))])
    timer?.()
  }
}
