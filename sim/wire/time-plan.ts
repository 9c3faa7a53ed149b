/**
 * How a scenario's time passes on the wire (DESIGN §5: long timers are set short through the
 * configuration's `global`, never by faking the node's clock). The node runs on real time, so a
 * scenario that lets 29 minutes pass cannot wait them out: its configurable timeouts are
 * written scaled by a factor, and every "N seconds pass" sleeps N times that factor.
 *
 * The passes planned for are the scenario's "N seconds pass"; waiting for a farewell message to
 * end is a wait for a fixed timer, slept at the same factor but not looked at for distances.
 *
 * The factor is chosen per scenario so that every moment the scenario looks at stays clearly on
 * one side of every configurable timeout: the smallest distance, in scenario time, between a
 * timeout and any run of consecutive passes ("59 seconds pass" against a 60 s guests-only
 * timeout is 1 s) must still be `marginMs` of real time. A scenario whose time is short enough
 * runs at the factor 1, exactly as written.
 *
 * Timers the node does not take from the configuration (the 5 s after the last PIN digit, the
 * farewell message, the 2 s DTMF pause, and the automatic dialling delay that cannot be set
 * below 10 s) keep their real length whatever the factor: against a scaled scenario they only
 * come later, which checks made with `eventually` wait for.
 */

export interface TimePolicy {
  /** Real time that must separate a look from a timeout it must not have (or must have) seen. */
  readonly marginMs: number
  /** A scenario whose passes add up to no more than this runs in real time. */
  readonly realTimeUpToMs: number
}

export const defaultTimePolicy: TimePolicy = { marginMs: 400, realTimeUpToMs: 30_000 }

export interface TimePlan {
  /** Real milliseconds per scenario millisecond (1 = real time). */
  readonly factor: number
  /** How long the scenario's passes take in real time. */
  readonly realMs: number
}

/** Every sum of consecutive passes: the time between any two moments the scenario looks at. */
const spans = (passesMs: ReadonlyArray<number>): ReadonlyArray<number> => {
  const found: number[] = []
  for (let start = 0; start < passesMs.length; start += 1) {
    let sum = 0
    for (let end = start; end < passesMs.length; end += 1) {
      sum += passesMs[end] ?? 0
      found.push(sum)
    }
  }
  return found
}

/**
 * The factor for a scenario whose steps let `passesMs` pass, in order, against configurable
 * timeouts `timeoutsMs` (those that are on; 0 = off is left out by the caller).
 */
export const planTime = (passesMs: ReadonlyArray<number>, timeoutsMs: ReadonlyArray<number>, policy: TimePolicy = defaultTimePolicy): TimePlan => {
  const total = passesMs.reduce((a, b) => a + b, 0)
  if (total <= policy.realTimeUpToMs) return { factor: 1, realMs: total }
  const gaps = spans(passesMs).flatMap((span) => timeoutsMs.map((timeout) => Math.abs(timeout - span))).filter((gap) => gap > 0)
  const smallest = Math.min(...gaps, total)
  const factor = Math.min(1, policy.marginMs / smallest)
  return { factor, realMs: total * factor }
}
