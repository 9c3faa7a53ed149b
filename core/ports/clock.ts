/**
 * Time as a port (CONVENTIONS 9). The core never reads it: the shell stamps each input with
 * `now()` and schedules the core's StartTimer effects through `schedule`. Tests and the
 * simulator use the virtual clock in fakes/.
 */
import type { Millis } from '../model/ids.js'

export interface Clock {
  readonly now: () => Millis
  /** Calls `fire` once at `due` (or at once if it has passed); the returned function cancels. */
  readonly schedule: (due: Millis, fire: () => void) => () => void
}
