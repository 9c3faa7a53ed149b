/**
 * Parley as BFCP floor control server (RFC 8855) for SIP room systems' content stream
 * (DESIGN §2 Content). Translation only (CONVENTIONS 3): the core decides who presents.
 *
 * - Each leg that negotiated a BFCP stream is one user, with its own conference, user and floor
 *   ids (given in the SDP answer, RFC 8856 §5); the floor it names is its conference's one
 *   content floor, which the server learns from the core's JoinMix/LeaveMix.
 * - FloorRequest → FloorRequestStatus Pending and the input ContentRequested; the core's
 *   GrantFloor → Granted, sent once the media side has opened the leg's content (or after
 *   `grantAfterMediaMs`): a room system starts its content stream, keyframe first, on the grant,
 *   and the decoder drops what comes before (video-engine.ts gates content on the floor); its RevokeFloor → Denied (a request still pending: refused) or Revoked
 *   (someone else took the floor). FloorRelease → Released (Cancelled while pending) and
 *   ContentReleased. The other users of the conference's floor get FloorStatus (§13.5).
 * - Over UDP (version 2, §6.2): responses carry the R bit and are kept for T2 to answer a
 *   retransmitted request again; the server's own FloorRequestStatus and FloorStatus are
 *   retransmitted from T1, doubling, until acknowledged (FloorRequestStatusAck, FloorStatusAck)
 *   or given up. Over TCP (version 1) the server's own messages carry transaction id 0 (§8).
 * - Errors are answered as Error messages (§13.8): unknown conference or user, unknown primitive
 *   or mandatory attribute, a floor or floor request that does not exist, more than one request.
 */
import { randomInt } from 'node:crypto'
import type { Logger } from 'pino'
import type { ConferenceId, LegId } from '../../core/model/ids.js'
import type { Input } from '../../core/node/input.js'
import type { Clock } from '../../core/ports/clock.js'
import type { MediaEffect } from '../../core/ports/media.js'
import type { FloorControlIds } from '../sip/sdp/local-media.js'
import type { BfcpDecodeError } from './bfcp-codec.js'
import { decodeMessage, encodeMessage } from './bfcp-codec.js'
import type { Attribute, BfcpMessage, BfcpVersion, ErrorCodeName, Primitive, RequestStatus } from './bfcp-message.js'
import { allAttributes, attributeCodes, errorCodes, findAttribute, primitiveCodes } from './bfcp-message.js'

/** Where a user's messages come from and go to: a UDP address, or one TCP connection. */
export interface BfcpPeer {
  readonly transport: 'udp' | 'tcp'
  readonly send: (bytes: Uint8Array) => void
  /** TCP: ends the connection. */
  readonly close?: () => void
  /** `address:port`, for logs. */
  readonly describe: string
}

/** RFC 8855 §8.3.1 (T1, initial retransmission) and §8.3.2 (T2, how long a response is kept). */
export interface BfcpTimers {
  readonly t1Ms: number
  readonly t2Ms: number
  /** Retransmissions before a server-initiated transaction is given up. */
  readonly retransmissions: number
  /**
   * How long a user whose TCP connection closed may take to connect again before what it holds
   * is released: a re-INVITE answered `a=connection:new` (RFC 4145 §5) has the client open a
   * new connection, which must not end its presentation.
   */
  readonly reconnectMs: number
  /** The longest a grant waits for the media side to open the leg's content (a restarting worker answers late). */
  readonly grantAfterMediaMs: number
}

export const defaultBfcpTimers: BfcpTimers = { t1Ms: 500, t2Ms: 10_000, retransmissions: 3, reconnectMs: 5_000, grantAfterMediaMs: 250 }

export interface FloorControlServerOptions {
  readonly clock: Clock
  readonly logger: Logger
  readonly timers?: Partial<BfcpTimers>
  /**
   * A new leg's conference id (32 bits, not 0). Random by default: the id is all a UDP or TCP
   * peer shows to speak for a leg (plain BFCP has no other credential, RFC 8855 §14).
   */
  readonly conferenceIds?: () => number
}

const randomConferenceId = (): number => randomInt(1, 2 ** 32)

type OpenStatus = 'Pending' | 'Granted'

interface User {
  readonly leg: LegId
  readonly ids: FloorControlIds
  transport: 'udp' | 'tcp' | undefined
  version: BfcpVersion
  peer: BfcpPeer | undefined
  conference: ConferenceId | undefined
  request: { readonly id: number; status: OpenStatus } | undefined
  /** Responses kept for T2, by the request's transaction id (UDP, §6.2). */
  readonly answered: Map<number, { readonly bytes: Uint8Array; readonly forget: () => void }>
  /** The server's own transactions awaiting their ack, by transaction id (UDP, §6.2). */
  readonly unacknowledged: Map<number, () => void>
  nextTransaction: number
  /** Its TCP connection closed with a request open: cancels the release that follows unless it comes back. */
  lost: (() => void) | undefined
}

/** Primitives a floor participant sends that Parley answers (HelloAck's SUPPORTED-PRIMITIVES, §5.3.12). */
const supportedPrimitives: ReadonlyArray<Primitive> = [
  'FloorRequest',
  'FloorRelease',
  'FloorRequestQuery',
  'FloorRequestStatus',
  'UserQuery',
  'UserStatus',
  'FloorQuery',
  'FloorStatus',
  'Hello',
  'HelloAck',
  'Error',
  'FloorRequestStatusAck',
  'FloorStatusAck',
  'Goodbye',
  'GoodbyeAck',
]

const decodeErrorCode = (e: BfcpDecodeError): ErrorCodeName => {
  switch (e._tag) {
    case 'UnsupportedVersion':
      return 'UnsupportedVersion'
    case 'IncorrectLength':
      return 'IncorrectMessageLength'
    case 'UnknownPrimitive':
      return 'UnknownPrimitive'
    case 'TooShort':
    case 'Fragmented':
    case 'MalformedAttribute':
      return 'UnableToParseMessage'
  }
}

export class FloorControlServer {
  private readonly timers: BfcpTimers
  private readonly users = new Map<LegId, User>()
  private readonly byConferenceId = new Map<number, User>()
  /** Who holds each conference's content floor (from GrantFloor), and under which floor request id. */
  private readonly holders = new Map<ConferenceId, { readonly leg: LegId; readonly requestId: number }>()
  private readonly conferenceOf = new Map<LegId, ConferenceId>()
  private readonly newConferenceId: () => number
  private nextRequestId = 1
  private deliver: (input: Input) => void = () => undefined

  constructor(private readonly options: FloorControlServerOptions) {
    this.timers = { ...defaultBfcpTimers, ...options.timers }
    this.newConferenceId = options.conferenceIds ?? randomConferenceId
  }

  /** Where ContentRequested and ContentReleased go (the media port's input callback). */
  readonly onInput = (deliver: (input: Input) => void): void => {
    this.deliver = deliver
  }

  // ---- legs (from the SIP side) -------------------------------------------------------------------

  /** The leg's BFCP ids, the same for every offer in its dialog. */
  idsFor(leg: LegId): FloorControlIds {
    const known = this.users.get(leg)
    if (known !== undefined) return known.ids
    let conferenceId = this.newConferenceId()
    while (this.byConferenceId.has(conferenceId)) conferenceId = this.newConferenceId()
    // The conference id alone tells users apart; user and floor ids are 1 (RFC 8856 §5 only asks that they be given).
    const ids: FloorControlIds = { conferenceId, userId: 1, floorId: 1 }
    const user: User = {
      leg,
      ids,
      transport: undefined,
      version: 1,
      peer: undefined,
      conference: this.conferenceOf.get(leg),
      request: undefined,
      answered: new Map(),
      unacknowledged: new Map(),
      nextTransaction: 1,
      lost: undefined,
    }
    this.users.set(leg, user)
    this.byConferenceId.set(conferenceId, user)
    return ids
  }

  /** What the SDP answer settled for the leg: its transport, and where to reach it before it speaks. */
  negotiated(leg: LegId, transport: 'udp' | 'tcp', peer: BfcpPeer | undefined): void {
    const user = this.users.get(leg)
    if (user === undefined) return
    user.transport = transport
    user.version = transport === 'udp' ? 2 : 1
    if (peer !== undefined && user.peer === undefined) user.peer = peer
  }

  /** The server has somewhere to send the leg's messages. */
  reachable(leg: LegId): boolean {
    return this.users.get(leg)?.peer !== undefined
  }

  /** The leg has ended: it holds and asks for nothing any more (the core already knows the leg is gone). */
  release(leg: LegId): void {
    // The SIP side lets go of the leg before the core hears it ended (and takes it out of the mix).
    this.dropHolder(leg)
    this.conferenceOf.delete(leg)
    const user = this.users.get(leg)
    if (user === undefined) return
    this.users.delete(leg)
    this.byConferenceId.delete(user.ids.conferenceId)
    for (const forget of user.unacknowledged.values()) forget()
    for (const kept of user.answered.values()) kept.forget()
    user.lost?.()
    if (user.peer?.transport === 'tcp') user.peer.close?.()
  }

  /**
   * A TCP connection closed: its users are no longer reachable, and what they held is released
   * (as for a Goodbye) unless they connect again within `reconnectMs`.
   */
  peerClosed(peer: BfcpPeer): void {
    const { clock } = this.options
    for (const user of this.users.values()) {
      if (user.peer !== peer) continue
      user.peer = undefined
      if (user.request === undefined) continue
      user.lost?.()
      user.lost = clock.schedule(clock.now() + this.timers.reconnectMs, () => {
        user.lost = undefined
        if (user.peer === undefined) this.abandonRequest(user)
      })
    }
  }

  close(): void {
    for (const leg of [...this.users.keys()]) this.release(leg)
  }

  // ---- the core's effects ---------------------------------------------------------------------------

  /**
   * Every media effect passes here on its way to the media side; the floor ones become BFCP.
   * `mediaDone`: a GrantFloor's Granted waits for it (bounded), the state changes at once.
   */
  observe(effect: MediaEffect, mediaDone?: Promise<unknown>): void {
    switch (effect._tag) {
      case 'JoinMix':
        this.conferenceOf.set(effect.leg, effect.conference)
        this.withUser(effect.leg, (u) => (u.conference = effect.conference))
        return
      case 'LeaveMix':
        if (this.conferenceOf.get(effect.leg) !== effect.conference) return
        this.dropHolder(effect.leg)
        this.conferenceOf.delete(effect.leg)
        this.withUser(effect.leg, (u) => (u.conference = undefined))
        return
      case 'GrantFloor':
        return this.granted(effect.leg, mediaDone)
      case 'RevokeFloor':
        return this.revoked(effect.leg)
      default:
        return
    }
  }

  private granted(leg: LegId, mediaDone: Promise<unknown> | undefined): void {
    const user = this.users.get(leg)
    const request = user?.request
    if (user !== undefined && request !== undefined) {
      request.status = 'Granted'
      let announced = false
      const announce = (): void => {
        // Once, and only if the grant still stands (no revocation, release or end came first).
        if (announced || user.request !== request || this.users.get(leg) !== user) return
        announced = true
        cancel()
        this.notify(user, 'FloorRequestStatus', this.requestInformation(user, request.id, 'Granted'))
      }
      const { clock } = this.options
      const cancel = mediaDone === undefined ? () => undefined : clock.schedule(clock.now() + this.timers.grantAfterMediaMs, announce)
      if (mediaDone === undefined) announce()
      else void mediaDone.then(announce, announce)
    }
    const conference = this.conferenceOf.get(leg)
    if (conference === undefined) return
    this.holders.set(conference, { leg, requestId: request?.id ?? this.newRequestId() })
    this.floorStatusToOthers(conference, leg)
  }

  private revoked(leg: LegId): void {
    const user = this.users.get(leg)
    const request = user?.request
    if (user !== undefined && request !== undefined) {
      user.request = undefined
      // The core answers a refused request with RevokeFloor (core/conference: takeFloor).
      this.notify(user, 'FloorRequestStatus', this.requestInformation(user, request.id, request.status === 'Pending' ? 'Denied' : 'Revoked'))
    }
    this.dropHolder(leg)
  }

  private dropHolder(leg: LegId): void {
    const conference = this.conferenceOf.get(leg)
    if (conference === undefined || this.holders.get(conference)?.leg !== leg) return
    this.holders.delete(conference)
    this.floorStatusToOthers(conference, leg)
  }

  private floorStatusToOthers(conference: ConferenceId, except: LegId): void {
    for (const other of this.users.values()) {
      if (other.leg === except || other.conference !== conference || other.peer === undefined) continue
      this.notify(other, 'FloorStatus', this.floorStatus(other))
    }
  }

  // ---- messages from users ----------------------------------------------------------------------------

  receive(bytes: Uint8Array, peer: BfcpPeer): void {
    const decoded = decodeMessage(bytes)
    if (decoded._tag === 'Left') return this.undecodable(decoded.left, peer)
    const message = decoded.right
    const user = this.byConferenceId.get(message.conferenceId)
    if (user === undefined) return this.refuse(message, peer, 'ConferenceDoesNotExist')
    if (message.userId !== user.ids.userId) return this.refuse(message, peer, 'UserDoesNotExist')
    // A user on a TCP connection is that connection's while it lasts (RFC 8856 §7: one per stream).
    if (user.peer?.transport === 'tcp' && user.peer !== peer) return this.refuse(message, peer, 'UnauthorizedOperation')
    // UDP: replies go where the user last spoke from (RFC 8855 §6.2); TCP: its connection.
    user.peer = peer
    user.lost?.()
    user.lost = undefined
    user.transport = peer.transport
    user.version = message.version
    if (message.primitive === 'FloorRequestStatusAck' || message.primitive === 'FloorStatusAck') {
      user.unacknowledged.get(message.transactionId)?.()
      user.unacknowledged.delete(message.transactionId)
      return
    }
    const kept = user.answered.get(message.transactionId)
    if (kept !== undefined && peer.transport === 'udp') {
      peer.send(kept.bytes)
      return
    }
    const unknownMandatory = this.unknownMandatory(message.attributes)
    if (unknownMandatory.length > 0)
      return this.respondError(user, message, 'UnknownMandatoryAttribute', Uint8Array.from(unknownMandatory.map((t) => t << 1)))
    this.handle(user, message)
  }

  private handle(user: User, m: BfcpMessage): void {
    switch (m.primitive) {
      case 'Hello':
        return this.respond(user, m, 'HelloAck', [
          { type: 'SupportedPrimitives', mandatory: false, primitives: supportedPrimitives.map((p) => primitiveCodes[p]) },
          { type: 'SupportedAttributes', mandatory: false, attributes: Object.values(attributeCodes) },
        ])
      case 'FloorRequest':
        return this.floorRequest(user, m)
      case 'FloorRelease':
        return this.floorRelease(user, m)
      case 'FloorRequestQuery': {
        const id = findAttribute(m.attributes, 'FloorRequestId')?.value
        const request = user.request
        if (id === undefined || request?.id !== id) return this.respondError(user, m, 'FloorRequestIdDoesNotExist')
        return this.respond(user, m, 'FloorRequestStatus', this.requestInformation(user, id, request.status))
      }
      case 'FloorQuery': {
        const floors = allAttributes(m.attributes, 'FloorId')
        if (floors.some((f) => f.value !== user.ids.floorId)) return this.respondError(user, m, 'InvalidFloorId')
        return this.respond(user, m, 'FloorStatus', floors.length === 0 ? [] : this.floorStatus(user))
      }
      case 'UserQuery': {
        const beneficiary = findAttribute(m.attributes, 'BeneficiaryId')?.value
        if (beneficiary !== undefined && beneficiary !== user.ids.userId) return this.respondError(user, m, 'UserDoesNotExist')
        return this.respond(user, m, 'UserStatus', user.request === undefined ? [] : this.requestInformation(user, user.request.id, user.request.status))
      }
      case 'Goodbye':
        this.respond(user, m, 'GoodbyeAck', [])
        this.abandonRequest(user)
        return
      case 'ChairAction':
        // No chairs in Parley's rooms: the core alone decides who presents (DESIGN §2).
        return this.respondError(user, m, 'UnauthorizedOperation')
      case 'Error':
      case 'HelloAck':
      case 'GoodbyeAck':
      case 'ChairActionAck':
        this.options.logger.debug({ leg: user.leg, primitive: m.primitive, attributes: m.attributes }, 'BFCP message a server need not answer')
        return
      case 'FloorRequestStatus':
      case 'UserStatus':
      case 'FloorStatus':
      case 'FloorRequestStatusAck':
      case 'FloorStatusAck':
        return this.respondError(user, m, 'UnknownPrimitive')
    }
  }

  private floorRequest(user: User, m: BfcpMessage): void {
    const floors = allAttributes(m.attributes, 'FloorId')
    if (floors.length === 0) return this.respondError(user, m, 'UnableToParseMessage', undefined, 'a FloorRequest names at least one FLOOR-ID')
    if (floors.some((f) => f.value !== user.ids.floorId)) return this.respondError(user, m, 'InvalidFloorId')
    const beneficiary = findAttribute(m.attributes, 'BeneficiaryId')?.value
    // A third-party request needs chair rights (§10.1.1), and there are no chairs here.
    if (beneficiary !== undefined && beneficiary !== user.ids.userId) return this.respondError(user, m, 'UnauthorizedOperation')
    if (user.request !== undefined) return this.respondError(user, m, 'MaximumFloorRequestsReached')
    const request = { id: this.newRequestId(), status: 'Pending' as OpenStatus }
    user.request = request
    this.respond(user, m, 'FloorRequestStatus', this.requestInformation(user, request.id, 'Pending'))
    this.deliver({ _tag: 'ContentRequested', at: 0, leg: user.leg })
  }

  private floorRelease(user: User, m: BfcpMessage): void {
    const id = findAttribute(m.attributes, 'FloorRequestId')?.value
    const request = user.request
    if (id === undefined || request === undefined || request.id !== id) return this.respondError(user, m, 'FloorRequestIdDoesNotExist')
    user.request = undefined
    this.respond(user, m, 'FloorRequestStatus', this.requestInformation(user, id, request.status === 'Pending' ? 'Cancelled' : 'Released'))
    this.deliver({ _tag: 'ContentReleased', at: 0, leg: user.leg })
    this.dropHolder(user.leg)
  }

  /** Goodbye or a lost connection: a request still open is released for the user. */
  private abandonRequest(user: User): void {
    if (user.request === undefined) return
    user.request = undefined
    this.deliver({ _tag: 'ContentReleased', at: 0, leg: user.leg })
    this.dropHolder(user.leg)
  }

  private unknownMandatory(attributes: ReadonlyArray<Attribute>): ReadonlyArray<number> {
    return attributes.flatMap((a) => (a.type === 'Unknown' && a.mandatory ? [a.code] : []))
  }

  // ---- building messages ------------------------------------------------------------------------------

  private newRequestId(): number {
    const id = this.nextRequestId
    this.nextRequestId = id >= 0xffff ? 1 : id + 1
    return id
  }

  /** FLOOR-REQUEST-INFORMATION (§5.2.15), the status both overall and for the floor: clients read either. */
  private requestInformation(user: User, requestId: number, status: RequestStatus): ReadonlyArray<Attribute> {
    const requestStatus: Attribute = { type: 'RequestStatus', mandatory: false, status, queuePosition: 0 }
    return [
      {
        type: 'FloorRequestInformation',
        mandatory: false,
        id: requestId,
        attributes: [
          { type: 'OverallRequestStatus', mandatory: false, id: requestId, attributes: [requestStatus] },
          { type: 'FloorRequestStatus', mandatory: false, id: user.ids.floorId, attributes: [requestStatus] },
        ],
      },
    ]
  }

  /** FloorStatus contents for `user`'s floor (§5.3.8): the floor, and its holder's request if any. */
  private floorStatus(user: User): ReadonlyArray<Attribute> {
    const holder = user.conference === undefined ? undefined : this.holders.get(user.conference)
    return [{ type: 'FloorId', mandatory: false, value: user.ids.floorId }, ...(holder === undefined ? [] : this.requestInformation(user, holder.requestId, 'Granted'))]
  }

  private build(user: User, primitive: Primitive, transactionId: number, responder: boolean, attributes: ReadonlyArray<Attribute>): Uint8Array {
    return encodeMessage({ version: user.version, responder, primitive, conferenceId: user.ids.conferenceId, transactionId, userId: user.ids.userId, attributes })
  }

  /** The answer to `request`: same transaction, R set in version 2, kept for T2 over UDP. */
  private respond(user: User, request: BfcpMessage, primitive: Primitive, attributes: ReadonlyArray<Attribute>): void {
    const bytes = this.build(user, primitive, request.transactionId, request.version === 2, attributes)
    user.peer?.send(bytes)
    if (user.peer?.transport !== 'udp' || request.transactionId === 0) return
    user.answered.get(request.transactionId)?.forget()
    const forget = this.options.clock.schedule(this.options.clock.now() + this.timers.t2Ms, () => user.answered.delete(request.transactionId))
    user.answered.set(request.transactionId, { bytes, forget })
  }

  private respondError(user: User, request: BfcpMessage, code: ErrorCodeName, details?: Uint8Array, info?: string): void {
    this.respond(user, request, 'Error', errorAttributes(code, details, info))
  }

  /** A message of the server's own: over UDP (version 2) a new transaction retransmitted until acknowledged. */
  private notify(user: User, primitive: Primitive, attributes: ReadonlyArray<Attribute>): void {
    const peer = user.peer
    if (peer === undefined) {
      this.options.logger.debug({ leg: user.leg, primitive }, 'BFCP user not reachable yet; nothing sent')
      return
    }
    if (peer.transport === 'tcp' || user.version === 1) {
      peer.send(this.build(user, primitive, 0, false, attributes))
      return
    }
    const transactionId = user.nextTransaction
    user.nextTransaction = transactionId >= 0xffff ? 1 : transactionId + 1
    const bytes = this.build(user, primitive, transactionId, false, attributes)
    const { clock } = this.options
    let interval = this.timers.t1Ms
    let left = this.timers.retransmissions
    let cancel: () => void = () => undefined
    const arm = (): void => {
      cancel = clock.schedule(clock.now() + interval, () => {
        if (!user.unacknowledged.has(transactionId)) return
        if (left === 0) {
          user.unacknowledged.delete(transactionId)
          this.options.logger.info({ leg: user.leg, primitive, transactionId }, 'BFCP message never acknowledged; given up')
          return
        }
        left -= 1
        interval *= 2
        user.peer?.send(bytes)
        arm()
      })
    }
    user.unacknowledged.set(transactionId, () => cancel())
    peer.send(bytes)
    arm()
  }

  private withUser(leg: LegId, update: (u: User) => void): void {
    const user = this.users.get(leg)
    if (user !== undefined) update(user)
  }

  // ---- what cannot be read or placed ------------------------------------------------------------------------

  private refuse(message: BfcpMessage, peer: BfcpPeer, code: ErrorCodeName): void {
    this.options.logger.debug({ peer: peer.describe, conferenceId: message.conferenceId, userId: message.userId, code }, 'BFCP message refused')
    peer.send(
      encodeMessage({
        version: message.version,
        responder: message.version === 2,
        primitive: 'Error',
        conferenceId: message.conferenceId,
        transactionId: message.transactionId,
        userId: message.userId,
        attributes: errorAttributes(code),
      }),
    )
  }

  private undecodable(error: BfcpDecodeError, peer: BfcpPeer): void {
    this.options.logger.debug({ peer: peer.describe, error: error._tag }, 'BFCP message not readable')
    if (error._tag === 'TooShort') return
    const { header } = error
    const version: BfcpVersion = header.version === 1 || header.version === 2 ? header.version : peer.transport === 'udp' ? 2 : 1
    peer.send(
      encodeMessage({
        version,
        responder: version === 2,
        primitive: 'Error',
        conferenceId: header.conferenceId,
        transactionId: header.transactionId,
        userId: header.userId,
        attributes: errorAttributes(decodeErrorCode(error)),
      }),
    )
  }
}

const errorAttributes = (code: ErrorCodeName, details?: Uint8Array, info?: string): ReadonlyArray<Attribute> => [
  { type: 'ErrorCode', mandatory: true, code: errorCodes[code], details: details ?? new Uint8Array(0) },
  ...(info === undefined ? [] : [{ type: 'ErrorInfo' as const, mandatory: false, text: info }]),
]
