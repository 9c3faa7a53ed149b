/**
 * What carries the calls' RTP, as PARLEY_MEDIA chooses (env.ts): the GStreamer media worker
 * (`gst`) or the loopback sink (`loopback`, signalling only). Either is, for the SIP side, the
 * core's Media port and the RTP port allocator; the worker also takes each leg's negotiated
 * streams (`attacher`). Both are started once the RTP range is known (the configuration's
 * `rtp_port_min..max`, when SIP starts).
 *
 * A worker that cannot start does not stop the node (DESIGN §4: a media failure never takes
 * signalling down): the error is logged, OPTIONS and presence go on, and a call is refused
 * with 503 and Retry-After (RFC 3261 §21.5.4: the server cannot take it now, but may later) —
 * the SIP side's answer when no RTP port can be had. A worker that dies is restarted by the
 * supervisor; the calls it carried are ended with a BYE (the core's Hangup for CallEnded
 * transport), and the restarted worker serves new calls.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ConferenceId, LegId, Millis } from '../../core/model/ids.js'
import type { Sound, View } from '../../core/node/effect.js'
import type { Media } from '../../core/ports/media.js'
import type { LegMediaView } from '../http/status/live-status.js'
import type { RtpPortAllocator, RtpPorts } from '../media/loopback/loopback-media.js'
import { LoopbackMedia } from '../media/loopback/loopback-media.js'
import type { LegMediaAttacher } from '../media/worker/exchange-plan.js'
import { GstMedia } from '../media/worker/gst-media.js'
import { WorkerSupervisor } from '../media/worker/worker-supervisor.js'
import type { WorkerSupervisorOptions } from '../media/worker/worker-supervisor.js'
import type { MediaKind } from './env.js'
import type { Logger } from './logger.js'

/** Where RTP sockets bind and the configured port range. */
export interface RtpRange {
  readonly bindHost: string
  readonly portMin: number
  readonly portMax: number
}

/** A leg as the media side holds it: its RTP ports, what it is shown and played, its mix. */
export interface LegMediaRecord extends LegMediaView {
  readonly ports: RtpPorts
  readonly conference?: ConferenceId
}

export interface NodeMedia extends Media, RtpPortAllocator {
  /** Absent when nothing plays RTP (loopback): the SIP side then attaches nothing. */
  readonly attacher?: LegMediaAttacher
  /** What each leg is shown and played now, for the status API. */
  readonly snapshot: () => ReadonlyArray<LegMediaRecord>
  readonly close: () => Promise<void>
}

/** What the ready line says about media. */
export type MediaStatus =
  | { readonly kind: 'loopback' }
  | { readonly kind: 'gst'; readonly worker: number | null; readonly startMs: number }
  | { readonly kind: 'gst'; readonly worker: null; readonly problem: string }

export interface StartedMedia {
  readonly media: NodeMedia
  readonly status: MediaStatus
}

/** Builds and starts the media side for the RTP range; never rejects (a failed worker is a status). */
export type NodeMediaFactory = (range: RtpRange) => Promise<StartedMedia>

export const loopbackMediaFactory =
  (logger: Logger): NodeMediaFactory =>
  async (range) => ({ media: new LoopbackMedia({ ...range, logger }), status: { kind: 'loopback' } })

export interface GstMediaFactoryOptions {
  readonly logger: Logger
  readonly now: () => Millis
  /** Supervisor settings besides the range (tests: a shorter backoff). */
  readonly supervisor?: Partial<Omit<WorkerSupervisorOptions, 'logger' | 'bindHost' | 'portMin' | 'portMax'>>
}

export const gstMediaFactory =
  (options: GstMediaFactoryOptions): NodeMediaFactory =>
  async (range) => {
    const { logger } = options
    const supervisor = new WorkerSupervisor({ ...options.supervisor, logger, ...range })
    const started = await supervisor.start()
    const gst = new GstMedia({ supervisor, logger, now: options.now })
    // What the core asked of each leg, kept here for the status API (the worker is another process).
    const records = new Map<LegId, { ports: RtpPorts; view?: View; sound?: Sound; conference?: ConferenceId }>()
    const record = (leg: LegId): { ports: RtpPorts; view?: View; sound?: Sound; conference?: ConferenceId } => {
      let r = records.get(leg)
      if (r === undefined) records.set(leg, (r = { ports: {} }))
      return r
    }
    const media: NodeMedia = {
      perform: (effect) => {
        // The same debug record as the loopback media's: the end-to-end checks read it from the log.
        logger.debug({ media: effect }, 'media effect')
        if (effect._tag === 'Show') record(effect.leg).view = effect.view
        if (effect._tag === 'Play') record(effect.leg).sound = effect.sound
        if (effect._tag === 'JoinMix') record(effect.leg).conference = effect.conference
        if (effect._tag === 'LeaveMix' && records.get(effect.leg)?.conference === effect.conference) delete record(effect.leg).conference
        return gst.perform(effect)
      },
      onInput: gst.onInput,
      allocate: async (leg, streams) => {
        const ports = await gst.allocate(leg, streams)
        if (E.isRight(ports)) record(leg).ports = { ...records.get(leg)?.ports, ...ports.right }
        return ports
      },
      release: (leg) => {
        records.delete(leg)
        gst.release(leg)
      },
      attacher: { attach: (leg, audio, more) => gst.attach(leg, audio, more) },
      snapshot: () => [...records].map(([leg, r]) => ({ leg, ...r })),
      close: () => supervisor.close(),
    }
    if (E.isRight(started)) return { media, status: { kind: 'gst', worker: started.right.pid ?? null, startMs: Math.round(started.right.startMs) } }
    logger.error(
      { problem: started.left },
      'the media worker did not start: calls are refused with 503 until it runs (the supervisor keeps trying unless GStreamer is missing); signalling stays up',
    )
    return { media, status: { kind: 'gst', worker: null, problem: started.left } }
  }

export const mediaFactoryFor = (kind: MediaKind, options: GstMediaFactoryOptions): NodeMediaFactory =>
  kind === 'gst' ? gstMediaFactory(options) : loopbackMediaFactory(options.logger)
