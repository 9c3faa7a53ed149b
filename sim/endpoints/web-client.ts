/**
 * Chat-capable clients other than SfB: a web client (WebRTC, in the manner of Pexip's own
 * Infinity Connect, which joins meeting rooms and chats; it can be called by nobody, as WebRTC
 * is incoming only) and a SIP video app that sends chat as RFC 3428 MESSAGE in its call's
 * dialog (DESIGN §2: such an agent receives chat once it has sent some itself).
 */
import type { MediaOffer, Protocol } from '../../core/model/call.js'
import type { ChatMeans, ContentMeans, DtmfMeans } from '../network.js'
import { Endpoint, type EndpointKind } from './endpoint.js'

export class WebClient extends Endpoint {
  readonly kind: EndpointKind = 'web'
  readonly protocol: Protocol = 'webrtc'
  readonly reachableBy: ReadonlyArray<Protocol> = []
  protected readonly dtmfMeans: DtmfMeans = 'rfc4733'
  protected readonly contentMeans: ContentMeans = 'web-presentation'
  readonly chatMeans: ChatMeans | undefined = 'web-chat'
  protected readonly videoOffer: MediaOffer = { audio: true, video: true, content: true, chat: true }
}

export class SipVideoApp extends Endpoint {
  readonly kind: EndpointKind = 'sip-app'
  readonly protocol: Protocol = 'sip'
  readonly reachableBy: ReadonlyArray<Protocol> = ['sip']
  protected readonly dtmfMeans: DtmfMeans = 'sip-info'
  protected readonly contentMeans: ContentMeans = 'bfcp'
  readonly chatMeans: ChatMeans | undefined = 'sip-message'
  protected readonly videoOffer: MediaOffer = { audio: true, video: true, content: false, chat: false }
}
