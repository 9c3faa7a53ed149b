/** A transaction's running timers by RFC name, so that every state change can stop the right ones. */
import type { Clock } from '../../../../core/ports/clock.js'
import type { Millis } from '../../../../core/model/ids.js'

export class NamedTimers {
  private readonly running = new Map<string, () => void>()

  constructor(private readonly clock: Clock) {}

  start(name: string, after: Millis, fire: () => void): void {
    this.stop(name)
    const cancel = this.clock.schedule(this.clock.now() + after, () => {
      this.running.delete(name)
      fire()
    })
    this.running.set(name, cancel)
  }

  stop(name: string): void {
    const cancel = this.running.get(name)
    if (cancel !== undefined) {
      cancel()
      this.running.delete(name)
    }
  }

  stopAll(): void {
    for (const cancel of this.running.values()) cancel()
    this.running.clear()
  }

  isRunning(name: string): boolean {
    return this.running.has(name)
  }
}
