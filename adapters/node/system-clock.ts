/**
 * The Clock port on the real clock (CONVENTIONS 9): `now` from Date.now, timers from setTimeout.
 * A timer never fires before its due time on this clock: setTimeout runs on a monotonic clock
 * and may wake a millisecond early by Date.now, so the wait is resumed until it is due; delays
 * beyond setTimeout's 2^31-1 ms ceiling are waited out in steps the same way.
 */
import type { Clock } from '../../core/ports/clock.js'

const longestTimeout = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (due, fire) => {
    let timer: NodeJS.Timeout | undefined
    const wait = (): void => {
      const left = due - Date.now()
      if (left <= 0) fire()
      else timer = setTimeout(wait, Math.min(left, longestTimeout))
    }
    // Never synchronously: the caller finishes scheduling before anything fires.
    timer = setTimeout(wait, Math.max(0, Math.min(due - Date.now(), longestTimeout)))
    return () => clearTimeout(timer)
  },
}
