/**
 * The core's `Media` port carried by the GStreamer worker (CONVENTIONS 2 and 3: translation
 * only). It is also the RTP port allocator the SIP side asks for ports to put in its SDP (the same
 * `RtpPortAllocator` as the loopback media), and takes each leg's negotiated streams (`attach`).
 *
 * Effects become worker requests; worker events become inputs:
 * - `Dtmf` (RFC 4733 telephone-event) → DtmfReceived;
 * - `ActiveSpeaker` (audio levels) → ActiveSpeakerChanged;
 * - a worker death → CallEnded with reason `transport` for every leg whose media it carried,
 *   so that the core ends those calls (BYE) and the conferences stay consistent (the presenter
 *   among them leaves the floor with its leg: the core clears it and the BFCP server drops it on
 *   the LeaveMix). The core's effects for those legs until it has ended them (views, a floor
 *   grant) are moot and not sent: the new worker would keep them as phantom legs.
 *
 * Failures: a dead or restarting worker is `ChannelClosed`; anything else the worker refused or
 * could not answer is `MediaFailure` with its reason.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Logger } from 'pino'
import type { DtmfDigit } from '../../../core/model/call.js'
import type { Millis } from '../../../core/model/ids.js'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import type { View } from '../../../core/node/effect.js'
import type { Input } from '../../../core/node/input.js'
import type { Media, MediaEffect, MediaError } from '../../../core/ports/media.js'
import type { ChannelError } from '../channel/channel.js'
import type { MethodName, ParamsOf } from '../channel/protocol.js'
import type { PortAllocationError, RtpPortAllocator, RtpPorts, RtpStream } from '../loopback/loopback-media.js'
import type { WorkerSupervisor } from './worker-supervisor.js'
import type { AudioStreamPlan, VideoStreamPlan, WorkerEvent, WorkerProtocol } from './worker-protocol.js'

type WorkerMethods = WorkerProtocol['methods']

export interface GstMediaOptions {
  readonly supervisor: WorkerSupervisor
  readonly logger: Logger
  /** Stamps inputs (the runtime restamps them as it takes them). */
  readonly now: () => Millis
}

const digits: ReadonlySet<string> = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'])
const isDigit = (d: string): d is DtmfDigit => digits.has(d)

const toMediaError = (error: ChannelError): MediaError =>
  error._tag === 'ChannelClosed' ? { _tag: 'ChannelClosed' } : { _tag: 'MediaFailure', reason: error._tag === 'RequestTimedOut' ? `${error.method} timed out` : `${error.method}: ${error.reason}` }

/** A view in a word or two, for logs. */
export const describeView = (view: View): string => {
  switch (view._tag) {
    case 'Splash':
      return `splash:${view.screen}`
    case 'Composed':
      return `composed:${view.layout}:${view.participants.length}`
    case 'Content':
      return 'content'
    case 'SelfView':
      return 'self-view'
    case 'NoVideo':
      return 'no-video'
  }
}

export class GstMedia implements Media, RtpPortAllocator {
  private readonly consumers: Array<(input: Input) => void> = []
  private readonly supervisor: WorkerSupervisor
  private readonly logger: Logger
  private readonly now: () => Millis

  constructor(options: GstMediaOptions) {
    this.supervisor = options.supervisor
    this.logger = options.logger
    this.now = options.now
    this.supervisor.onEvent((event) => this.onWorkerEvent(event))
    this.supervisor.onWorkerLost(({ legs }) => {
      for (const leg of legs) this.deliver({ _tag: 'CallEnded', at: this.now(), leg: LegId(leg), reason: 'transport' })
    })
  }

  // ---- Media port -------------------------------------------------------------------------------

  readonly onInput = (deliver: (input: Input) => void): void => {
    this.consumers.push(deliver)
  }

  readonly perform = (effect: MediaEffect): TE.TaskEither<MediaError, void> => {
    const lost = (effect._tag === 'Bridge' ? [effect.a, effect.b] : [effect.leg]).find((leg) => this.supervisor.isLost(leg))
    if (lost !== undefined) {
      this.logger.debug({ leg: lost, effect: effect._tag }, 'media effect for a leg lost with its worker: its call is ending, nothing sent')
      return TE.right(undefined)
    }
    switch (effect._tag) {
      case 'Show':
        return this.call('show', { leg: effect.leg, view: effect.view })
      case 'Play':
        return this.call('play', { leg: effect.leg, sound: effect.sound })
      case 'JoinMix':
        return this.call('joinMix', { leg: effect.leg, conference: effect.conference })
      case 'LeaveMix':
        return this.call('leaveMix', { leg: effect.leg, conference: effect.conference })
      case 'Bridge':
        return this.call('bridge', { a: effect.a, b: effect.b })
      case 'GrantFloor':
        return this.call('floor', { leg: effect.leg, granted: true })
      case 'RevokeFloor':
        return this.call('floor', { leg: effect.leg, granted: false })
    }
  }

  // ---- ports and streams (the SIP side) ---------------------------------------------------------

  readonly allocate = async (leg: LegId, streams: ReadonlyArray<RtpStream>): Promise<E.Either<PortAllocationError, RtpPorts>> => {
    const ports = await this.supervisor.request('allocatePorts', { leg, streams: [...streams] })()
    if (E.isRight(ports)) return E.right(ports.right)
    this.logger.warn({ leg, streams, reason: ports.left }, 'no RTP ports for the leg')
    // The port range is the only thing the caller can act on; the worker's reason is in the log.
    return E.left({ _tag: 'NoFreeRtpPort', min: 0, max: 0, stream: streams[0] ?? 'audio' })
  }

  readonly release = (leg: LegId): void => {
    void this.supervisor.request('releaseLeg', { leg })().then((done) => {
      if (E.isLeft(done) && done.left._tag !== 'ChannelClosed') this.logger.warn({ leg, reason: done.left }, 'leg media not released')
    })
  }

  /**
   * Starts (or, after a re-INVITE, replaces) the leg's RTP streams as the SDP answer negotiated
   * them; `video` absent = no video stream; `content` the BFCP content stream (shown while the leg
   * holds the floor); `displayName` is drawn on the leg's tile.
   */
  readonly attach = (
    leg: LegId,
    audio: AudioStreamPlan | undefined,
    more: { readonly video?: VideoStreamPlan; readonly content?: VideoStreamPlan; readonly displayName?: string } = {},
  ): TE.TaskEither<MediaError, void> =>
    this.call('attachLeg', { leg, ...(audio === undefined ? {} : { audio }), ...more })

  // ---- internals ----------------------------------------------------------------------------------

  private call<K extends MethodName<WorkerMethods>>(method: K, params: ParamsOf<WorkerMethods, K>): TE.TaskEither<MediaError, void> {
    return pipe(
      this.supervisor.request(method, params),
      TE.mapLeft(toMediaError),
      TE.map(() => undefined),
    )
  }

  private onWorkerEvent(event: WorkerEvent): void {
    switch (event._tag) {
      case 'Dtmf':
        if (isDigit(event.digit)) this.deliver({ _tag: 'DtmfReceived', at: this.now(), leg: LegId(event.leg), digit: event.digit })
        return
      case 'ActiveSpeaker':
        this.deliver({ _tag: 'ActiveSpeakerChanged', at: this.now(), conference: ConferenceId(event.conference), leg: LegId(event.leg) })
        return
      case 'LegFailed':
        this.logger.warn({ leg: event.leg, reason: event.reason }, 'leg media failed in the worker')
        return
      case 'PromptFinished':
      case 'Ready':
        return
    }
  }

  private deliver(input: Input): void {
    for (const consumer of this.consumers) consumer(input)
  }
}
