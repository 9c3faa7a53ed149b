/**
 * RTP ports within `rtp_port_min..rtp_port_max`: an even port for RTP and the odd one above it
 * for RTCP (RFC 3550 §11), both bound by the worker and held until the leg is released, so that
 * endpoints' packets (and ICE checks) never meet ICMP "port unreachable" before the leg's media
 * starts. A port someone else holds is skipped; the search goes round the range from where the
 * last one ended, so that a freed port is not reused at once (late packets of the old call).
 */
import * as E from 'fp-ts/lib/Either.js'

export interface BoundPair<S> {
  readonly port: number
  readonly rtp: S
  readonly rtcp: S
}

export type PortPoolError = { readonly _tag: 'NoFreeRtpPort'; readonly min: number; readonly max: number }

export class RtpPortPool<S> {
  private readonly held = new Set<number>()
  private readonly firstEven: number
  private readonly lastEven: number
  private cursor: number

  constructor(
    private readonly range: { readonly min: number; readonly max: number },
    private readonly bind: (port: number) => E.Either<string, S>,
    private readonly close: (socket: S) => void,
  ) {
    this.firstEven = range.min % 2 === 0 ? range.min : range.min + 1
    const top = range.max - 1
    this.lastEven = top % 2 === 0 ? top : top - 1
    this.cursor = this.firstEven
  }

  acquire(): E.Either<PortPoolError, BoundPair<S>> {
    const candidates = this.lastEven < this.firstEven ? 0 : (this.lastEven - this.firstEven) / 2 + 1
    for (let tried = 0; tried < candidates; tried++) {
      const port = this.cursor
      this.cursor = port + 2 > this.lastEven ? this.firstEven : port + 2
      if (this.held.has(port)) continue
      const rtp = this.bind(port)
      if (E.isLeft(rtp)) continue
      const rtcp = this.bind(port + 1)
      if (E.isLeft(rtcp)) {
        this.close(rtp.right)
        continue
      }
      this.held.add(port)
      return E.right({ port, rtp: rtp.right, rtcp: rtcp.right })
    }
    return E.left({ _tag: 'NoFreeRtpPort', min: this.range.min, max: this.range.max })
  }

  release(pair: BoundPair<S>): void {
    this.close(pair.rtp)
    this.close(pair.rtcp)
    this.held.delete(pair.port)
  }

  get inUse(): number {
    return this.held.size
  }
}
