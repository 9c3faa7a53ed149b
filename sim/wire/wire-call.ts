/**
 * One call of a simulated endpoint over real SIP, either way: an INVITE it sends to the node, or
 * one the node sends to it (a dial-out arriving at the wire edge). What arrives in the call's
 * dialog becomes what the endpoint perceives (`CallEvents`): the answer and its media, a re-offer
 * (Parley adding room video), chat (MESSAGE), tones (INFO dtmf-relay), the far end hanging up.
 * What the endpoint does becomes requests in the dialog (`CallControl`), one after the other in
 * the order the endpoint did them, each tracked until answered (settling.ts).
 *
 * Means the node cannot receive over SIP yet are said so loudly rather than dropped:
 * - DTMF goes as INFO `application/dtmf-relay` whatever the endpoint's means: RFC 4733 digits
 *   travel in RTP, which comes with the media worker (no RTP flows in the wire world yet);
 * - content (VbSS, BFCP floor requests) and web chat have no wire form here: they throw.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { DtmfDigit, MediaOffer, Party } from '../../core/model/call.js'
import { parseNameAddr } from '../../adapters/sip/dialect/name-addr.js'
import { buildDtmfInfo, parseDtmfInfo } from '../../adapters/sip/dtmf/dtmf-info.js'
import { buildMessageBody, decodeMessageBody } from '../../adapters/sip/im/message-body.js'
import type { Dialog, DialogEnd, RequestFailure, ServerRequest, SipResponse } from '../../adapters/sip/stack/stack-types.js'
import type { CallControl, CallEvents, ChatMeans, ContentMeans, DtmfMeans } from '../network.js'
import { acceptAll, answerTo, grantedMedia, readSdp, updatedOffer, type EndpointMedia } from './endpoint-sdp.js'
import { keyboardActivity } from './sfb-dialect.js'
import type { Settling } from './settling.js'

export const partyOfHeader = (value: string | undefined): Party => {
  const parsed = parseNameAddr(value ?? '')
  return E.isLeft(parsed) ? { displayName: '', uri: value ?? '' } : { displayName: parsed.right.displayName ?? '', uri: parsed.right.uri }
}

export const describeFailure = (failure: RequestFailure): { readonly status: number; readonly reason: string } => {
  switch (failure._tag) {
    case 'Rejected':
      return { status: failure.response.status, reason: failure.response.reasonPhrase ?? String(failure.response.status) }
    case 'Timeout':
      return { status: 408, reason: 'no final response' }
    case 'TransportFailure':
      return { status: 503, reason: `transport: ${failure.error._tag}` }
    case 'NoRoute':
      return { status: 404, reason: `no route to ${failure.uri}` }
    default:
      return { status: 500, reason: failure._tag }
  }
}

/**
 * Something the wire world cannot do yet, as opposed to something not possible *yet* in a
 * scenario (a call not answered so far): the world does not wait and retry for these, and a
 * scenario that needs one is @sim-only.
 */
export class NotOnTheWire extends Error {
  override readonly name = 'NotOnTheWire'
}

const contentUnavailable = (means: ContentMeans): NotOnTheWire =>
  new NotOnTheWire(`content by ${means} does not reach the node over SIP yet (no BFCP floor control or VbSS until the media worker)`)

/** The dialog side of a call: what both directions share once the call has a dialog. */
export class WireCall {
  private dialog: Dialog | undefined
  private queue: Promise<void> = Promise.resolve()
  /** Resolves once the call is answered, failed or ended: requests that need the dialog wait for it. */
  private readonly established: Promise<void>
  private establish: () => void = () => undefined
  /** The endpoint hung up (or declined): what the node does next is no news to it. */
  private hungUp = false
  private over = false
  /** Called instead of BYE while the call has no dialog (CANCEL an INVITE, or decline one). */
  abandon: () => void = () => undefined

  constructor(
    private readonly events: () => CallEvents,
    private readonly media: EndpointMedia,
    private readonly settling: Settling,
  ) {
    this.established = new Promise((resolve) => (this.establish = resolve))
  }

  get ended(): boolean {
    return this.over
  }

  /** The call is up: in-dialog requests from the node come to the endpoint from now on. */
  attach(dialog: Dialog): void {
    this.dialog = dialog
    dialog.setHandler({
      onRequest: (request) => this.receive(request),
      onTerminated: (end) => this.terminated(end),
    })
    this.establish()
  }

  /** The call will never be up (failed, declined, cancelled). */
  finish(): void {
    this.over = true
    this.establish()
  }

  /** Runs `work` after everything the endpoint did before, tracked until done. */
  private enqueue(work: () => Promise<void>): void {
    const next = this.queue.then(work, work)
    this.queue = next.catch(() => undefined)
    void this.settling.track(next)
  }

  /** Runs `work` once the call is up, with its dialog; skipped if it never comes up or has ended. */
  private inDialog(work: (dialog: Dialog) => Promise<void>): void {
    this.enqueue(async () => {
      await this.established
      const dialog = this.dialog
      if (dialog === undefined || this.over || dialog.state === 'terminated') return
      await work(dialog)
    })
  }

  readonly control: CallControl = {
    sendDigits: (digits: string, _means: DtmfMeans) => {
      this.inDialog(async (dialog) => {
        for (const digit of digits) {
          const info = buildDtmfInfo(digit as DtmfDigit)
          const sent = await dialog.request({ method: 'INFO', body: { contentType: info.contentType, content: info.body } })
          if (E.isLeft(sent)) throw new Error(`INFO for ${digit} was not answered with 2xx: ${describeFailure(sent.left).reason}`)
        }
      })
    },
    sendChat: (text: string, means: ChatMeans) => {
      if (means === 'web-chat') throw new NotOnTheWire('web chat has no SIP form: the web app is not on the wire')
      this.inDialog(async (dialog) => {
        const message = buildMessageBody(text)
        const sent = await dialog.request({ method: 'MESSAGE', body: { contentType: message.contentType, content: message.body } })
        if (E.isLeft(sent)) throw new Error(`MESSAGE was not answered with 2xx: ${describeFailure(sent.left).reason}`)
      })
    },
    typing: (_means: ChatMeans) => {
      this.inDialog(async (dialog) => {
        await dialog.request({ method: 'INFO', body: keyboardActivity })
      })
    },
    changeMedia: (offer: MediaOffer) => {
      this.inDialog(async (dialog) => {
        const body = updatedOffer(offer, this.media)
        if (E.isLeft(body)) throw new Error(body.left)
        const answered = await dialog.reinvite({ body: body.right })
        if (E.isLeft(answered)) return
        this.answeredWith(answered.right)
      })
    },
    startContent: (means: ContentMeans) => {
      throw contentUnavailable(means)
    },
    stopContent: (means: ContentMeans) => {
      throw contentUnavailable(means)
    },
    hangup: () => {
      if (this.hungUp || this.over) return
      this.hungUp = true
      this.enqueue(async () => {
        const dialog = this.dialog
        if (dialog === undefined) return this.abandon()
        if (dialog.state !== 'terminated') await dialog.bye()
      })
    },
  }

  /** A 2xx with SDP (the answer to the endpoint's offer): the far side's directions. */
  answeredWith(response: SipResponse): void {
    const sdp = readSdp(response.getHeader('Content-Type'), response.bodyBytes)
    if (E.isLeft(sdp)) throw new Error(`the node answered with ${sdp.left}`)
    this.events().answered(grantedMedia(sdp.right))
  }

  private receive(incoming: ServerRequest): void {
    const request = incoming.request
    const events = this.events()
    switch (request.method) {
      case 'INVITE': {
        const offer = readSdp(request.getHeader('Content-Type'), request.bodyBytes)
        if (E.isLeft(offer)) {
          incoming.respond({ status: 488, reason: offer.left })
          return
        }
        events.reoffered(grantedMedia(offer.right))
        incoming.respond({ status: 200, body: answerTo(offer.right, acceptAll(offer.right), this.media) })
        return
      }
      case 'MESSAGE': {
        const text = decodeMessageBody(request.getHeader('Content-Type') ?? 'text/plain', request.bodyBytes)
        incoming.respond({ status: 200 })
        if (E.isRight(text)) events.chat(partyOfHeader(request.getHeader('From')), text.right)
        return
      }
      case 'INFO': {
        const info = parseDtmfInfo(request.getHeader('Content-Type') ?? '', request.bodyBytes)
        incoming.respond({ status: 200 })
        if (E.isRight(info)) events.tone(info.right.digit)
        return
      }
      default:
        incoming.respond({ status: 200 })
    }
  }

  private terminated(end: DialogEnd): void {
    const wasOver = this.over
    this.over = true
    if (wasOver || this.hungUp) return
    this.events().ended(end._tag === 'ByeReceived' ? 'bye' : end._tag)
  }

  /** The node ended the call before it had a dialog (CANCEL of a call it placed). */
  cancelledByFarEnd(): void {
    if (this.over) return
    this.over = true
    this.establish()
    if (!this.hungUp) this.events().ended('cancel')
  }
}
