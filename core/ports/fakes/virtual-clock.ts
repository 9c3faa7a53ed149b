/**
 * A clock that only moves when told to (CONVENTIONS 9): timers fire in due order (ties in
 * scheduling order), each at its own time, while `advance` walks time forward, so every timeout
 * is instant and reproducible. The simulator and the adapters' specs share it.
 */
import type { Clock } from '../clock.js'
import type { Millis } from '../../model/ids.js'

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
