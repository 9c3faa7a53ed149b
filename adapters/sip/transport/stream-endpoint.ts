/**
 * A TCP or TLS listener plus the connections it accepted and the ones it opened. Requests to a
 * peer reuse an open connection to that address; responses go back on the connection their
 * request came on (RFC 3261 §18.2.2). TLS servers ask for a client certificate without
 * requiring one (mutual TLS with SfB, PROTOCOLS 1.7) and report what the peer presented.
 */
import net from 'node:net'
import tls from 'node:tls'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { plainAddress, StreamConnection } from './stream-connection.js'
import type { TransportLimits } from './transport-limits.js'
import type { TransportStartError } from './transport-start-error.js'
import { ConnectionId, remoteKey, type Flow, type HostPort, type InboundEvent, type TransportError } from './transport-types.js'

type Pem = string | Buffer

export interface TlsCredentials {
  readonly cert: Pem
  readonly key: Pem
  /** CAs for peer certificates (both directions); Node's bundled roots when absent. */
  readonly ca?: Pem | ReadonlyArray<Pem>
  /** Verify the certificate of servers we connect to (default true). */
  readonly verifyServers?: boolean
}

let connectionSeq = 0
const nextConnectionId = (protocol: string): ConnectionId => ConnectionId(`${protocol}-${process.pid}-${++connectionSeq}`)

const caList = (ca: TlsCredentials['ca']): Pem[] | undefined => (ca === undefined ? undefined : Array.isArray(ca) ? [...(ca as ReadonlyArray<Pem>)] : [ca as Pem])

export class StreamEndpoint {
  private readonly byId = new Map<ConnectionId, StreamConnection>()
  private readonly byRemote = new Map<string, StreamConnection>()
  /** Accepted connections open, by source address (connections Parley opened are not counted). */
  private readonly acceptedBySource = new Map<string, number>()
  private readonly connecting = new Map<string, Promise<E.Either<TransportError, StreamConnection>>>()
  private closed = false

  private constructor(
    private readonly protocol: 'tcp' | 'tls',
    private readonly server: net.Server,
    readonly bound: HostPort,
    private readonly limits: TransportLimits,
    private readonly credentials: TlsCredentials | undefined,
    private readonly deliver: (event: InboundEvent) => void,
    private readonly logger: Logger,
  ) {}

  static listen(
    protocol: 'tcp' | 'tls',
    host: string,
    port: number,
    credentials: TlsCredentials | undefined,
    limits: TransportLimits,
    deliver: (event: InboundEvent) => void,
    logger: Logger,
  ): Promise<E.Either<TransportStartError, StreamEndpoint>> {
    let server: net.Server
    if (protocol === 'tls') {
      if (credentials === undefined) return Promise.resolve(E.left({ _tag: 'TlsCredentialsInvalid', reason: 'a TLS listener needs a certificate and key' }))
      try {
        server = tls.createServer({
          cert: credentials.cert,
          key: credentials.key,
          ...(credentials.ca === undefined ? {} : { ca: caList(credentials.ca) }),
          // Mutual TLS: ask for the peer's certificate, let the upper layer judge it.
          requestCert: true,
          rejectUnauthorized: false,
          handshakeTimeout: limits.connectTimeoutMs,
        })
      } catch (error) {
        return Promise.resolve(E.left({ _tag: 'TlsCredentialsInvalid', reason: error instanceof Error ? error.message : String(error) }))
      }
    } else {
      server = net.createServer()
    }
    server.maxConnections = limits.maxConnections
    return new Promise((resolve) => {
      const onListenError = (error: Error): void => resolve(E.left({ _tag: 'BindFailed', protocol, host, port, reason: error.message }))
      server.once('error', onListenError)
      server.listen(port, host, () => {
        server.off('error', onListenError)
        server.on('error', (error) => logger.warn({ protocol, err: error.message }, 'SIP listener error'))
        const address = server.address() as net.AddressInfo
        const endpoint = new StreamEndpoint(protocol, server, { host: address.address, port: address.port }, limits, credentials, deliver, logger)
        server.on(protocol === 'tls' ? 'secureConnection' : 'connection', (socket: net.Socket) => endpoint.accept(socket))
        if (protocol === 'tls') {
          server.on('tlsClientError', (error) => logger.debug({ err: error.message }, 'TLS handshake with a SIP peer failed'))
        }
        resolve(E.right(endpoint))
      })
    })
  }

  /** Open connections, accepted and opened. */
  get connectionCount(): number {
    return this.byId.size
  }

  sendOnFlow(flow: Flow, bytes: Buffer): E.Either<TransportError, Flow> {
    const tooLarge = this.checkSize(bytes)
    if (tooLarge !== undefined) return E.left(tooLarge)
    if (flow.connectionId === undefined) return E.left({ _tag: 'SendFailed', reason: 'a stream flow without a connection' })
    const connection = this.byId.get(flow.connectionId)
    if (connection === undefined) return E.left({ _tag: 'ConnectionGone', connectionId: flow.connectionId })
    return connection.write(bytes)
  }

  /** Sends to an address, reusing a connection to it or opening one. */
  async sendTo(host: string, port: number, serverName: string | undefined, bytes: Buffer): Promise<E.Either<TransportError, Flow>> {
    const tooLarge = this.checkSize(bytes)
    if (tooLarge !== undefined) return E.left(tooLarge)
    if (this.closed) return E.left({ _tag: 'TransportClosed' })
    const key = remoteKey(this.protocol, host, port)
    const open = this.byRemote.get(key)
    if (open !== undefined && open.isOpen) return open.write(bytes)
    let pending = this.connecting.get(key)
    if (pending === undefined) {
      pending = this.connect(host, port, serverName ?? host)
      this.connecting.set(key, pending)
      void pending.finally(() => this.connecting.delete(key))
    }
    const connected = await pending
    return E.isLeft(connected) ? connected : connected.right.write(bytes)
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    for (const connection of this.byId.values()) connection.destroy()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private checkSize(bytes: Buffer): TransportError | undefined {
    return bytes.length > this.limits.maxMessageBytes ? { _tag: 'MessageTooLarge', bytes: bytes.length, limit: this.limits.maxMessageBytes } : undefined
  }

  /**
   * An accepted connection, unless its source already holds `maxConnectionsPerSource`: then it is
   * closed at once (issue 9: one address must not use up the listener's connections).
   */
  private accept(socket: net.Socket): void {
    const source = plainAddress(socket.remoteAddress)
    const held = this.acceptedBySource.get(source) ?? 0
    if (held >= this.limits.maxConnectionsPerSource) {
      this.logger.info({ protocol: this.protocol, source, held }, 'too many SIP connections from one source; closing the new one')
      socket.destroy()
      return
    }
    this.acceptedBySource.set(source, held + 1)
    socket.once('close', () => {
      const left = (this.acceptedBySource.get(source) ?? 1) - 1
      if (left <= 0) this.acceptedBySource.delete(source)
      else this.acceptedBySource.set(source, left)
    })
    this.adopt(socket, [])
  }

  private adopt(socket: net.Socket, alsoKnownAs: ReadonlyArray<string>): StreamConnection {
    const connection = new StreamConnection(nextConnectionId(this.protocol), socket, this.protocol, this.limits, this.deliver, (c) => this.forget(c, alsoKnownAs), this.logger)
    this.byId.set(connection.id, connection)
    this.byRemote.set(remoteKey(this.protocol, connection.flow.remote.host, connection.flow.remote.port), connection)
    for (const key of alsoKnownAs) this.byRemote.set(key, connection)
    if (this.closed) connection.destroy()
    return connection
  }

  private forget(connection: StreamConnection, alsoKnownAs: ReadonlyArray<string>): void {
    this.byId.delete(connection.id)
    for (const key of [remoteKey(this.protocol, connection.flow.remote.host, connection.flow.remote.port), ...alsoKnownAs]) {
      if (this.byRemote.get(key) === connection) this.byRemote.delete(key)
    }
  }

  private connect(host: string, port: number, serverName: string): Promise<E.Either<TransportError, StreamConnection>> {
    return new Promise((resolve) => {
      const credentials = this.credentials
      const socket =
        this.protocol === 'tls' && credentials !== undefined
          ? tls.connect({
              host,
              port,
              // SNI carries names only (RFC 6066 §3).
              ...(net.isIP(serverName) === 0 ? { servername: serverName } : {}),
              // Present our certificate too: SfB trusts servers over mutual TLS.
              cert: credentials.cert,
              key: credentials.key,
              ...(credentials.ca === undefined ? {} : { ca: caList(credentials.ca) }),
              // The identity checked is the server name when given, else the host (an IP SAN).
              rejectUnauthorized: credentials.verifyServers ?? true,
            })
          : net.connect({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        settle(E.left({ _tag: 'ConnectFailed', host, port, reason: `no connection within ${this.limits.connectTimeoutMs} ms` }))
      }, this.limits.connectTimeoutMs)
      let settled = false
      const settle = (result: E.Either<TransportError, StreamConnection>): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(result)
      }
      socket.once('error', (error) => settle(E.left({ _tag: 'ConnectFailed', host, port, reason: error.message })))
      socket.once(this.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        if (settled) return
        const names = [remoteKey(this.protocol, host, port)]
        if (plainAddress(socket.remoteAddress) !== host) names.push(remoteKey(this.protocol, plainAddress(socket.remoteAddress), socket.remotePort ?? port))
        settle(E.right(this.adopt(socket, names)))
      })
    })
  }
}
