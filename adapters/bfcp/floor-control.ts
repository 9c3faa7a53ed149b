/**
 * Floor control assembled for a node: the BFCP sockets and the server, the small hook the SIP
 * side calls while it answers offers (RFC 8856: port and ids in, what was negotiated out, the
 * leg's end), and the media port seen through the server (the core's floor effects become BFCP,
 * BFCP requests become the core's inputs).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { LegId } from '../../core/model/ids.js'
import type { Clock } from '../../core/ports/clock.js'
import type { Media } from '../../core/ports/media.js'
import type { NegotiatedStream } from '../sip/sdp/build-answer.js'
import type { LocalMedia } from '../sip/sdp/local-media.js'
import type { ParsedOffer } from '../sip/sdp/parsed-offer.js'
import type { BfcpBindFailed } from './bfcp-sockets.js'
import { BfcpSockets } from './bfcp-sockets.js'
import type { BfcpTimers } from './floor-control-server.js'
import { FloorControlServer } from './floor-control-server.js'

/** What the SIP side asks of floor control while it answers a leg's offers. */
export interface FloorControlHook {
  /** `local` with Parley's BFCP port and the leg's ids when the offer has a BFCP line Parley can serve. */
  readonly answerLocal: (leg: LegId, offer: ParsedOffer, local: LocalMedia) => LocalMedia
  /** The answer's streams: the leg's BFCP stream, if it was accepted, tells the server how to reach it. */
  readonly negotiated: (leg: LegId, streams: ReadonlyArray<NegotiatedStream>) => void
  /** The leg has ended. */
  readonly release: (leg: LegId) => void
  /** `local` with Parley's BFCP (TCP) port and the leg's ids, for an offer of Parley's with content (RFC 8856 §4: Parley is `s-only`). */
  readonly offerLocal?: (leg: LegId, local: LocalMedia) => LocalMedia
  /** The answer to an offer of Parley's: its accepted BFCP line says how the client reaches the server. */
  readonly offerAnswered?: (leg: LegId, answer: ParsedOffer) => void
}

export interface FloorControlOptions {
  readonly bindHost: string
  /** UDP and TCP; 0 = any free port, chosen separately per transport. */
  readonly port: number
  readonly clock: Clock
  readonly logger: Logger
  readonly timers?: Partial<BfcpTimers>
}

export class FloorControl implements FloorControlHook {
  private constructor(
    readonly server: FloorControlServer,
    private readonly sockets: BfcpSockets,
  ) {}

  static async open(options: FloorControlOptions): Promise<E.Either<BfcpBindFailed, FloorControl>> {
    const server = new FloorControlServer({ clock: options.clock, logger: options.logger, ...(options.timers === undefined ? {} : { timers: options.timers }) })
    const sockets = await BfcpSockets.open({
      bindHost: options.bindHost,
      udpPort: options.port,
      tcpPort: options.port,
      logger: options.logger,
      onMessage: (bytes, peer) => server.receive(bytes, peer),
      onClosed: (peer) => server.peerClosed(peer),
    })
    return E.map((s: BfcpSockets) => new FloorControl(server, s))(sockets)
  }

  get ports(): { readonly udp: number; readonly tcp: number } {
    return { udp: this.sockets.udpPort, tcp: this.sockets.tcpPort }
  }

  readonly answerLocal = (leg: LegId, offer: ParsedOffer, local: LocalMedia): LocalMedia => {
    const stream = offer.streams.find((s) => s.kind === 'floor-control' && s.primary)
    // TLS and DTLS BFCP need a certificate fingerprint in SDP; only plain TCP and UDP are served.
    if (stream?.kind !== 'floor-control' || (stream.transport !== 'udp' && stream.transport !== 'tcp')) return local
    const port = stream.transport === 'udp' ? this.sockets.udpPort : this.sockets.tcpPort
    return { ...local, ports: { ...local.ports, floorControl: port }, floorControl: this.server.idsFor(leg) }
  }

  readonly negotiated = (leg: LegId, streams: ReadonlyArray<NegotiatedStream>): void => {
    const stream = streams.find((s) => s.kind === 'floor-control')
    if (stream?.kind !== 'floor-control' || (stream.transport !== 'udp' && stream.transport !== 'tcp')) return
    const remote = stream.remote
    if (stream.transport === 'udp') {
      // Until the client speaks, the server's own messages go where its SDP said it listens.
      this.server.negotiated(leg, 'udp', remote === undefined || remote.port === 0 ? undefined : this.sockets.udpPeer(remote.address, remote.port))
      return
    }
    // RFC 4145: Parley connects when it answered `a=setup:active`; otherwise the client connects to it.
    const connect = stream.setup === 'active' && remote !== undefined && remote.port !== 0 && !this.server.reachable(leg)
    this.server.negotiated(leg, 'tcp', connect ? this.sockets.connect(remote.address, remote.port) : undefined)
  }

  readonly release = (leg: LegId): void => this.server.release(leg)

  readonly offerLocal = (leg: LegId, local: LocalMedia): LocalMedia => ({
    ...local,
    ports: { ...local.ports, floorControl: this.sockets.tcpPort },
    floorControl: this.server.idsFor(leg),
  })

  readonly offerAnswered = (leg: LegId, answer: ParsedOffer): void => {
    // The answer's role is not checked: a client answering `s-only` (or nothing) still connects as one.
    const stream = answer.streams.find((s) => s.kind === 'floor-control' && s.port !== 0)
    if (stream?.kind !== 'floor-control' || stream.transport !== 'tcp') return
    const remote = stream.remote
    // Parley offers `a=setup:passive` (RFC 4145 §4.1): the client connects. One that answers passive all the same is connected to.
    const connect = stream.setup?.toLowerCase() === 'passive' && remote !== undefined && remote.port !== 0 && !this.server.reachable(leg)
    this.server.negotiated(leg, 'tcp', connect ? this.sockets.connect(remote.address, remote.port) : undefined)
  }

  /** The media port with the floor effects also carried out as BFCP, and BFCP's inputs added to its own. */
  media(inner: Media): Media {
    return {
      perform: (effect) => {
        if (effect._tag !== 'GrantFloor') {
          this.server.observe(effect)
          return inner.perform(effect)
        }
        // The media side first: BFCP says Granted once the leg's content is let through.
        return () => {
          const opening = inner.perform(effect)()
          this.server.observe(effect, opening)
          return opening
        }
      },
      onInput: (deliver) => {
        // A floor given up over BFCP (FloorRelease, Goodbye, a lost connection) is ContentReleased;
        // the core answers it with RevokeFloor for the leg, which reaches the media side above.
        this.server.onInput(deliver)
        inner.onInput(deliver)
      },
    }
  }

  async close(): Promise<void> {
    this.server.close()
    await this.sockets.close()
  }
}
