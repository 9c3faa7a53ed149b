/**
 * What an endpoint has set going on the wire and not yet seen finished: an INVITE waiting for
 * its answer, INFOs for digits, a BYE, a SUBSCRIBE. The wire world waits for these after each
 * action (`idle`), so that "Alice dials" has been answered before the next step, as in the sim
 * world where everything is settled when an action returns; what the node does next on its own
 * (effects, timers, dial-outs) is then looked at with `eventually`.
 */
export class Settling {
  private readonly pending = new Set<Promise<unknown>>()

  /** Adds work; it leaves the set when it ends, however it ends. */
  track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => this.pending.delete(tracked))
    this.pending.add(tracked)
    // The caller may not await it: a failure is the caller's to report, never unhandled here.
    tracked.catch(() => undefined)
    return tracked
  }

  get busy(): boolean {
    return this.pending.size > 0
  }

  /** Resolves when nothing is pending (work added meanwhile is waited for too), or after `boundMs`. */
  async idle(boundMs: number): Promise<boolean> {
    const deadline = performance.now() + boundMs
    while (this.pending.size > 0) {
      const left = deadline - performance.now()
      if (left <= 0) return false
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.allSettled([...this.pending]), new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))])
      clearTimeout(timer)
    }
    return true
  }
}
