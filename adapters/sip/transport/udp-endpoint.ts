/**
 * The UDP listener: one socket that receives requests and responses and sends everything, so
 * that responses leave from the address and port the request arrived on (RFC 3581 §4).
 */
import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { frameDatagram } from './datagram-framer.js'
import type { TransportLimits } from './transport-limits.js'
import type { Flow, HostPort, InboundEvent, TransportError } from './transport-types.js'
import type { TransportStartError } from './transport-start-error.js'

export class UdpEndpoint {
  private closed = false

  private constructor(
    private readonly socket: dgram.Socket,
    readonly bound: HostPort,
    private readonly limits: TransportLimits,
  ) {}

  static bind(
    host: string,
    port: number,
    limits: TransportLimits,
    deliver: (event: InboundEvent) => void,
    logger: Logger,
  ): Promise<E.Either<TransportStartError, UdpEndpoint>> {
    return new Promise((resolve) => {
      const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: limits.udpReceiveBufferBytes })
      const onBindError = (error: Error): void => {
        socket.close()
        resolve(E.left({ _tag: 'BindFailed', protocol: 'udp', host, port, reason: error.message }))
      }
      socket.once('error', onBindError)
      socket.bind(port, host, () => {
        socket.off('error', onBindError)
        socket.on('error', (error) => logger.warn({ err: error.message }, 'SIP UDP socket error'))
        const address = socket.address()
        const endpoint = new UdpEndpoint(socket, { host: address.address, port: address.port }, limits)
        // The kernel caps SO_RCVBUF at net.core.rmem_max (Linux then reports twice what it set).
        const granted = socket.getRecvBufferSize()
        if (granted < limits.udpReceiveBufferBytes) {
          logger.warn({ requested: limits.udpReceiveBufferBytes, granted }, 'SIP UDP receive buffer smaller than asked for; raise net.core.rmem_max')
        }
        socket.on('message', (datagram, rinfo) => {
          const frame = frameDatagram(datagram, limits)
          if (frame._tag === 'Keepalive') return
          const flow: Flow = { protocol: 'udp', local: endpoint.bound, remote: { host: rinfo.address, port: rinfo.port } }
          try {
            deliver(frame._tag === 'Message' ? { _tag: 'Message', flow, head: frame.head, body: frame.body } : { _tag: 'Unframeable', flow, head: frame.head, problem: frame.problem })
          } catch (error) {
            logger.error({ err: error instanceof Error ? error.message : String(error) }, 'SIP inbound handler failed')
          }
        })
        resolve(E.right(endpoint))
      })
    })
  }

  /** The receive buffer the kernel granted (it may be less than asked for). */
  receiveBufferBytes(): number {
    return this.socket.getRecvBufferSize()
  }

  send(remote: HostPort, bytes: Buffer): Promise<E.Either<TransportError, Flow>> {
    if (this.closed) return Promise.resolve(E.left({ _tag: 'TransportClosed' }))
    if (bytes.length > this.limits.maxMessageBytes) {
      return Promise.resolve(E.left({ _tag: 'MessageTooLarge', bytes: bytes.length, limit: this.limits.maxMessageBytes }))
    }
    const flow: Flow = { protocol: 'udp', local: this.bound, remote }
    return new Promise((resolve) => {
      this.socket.send(bytes, remote.port, remote.host, (error) => {
        resolve(error ? E.left({ _tag: 'SendFailed', reason: error.message }) : E.right(flow))
      })
    })
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }
}
