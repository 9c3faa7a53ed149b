/**
 * The simulator's clock (CONVENTIONS 9): time moves only when a scenario says so, and every
 * timer the core asked for (`StartTimer`) comes back as a `TimerFired` input at its due time,
 * in due order (ties in the order they were started). Timeouts of a day take no real time, and
 * every run of a scenario sees the same sequence.
 *
 * It implements the core's Clock port, so the same endpoint models can be driven by the real
 * clock in the wire world.
 */
import type { Clock } from '../core/ports/clock.js'
import type { Millis, TimerId } from '../core/model/ids.js'
import type { CancelTimer, StartTimer } from '../core/node/effect.js'
import type { TimerFired } from '../core/node/input.js'

interface Pending {
  readonly due: Millis
  readonly seq: number
  readonly fire: () => void
}

export class VirtualClock implements Clock {
  private current: Millis
  private seq = 0
  private pending: Pending[] = []
  private running = false

  constructor(start: Millis = 0) {
    this.current = start
  }

  readonly now = (): Millis => this.current

  /** Calls `fire` once at `due`; a due time already passed fires at the next `advance`/`fireDue`. */
  readonly schedule = (due: Millis, fire: () => void): (() => void) => {
    const entry: Pending = { due, seq: this.seq++, fire }
    this.pending.push(entry)
    return () => {
      this.pending = this.pending.filter((p) => p !== entry)
    }
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order, each at its own time. */
  advance(ms: Millis): void {
    if (ms < 0) throw new Error(`time cannot go back (${ms} ms)`)
    if (this.running) throw new Error('a firing timer cannot move time; schedule another timer instead')
    this.runUntil(this.current + ms)
  }

  /**
   * Fires the timers that are due now (a 0 s timeout asked for during this instant). Safe to call
   * from inside a firing timer: the outer run picks up whatever it schedules.
   */
  fireDue(): void {
    this.runUntil(this.current)
  }

  /** Timers not yet fired. */
  get pendingCount(): number {
    return this.pending.length
  }

  private runUntil(target: Millis): void {
    if (this.running) return
    this.running = true
    try {
      for (;;) {
        const next = this.nextDue()
        if (next === undefined || next.due > target) break
        this.pending = this.pending.filter((p) => p !== next)
        this.current = Math.max(this.current, next.due)
        next.fire()
      }
      this.current = Math.max(this.current, target)
    } finally {
      this.running = false
    }
  }

  private nextDue(): Pending | undefined {
    let best: Pending | undefined
    for (const p of this.pending) {
      if (best === undefined || p.due < best.due || (p.due === best.due && p.seq < best.seq)) best = p
    }
    return best
  }
}

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
