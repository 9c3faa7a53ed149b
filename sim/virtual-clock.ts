/**
 * The simulator's clock (CONVENTIONS 9): time moves only when a scenario says so, and every
 * timer the core asked for (`StartTimer`) comes back as a `TimerFired` input at its due time,
 * in due order (ties in the order they were started). Timeouts of a day take no real time, and
 * every run of a scenario sees the same sequence.
 *
 * The clock itself is the core's in-memory fake (core/ports/fakes/virtual-clock.ts); this file adds
 * the bridge from the core's timer effects to it. It implements the Clock port, so the same
 * endpoint models can be driven by the real clock in the wire world.
 */
import type { Clock } from '../core/ports/clock.js'
import type { TimerId } from '../core/model/ids.js'
import type { CancelTimer, StartTimer } from '../core/node/effect.js'
import type { TimerFired } from '../core/node/input.js'

export { VirtualClock } from '../core/ports/fakes/virtual-clock.js'

/**
 * The core's timers on a clock: `StartTimer` arms (re-arming one with the same id replaces it,
 * as a restarted PIN-entry timer must), `CancelTimer` disarms, and a due timer is handed back
 * as the `TimerFired` input the core expects, stamped with the time it fired.
 */
export class CoreTimers {
  private readonly armed = new Map<TimerId, () => void>()

  constructor(
    private readonly clock: Clock,
    private readonly deliver: (input: TimerFired) => void,
  ) {}

  start(effect: StartTimer): void {
    this.armed.get(effect.timer)?.()
    const cancel = this.clock.schedule(effect.due, () => {
      this.armed.delete(effect.timer)
      this.deliver({ _tag: 'TimerFired', at: this.clock.now(), timer: effect.timer })
    })
    this.armed.set(effect.timer, cancel)
  }

  cancel(effect: CancelTimer): void {
    this.armed.get(effect.timer)?.()
    this.armed.delete(effect.timer)
  }

  /** Ids of the timers armed now, for diagnostics. */
  get armedTimers(): ReadonlyArray<TimerId> {
    return [...this.armed.keys()]
  }
}
