/**
 * A media worker for one video spec: composing at 320x180, 10 fps (PARLEY_MEDIA_VIDEO_FORMAT),
 * quick restarts, closed after the test; with the GstMedia that drives it, the events it reports
 * and its log. Each spec file passes its own port range: files that run at the same time must
 * never hand out the same RTP ports.
 */
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type { Millis } from '../../../../core/model/ids.js'
import { memoryLog } from '../../channel/testing/memory-log.js'
import { GstMedia } from '../../worker/gst-media.js'
import type { WorkerEvent } from '../../worker/worker-protocol.js'
import { WorkerSupervisor } from '../../worker/worker-supervisor.js'

export interface PortRange {
  readonly portMin: number
  readonly portMax: number
}

export interface VideoWorker {
  readonly supervisor: WorkerSupervisor
  readonly media: GstMedia
  /** Every event the worker reported, in order. */
  readonly events: ReadonlyArray<WorkerEvent>
  readonly log: ReturnType<typeof memoryLog>
}

export const startVideoWorker = async (t: { readonly after: (fn: () => unknown) => void }, ports: PortRange): Promise<VideoWorker> => {
  const log = memoryLog()
  const supervisor = new WorkerSupervisor({
    logger: log.logger,
    bindHost: '127.0.0.1',
    portMin: ports.portMin,
    portMax: ports.portMax,
    backoff: { firstMs: 50, maxMs: 1_000, stableMs: 30_000 },
    env: { ...process.env, PARLEY_MEDIA_VIDEO_FORMAT: '320x180@10' },
  })
  t.after(() => supervisor.close())
  const started = await supervisor.start()
  assert.ok(E.isRight(started), `the media worker starts: ${JSON.stringify(started)}`)
  const events: WorkerEvent[] = []
  supervisor.onEvent((event) => events.push(event))
  return { supervisor, media: new GstMedia({ supervisor, logger: log.logger, now: () => 0 as Millis }), events, log }
}
