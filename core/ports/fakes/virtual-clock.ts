/**
 * A clock that only moves when told to: timers fire in due order (ties in scheduling order)
 * while `advance` walks time forward, so every timeout is instant and reproducible.
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

  constructor(start: Millis = 0) {
    this.current = start
  }

  readonly now = (): Millis => this.current

  readonly schedule = (due: Millis, fire: () => void): (() => void) => {
    const entry: Pending = { due, seq: this.seq++, fire }
    this.pending.push(entry)
    return () => {
      this.pending = this.pending.filter((p) => p !== entry)
    }
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: Millis): void {
    const target = this.current + ms
    for (;;) {
      const next = this.nextDue()
      if (next === undefined || next.due > target) break
      this.pending = this.pending.filter((p) => p !== next)
      this.current = Math.max(this.current, next.due)
      next.fire()
    }
    this.current = target
  }

  /** Timers not yet fired. */
  get pendingCount(): number {
    return this.pending.length
  }

  private nextDue(): Pending | undefined {
    let best: Pending | undefined
    for (const p of this.pending) {
      if (best === undefined || p.due < best.due || (p.due === best.due && p.seq < best.seq)) best = p
    }
    return best
  }
}
