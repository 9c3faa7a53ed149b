/**
 * A BFCP floor participant (RFC 8855) for specs and the wire world: what a SIP room system's
 * BFCP side does with Parley — Hello, FloorRequest, FloorRelease, FloorQuery — over UDP
 * (version 2: it acknowledges the server's FloorRequestStatus and FloorStatus, §6.2, unless told
 * not to) or TCP (version 1, messages framed by their length). Every wait is bounded.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { decodeMessage, encodeMessage, frameLength } from '../bfcp-codec.js'
import type { Attribute, BfcpMessage, BfcpVersion, Primitive, RequestStatus } from '../bfcp-message.js'
import { findAttribute } from '../bfcp-message.js'

export interface BfcpClientIds {
  readonly conferenceId: number
  readonly userId: number
  readonly floorId: number
}

export interface BfcpClientOptions {
  /** UDP: acknowledge the server's own messages (default true). */
  readonly acknowledge?: boolean
}

/** The status a FloorRequestStatus or FloorStatus gives (overall, else the floor's). */
export const requestStatusIn = (m: BfcpMessage): RequestStatus | undefined => {
  const info = findAttribute(m.attributes, 'FloorRequestInformation')
  if (info === undefined) return undefined
  const overall = findAttribute(info.attributes, 'OverallRequestStatus')
  const floor = findAttribute(info.attributes, 'FloorRequestStatus')
  return findAttribute(overall?.attributes ?? [], 'RequestStatus')?.status ?? findAttribute(floor?.attributes ?? [], 'RequestStatus')?.status
}

export const floorRequestIdIn = (m: BfcpMessage): number | undefined => findAttribute(m.attributes, 'FloorRequestInformation')?.id

export class BfcpClient {
  /** Every message received, in order. */
  readonly received: BfcpMessage[] = []
  /** TCP: the server (or the network) ended the connection. */
  connectionClosed = false
  /** Sees every message as it arrives (before any wait is told). */
  onMessage: (m: BfcpMessage) => void = () => undefined
  private readonly taken = new Set<number>()
  private waiters: Array<() => void> = []
  private nextTransaction = 1
  private readonly version: BfcpVersion

  private constructor(
    readonly ids: BfcpClientIds,
    private readonly write: (bytes: Uint8Array) => void,
    private readonly end: () => void,
    readonly transport: 'udp' | 'tcp',
    private readonly acknowledge: boolean,
  ) {
    this.version = transport === 'udp' ? 2 : 1
  }

  static async udp(host: string, port: number, ids: BfcpClientIds, options: BfcpClientOptions = {}): Promise<BfcpClient> {
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    const client = new BfcpClient(ids, (bytes) => socket.send(bytes, port, host), () => socket.close(), 'udp', options.acknowledge ?? true)
    socket.on('message', (bytes) => client.arrived(new Uint8Array(bytes)))
    return client
  }

  static async tcp(host: string, port: number, ids: BfcpClientIds): Promise<BfcpClient> {
    const socket = net.connect({ host, port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    return BfcpClient.overConnection(socket, ids)
  }

  /** A client on a connection the server opened (`a=setup:passive` on the client's side). */
  static overConnection(socket: net.Socket, ids: BfcpClientIds): BfcpClient {
    const client = new BfcpClient(ids, (bytes) => socket.write(bytes), () => socket.destroy(), 'tcp', false)
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      for (;;) {
        const length = frameLength(buffered)
        if (length === undefined || buffered.length < length) break
        client.arrived(new Uint8Array(buffered.subarray(0, length)))
        buffered = buffered.subarray(length)
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => (client.connectionClosed = true))
    return client
  }

  /** Sends one message of the client's own; returns its transaction id. */
  send(primitive: Primitive, attributes: ReadonlyArray<Attribute> = [], transactionId = this.newTransaction()): number {
    const m: BfcpMessage = { version: this.version, responder: false, primitive, conferenceId: this.ids.conferenceId, transactionId, userId: this.ids.userId, attributes }
    this.write(encodeMessage(m))
    return transactionId
  }

  /** Sends a request and waits for the server's answer to it (same transaction id). */
  async request(primitive: Primitive, attributes: ReadonlyArray<Attribute> = [], boundMs = 2_000): Promise<BfcpMessage> {
    const transactionId = this.send(primitive, attributes)
    return this.waitFor((m) => m.transactionId === transactionId && (this.transport === 'tcp' || m.responder), `the answer to ${primitive} #${transactionId}`, boundMs)
  }

  async hello(): Promise<BfcpMessage> {
    return this.request('Hello')
  }

  /** FloorRequest for the client's floor; resolves with the server's first answer. */
  async requestFloor(): Promise<BfcpMessage> {
    return this.request('FloorRequest', [{ type: 'FloorId', mandatory: true, value: this.ids.floorId }])
  }

  async releaseFloor(floorRequestId: number): Promise<BfcpMessage> {
    return this.request('FloorRelease', [{ type: 'FloorRequestId', mandatory: true, value: floorRequestId }])
  }

  /** The next server-initiated FloorRequestStatus with this status. */
  async statusUpdate(status: RequestStatus, boundMs = 2_000): Promise<BfcpMessage> {
    return this.waitFor((m) => m.primitive === 'FloorRequestStatus' && !m.responder && requestStatusIn(m) === status, `FloorRequestStatus ${status}`, boundMs)
  }

  /** The next FloorStatus the server sends on its own; `holder` true = someone holds the floor. */
  async floorStatus(holder: boolean, boundMs = 2_000): Promise<BfcpMessage> {
    return this.waitFor((m) => m.primitive === 'FloorStatus' && !m.responder && (requestStatusIn(m) === 'Granted') === holder, `FloorStatus (${holder ? 'held' : 'free'})`, boundMs)
  }

  /** The first message not yet waited for that `matches`, waiting up to `boundMs` for it. */
  async waitFor(matches: (m: BfcpMessage) => boolean, what: string, boundMs = 2_000): Promise<BfcpMessage> {
    const deadline = Date.now() + boundMs
    for (;;) {
      const index = this.received.findIndex((m, i) => !this.taken.has(i) && matches(m))
      if (index >= 0) {
        this.taken.add(index)
        return this.received[index]!
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${what} within ${boundMs} ms; received: ${this.received.map(describe).join(', ') || 'nothing'}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Marks everything received so far as seen: later waits look only at what comes after. */
  skipReceived(): void {
    for (let i = 0; i < this.received.length; i++) this.taken.add(i)
  }

  close(): void {
    this.end()
  }

  private newTransaction(): number {
    const id = this.nextTransaction
    this.nextTransaction = id >= 0xffff ? 1 : id + 1
    return id
  }

  private arrived(bytes: Uint8Array): void {
    const decoded = decodeMessage(bytes)
    if (E.isLeft(decoded)) return
    const m = decoded.right
    this.received.push(m)
    this.onMessage(m)
    // §6.2: the server's own messages over UDP are acknowledged with the same transaction id.
    if (this.acknowledge && this.transport === 'udp' && !m.responder && m.transactionId !== 0) {
      const ack = m.primitive === 'FloorRequestStatus' ? 'FloorRequestStatusAck' : m.primitive === 'FloorStatus' ? 'FloorStatusAck' : undefined
      if (ack !== undefined)
        this.write(encodeMessage({ version: 2, responder: true, primitive: ack, conferenceId: this.ids.conferenceId, transactionId: m.transactionId, userId: this.ids.userId, attributes: [] }))
    }
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}

const describe = (m: BfcpMessage): string => {
  const status = requestStatusIn(m)
  return `${m.primitive}${status === undefined ? '' : ` ${status}`}#${m.transactionId}${m.responder ? 'R' : ''}`
}
