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
 * - content from a SIP room system is BFCP (RFC 8855) over TCP to the floor control server the
 *   node's answer names (its BFCP line: port, conference and user ids, RFC 8856): sharing is a
 *   FloorRequest, stopping a FloorRelease; what the node decides shows in its reports;
 * - SfB content is a sharing dialog of the call's conversation (sfb-screen-share.ts, decision
 *   0007): sharing is its INVITE (VbSS beside RDP), stopping its BYE; what the node decides shows
 *   in its reports, and a BYE from the node on it means the share was stopped;
 * - H.239, the web app's presentation and web chat have no wire form here: they throw.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { DtmfDigit, MediaOffer, Party } from '../../core/model/call.js'
import { parseNameAddr } from '../../adapters/sip/dialect/name-addr.js'
import { buildDtmfInfo, parseDtmfInfo } from '../../adapters/sip/dtmf/dtmf-info.js'
import { buildMessageBody, decodeMessageBody } from '../../adapters/sip/im/message-body.js'
import type { Dialog, DialogEnd, RequestFailure, ServerRequest, SipResponse } from '../../adapters/sip/stack/stack-types.js'
import type { ParsedOffer } from '../../adapters/sip/sdp/parsed-offer.js'
import type { BfcpMessage } from '../../adapters/bfcp/bfcp-message.js'
import { BfcpClient, floorRequestIdIn, requestStatusIn, type BfcpClientIds } from '../../adapters/bfcp/testing/bfcp-client.js'
import type { CallControl, CallEvents, ChatMeans, ContentMeans, DtmfMeans } from '../network.js'
import { acceptAll, answerTo, grantedMedia, readSdp, updatedOffer, type EndpointMedia } from './endpoint-sdp.js'
import type { SfbScreenShare } from './sfb-screen-share.js'
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
  new NotOnTheWire(`content by ${means} does not reach the node over SIP yet (only BFCP from SIP room systems and SfB's sharing dialogs do)`)

/** How long a floor request may wait for the node's decision (the core decides in the same step). */
const settleBoundMs = 3_000

interface FloorServer {
  readonly host: string
  readonly port: number
  readonly ids: BfcpClientIds
}

/** The floor control server an answer's accepted BFCP line names (RFC 8856: port, `a=confid`, `a=userid`, `a=floorid`). */
const floorServerIn = (sdp: ParsedOffer): FloorServer | undefined => {
  const line = sdp.streams.find((s) => s.kind === 'floor-control' && s.port !== 0)
  if (line?.kind !== 'floor-control' || line.remote === undefined) return undefined
  const [conferenceId, userId, floorId] = [line.conferenceId, line.userId, line.floors[0]?.floorId].map(Number)
  if (![conferenceId, userId, floorId].every((n) => n !== undefined && Number.isInteger(n))) return undefined
  return { host: line.remote.address, port: line.remote.port, ids: { conferenceId: conferenceId!, userId: userId!, floorId: floorId! } }
}

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
  /** The node's floor control server for this call, the BFCP connection once content is shared, the open request. */
  private floor: FloorServer | undefined
  private bfcp: BfcpClient | undefined
  private floorRequest: number | undefined
  /** An SfB call's screen share, a dialog of its own (set once the client's user agent is open). */
  private screenShare: SfbScreenShare | undefined
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

  /** The call is an SfB client's: its content goes in sharing dialogs of its conversation. */
  sharesScreenBy(share: SfbScreenShare): void {
    this.screenShare = share
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
      if (means === 'vbss' || means === 'rdp') {
        this.inDialog(async () => {
          if (this.screenShare === undefined) throw new Error('an SfB share on a call that is not an SfB client\'s')
          await this.screenShare.start(means)
        })
        return
      }
      if (means !== 'bfcp') throw contentUnavailable(means)
      this.inDialog(async () => {
        const floor = this.floor
        if (floor === undefined) throw new Error('the node did not accept the BFCP line: no floor control server to ask')
        const bfcp = (this.bfcp ??= await this.connectFloor(floor))
        const answer = await bfcp.requestFloor()
        // An Error (a request still open) changes nothing: the server's statuses say where the floor is.
        if (answer.primitive !== 'FloorRequestStatus') return
        const request = floorRequestIdIn(answer)
        this.floorRequest = request
        // The action is done once the request is decided, as in the sim world where the core decides at once.
        const decided = (m: BfcpMessage): boolean => m.primitive === 'FloorRequestStatus' && floorRequestIdIn(m) === request && requestStatusIn(m) !== 'Pending'
        if (!decided(answer)) await bfcp.waitFor(decided, `a decision on floor request ${request}`, settleBoundMs)
      })
    },
    stopContent: (means: ContentMeans) => {
      if (means === 'vbss' || means === 'rdp') {
        this.inDialog(async () => this.screenShare?.stop())
        return
      }
      if (means !== 'bfcp') throw contentUnavailable(means)
      this.inDialog(async () => {
        const request = this.floorRequest
        if (this.bfcp === undefined || request === undefined) return
        this.floorRequest = undefined
        await this.bfcp.releaseFloor(request)
      })
    },
    hangup: () => {
      if (this.hungUp || this.over) return
      this.hungUp = true
      this.enqueue(async () => {
        const dialog = this.dialog
        if (dialog === undefined) return this.abandon()
        // The client ends its share with the call it belongs to.
        await this.screenShare?.stop()
        if (dialog.state !== 'terminated') await dialog.bye()
      })
    },
  }

  /**
   * What the node's reports tell this call's endpoint. A room system that speaks BFCP knows
   * whether it presents from the floor control server (RFC 8855 §13.1), not from the media
   * side; the reports, read from the node's log, can come after a later FloorRelease.
   */
  reported(events: CallEvents): CallEvents {
    return { ...events, floor: (granted) => (this.floor === undefined ? events.floor(granted) : undefined) }
  }

  /** The BFCP connection to the node; FloorRequestStatus for this user says whether it presents. */
  private async connectFloor(floor: FloorServer): Promise<BfcpClient> {
    const bfcp = await BfcpClient.tcp(floor.host, floor.port, floor.ids)
    bfcp.onMessage = (m) => {
      if (m.primitive !== 'FloorRequestStatus') return
      const status = requestStatusIn(m)
      if (status === 'Granted') this.events().floor(true)
      else if (status !== undefined && status !== 'Pending' && status !== 'Accepted') this.events().floor(false)
    }
    return bfcp
  }

  /** An offer of the node's (a call it places, its re-INVITE): its BFCP line names its floor control server (RFC 8856). */
  offeredBy(sdp: ParsedOffer): void {
    this.floor = floorServerIn(sdp) ?? this.floor
  }

  /** A 2xx with SDP (the answer to the endpoint's offer): the far side's directions. */
  answeredWith(response: SipResponse): void {
    const sdp = readSdp(response.getHeader('Content-Type'), response.bodyBytes)
    if (E.isLeft(sdp)) throw new Error(`the node answered with ${sdp.left}`)
    this.floor = floorServerIn(sdp.right) ?? this.floor
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
        this.offeredBy(offer.right)
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
    this.bfcp?.close()
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
