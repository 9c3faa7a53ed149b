/**
 * One TCP or TLS connection, accepted or opened: frames what arrives, answers CRLF pings
 * (RFC 5626 §3.5.1), closes itself when idle or when the stream cannot be framed, and carries
 * responses back to the peer that sent the request (RFC 3261 §18.2.2).
 */
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { StreamFramer } from './stream-framer.js'
import type { TransportLimits } from './transport-limits.js'
import type { ConnectionId, Flow, InboundEvent, PeerCertificate, TransportError } from './transport-types.js'

const pong = Buffer.from('\r\n')

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) is reported as `192.0.2.1`. */
export const plainAddress = (address: string | undefined): string =>
  address === undefined ? '' : address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address

export const peerCertificateOf = (socket: TLSSocket): PeerCertificate | undefined => {
  const cert = socket.getPeerCertificate()
  // Node returns an empty object when the peer sent no certificate.
  if (cert === null || typeof cert !== 'object' || cert.fingerprint256 === undefined) return undefined
  const subject: Record<string, string> = {}
  for (const [k, v] of Object.entries(cert.subject ?? {})) subject[k] = Array.isArray(v) ? v.join(', ') : String(v)
  const authorizationError = socket.authorizationError === undefined || socket.authorizationError === null ? undefined : String(socket.authorizationError)
  return {
    subject,
    ...(cert.subjectaltname === undefined ? {} : { subjectAltName: cert.subjectaltname }),
    authorized: socket.authorized,
    ...(authorizationError === undefined ? {} : { authorizationError }),
    fingerprint256: cert.fingerprint256,
  }
}

export class StreamConnection {
  readonly flow: Flow
  private readonly framer: StreamFramer
  private closed = false
  /** Closes the connection if the message now begun is not complete in time (`partialMessageMs`). */
  private partialTimer: NodeJS.Timeout | undefined

  constructor(
    readonly id: ConnectionId,
    private readonly socket: Socket,
    protocol: 'tcp' | 'tls',
    private readonly limits: TransportLimits,
    private readonly deliver: (event: InboundEvent) => void,
    private readonly onClosed: (connection: StreamConnection) => void,
    private readonly logger: Logger,
  ) {
    const peerCertificate = socket instanceof TLSSocket ? peerCertificateOf(socket) : undefined
    this.flow = {
      protocol,
      local: { host: plainAddress(socket.localAddress), port: socket.localPort ?? 0 },
      remote: { host: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 },
      connectionId: id,
      ...(peerCertificate === undefined ? {} : { peerCertificate }),
    }
    this.framer = new StreamFramer(limits)
    socket.setNoDelay(true)
    // Inactivity in either direction (Node counts reads and writes) closes the connection.
    socket.setTimeout(limits.idleConnectionMs, () => {
      this.logger.debug({ connection: id }, 'closing idle SIP connection')
      socket.destroy()
    })
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', (error) => this.logger.debug({ connection: id, err: error.message }, 'SIP connection error'))
    socket.on('close', () => {
      clearTimeout(this.partialTimer)
      this.closed = true
      this.onClosed(this)
    })
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed && this.socket.writable
  }

  write(bytes: Buffer): E.Either<TransportError, Flow> {
    if (!this.isOpen) return E.left({ _tag: 'ConnectionGone', connectionId: this.id })
    this.socket.write(bytes)
    return E.right(this.flow)
  }

  /** Ends the connection after what was written has been flushed. */
  end(): void {
    if (!this.socket.destroyed) this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }

  private receive(chunk: Buffer): void {
    const frames = this.framer.push(chunk)
    this.watchPartialMessage(frames.length > 0)
    for (const frame of frames) {
      switch (frame._tag) {
        case 'KeepalivePing':
          this.socket.write(pong)
          break
        case 'Message':
          this.deliverSafely({ _tag: 'Message', flow: this.flow, head: frame.head, body: frame.body })
          break
        case 'Unframeable':
          this.logger.info({ connection: this.id, problem: frame.problem }, 'unframeable SIP message; closing the connection')
          // The handler may answer (400) on this flow; the answer is flushed before the FIN.
          this.deliverSafely({ _tag: 'Unframeable', flow: this.flow, head: frame.head, problem: frame.problem })
          this.end()
          break
      }
    }
  }

  /**
   * A message must complete within `partialMessageMs` of its first byte: the clock starts when a
   * message begins (or when the previous one completed with the next already begun), and more
   * bytes of the same message do not restart it.
   */
  private watchPartialMessage(completedSome: boolean): void {
    if (this.framer.pendingBytes === 0) {
      clearTimeout(this.partialTimer)
      this.partialTimer = undefined
      return
    }
    if (this.partialTimer !== undefined && !completedSome) return
    clearTimeout(this.partialTimer)
    this.partialTimer = setTimeout(() => {
      this.logger.info({ connection: this.id, bytes: this.framer.pendingBytes }, 'SIP message not complete in time; closing the connection')
      this.socket.destroy()
    }, this.limits.partialMessageMs)
    this.partialTimer.unref()
  }

  /** A fault above the transport must never take the socket (or the process) down. */
  private deliverSafely(event: InboundEvent): void {
    try {
      this.deliver(event)
    } catch (error) {
      this.logger.error({ connection: this.id, err: error instanceof Error ? error.message : String(error) }, 'SIP inbound handler failed')
    }
  }
}
