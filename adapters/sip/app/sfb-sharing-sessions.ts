/**
 * SfB screen sharing as content (docs/decisions/0007-sfb-content-vbss.md). An SfB client shares
 * in a dialog of its own (an INVITE with `m=applicationsharing` and, from SfB 2016, a VbSS
 * `m=video` labelled `applicationsharing-video`). When that INVITE's `Ms-Conversation-ID` is the
 * one of an SfB call in progress, the share is that call's content, not a new participant: this
 * answers it (RDP refused, VbSS taken), gives its VbSS stream to the media side as the call leg's
 * content stream, and tells the core ContentRequested for the call's leg, so that the core's
 * content rules decide (one presenter, `guests_can_present`, DESIGN §2). Its end is
 * ContentReleased. SfB has no floor protocol: a floor the core refuses or takes away ends the
 * sharing dialog (BYE), which is how the client learns that it no longer presents.
 *
 * A viewer's sharing session (VbSS offered recvonly) is answered sendonly and the media side
 * sends the floor holder's content on it (video-engine.ts, content out).
 */
import { randomInt } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { LegId } from '../../../core/model/ids.js'
import type { Input } from '../../../core/node/input.js'
import type { Media } from '../../../core/ports/media.js'
import type { RtpPortAllocator } from '../../media/loopback/loopback-media.js'
import { contentPlanOf } from '../../media/worker/leg-plan.js'
import type { VideoStreamPlan } from '../../media/worker/worker-protocol.js'
import { negotiateAnswer } from '../sdp/build-answer.js'
import type { ParsedOffer } from '../sdp/parsed-offer.js'
import { sfbSharingOfferOf } from '../sdp/sfb-sharing.js'
import { header } from '../stack/message-writer.js'
import type { Dialog, ServerRequest } from '../stack/stack-types.js'
import { reasonHeader } from './request-reading.js'

export interface SfbSharingOptions {
  readonly publicHost: string
  readonly ports: RtpPortAllocator
  readonly randomBytes: (length: number) => Uint8Array
  readonly logger: Logger
  readonly now: () => number
  readonly deliver: (input: Input) => void
  /** Parley's address in the call (the dialled VMR alias), for the answer's `m=`/`o=` lines. */
  readonly localUriOf: (leg: LegId) => string | undefined
  /** The call leg's media again, now with (or without) `contentOf(leg)`. */
  readonly reattach: (leg: LegId) => void
}

interface Session {
  readonly call: LegId
  readonly sharer: boolean
  readonly content: VideoStreamPlan | undefined
  readonly sdp: string
  dialog?: Dialog
  ended: boolean
}

export class SfbSharingSessions {
  /** SfB calls (audio or video) by conversation, the ones a share can belong to. */
  private readonly calls = new Map<string, LegId>()
  private readonly sessions = new Map<LegId, Session>()

  constructor(private readonly options: SfbSharingOptions) {}

  /** An SfB call of `conversationId` is in progress on `leg` (until `callEnded`). */
  noteCall(leg: LegId, conversationId: string | undefined, offer: ParsedOffer | undefined): void {
    const id = conversationId?.trim()
    if (id === undefined || id === '' || offer === undefined || !(offer.media.audio || offer.media.video)) return
    this.calls.set(id, leg)
  }

  /** The content stream a call leg has through its sharing session (for its media plan). */
  contentOf(leg: LegId): VideoStreamPlan | undefined {
    return this.sessions.get(leg)?.content
  }

  /**
   * Takes the INVITE when it is an SfB sharing offer of a call in progress (true); leaves it to
   * the core otherwise (false), which treats it as any other call.
   */
  receive(incoming: ServerRequest, offer: ParsedOffer, conversationId: string | undefined): boolean {
    const sharing = sfbSharingOfferOf(offer)
    const call = conversationId === undefined ? undefined : this.calls.get(conversationId.trim())
    if (sharing === undefined || call === undefined) return false
    if (sharing.vbss === undefined) {
      // RDP only (SfB 2015, or VbSS off by policy): nothing Parley can show (DESIGN §2: RDP later).
      const reason = 'Screen sharing by RDP is not supported; video-based screen sharing (VbSS) is'
      incoming.respond({ status: 488, reason: 'Not Acceptable Here', headers: [reasonHeader(488, reason)] })
      return true
    }
    void this.accept(incoming, offer, call, sharing.sharer)
    return true
  }

  private async accept(incoming: ServerRequest, offer: ParsedOffer, call: LegId, sharer: boolean): Promise<void> {
    const { logger } = this.options
    const allocated = await this.options.ports.allocate(call, ['content'])
    const localUri = this.options.localUriOf(call)
    if (E.isLeft(allocated) || allocated.right.content === undefined || localUri === undefined) {
      incoming.respond({ status: 503, reason: 'No media ports', headers: [reasonHeader(503, 'no RTP port for the shared screen'), header('Retry-After', '30')] })
      return
    }
    const negotiated = negotiateAnswer(offer, { content: 'sendrecv' }, {
      publicHost: this.options.publicHost,
      ports: { content: allocated.right.content },
      randomBytes: this.options.randomBytes,
      session: { id: String(randomInt(1, 2 ** 47)), version: 1 },
      localUri,
    })
    const previous = this.sessions.get(call)
    if (previous !== undefined) this.end(previous, 'replaced by a new share')
    const session: Session = { call, sharer, content: contentPlanOf(negotiated), sdp: negotiated.sdp, ended: false }
    const sent = incoming.respond({ status: 200, body: { contentType: 'application/sdp', content: negotiated.sdp } })
    if (E.isLeft(sent) || sent.right === undefined) return
    const dialog = sent.right
    session.dialog = dialog
    this.sessions.set(call, session)
    dialog.setHandler({
      // SfB re-INVITEs once ICE has settled: the session's media stay as answered (RFC 3264 §8: unchanged).
      onRequest: (request) => {
        request.respond(request.request.method === 'INVITE' ? { status: 200, body: { contentType: 'application/sdp', content: session.sdp } } : { status: 200 })
      },
      onTerminated: () => this.end(session, 'the sharing dialog ended'),
    })
    logger.info({ leg: call, sharer, content: session.content !== undefined }, 'SfB sharing session of the call')
    this.options.reattach(call)
    if (sharer) this.options.deliver({ _tag: 'ContentRequested', at: this.options.now(), leg: call })
  }

  /** The call is over: its sharing session goes with it. */
  callEnded(leg: LegId): void {
    for (const [conversation, call] of this.calls) if (call === leg) this.calls.delete(conversation)
    const session = this.sessions.get(leg)
    if (session !== undefined) this.end(session, 'the call ended', false)
  }

  /**
   * The media port with the floor's SfB side: a RevokeFloor for a call that shares ends its
   * sharing dialog (a share that ends is ContentReleased, which the core answers with RevokeFloor;
   * by then the session is gone, so no second BYE).
   */
  media(inner: Media): Media {
    return {
      perform: (effect) => {
        if (effect._tag === 'RevokeFloor') {
          const session = this.sessions.get(effect.leg)
          if (session?.sharer === true) this.end(session, 'the floor was taken away', false)
        }
        return inner.perform(effect)
      },
      onInput: (deliver) => inner.onInput(deliver),
    }
  }

  private end(session: Session, why: string, release = true): void {
    if (session.ended) return
    session.ended = true
    if (this.sessions.get(session.call) === session) this.sessions.delete(session.call)
    if (session.dialog !== undefined && session.dialog.state !== 'terminated') void session.dialog.bye()
    this.options.logger.info({ leg: session.call, why }, 'SfB sharing session ended')
    this.options.reattach(session.call)
    if (!session.sharer || !release) return
    this.options.deliver({ _tag: 'ContentReleased', at: this.options.now(), leg: session.call })
  }
}
