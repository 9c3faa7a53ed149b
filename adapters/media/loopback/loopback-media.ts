/**
 * The media port until the GStreamer worker exists (issue 5: "the media port may be a loopback
 * RTP sink"). It does three things:
 *
 * - allocates RTP ports for a leg's streams within `rtp_port_min..rtp_port_max`: an even port
 *   for RTP and the odd one above it for RTCP (RFC 3550 §11), each with a real UDP socket that
 *   receives and drops what arrives, so endpoints' RTP and ICE checks do not meet ICMP
 *   "port unreachable" (which makes some of them hang up); ports are released with the leg,
 *   and a released pair stays bound in a small idle pool that the next allocation takes first
 *   (oldest first): binding and closing two sockets per stream was ~50-70 µs of the main thread
 *   per call (docs/decisions/0002-sip-hot-path.md);
 * - records, per leg, what the core asked the media side to do — the last View shown, the last
 *   Sound played, the conference mix it is in, the leg it is bridged to, whether it holds the
 *   content floor — and logs each effect at debug level;
 * - answers `snapshot()` with that record, the read-only view the status API will serve
 *   (`/api/admin/status/v1/participant/`, issue 7) and the end-to-end tests read from the log.
 *
 * It never reports inputs (no RFC 4733 DTMF, no active speaker): that is the real media side's.
 */
import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Logger } from 'pino'
import type { ConferenceId, LegId } from '../../../core/model/ids.js'
import type { Sound, View } from '../../../core/node/effect.js'
import type { Input } from '../../../core/node/input.js'
import type { Media, MediaEffect, MediaError } from '../../../core/ports/media.js'

/** The streams that carry RTP; each gets an RTP/RTCP port pair. */
export type RtpStream = 'audio' | 'video' | 'content'

export type RtpPorts = Readonly<Partial<Record<RtpStream, number>>>

export type PortAllocationError = { readonly _tag: 'NoFreeRtpPort'; readonly min: number; readonly max: number; readonly stream: RtpStream }

/** What the SIP side needs from media before the worker exists: ports to put in SDP. */
export interface RtpPortAllocator {
  /** Ports for `streams`; streams already allocated for the leg keep their ports. */
  readonly allocate: (leg: LegId, streams: ReadonlyArray<RtpStream>) => Promise<E.Either<PortAllocationError, RtpPorts>>
  /** Frees every port of the leg; its record leaves the snapshot. */
  readonly release: (leg: LegId) => void
}

export interface LegMediaState {
  readonly leg: LegId
  readonly ports: RtpPorts
  readonly view?: View
  readonly sound?: Sound
  readonly conference?: ConferenceId
  readonly bridgedWith?: LegId
  readonly floor: boolean
  /** RTP and RTCP datagrams received (and dropped) on the leg's ports. */
  readonly packetsReceived: number
}

export interface LoopbackMediaOptions {
  /** Address the RTP sockets bind (PARLEY_BIND). */
  readonly bindHost: string
  /** `global.rtp_port_min` / `rtp_port_max`, inclusive. */
  readonly portMin: number
  readonly portMax: number
  readonly logger: Logger
}

interface Pair {
  readonly port: number
  readonly sockets: dgram.Socket[]
  /** The leg whose stream it carries; undefined while idle (what arrives then is dropped uncounted). */
  owner: LegRecord | undefined
}

interface LegRecord {
  readonly leg: LegId
  readonly pairs: Map<RtpStream, Pair>
  view?: View
  sound?: Sound
  conference?: ConferenceId
  bridgedWith?: LegId
  floor: boolean
  packetsReceived: number
}

/** Legs released recently: effects still on their way for them must not bring the record back. */
const releasedMemory = 4096

/**
 * Released pairs kept bound for reuse (two sockets each). Enough for the legs a busy node starts
 * and ends within a few milliseconds; beyond it a released pair is closed, as before.
 */
const idlePairsKept = 64

export class LoopbackMedia implements Media, RtpPortAllocator {
  private readonly legs = new Map<LegId, LegRecord>()
  /** Ports held or being bound (RTP ports; the RTCP port is the next one). */
  private readonly reserved = new Set<number>()
  private readonly released = new Set<LegId>()
  /** Released pairs still bound, oldest first; their ports stay in `reserved`. */
  private readonly idle: Pair[] = []
  /** Datagrams that reached an idle pair (late RTP of an ended leg), dropped uncounted for any leg. */
  strayDatagrams = 0
  private readonly firstEven: number
  private readonly lastEven: number
  private cursor: number
  private closed = false

  constructor(private readonly options: LoopbackMediaOptions) {
    this.firstEven = options.portMin % 2 === 0 ? options.portMin : options.portMin + 1
    // The RTCP port (RTP + 1) must be in the range too.
    const top = options.portMax - 1
    this.lastEven = top % 2 === 0 ? top : top - 1
    this.cursor = this.firstEven
  }

  // ---- Media port -------------------------------------------------------------------------------

  readonly onInput = (_deliver: (input: Input) => void): void => undefined

  readonly perform = (effect: MediaEffect): TE.TaskEither<MediaError, void> => {
    this.options.logger.debug({ media: effect }, 'media effect')
    switch (effect._tag) {
      case 'Show':
        this.record(effect.leg, (r) => (r.view = effect.view))
        break
      case 'Play':
        this.record(effect.leg, (r) => (r.sound = effect.sound))
        break
      case 'JoinMix':
        this.record(effect.leg, (r) => (r.conference = effect.conference))
        break
      case 'LeaveMix': {
        const r = this.legs.get(effect.leg)
        if (r !== undefined && r.conference === effect.conference) delete r.conference
        break
      }
      case 'Bridge':
        this.record(effect.a, (r) => (r.bridgedWith = effect.b))
        this.record(effect.b, (r) => (r.bridgedWith = effect.a))
        break
      case 'GrantFloor':
        this.record(effect.leg, (r) => (r.floor = true))
        break
      case 'RevokeFloor':
        this.record(effect.leg, (r) => (r.floor = false))
        break
    }
    return TE.right(undefined)
  }

  /** What each leg is shown and played, its mix, bridge and floor: read-only copies. */
  snapshot(): ReadonlyArray<LegMediaState> {
    return [...this.legs.values()].map((r) => ({
      leg: r.leg,
      ports: Object.fromEntries([...r.pairs].map(([stream, pair]) => [stream, pair.port])),
      ...(r.view === undefined ? {} : { view: r.view }),
      ...(r.sound === undefined ? {} : { sound: r.sound }),
      ...(r.conference === undefined ? {} : { conference: r.conference }),
      ...(r.bridgedWith === undefined ? {} : { bridgedWith: r.bridgedWith }),
      floor: r.floor,
      packetsReceived: r.packetsReceived,
    }))
  }

  // ---- ports --------------------------------------------------------------------------------------

  readonly allocate = async (leg: LegId, streams: ReadonlyArray<RtpStream>): Promise<E.Either<PortAllocationError, RtpPorts>> => {
    const record = this.recordFor(leg)
    this.released.delete(leg)
    for (const stream of streams) {
      if (record.pairs.has(stream)) continue
      const pair = this.idle.shift() ?? (await this.bindPair())
      if (pair === undefined) return E.left({ _tag: 'NoFreeRtpPort', min: this.options.portMin, max: this.options.portMax, stream })
      // The leg may have been released while the sockets were being bound.
      if (this.legs.get(leg) !== record) {
        this.putAway(pair)
        return E.left({ _tag: 'NoFreeRtpPort', min: this.options.portMin, max: this.options.portMax, stream })
      }
      pair.owner = record
      record.pairs.set(stream, pair)
    }
    return E.right(Object.fromEntries(streams.map((s) => [s, record.pairs.get(s)?.port])) as RtpPorts)
  }

  readonly release = (leg: LegId): void => {
    const record = this.legs.get(leg)
    this.remember(leg)
    if (record === undefined) return
    this.legs.delete(leg)
    for (const pair of record.pairs.values()) this.putAway(pair)
  }

  /** Ports held by legs now (RTP ports of their pairs), for tests and status. */
  get portsInUse(): number {
    return this.reserved.size - this.idle.length
  }

  /** Released pairs kept bound for the next allocations. */
  get idlePairs(): number {
    return this.idle.length
  }

  async close(): Promise<void> {
    this.closed = true
    for (const leg of [...this.legs.keys()]) this.release(leg)
    for (const pair of this.idle.splice(0)) this.closePair(pair)
  }

  // ---- internals ------------------------------------------------------------------------------------

  private record(leg: LegId, change: (r: LegRecord) => void): void {
    if (this.released.has(leg)) return
    change(this.recordFor(leg))
  }

  private recordFor(leg: LegId): LegRecord {
    let record = this.legs.get(leg)
    if (record === undefined) {
      record = { leg, pairs: new Map(), floor: false, packetsReceived: 0 }
      this.legs.set(leg, record)
    }
    return record
  }

  private remember(leg: LegId): void {
    this.released.add(leg)
    if (this.released.size > releasedMemory) {
      const oldest = this.released.values().next().value
      if (oldest !== undefined) this.released.delete(oldest)
    }
  }

  /** A pair no leg holds any more: kept bound for the next allocation while the pool has room. */
  private putAway(pair: Pair): void {
    pair.owner = undefined
    if (!this.closed && this.idle.length < idlePairsKept) this.idle.push(pair)
    else this.closePair(pair)
  }

  /** The next even port not held by us whose pair binds; undefined after one full sweep. */
  private async bindPair(): Promise<Pair | undefined> {
    if (this.closed || this.lastEven < this.firstEven) return undefined
    const candidates = (this.lastEven - this.firstEven) / 2 + 1
    for (let tried = 0; tried < candidates; tried++) {
      const port = this.cursor
      this.cursor = port + 2 > this.lastEven ? this.firstEven : port + 2
      if (this.reserved.has(port)) continue
      this.reserved.add(port)
      // The sockets' handlers count for whichever leg owns the pair at the time.
      const pair: Pair = { port, sockets: [], owner: undefined }
      const rtp = await this.bindSocket(port, pair)
      const rtcp = rtp === undefined ? undefined : await this.bindSocket(port + 1, pair)
      if (rtp !== undefined && rtcp !== undefined) {
        pair.sockets.push(rtp, rtcp)
        return pair
      }
      rtp?.close()
      this.reserved.delete(port)
    }
    return undefined
  }

  private bindSocket(port: number, pair: Pair): Promise<dgram.Socket | undefined> {
    return new Promise((resolve) => {
      const socket = dgram.createSocket({ type: isIPv6(this.options.bindHost) ? 'udp6' : 'udp4' })
      const failed = (): void => {
        socket.close()
        resolve(undefined)
      }
      socket.once('error', failed)
      socket.bind(port, this.options.bindHost, () => {
        socket.off('error', failed)
        socket.on('error', (error) => this.options.logger.debug({ port, err: error.message }, 'RTP socket error'))
        socket.on('message', () => {
          if (pair.owner !== undefined) pair.owner.packetsReceived++
          else this.strayDatagrams++
        })
        resolve(socket)
      })
    })
  }

  private closePair(pair: Pair): void {
    for (const socket of pair.sockets) socket.close()
    this.reserved.delete(pair.port)
  }
}
