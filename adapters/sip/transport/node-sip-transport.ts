/**
 * The real SIP transport on node:dgram, node:net and node:tls: UDP, TCP and TLS listeners (each
 * optional; port 0 picks a free port per transport, DESIGN §6) behind the SipTransport port.
 */
import * as E from 'fp-ts/lib/Either.js'
import pino, { type Logger } from 'pino'
import { StreamEndpoint, type TlsCredentials } from './stream-endpoint.js'
import { defaultTransportLimits, type TransportLimits } from './transport-limits.js'
import type { TransportStartError } from './transport-start-error.js'
import type { Flow, HostPort, InboundEvent, SendTarget, SipTransport, TransportError, TransportProtocol } from './transport-types.js'
import { UdpEndpoint } from './udp-endpoint.js'

export interface NodeSipTransportOptions {
  /** Address every listener binds (PARLEY_BIND). */
  readonly bindHost: string
  /** Port per listener; a protocol left out has no listener. 0 = any free port. */
  readonly ports: Partial<Readonly<Record<TransportProtocol, number>>>
  /** Required when `ports.tls` is set; also presented as our client certificate. */
  readonly tls?: TlsCredentials
  readonly limits?: Partial<TransportLimits>
  readonly logger?: Logger
}

export class NodeSipTransport implements SipTransport {
  private consumer: (event: InboundEvent) => void = () => undefined

  private constructor(
    private readonly udp: UdpEndpoint | undefined,
    private readonly streams: ReadonlyMap<'tcp' | 'tls', StreamEndpoint>,
  ) {}

  static async open(options: NodeSipTransportOptions): Promise<E.Either<TransportStartError, NodeSipTransport>> {
    const limits: TransportLimits = { ...defaultTransportLimits, ...options.limits }
    const logger = options.logger ?? pino({ level: 'silent' })
    // The transport exists before its consumer is known; inbound events go through this cell.
    const cell: { transport?: NodeSipTransport } = {}
    const deliver = (event: InboundEvent): void => cell.transport?.consumer(event)
    const started: Array<{ close: () => Promise<void> }> = []
    const fail = async (error: TransportStartError): Promise<E.Either<TransportStartError, NodeSipTransport>> => {
      await Promise.all(started.map((s) => s.close()))
      return E.left(error)
    }
    let udp: UdpEndpoint | undefined
    if (options.ports.udp !== undefined) {
      const bound = await UdpEndpoint.bind(options.bindHost, options.ports.udp, limits, deliver, logger)
      if (E.isLeft(bound)) return fail(bound.left)
      udp = bound.right
      started.push(udp)
    }
    const streams = new Map<'tcp' | 'tls', StreamEndpoint>()
    for (const protocol of ['tcp', 'tls'] as const) {
      const port = options.ports[protocol]
      if (port === undefined) continue
      const listening = await StreamEndpoint.listen(protocol, options.bindHost, port, options.tls, limits, deliver, logger)
      if (E.isLeft(listening)) return fail(listening.left)
      streams.set(protocol, listening.right)
      started.push(listening.right)
    }
    const transport = new NodeSipTransport(udp, streams)
    cell.transport = transport
    return E.right(transport)
  }

  readonly listening = (): ReadonlyMap<TransportProtocol, HostPort> => {
    const bound = new Map<TransportProtocol, HostPort>()
    if (this.udp !== undefined) bound.set('udp', this.udp.bound)
    for (const [protocol, endpoint] of this.streams) bound.set(protocol, endpoint.bound)
    return bound
  }

  /** The ports actually bound, for the `ready` log line (DESIGN §6). */
  ports(): Partial<Record<TransportProtocol, number>> {
    return Object.fromEntries([...this.listening()].map(([protocol, hp]) => [protocol, hp.port]))
  }

  /** SO_RCVBUF the kernel granted the UDP socket (Linux reports twice the bytes asked for, capped by rmem_max). */
  udpReceiveBufferBytes(): number | undefined {
    return this.udp?.receiveBufferBytes()
  }

  /** Open TCP plus TLS connections. */
  get connectionCount(): number {
    let n = 0
    for (const endpoint of this.streams.values()) n += endpoint.connectionCount
    return n
  }

  readonly onInbound = (deliver: (event: InboundEvent) => void): void => {
    this.consumer = deliver
  }

  readonly send = (target: SendTarget, bytes: Buffer): Promise<E.Either<TransportError, Flow>> => {
    const protocol = target._tag === 'Flow' ? target.flow.protocol : target.protocol
    if (protocol === 'udp') {
      if (this.udp === undefined) return Promise.resolve(E.left({ _tag: 'ProtocolNotEnabled', protocol }))
      return this.udp.send(target._tag === 'Flow' ? target.flow.remote : { host: target.host, port: target.port }, bytes)
    }
    const endpoint = this.streams.get(protocol)
    if (endpoint === undefined) return Promise.resolve(E.left({ _tag: 'ProtocolNotEnabled', protocol }))
    if (target._tag === 'Flow') return Promise.resolve(endpoint.sendOnFlow(target.flow, bytes))
    return endpoint.sendTo(target.host, target.port, target.serverName, bytes)
  }

  readonly close = async (): Promise<void> => {
    await Promise.all([...(this.udp === undefined ? [] : [this.udp.close()]), ...[...this.streams.values()].map((s) => s.close())])
  }
}
