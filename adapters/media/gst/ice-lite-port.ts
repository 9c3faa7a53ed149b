/**
 * An ICE-lite media port (RFC 8445 §2.5): one of a leg's host candidates, a Node UDP socket that
 * answers STUN Binding requests itself and relays RTP/RTCP between the far end and the leg's
 * GStreamer chain, which for such a leg listens on a loopback socket of its own. SRTP legs
 * without ICE have one too, without credentials: it reports each far-end SSRC before relaying
 * the packet, which srtpdec needs to be told (srtp-ssrc.ts).
 *
 * Why a shim and not the worker's GStreamer socket: on a plain leg `udpsrc` reads the port and
 * every datagram goes down the RTP chain, where nothing can answer a STUN request: no GStreamer
 * element of the stack answers STUN except libnice's, which binds its own sockets (not the
 * leg's port from the configured range) and brings a full agent, and handing STUN packets to
 * JavaScript from a streaming thread is what the worker never does (gstreamer.ts). Node's own
 * socket on the main thread sees each datagram, answers checks at once (RFC 7983 first-byte
 * demultiplexing), and costs one extra loopback hop per RTP packet, on ICE legs only.
 *
 * Media goes to the far end's address from the SDP until the controlling agent nominates a pair
 * (USE-CANDIDATE, RFC 8445 §7.3.1.5); from then on to the nominated pair's remote address, which
 * is where the far end's checks came from (behind a NAT, not what its SDP said).
 */
import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'
import type { Logger } from 'pino'
import type { IceCheckCredentials } from './ice-stun.js'
import { answerBinding, packetKind } from './ice-stun.js'
import { isMuxedRtcp } from './srtp-packet.js'

export interface UdpAddress {
  readonly address: string
  readonly port: number
}

export interface IceLitePortOptions {
  readonly bindHost: string
  readonly port: number
  /** Absent: no ICE on this leg, STUN is not answered. */
  readonly credentials?: IceCheckCredentials
  /** The far end's address from the SDP (its default candidate). */
  readonly remote: UdpAddress
  /**
   * The leg's GStreamer socket: datagrams from it go to the far end, RTP/RTCP from the far end
   * goes to it. Absent for a component whose media nobody reads (RTCP, not run yet): checks only.
   */
  readonly inner?: UdpAddress
  readonly logger: Logger
  /** Every RTP/RTCP datagram from the far end, just before it is relayed. */
  readonly onFarEndPacket?: (packet: Buffer) => void
  /** The socket could not be bound or failed. */
  readonly onError: (message: string) => void
}

/**
 * SRTCP muxed on the RTP port (RFC 5761) of an SRTP video leg: the shim tells it from SRTP by its
 * packet type and applies SRTCP itself (srtp-ice-legs.ts), so the chain's `rtpsession` reads and
 * writes plain RTCP on a loopback socket of its own.
 */
export interface MuxedRtcp {
  /** The chain's RTCP socket: the far end's RTCP goes to it, plain; what comes from it goes to the far end. */
  readonly inner: UdpAddress
  /** The far end's SRTCP as plain RTCP, or undefined to drop it (not authentic). */
  readonly inbound: (packet: Buffer) => Buffer | undefined
  /** The chain's RTCP as SRTCP. */
  readonly outbound: (packet: Buffer) => Buffer
}

export interface IceLitePortStats {
  readonly checksAnswered: number
  readonly checksIgnored: number
  readonly relayedIn: number
  readonly relayedOut: number
}

export class IceLitePort {
  private readonly socket: dgram.Socket
  private remote: UdpAddress
  private credentials: IceCheckCredentials | undefined
  private nominated = false
  private closed = false
  private outbound: ((packet: Buffer) => ReadonlyArray<Buffer>) | undefined
  private rtcp: MuxedRtcp | undefined
  private readonly stats = { checksAnswered: 0, checksIgnored: 0, relayedIn: 0, relayedOut: 0 }

  constructor(private readonly options: IceLitePortOptions) {
    this.remote = options.remote
    this.credentials = options.credentials
    this.socket = dgram.createSocket({ type: isIPv6(options.bindHost) ? 'udp6' : 'udp4' })
    this.socket.on('error', (error) => {
      if (this.closed) return
      options.logger.warn({ port: options.port, err: error.message }, 'ICE port socket failed')
      options.onError(`ICE port ${options.port}: ${error.message}`)
    })
    this.socket.on('message', (packet, from) => this.onPacket(packet, from))
    this.socket.bind(options.port, options.bindHost)
  }

  /**
   * A re-INVITE's new answer: new credentials are an ICE restart (RFC 8445 §9), which drops the
   * nomination; without one, media follows the new SDP address.
   */
  renegotiate(credentials: IceCheckCredentials | undefined, remote: UdpAddress): void {
    const restart = credentials?.localUfrag !== this.credentials?.localUfrag || credentials?.localPwd !== this.credentials?.localPwd
    this.credentials = credentials
    if (restart) this.nominated = false
    if (!this.nominated) this.remote = remote
  }

  /**
   * What becomes of each datagram the leg's chain sends before it goes to the far end (an
   * X-H264UC leg's [MS-H264PF] framing and SRTP: ms-h264pf-sender.ts); undefined relays it as is.
   */
  setOutbound(transform: ((packet: Buffer) => ReadonlyArray<Buffer>) | undefined): void {
    this.outbound = transform
  }

  /** SRTCP muxed on this port (MuxedRtcp); undefined relays the far end's RTCP with its RTP, as before. */
  setMuxedRtcp(rtcp: MuxedRtcp | undefined): void {
    this.rtcp = rtcp
  }

  /** Where Parley's media goes now. */
  get destination(): UdpAddress {
    return this.remote
  }

  get counts(): IceLitePortStats {
    return { ...this.stats }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.socket.close()
  }

  private onPacket(packet: Buffer, from: dgram.RemoteInfo): void {
    const inner = this.options.inner
    if (inner !== undefined && from.port === inner.port && from.address === inner.address) {
      const packets = this.outbound === undefined ? [packet] : this.outbound(packet)
      for (const out of packets) {
        this.stats.relayedOut++
        this.socket.send(out, this.remote.port, this.remote.address)
      }
      return
    }
    const rtcp = this.rtcp
    if (rtcp !== undefined && from.port === rtcp.inner.port && from.address === rtcp.inner.address) {
      this.stats.relayedOut++
      this.socket.send(rtcp.outbound(packet), this.remote.port, this.remote.address)
      return
    }
    switch (packetKind(packet)) {
      case 'stun':
        return this.onStun(packet, from)
      case 'rtp':
        if (inner === undefined) return
        if (rtcp !== undefined && isMuxedRtcp(packet)) return this.onFarEndRtcp(packet, rtcp)
        this.options.onFarEndPacket?.(packet)
        this.stats.relayedIn++
        this.socket.send(packet, inner.port, inner.address)
        return
      case 'other':
        return
    }
  }

  private onFarEndRtcp(packet: Buffer, rtcp: MuxedRtcp): void {
    const plain = rtcp.inbound(packet)
    if (plain === undefined) {
      this.options.logger.debug({ port: this.options.port }, 'SRTCP packet not authentic: dropped')
      return
    }
    this.stats.relayedIn++
    this.socket.send(plain, rtcp.inner.port, rtcp.inner.address)
  }

  private onStun(packet: Buffer, from: dgram.RemoteInfo): void {
    const credentials = this.credentials
    if (credentials === undefined) return
    const outcome = answerBinding(packet, { address: from.address, port: from.port }, credentials)
    if (outcome._tag === 'Ignore') {
      this.stats.checksIgnored++
      this.options.logger.debug({ port: this.options.port, from: `${from.address}:${from.port}`, why: outcome.why }, 'STUN packet not answered')
      return
    }
    this.stats.checksAnswered++
    this.socket.send(outcome.response, from.port, from.address)
    if (outcome.nominated && (!this.nominated || this.remote.address !== from.address || this.remote.port !== from.port)) {
      this.nominated = true
      this.remote = { address: from.address, port: from.port }
      this.options.logger.debug({ port: this.options.port, remote: this.remote }, 'ICE pair nominated')
    }
  }
}
