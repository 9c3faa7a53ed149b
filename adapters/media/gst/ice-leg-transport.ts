/**
 * The transport of an ICE or SRTP leg (ice-lite-port.ts says why it is a Node shim): the leg's
 * RTP and RTCP ports (with ICE, its two host candidates, components 1 and 2) move from the
 * worker's GStreamer sockets to Node sockets that answer checks and see every SSRC, and the
 * leg's GStreamer chain gets a loopback socket of its own, which sends to the RTP port's shim
 * (relayed to the far end) and receives what the shim relays from it.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { AudioStreamPlan } from '../worker/worker-protocol.js'
import type { GSocket, Gstreamer } from './gstreamer.js'
import type { UdpAddress } from './ice-lite-port.js'
import { IceLitePort } from './ice-lite-port.js'
import { primingAddress } from './priming-packet.js'
import type { BoundPair } from './rtp-port-pool.js'

export interface IceLegTransport {
  /** The GStreamer chain's socket (loopback). */
  readonly inner: GSocket
  readonly innerPort: number
  /** Where the chain's `udpsink` sends: the RTP port's shim. */
  readonly relay: UdpAddress
  readonly ports: ReadonlyArray<IceLitePort>
  /**
   * The chain's loopback RTCP socket (SRTCP muxed on the RTP port, applied by the RTP port's shim:
   * ice-lite-port.ts MuxedRtcp), bound the first time a plan runs RTCP and kept with the shim.
   */
  readonly rtcpInner: () => E.Either<string, { readonly socket: GSocket; readonly address: UdpAddress }>
  /** A re-INVITE's plan: its ICE credentials (or none) and the far end's SDP address. */
  readonly renegotiate: (ice: AudioStreamPlan['ice'], remote: AudioStreamPlan['remote']) => void
  readonly close: () => void
}

export interface IceLegTransportOptions {
  readonly gst: Gstreamer
  readonly bindHost: string
  readonly pair: BoundPair<GSocket>
  readonly ice: AudioStreamPlan['ice']
  readonly remote: AudioStreamPlan['remote']
  readonly logger: Logger
  readonly onFarEndPacket: (packet: Buffer) => void
  readonly onError: (message: string) => void
}

export const openIceLegTransport = (options: IceLegTransportOptions): E.Either<string, IceLegTransport> => {
  const { gst, bindHost, pair, ice } = options
  const innerHost = primingAddress(bindHost)
  const inner = gst.bindUdp(innerHost, 0)
  if (E.isLeft(inner)) return E.left(`no loopback socket for the leg's media: ${inner.left}`)
  const innerPort = inner.right.getLocalAddress().getPort()
  // The pool keeps the pair as held; closing twice (here, then on release) is harmless (g_socket_close).
  pair.rtp.close()
  pair.rtcp.close()
  const credentials = ice === undefined ? {} : { credentials: { localUfrag: ice.localUfrag, localPwd: ice.localPwd } }
  const common = { bindHost, ...credentials, logger: options.logger, onError: options.onError }
  const ports = [
    new IceLitePort({ ...common, port: pair.port, remote: options.remote, inner: { address: innerHost, port: innerPort }, onFarEndPacket: options.onFarEndPacket }),
    // Component 2 (RTCP, RFC 8445 §5.1.1): checks answered; Parley runs no RTCP yet.
    new IceLitePort({ ...common, port: pair.port + 1, remote: { address: options.remote.address, port: options.remote.port + 1 } }),
  ]
  let rtcpInner: { readonly socket: GSocket; readonly address: UdpAddress } | undefined
  return E.right({
    inner: inner.right,
    rtcpInner: () => {
      if (rtcpInner !== undefined) return E.right(rtcpInner)
      const bound = gst.bindUdp(innerHost, 0)
      if (E.isLeft(bound)) return E.left(`no loopback socket for the leg's RTCP: ${bound.left}`)
      rtcpInner = { socket: bound.right, address: { address: innerHost, port: bound.right.getLocalAddress().getPort() } }
      return E.right(rtcpInner)
    },
    innerPort,
    relay: { address: innerHost, port: pair.port },
    ports,
    renegotiate: (next, remote) => {
      const nextCredentials = next === undefined ? undefined : { localUfrag: next.localUfrag, localPwd: next.localPwd }
      ports[0]?.renegotiate(nextCredentials, remote)
      ports[1]?.renegotiate(nextCredentials, { address: remote.address, port: remote.port + 1 })
    },
    close: () => {
      for (const port of ports) port.close()
      inner.right.close()
      rtcpInner?.socket.close()
    },
  })
}
