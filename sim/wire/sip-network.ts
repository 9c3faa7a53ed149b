/**
 * The `SimNetwork` of the `wire` world: the same endpoint models the sim world uses
 * (sim/endpoints/) reach a real Parley node over real SIP on loopback.
 *
 * - Calls an endpoint places are INVITEs from its own user agent (wire-party.ts) to the node's
 *   listener for its transport: a Skype for Business client over TLS with SfB's headers and SDP
 *   (sfb-dialect.ts, endpoint-sdp.ts), a standard SIP system over UDP.
 * - Calls the node places (automatic participants, gateway calls, calls to SfB users) go to the
 *   edge: the user agent at the proxies the wire configuration names (wire-configuration.ts),
 *   which rings the endpoint attached at the address called, as the in-process network does;
 *   nobody there is 404.
 * - An SfB client's contacts are batched presence SUBSCRIBEs (PROTOCOLS 1.1) from its own user
 *   agent; the piggybacked first notification and later NOTIFYs update the contact.
 * - An SfB client's screen share is a sharing dialog of its call's conversation, to the same
 *   address (sfb-screen-share.ts).
 * - What participants see and hear comes from the node's reports (node-reports.ts).
 *
 * The web app (WebRTC) and H.323 systems have no wire form: calls from them throw, so a scenario
 * that needs one is tagged @sim-only rather than passing by accident.
 */
import * as E from 'fp-ts/lib/Either.js'
import { randomBytes } from 'node:crypto'
import type { MediaOffer, Party, Protocol } from '../../core/model/call.js'
import { systemClock } from '../../adapters/node/system-clock.js'
import { nameAddrOf } from '../../adapters/sip/app/request-reading.js'
import { SipStack } from '../../adapters/sip/stack/sip-stack.js'
import type { Destination, ServerRequest, SipBody } from '../../adapters/sip/stack/stack-types.js'
import { NodeSipTransport } from '../../adapters/sip/transport/node-sip-transport.js'
import type { TransportProtocol } from '../../adapters/sip/transport/transport-types.js'
import { addressKey } from '../address.js'
import type { CallControl, CallEvents, CallRequest, IncomingCall, PresenceControl, PresenceEvents, Reachable, SimNetwork } from '../network.js'
import { answerTo, EndpointMedia, initialOffer, readSdp } from './endpoint-sdp.js'
import type { LoopbackAddresses } from './loopback-addresses.js'
import type { NodeReports } from './node-reports.js'
import type { SipPorts } from './parley-process.js'
import { readPresenceBody } from './presence-reading.js'
import type { TlsPair } from './run-directory.js'
import type { Settling } from './settling.js'
import { batchedSubscribeBody, batchedSubscribeHeaders, sfbCallHeaders, sfbFrom, sfbImHeaders } from './sfb-dialect.js'
import { SfbScreenShare } from './sfb-screen-share.js'
import { describeFailure, NotOnTheWire, partyOfHeader, WireCall } from './wire-call.js'
import type { WireEdgeAddress } from './wire-configuration.js'
import { WireParty } from './wire-party.js'

const token = (): string => randomBytes(9).toString('hex')

/** The transport each kind of endpoint speaks (PROTOCOLS 1.7: SfB over TLS). */
const transportFor = (protocol: Protocol): TransportProtocol => {
  switch (protocol) {
    case 'mssip':
      return 'tls'
    case 'sip':
      return 'udp'
    case 'webrtc':
      throw new NotOnTheWire('the web app has no wire form yet (no WebRTC adapter)')
    case 'h323':
      throw new NotOnTheWire('H.323 systems have no wire form yet (no H.323 adapter)')
  }
}

const hexEscape = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`

/**
 * The Request-URI and To of an address as the user typed it: `meet.alice**1234@example.com`,
 * `sip:...;transport=tls`, `<sip:...>`, `"Bob's room" <sip:...>`. Characters a SIP URI's user
 * part cannot hold as they are (`#` of a PIN) are %-escaped (RFC 3261 §25.1).
 */
export const addressedAs = (typed: string): { readonly requestUri: string; readonly to: string } => {
  const open = typed.indexOf('<')
  const close = typed.lastIndexOf('>')
  const inner = open >= 0 && close > open ? typed.slice(open + 1, close).trim() : typed.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(inner) ? inner : `sip:${inner}`
  const colon = withScheme.indexOf(':')
  const at = withScheme.lastIndexOf('@')
  const user = at > colon ? withScheme.slice(colon + 1, at) : ''
  const escaped = user.replace(/[^A-Za-z0-9\-_.!~*'()&=+$,;?/%]/g, hexEscape)
  const uri = at > colon ? `${withScheme.slice(0, colon + 1)}${escaped}${withScheme.slice(at)}` : withScheme
  const display = open > 0 ? typed.slice(0, open).trim() : ''
  return { requestUri: uri, to: display === '' ? `<${uri}>` : `${display} <${uri}>` }
}

/**
 * Where the node's own calls arrive: UDP and TCP on one port for standard SIP (a proxy named
 * `host:port` is reached over UDP), TLS on another for MS-SIP (Parley reaches SfB pools over
 * TLS). It lives as long as the run: its addresses are in every wire configuration, so a node
 * can be kept between scenarios whose configuration is the same.
 */
export class WireEdge {
  private constructor(
    readonly stack: SipStack,
    private readonly transport: NodeSipTransport,
    readonly address: WireEdgeAddress,
  ) {}

  static async open(tls: TlsPair): Promise<WireEdge> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const probe = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: 0 } })
      if (E.isLeft(probe)) continue
      const port = probe.right.ports().udp ?? 0
      await probe.right.close()
      const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: port, tcp: port, tls: 0 }, tls: { cert: tls.cert, key: tls.key, ca: [tls.cert] } })
      if (E.isLeft(opened)) continue
      const stack = new SipStack({ transport: opened.right, clock: systemClock, publicHost: '127.0.0.1' })
      const ports = opened.right.ports()
      return new WireEdge(stack, opened.right, { sip: `127.0.0.1:${ports.udp}`, mssip: `127.0.0.1:${ports.tls}` })
    }
    throw new Error('could not open the wire edge on loopback')
  }

  async close(): Promise<void> {
    this.stack.close()
    await this.transport.close()
  }
}

export interface SipNetworkOptions {
  /** The node's listeners on 127.0.0.1. */
  readonly node: SipPorts
  readonly tls: TlsPair
  readonly addresses: LoopbackAddresses
  readonly reports: NodeReports
  readonly settling: Settling
}

export class SipNetwork implements SimNetwork {
  private readonly parties = new Map<string, Promise<WireParty>>()
  private readonly endpoints = new Map<string, Reachable[]>()
  private readonly calls = new Set<WireCall>()
  private subscriptions = 0

  constructor(
    private readonly options: SipNetworkOptions,
    edge: WireEdge,
  ) {
    edge.stack.onRequest((request) => this.arrive(request))
  }

  readonly attach = (endpoint: Reachable): void => {
    const key = addressKey(endpoint.address) ?? endpoint.address
    this.endpoints.set(key, [...(this.endpoints.get(key) ?? []), endpoint])
  }

  readonly call = (request: CallRequest, events: CallEvents): CallControl => {
    const protocol = transportFor(request.protocol)
    const dialect = request.protocol === 'mssip' ? 'mssip' : 'sip'
    const partyReady = this.partyFor(request.from, protocol, dialect)
    const media = new EndpointMedia(request.from.uri)
    const call = new WireCall(() => events, media, this.options.settling)
    this.calls.add(call)
    const callId = `${token()}@wire`
    this.options.reports.callPlaced(callId, { party: request.from, events: call.reported(events) })
    void this.options.settling.track(this.place(call, media, request, events, partyReady, callId))
    return call.control
  }

  readonly subscribe = (watcher: string, target: string, events: PresenceEvents): PresenceControl => {
    const partyReady = this.partyFor({ displayName: '', uri: watcher }, 'tls', 'mssip')
    let stop: () => void = () => undefined
    let stopped = false
    this.subscriptions += 1
    const actionId = this.subscriptions
    const show = (contentType: string | undefined, body: Uint8Array): void => {
      const read = readPresenceBody(contentType, body)
      if (E.isLeft(read)) throw new Error(`${watcher} could not read presence: ${read.left.reason}`)
      const targetKey = addressKey(target) ?? target
      for (const [uri, view] of read.right) if ((addressKey(uri) ?? uri) === targetKey && !stopped) events.update(view)
    }
    const work = async (): Promise<void> => {
      const party = await partyReady
      const callId = `${token()}@wire`
      stop = party.tap.watch(callId, (notification) => show(notification.contentType, notification.body))
      const answered = await party.stack.request({
        method: 'SUBSCRIBE',
        requestUri: watcher,
        from: `<${watcher}>;epid=${party.epid}`,
        to: `<${watcher}>`,
        callId,
        headers: batchedSubscribeHeaders,
        body: batchedSubscribeBody(watcher, [target], actionId),
        destination: this.nodeDestination('tls'),
      })
      if (E.isLeft(answered)) throw new Error(`${watcher}'s presence SUBSCRIBE for ${target} failed: ${describeFailure(answered.left).status} ${describeFailure(answered.left).reason}`)
      show(answered.right.getHeader('Content-Type'), answered.right.bodyBytes)
    }
    void this.options.settling.track(work())
    return {
      unsubscribe: () => {
        stopped = true
        stop()
      },
    }
  }

  /** Every call ended from the endpoints' side and every user agent closed. */
  async close(): Promise<void> {
    for (const call of this.calls) if (!call.ended) call.control.hangup()
    await this.options.settling.idle(2_000)
    const parties = await Promise.allSettled(this.parties.values())
    await Promise.all(parties.map((p) => (p.status === 'fulfilled' ? p.value.close() : Promise.resolve())))
    this.parties.clear()
    this.endpoints.clear()
    this.calls.clear()
  }

  private nodeDestination(protocol: TransportProtocol): Destination {
    return { protocol, host: '127.0.0.1', port: this.options.node[protocol] }
  }

  private partyFor(who: Party, protocol: TransportProtocol, dialect: 'sip' | 'mssip'): Promise<WireParty> {
    const key = `${protocol}|${addressKey(who.uri) ?? who.uri}`
    const known = this.parties.get(key)
    if (known !== undefined) return known
    const opening = WireParty.open({ host: this.options.addresses.take(), protocol, dialect, tls: this.options.tls })
    this.parties.set(key, opening)
    return opening
  }

  /** The INVITE for a call an endpoint places; settled once it rings, is answered or fails. */
  private async place(call: WireCall, media: EndpointMedia, request: CallRequest, events: CallEvents, partyReady: Promise<WireParty>, callId: string): Promise<void> {
    const party = await partyReady
    media.placeAt(party.host, party.nextMediaPort())
    const body = initialOffer(party.dialect, request.offer, media)
    if (E.isLeft(body)) throw new Error(body.left)
    const sfb = party.dialect === 'mssip'
    const imOnly = request.offer.chat && !request.offer.audio && !request.offer.video
    const headers = sfb ? (imOnly ? sfbImHeaders(request.conversationId, request.firstMessage) : sfbCallHeaders(request.conversationId)) : []
    const { requestUri, to } = addressedAs(request.to)
    const from = sfb ? sfbFrom(request.from.displayName, request.from.uri, party.epid) : nameAddrOf(request.from)
    const destination = this.nodeDestination(party.protocol)
    if (sfb && !imOnly) {
      const route = { party, requestUri, from, to, conversationId: request.conversationId, destination }
      call.sharesScreenBy(new SfbScreenShare(route, () => events.floor(false)))
    }
    await new Promise<void>((settled) => {
      const handle = party.stack.invite(
        {
          requestUri,
          from,
          to,
          callId,
          headers,
          body: body.right,
          destination,
        },
        {
          onProgress: (response) => {
            if (response.status === 180 || response.status === 183) {
              events.ringing()
              settled()
            }
          },
          onAnswered: (response, dialog) => {
            call.attach(dialog)
            call.answeredWith(response)
            settled()
          },
          onFailed: (failure) => {
            const wasHungUp = call.ended
            call.finish()
            if (failure._tag !== 'Cancelled' && !wasHungUp) {
              const { status, reason } = describeFailure(failure)
              events.failed(status, reason)
            }
            settled()
          },
        },
      )
      call.abandon = () => handle.cancel()
    })
  }

  /** A call the node places reaches the edge: the endpoint attached at that address rings. */
  private arrive(incoming: ServerRequest): void {
    const request = incoming.request
    if (request.method !== 'INVITE') {
      incoming.respond({ status: 405 })
      return
    }
    const protocol: Protocol = incoming.flow.protocol === 'tls' ? 'mssip' : 'sip'
    const key = addressKey(request.requestUri)
    const callee = key === undefined ? undefined : this.endpoints.get(key)?.find((e) => e.protocols.includes(protocol))
    if (callee === undefined) {
      incoming.respond({ status: 404, reason: 'Not Found' })
      return
    }
    const offer = readSdp(request.getHeader('Content-Type'), request.bodyBytes)
    if (E.isLeft(offer)) {
      incoming.respond({ status: 488, reason: offer.left })
      return
    }
    const media = new EndpointMedia(callee.identity.uri)
    media.placeAt('127.0.0.1', 30_000 + (this.calls.size % 1000) * 8)
    const cell: { events?: CallEvents } = {}
    const call = new WireCall(() => cell.events ?? silent, media, this.options.settling)
    call.offeredBy(offer.right)
    this.calls.add(call)
    let answered = false
    call.abandon = () => {
      if (answered) return
      answered = true
      incoming.respond({ status: 480, reason: 'Temporarily Unavailable' })
      call.finish()
    }
    incoming.onCancel(() => call.cancelledByFarEnd())
    const conversationId = request.getHeader('Ms-Conversation-ID')
    const ringing: IncomingCall = {
      from: partyOfHeader(request.getHeader('From')),
      protocol,
      offer: offer.right.media,
      ...(conversationId === undefined ? {} : { conversationId }),
      accept: (accepted: MediaOffer) => {
        if (answered) return
        answered = true
        const body: SipBody = answerTo(offer.right, accepted, media)
        const sent = incoming.respond({ status: 200, body })
        if (E.isRight(sent) && sent.right !== undefined) call.attach(sent.right)
        else call.finish()
      },
      decline: (status: number, reason: string) => {
        if (answered) return
        answered = true
        incoming.respond({ status, reason })
        call.finish()
      },
      control: call.control,
    }
    const events = callee.ring(ringing)
    cell.events = events
    this.options.reports.callArrived(request.requestUri, { party: callee.identity, events })
    if (!answered) incoming.respond({ status: 180 })
  }
}

const silent: CallEvents = {
  ringing: () => undefined,
  answered: () => undefined,
  failed: () => undefined,
  reoffered: () => undefined,
  ended: () => undefined,
  picture: () => undefined,
  sound: () => undefined,
  hearing: () => undefined,
  chat: () => undefined,
  tone: () => undefined,
  floor: () => undefined,
}
