/**
 * How late the event loop runs, for the overload guard (issue 9): a timer due every `sampleMs`
 * notes how late it fired; `current()` is the median lateness of the last `windowMs`. A node
 * whose loop runs this late answers every message late, retransmissions pile up (RFC 3261
 * §17.1.1.2: T1 is 500 ms), and taking on more calls makes it worse for the calls it has.
 *
 * The median, not the worst: one long task (start-up, a large configuration import, a major
 * GC) makes one late sample among many on time and is not overload; a loop that is late on most
 * of its ticks for a whole window is. A loop blocked for longer than the window has no sample in
 * it: then how late the pending tick already is counts.
 */
import { performance } from 'node:perf_hooks'

export interface LagProbe {
  /** The worst event-loop lag seen in the recent window, in milliseconds. */
  readonly current: () => number
  readonly stop: () => void
}

export interface LagProbeOptions {
  readonly sampleMs?: number
  readonly windowMs?: number
}

export const startLagProbe = (options: LagProbeOptions = {}): LagProbe => {
  const sampleMs = options.sampleMs ?? 50
  const windowMs = options.windowMs ?? 1_000
  const slots = Math.max(1, Math.ceil(windowMs / sampleMs))
  // A ring of the last `slots` lateness samples with the time each was taken.
  const lags = new Float64Array(slots)
  const takenAt = new Float64Array(slots)
  let next = 0
  let expected = performance.now() + sampleMs
  const timer = setInterval(() => {
    const now = performance.now()
    lags[next] = Math.max(0, now - expected)
    takenAt[next] = now
    next = (next + 1) % slots
    expected = now + sampleMs
  }, sampleMs)
  // The probe never keeps a process alive on its own.
  timer.unref()
  return {
    current: () => {
      const now = performance.now()
      const recent: number[] = []
      for (let i = 0; i < slots; i++) if (now - (takenAt[i] ?? 0) <= windowMs) recent.push(lags[i] ?? 0)
      // A loop blocked right now has not fired its timer yet: how late that tick already is counts too.
      const pending = now - expected
      if (pending > sampleMs || recent.length === 0) recent.push(Math.max(0, pending))
      recent.sort((a, b) => a - b)
      return recent[Math.floor(recent.length / 2)] ?? 0
    },
    stop: () => clearInterval(timer),
  }
}
