/**
 * BFCP's transports (RFC 8855 §6): one UDP socket, each datagram one message (§6.2), and one
 * TCP listener whose connections carry messages back to back, each framed by its own Payload
 * Length (§6.1). Parley also connects out when the offerer asked to listen (RFC 4145
 * `a=setup:passive`, RFC 8856 §7). What arrives goes to `onMessage` with the peer to answer.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import { isIPv6 } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { frameLength } from './bfcp-codec.js'
import type { BfcpPeer } from './floor-control-server.js'

export interface BfcpSocketsOptions {
  readonly bindHost: string
  /** 0 = any free port (chosen separately per transport). */
  readonly udpPort: number
  readonly tcpPort: number
  readonly logger: Logger
  readonly onMessage: (bytes: Uint8Array, peer: BfcpPeer) => void
  /** A TCP connection ended (either side). */
  readonly onClosed: (peer: BfcpPeer) => void
}

export type BfcpBindFailed = { readonly _tag: 'BfcpBindFailed'; readonly transport: 'udp' | 'tcp'; readonly port: number; readonly reason: string }

/** A TCP connection's unread bytes beyond this are not BFCP (the largest message is 12 + 4 * 65535 octets). */
const maxBuffered = 12 + 4 * 0xffff

export class BfcpSockets {
  private readonly connections = new Set<net.Socket>()
  private readonly udpPeers = new Map<string, BfcpPeer>()

  private constructor(
    private readonly options: BfcpSocketsOptions,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
  ) {}

  static async open(options: BfcpSocketsOptions): Promise<E.Either<BfcpBindFailed, BfcpSockets>> {
    const udp = dgram.createSocket({ type: isIPv6(options.bindHost) ? 'udp6' : 'udp4' })
    const udpBound = await new Promise<string | undefined>((resolve) => {
      udp.once('error', (e) => resolve(e.message))
      udp.bind(options.udpPort, options.bindHost, () => resolve(undefined))
    })
    if (udpBound !== undefined) {
      udp.close()
      return E.left({ _tag: 'BfcpBindFailed', transport: 'udp', port: options.udpPort, reason: udpBound })
    }
    const tcp = net.createServer()
    const tcpBound = await new Promise<string | undefined>((resolve) => {
      tcp.once('error', (e) => resolve(e.message))
      tcp.listen(options.tcpPort, options.bindHost, () => resolve(undefined))
    })
    if (tcpBound !== undefined) {
      udp.close()
      return E.left({ _tag: 'BfcpBindFailed', transport: 'tcp', port: options.tcpPort, reason: tcpBound })
    }
    const sockets = new BfcpSockets(options, udp, tcp)
    sockets.listen()
    return E.right(sockets)
  }

  get udpPort(): number {
    return this.udp.address().port
  }

  get tcpPort(): number {
    const address = this.tcp.address()
    return typeof address === 'object' && address !== null ? address.port : 0
  }

  private listen(): void {
    this.udp.on('message', (bytes, from) => this.options.onMessage(new Uint8Array(bytes), this.udpPeer(from.address, from.port)))
    this.udp.on('error', (e) => this.options.logger.warn({ err: e.message }, 'BFCP UDP socket error'))
    this.tcp.on('connection', (socket) => this.adopt(socket))
    this.tcp.on('error', (e) => this.options.logger.warn({ err: e.message }, 'BFCP TCP listener error'))
  }

  /** The peer at a UDP address (one object per address, so that a user's peer compares equal). */
  udpPeer(address: string, port: number): BfcpPeer {
    const describe = `${address}:${port}`
    const known = this.udpPeers.get(describe)
    if (known !== undefined) return known
    const peer: BfcpPeer = {
      transport: 'udp',
      describe,
      send: (bytes) => this.udp.send(bytes, port, address, (e) => e && this.options.logger.debug({ peer: describe, err: e.message }, 'BFCP datagram not sent')),
    }
    // UDP peers are few (one per room system) but unbounded over a node's life: keep the recent ones.
    if (this.udpPeers.size >= 4096) this.udpPeers.delete(this.udpPeers.keys().next().value!)
    this.udpPeers.set(describe, peer)
    return peer
  }

  /** Connects to a BFCP client that listens (`a=setup:passive`); writes wait for the connection. */
  connect(address: string, port: number): BfcpPeer {
    const socket = net.connect({ host: address, port })
    return this.adopt(socket)
  }

  private adopt(socket: net.Socket): BfcpPeer {
    this.connections.add(socket)
    socket.setNoDelay(true)
    const describe = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    const peer: BfcpPeer = {
      transport: 'tcp',
      describe,
      send: (bytes) => {
        if (!socket.destroyed) socket.write(bytes)
      },
      close: () => socket.end(),
    }
    let buffered: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      for (;;) {
        const length = frameLength(buffered)
        if (length === undefined || buffered.length < length) break
        const frame = new Uint8Array(buffered.subarray(0, length))
        buffered = buffered.subarray(length)
        this.options.onMessage(frame, peer)
      }
      if (buffered.length > maxBuffered) socket.destroy()
    })
    socket.on('error', (e) => this.options.logger.debug({ peer: describe, err: e.message }, 'BFCP connection error'))
    socket.on('close', () => {
      this.connections.delete(socket)
      this.options.onClosed(peer)
    })
    return peer
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy()
    await Promise.all([new Promise<void>((resolve) => this.tcp.close(() => resolve())), new Promise<void>((resolve) => this.udp.close(() => resolve()))])
  }
}
