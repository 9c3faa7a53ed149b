/**
 * An aggregator (audiomixer, compositor) added to a pipeline that is already running, started on
 * a clock base of its own. GStreamer 1.22's aggregators do not reliably start their output where
 * `start-time` says: it is applied on the first input buffer, after a `force-live` aggregator has
 * already timed out from running time 0, so a mixer added to a worker that has run for a while
 * first sends everything since the pipeline started, at full speed (measured: an audio leg
 * attached 15 s into a worker sent 181 packets in its first 100 ms). GStreamer 1.28 adds
 * start-time-selection `now` for this.
 *
 * The element's running time 0 is put at `epoch` of the pipeline's running time (its base time
 * locked at the pipeline's plus `epoch`); whoever links it moves its inputs by `-epoch` and its
 * output by `+epoch` (pad offsets), so that everything around it stays in the pipeline's time.
 */
import type { GstElement, Gstreamer } from './gstreamer.js'

interface ClockBase {
  setBaseTime(time: bigint): void
  setStartTime(time: bigint): void
  setLockedState(locked: boolean): boolean
}

const clockTimeNone = 0xffff_ffff_ffff_ffffn

/** The pipeline's running time now (0 before it has a clock). */
export const pipelineRunningTime = (pipeline: GstElement): bigint => {
  const clock = pipeline.getClock()
  return clock === null ? 0n : clock.getTime() - pipeline.getBaseTime()
}

/**
 * Starts `element` PLAYING with its running time 0 at `epoch` (pipeline running time; "now" when
 * absent) and returns that epoch. Without a pipeline clock yet, it follows the pipeline (epoch 0).
 * A locked element does not follow the pipeline's state: stop it yourself (set it to NULL).
 */
export const startOwnClock = (gst: Gstreamer, pipeline: GstElement, element: GstElement, epoch?: bigint): bigint => {
  if (pipeline.getClock() === null) {
    element.syncStateWithParent()
    return 0n
  }
  const at = epoch ?? pipelineRunningTime(pipeline)
  const own = element as unknown as ClockBase
  own.setStartTime(clockTimeNone)
  own.setBaseTime(pipeline.getBaseTime() + at)
  own.setLockedState(true)
  element.setState(gst.State.PLAYING)
  return at
}
