/**
 * What the engine does differently for a leg with SRTP keys or ICE credentials (SfB legs:
 * PROTOCOLS 1.5), kept out of media-engine.ts: the plan's keys checked, the port shim opened and
 * the chain pointed at it (ice-leg-transport.ts), the priming packet protected with the far
 * end's key so that srtpdec lets it through, and the far end's SSRCs keyed into srtpdec
 * (srtp-ssrc.ts). The engine keeps one of these per media kind (audio, video): each leg's ports
 * of that kind have their own shim and keying.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { AudioStreamPlan } from '../worker/worker-protocol.js'
import type { GSocket, GstBin, GstElement, Gstreamer } from './gstreamer.js'
import type { IceLegTransport } from './ice-leg-transport.js'
import { openIceLegTransport } from './ice-leg-transport.js'
import type { IceLitePortStats, MuxedRtcp, UdpAddress } from './ice-lite-port.js'
import type { OutboundTransform } from './ms-h264pf-sender.js'
import { msH264pfSender } from './ms-h264pf-sender.js'
import { primingPacket } from './priming-packet.js'
import { elementNames, sourceCaps } from './rtp-description.js'
import type { BoundPair } from './rtp-port-pool.js'
import type { SrtpPlan } from './srtp-description.js'
import { checkSrtpPlan, srtpSourceCaps } from './srtp-description.js'
import type { SrtpSuiteParameters } from './srtp-packet.js'
import { protectRtcp, protectRtp, sessionKeys, srtpSuiteParameters, unprotectRtcp } from './srtp-packet.js'
import { SsrcKeying } from './srtp-ssrc.js'

/** The SSRC of the priming packet, which the receive source's first caps carry the key for. */
const primingSsrc = 0

/** What the shim needs of a stream's plan (audio or video). */
export interface SecurablePlan {
  readonly remote: { readonly address: string; readonly port: number }
  readonly srtp?: SrtpPlan
  readonly ice?: NonNullable<AudioStreamPlan['ice']>
  /** An X-H264UC leg's video: framed and protected in the shim (ms-h264pf-sender.ts), so it always has one. */
  readonly payloadFormat?: 'ms-h264pf'
  /** RTCP the stream runs (video: video-description.ts videoRtcpRuns); with SRTP, only muxed. */
  readonly rtcp?: { readonly mux: boolean }
}

export interface StreamTransport<P extends SecurablePlan> {
  /** The socket the leg's `udpsrc` and `udpsink` use. */
  readonly socket: GSocket
  /** The plan to build the chain from (a shimmed leg's `udpsink` sends to its shim). */
  readonly plan: P
  /** Where the priming packet goes. */
  readonly primePort: number
  /** An SRTP stream with muxed RTCP: the chain's plain RTCP socket, whose packets the shim protects (SRTCP). */
  readonly rtcpSocket?: GSocket
}

export type AudioTransport = StreamTransport<AudioStreamPlan>

export interface SecureLegsOptions {
  readonly gst: Gstreamer
  readonly logger: Logger
  readonly onLegFailed: (leg: string, reason: string) => void
}

export class SecureLegs {
  private readonly shims = new Map<string, IceLegTransport>()
  private readonly keying = new Map<string, SsrcKeying>()
  private readonly framings = new Map<string, { readonly key: string; readonly send: OutboundTransform }>()
  private readonly srtcp = new Map<string, { readonly key: string; readonly rtcp: MuxedRtcp }>()

  constructor(private readonly options: SecureLegsOptions) {}

  /** Refuses a plan whose keys the worker cannot run (before anything of the leg changes). */
  check(plan: SecurablePlan): E.Either<string, void> {
    const problem = plan.srtp === undefined ? undefined : checkSrtpPlan(plan.srtp)
    return problem === undefined ? E.right(undefined) : E.left(problem)
  }

  /** The leg's transport: its own port pair, or (ICE or SRTP) the shim in front of a loopback socket. */
  transport<P extends SecurablePlan>(leg: string, plan: P, pair: BoundPair<GSocket>, bindHost: string): E.Either<string, StreamTransport<P>> {
    let shim = this.shims.get(leg)
    if (shim === undefined && (plan.ice !== undefined || plan.srtp !== undefined || plan.payloadFormat === 'ms-h264pf')) {
      const opened = openIceLegTransport({
        gst: this.options.gst,
        bindHost,
        pair,
        ice: plan.ice,
        remote: plan.remote,
        logger: this.options.logger,
        onFarEndPacket: (packet) => this.keying.get(leg)?.seen(packet),
        onError: (reason) => this.options.onLegFailed(leg, reason),
      })
      if (E.isLeft(opened)) return opened
      shim = opened.right
      this.shims.set(leg, shim)
    } else shim?.renegotiate(plan.ice, plan.remote)
    // Once a leg's ports are shimmed they stay so: a re-INVITE without ICE or keys keeps the shim, which relays either way.
    if (shim === undefined) return E.right({ socket: pair.rtp, plan, primePort: pair.port })
    const framing = plan.payloadFormat === 'ms-h264pf' ? this.framing(leg, plan.srtp) : undefined
    if (plan.payloadFormat === 'ms-h264pf' && framing === undefined) return E.left(`no SRTP suite ${plan.srtp?.suite ?? ''} for X-H264UC framing`)
    if (framing === undefined) this.framings.delete(leg)
    shim.ports[0]?.setOutbound(framing)
    const srtcp = this.muxedSrtcp(leg, plan, shim)
    if (E.isLeft(srtcp)) return srtcp
    return E.right({ socket: shim.inner, plan: { ...plan, remote: shim.relay }, primePort: shim.innerPort, ...(srtcp.right === undefined ? {} : { rtcpSocket: srtcp.right }) })
  }

  /**
   * SRTCP (RFC 3711 §3.4) muxed on an SRTP stream's RTP port (RFC 5761), applied in the shim, which
   * sees every packet: the far end's SRTCP is checked and decrypted with its key and goes to the
   * chain's RTCP socket; the chain's RTCP goes out encrypted with Parley's, under an index that
   * goes on across a re-INVITE keeping the key (§9.1). The chain's `rtpsession` runs plain RTCP.
   * X-H264UC streams run none (their RTP is framed in the shim; video-description.ts videoRtcpRuns).
   */
  private muxedSrtcp(leg: string, plan: SecurablePlan, shim: IceLegTransport): E.Either<string, GSocket | undefined> {
    const port = shim.ports[0]
    const suite = plan.srtp === undefined ? undefined : srtpSuiteParameters(plan.srtp.suite)
    if (plan.srtp === undefined || suite === undefined || plan.rtcp?.mux !== true || plan.payloadFormat === 'ms-h264pf' || port === undefined) {
      port?.setMuxedRtcp(undefined)
      this.srtcp.delete(leg)
      return E.right(undefined)
    }
    const inner = shim.rtcpInner()
    if (E.isLeft(inner)) return inner
    const { localKey, remoteKey, remoteMki } = plan.srtp
    const key = `${plan.srtp.suite} ${localKey} ${remoteKey} ${remoteMki ?? ''}`
    const kept = this.srtcp.get(leg)
    const rtcp = kept !== undefined && kept.key === key ? kept.rtcp : this.srtcpContext(inner.right.address, suite, localKey, remoteKey, remoteMki)
    this.srtcp.set(leg, { key, rtcp })
    port.setMuxedRtcp(rtcp)
    return E.right(inner.right.socket)
  }

  private srtcpContext(inner: UdpAddress, suite: SrtpSuiteParameters, localKey: string, remoteKey: string, remoteMki: string | undefined): MuxedRtcp {
    const sending = sessionKeys(Buffer.from(localKey, 'base64'), suite, true)
    const receiving = sessionKeys(Buffer.from(remoteKey, 'base64'), suite, true)
    const mkiLength = remoteMki === undefined ? 0 : remoteMki.length / 2
    let index = 0
    return {
      inner,
      inbound: (packet) => unprotectRtcp(packet, receiving, mkiLength)?.packet,
      outbound: (packet) => protectRtcp(packet, sending, index++),
    }
  }

  /**
   * An X-H264UC leg's framing and SRTP (ms-h264pf-sender.ts). A re-INVITE that keeps Parley's key
   * keeps the sender: its sequence numbers and rollover counter go on, so no SRTP index is used
   * twice with one key (RFC 3711 §9.1).
   */
  private framing(leg: string, srtp: SrtpPlan | undefined): OutboundTransform | undefined {
    const key = srtp === undefined ? '' : `${srtp.suite} ${srtp.localKey}`
    const kept = this.framings.get(leg)
    if (kept !== undefined && kept.key === key) return kept.send
    const send = msH264pfSender(srtp)
    if (send === undefined) return undefined
    this.framings.set(leg, { key, send })
    return send
  }

  /** The priming packet (priming-packet.ts), as SRTP when the leg receives SRTP. */
  primingPacket(plan: AudioStreamPlan): Buffer {
    const plain = primingPacket(plan.codec.payloadType)
    const suite = plan.srtp === undefined ? undefined : srtpSuiteParameters(plan.srtp.suite)
    if (plan.srtp === undefined || suite === undefined) return plain
    return protectRtp(plain, sessionKeys(Buffer.from(plan.srtp.remoteKey, 'base64'), suite), suite)
  }

  /** A new receive chain (SRTP legs): its srtpdec knows the priming SSRC only. */
  keyReceive(leg: string, handle: string, bin: GstBin, plan: AudioStreamPlan): void {
    if (plan.srtp === undefined) {
      this.keying.delete(leg)
      return
    }
    const source = bin.getByName(elementNames(handle).source)
    if (source === null) throw new Error(`leg ${handle}: the SRTP receive chain has no source`)
    this.keySource(leg, source, sourceCaps(plan), plan.srtp)
  }

  /** A new receive chain whose `udpsrc` is `source` with RTP caps `rtpCaps` (keyed for SSRC 0 by its description). */
  keySource(leg: string, source: GstElement, rtpCaps: string, srtp: SrtpPlan | undefined): void {
    if (srtp === undefined) {
      this.keying.delete(leg)
      return
    }
    const { gst, logger } = this.options
    this.keying.set(
      leg,
      new SsrcKeying((ssrc) => {
        logger.debug({ leg, ssrc }, 'far end SSRC keyed for srtpdec')
        gst.setProperty(source, 'caps', gst.caps(srtpSourceCaps(rtpCaps, srtp, ssrc)))
      }, [primingSsrc]),
    )
  }

  /** The receive chain is going. */
  forgetReceive(leg: string): void {
    this.keying.delete(leg)
  }

  /** The leg is gone: its shim's sockets close (before the pool frees the ports). */
  release(leg: string): void {
    this.keying.delete(leg)
    this.framings.delete(leg)
    this.srtcp.delete(leg)
    this.shims.get(leg)?.close()
    this.shims.delete(leg)
  }

  /** Counters of a leg's shimmed ports (checks answered, packets relayed), for tests and logs. */
  portCounts(leg: string): ReadonlyArray<IceLitePortStats> {
    return (this.shims.get(leg)?.ports ?? []).map((p) => p.counts)
  }

  close(): void {
    for (const leg of [...this.shims.keys()]) this.release(leg)
  }
}
