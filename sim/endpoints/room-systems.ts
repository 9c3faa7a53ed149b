/**
 * Standard video room systems: they call and answer video, send DTMF from the remote control
 * and present content, and have no chat at all (DESIGN §2 "Instant messaging"; PROTOCOLS 3.8).
 * They answer calls by themselves, as room systems set to auto-answer do.
 */
import type { MediaOffer, Protocol } from '../../core/model/call.js'
import type { ChatMeans, ContentMeans, DtmfMeans } from '../network.js'
import { Endpoint, type CallPlacer, type EndpointKind, type EndpointSetup } from './endpoint.js'

const roomOffer: MediaOffer = { audio: true, video: true, content: true, chat: false }

/** A SIP room system: RFC 4733 DTMF, BFCP floor control with a second video stream (RFC 8855/8856). */
export class SipRoomSystem extends Endpoint {
  readonly kind: EndpointKind = 'sip-room'
  readonly protocol: Protocol = 'sip'
  readonly reachableBy: ReadonlyArray<Protocol> = ['sip']
  protected readonly dtmfMeans: DtmfMeans = 'rfc4733'
  protected readonly contentMeans: ContentMeans = 'bfcp'
  readonly chatMeans: ChatMeans | undefined = undefined
  protected readonly videoOffer: MediaOffer = roomOffer

  constructor(setup: EndpointSetup, placer: CallPlacer) {
    super(setup, placer)
    this.autoAnswer = true
  }
}

/** An H.323 room system: H.245 UserInputIndication for DTMF, H.239 for content (PROTOCOLS 2.5). */
export class H323RoomSystem extends Endpoint {
  readonly kind: EndpointKind = 'h323-room'
  readonly protocol: Protocol = 'h323'
  readonly reachableBy: ReadonlyArray<Protocol> = ['h323']
  protected readonly dtmfMeans: DtmfMeans = 'h245-user-input'
  protected readonly contentMeans: ContentMeans = 'h239'
  readonly chatMeans: ChatMeans | undefined = undefined
  protected readonly videoOffer: MediaOffer = roomOffer

  constructor(setup: EndpointSetup, placer: CallPlacer) {
    super(setup, placer)
    this.autoAnswer = true
  }
}
