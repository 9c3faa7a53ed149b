/**
 * An in-memory network of SipTransports (CONVENTIONS 10). Packets queue until the test calls
 * `deliverAll()`, so every interleaving is explicit; on request the network drops, duplicates
 * or holds back (reorders) packets, which is how UDP loss is modelled in transaction tests.
 * TCP and TLS are modelled as connections: the first send to an address opens one, responses
 * travel back on it, and `closeConnection` breaks it.
 */
import * as E from 'fp-ts/lib/Either.js'
import { frameDatagram } from './datagram-framer.js'
import { defaultTransportLimits } from './transport-limits.js'
import {
  ConnectionId,
  remoteKey,
  type Flow,
  type HostPort,
  type InboundEvent,
  type SendTarget,
  type SipTransport,
  type TransportError,
  type TransportProtocol,
} from './transport-types.js'

export interface FakePacket {
  readonly seq: number
  readonly protocol: TransportProtocol
  readonly from: HostPort
  readonly to: HostPort
  readonly bytes: Buffer
  /** The message as text, for matching (`p.text.startsWith('INVITE')`). */
  readonly text: string
  readonly connectionId?: ConnectionId
}

export type PacketMatch = (packet: FakePacket) => boolean

export type FaultKind = 'drop' | 'duplicate' | 'hold'

interface Fault {
  readonly kind: FaultKind
  readonly match: PacketMatch
  remaining: number
}

interface Connection {
  readonly id: ConnectionId
  readonly protocol: 'tcp' | 'tls'
  readonly client: { readonly transport: FakeSipTransport; readonly address: HostPort }
  readonly server: { readonly transport: FakeSipTransport; readonly address: HostPort }
}

const any: PacketMatch = () => true

export class FakeNetwork {
  private readonly endpoints = new Map<string, FakeSipTransport>()
  private readonly connections = new Map<ConnectionId, Connection>()
  private readonly queue: FakePacket[] = []
  /** Held packets, each released once a packet sent after it has been delivered. */
  private held: FakePacket[] = []
  private readonly faults: Fault[] = []
  private policy: (packet: FakePacket) => FaultKind | 'pass' = () => 'pass'
  private seq = 0
  private connectionSeq = 0
  private ephemeralPort = 40000
  /** Every packet handed to the network, in order, whatever became of it. */
  readonly sent: FakePacket[] = []
  readonly delivered: FakePacket[] = []
  readonly dropped: FakePacket[] = []

  /** A transport listening on `host` at the given ports. */
  endpoint(host: string, ports: Partial<Readonly<Record<TransportProtocol, number>>>): FakeSipTransport {
    const transport = new FakeSipTransport(this, host, ports)
    for (const [protocol, port] of Object.entries(ports) as Array<[TransportProtocol, number]>) {
      this.endpoints.set(remoteKey(protocol, host, port), transport)
    }
    return transport
  }

  /** Drops the next `times` packets that match. */
  drop(match: PacketMatch = any, times = 1): void {
    this.faults.push({ kind: 'drop', match, remaining: times })
  }

  /** Delivers the next `times` matching packets twice. */
  duplicate(match: PacketMatch = any, times = 1): void {
    this.faults.push({ kind: 'duplicate', match, remaining: times })
  }

  /** Holds the next `times` matching packets back until a packet sent after them has been delivered. */
  hold(match: PacketMatch = any, times = 1): void {
    this.faults.push({ kind: 'hold', match, remaining: times })
  }

  /**
   * Decides the fate of every packet from now on (after the one-off faults above): for
   * property tests that generate a whole loss pattern.
   */
  setPolicy(policy: (packet: FakePacket) => FaultKind | 'pass'): void {
    this.policy = policy
  }

  /** Breaks a TCP/TLS connection: later sends on it fail with ConnectionGone. */
  closeConnection(id: ConnectionId): void {
    this.connections.delete(id)
  }

  get pending(): number {
    return this.queue.length + this.held.length
  }

  /** Delivers queued packets (and those sent while delivering) until none is left. */
  deliverAll(limit = 10_000): number {
    let count = 0
    while (this.queue.length > 0 || this.held.length > 0) {
      if (count++ >= limit) throw new Error(`FakeNetwork: more than ${limit} deliveries; a message loop?`)
      const packet = this.queue.shift()
      if (packet === undefined) {
        // Only held packets are left: release them.
        this.queue.push(...this.held)
        this.held = []
        continue
      }
      this.deliver(packet)
      const release = this.held.filter((h) => h.seq < packet.seq)
      if (release.length > 0) {
        this.held = this.held.filter((h) => h.seq >= packet.seq)
        this.queue.unshift(...release)
      }
    }
    return count
  }

  // ---- used by FakeSipTransport --------------------------------------------------------------

  enqueue(protocol: TransportProtocol, from: HostPort, to: HostPort, bytes: Buffer, connectionId?: ConnectionId): void {
    const packet: FakePacket = { seq: ++this.seq, protocol, from, to, bytes, text: bytes.toString('utf8'), ...(connectionId === undefined ? {} : { connectionId }) }
    this.sent.push(packet)
    const fault = this.faults.find((f) => f.remaining > 0 && f.match(packet))
    if (fault !== undefined) fault.remaining--
    switch (fault?.kind ?? this.policy(packet)) {
      case 'drop':
        this.dropped.push(packet)
        return
      case 'duplicate':
        this.queue.push(packet, packet)
        return
      case 'hold':
        this.held.push(packet)
        return
      default:
        this.queue.push(packet)
    }
  }

  listenerAt(protocol: TransportProtocol, address: HostPort): FakeSipTransport | undefined {
    return this.endpoints.get(remoteKey(protocol, address.host, address.port))
  }

  connection(id: ConnectionId): Connection | undefined {
    return this.connections.get(id)
  }

  openConnection(protocol: 'tcp' | 'tls', client: FakeSipTransport, server: FakeSipTransport, serverAddress: HostPort): Connection {
    const connection: Connection = {
      id: ConnectionId(`fake-${protocol}-${++this.connectionSeq}`),
      protocol,
      client: { transport: client, address: { host: client.host, port: ++this.ephemeralPort } },
      server: { transport: server, address: serverAddress },
    }
    this.connections.set(connection.id, connection)
    return connection
  }

  findConnection(protocol: 'tcp' | 'tls', client: FakeSipTransport, serverAddress: HostPort): Connection | undefined {
    for (const c of this.connections.values()) {
      if (c.protocol === protocol && c.client.transport === client && c.server.address.host === serverAddress.host && c.server.address.port === serverAddress.port) return c
    }
    return undefined
  }

  private deliver(packet: FakePacket): void {
    let receiver: FakeSipTransport | undefined
    if (packet.connectionId !== undefined) {
      const c = this.connections.get(packet.connectionId)
      receiver = c === undefined ? undefined : c.client.address.port === packet.to.port && c.client.address.host === packet.to.host ? c.client.transport : c.server.transport
    } else {
      receiver = this.listenerAt(packet.protocol, packet.to)
    }
    if (receiver === undefined) {
      this.dropped.push(packet)
      return
    }
    this.delivered.push(packet)
    receiver.receive(packet)
  }
}

export class FakeSipTransport implements SipTransport {
  private consumer: (event: InboundEvent) => void = () => undefined
  private closed = false

  constructor(
    private readonly network: FakeNetwork,
    readonly host: string,
    private readonly ports: Partial<Readonly<Record<TransportProtocol, number>>>,
  ) {}

  readonly listening = (): ReadonlyMap<TransportProtocol, HostPort> =>
    new Map((Object.entries(this.ports) as Array<[TransportProtocol, number]>).map(([protocol, port]) => [protocol, { host: this.host, port }]))

  readonly onInbound = (deliver: (event: InboundEvent) => void): void => {
    this.consumer = deliver
  }

  readonly close = (): Promise<void> => {
    this.closed = true
    return Promise.resolve()
  }

  readonly send = (target: SendTarget, bytes: Buffer): Promise<E.Either<TransportError, Flow>> => Promise.resolve(this.sendNow(target, bytes))

  /** Called by the network. */
  receive(packet: FakePacket): void {
    if (this.closed) return
    const local = packet.connectionId === undefined ? { host: this.host, port: this.ports[packet.protocol] ?? 0 } : packet.to
    const flow: Flow = { protocol: packet.protocol, local, remote: packet.from, ...(packet.connectionId === undefined ? {} : { connectionId: packet.connectionId }) }
    const frame = frameDatagram(packet.bytes, defaultTransportLimits)
    if (frame._tag === 'Keepalive') return
    this.consumer(frame._tag === 'Message' ? { _tag: 'Message', flow, head: frame.head, body: frame.body } : { _tag: 'Unframeable', flow, head: frame.head, problem: frame.problem })
  }

  private sendNow(target: SendTarget, bytes: Buffer): E.Either<TransportError, Flow> {
    if (this.closed) return E.left({ _tag: 'TransportClosed' })
    const protocol = target._tag === 'Flow' ? target.flow.protocol : target.protocol
    const ownPort = this.ports[protocol]
    if (ownPort === undefined) return E.left({ _tag: 'ProtocolNotEnabled', protocol })
    if (protocol === 'udp') {
      const to = target._tag === 'Flow' ? target.flow.remote : { host: target.host, port: target.port }
      const from = { host: this.host, port: ownPort }
      this.network.enqueue('udp', from, to, bytes)
      return E.right({ protocol, local: from, remote: to })
    }
    if (target._tag === 'Flow') {
      const id = target.flow.connectionId
      const connection = id === undefined ? undefined : this.network.connection(id)
      if (connection === undefined || id === undefined) return E.left({ _tag: 'ConnectionGone', connectionId: id ?? ConnectionId('none') })
      const [me, peer] = connection.client.transport === this ? [connection.client, connection.server] : [connection.server, connection.client]
      this.network.enqueue(protocol, me.address, peer.address, bytes, id)
      return E.right({ protocol, local: me.address, remote: peer.address, connectionId: id })
    }
    const address = { host: target.host, port: target.port }
    const server = this.network.listenerAt(protocol, address)
    if (server === undefined) return E.left({ _tag: 'ConnectFailed', host: target.host, port: target.port, reason: 'nothing listens there' })
    const connection = this.network.findConnection(protocol, this, address) ?? this.network.openConnection(protocol, this, server, address)
    this.network.enqueue(protocol, connection.client.address, address, bytes, connection.id)
    return E.right({ protocol, local: connection.client.address, remote: address, connectionId: connection.id })
  }
}
