/**
 * How a scenario's time passes on the wire (DESIGN §5: long timers are set short through the
 * configuration's `global`, never by faking the node's clock). The node runs on real time, so a
 * scenario that lets 29 minutes pass cannot wait them out: its configurable timeouts are
 * written scaled by a factor, and every "N seconds pass" sleeps N times that factor.
 *
 * The passes planned for are the scenario's "N seconds pass". Waiting for a farewell message to
 * end is waiting for a timer of fixed length (4 s in the core): the wire world does not sleep
 * for it, the looks that follow wait for what it ends with `eventually`.
 *
 * The factor is chosen per scenario so that every moment the scenario looks at stays clearly on
 * one side of every configurable timeout: the smallest distance, in scenario time, between a
 * timeout and any run of consecutive passes ("59 seconds pass" against a 60 s guests-only
 * timeout is 1 s), or no pass at all (a timeout is never shorter than the margin), must still
 * be `marginMs` of real time. A scenario whose time is short enough
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

/**
 * Every sum of consecutive passes: the time between any two moments the scenario looks at or
 * acts. The empty sum is one of them: two steps with no pass between them ("Alice dials", then
 * "Bob dials") are the same moment in the scenario but some real time apart, which a timeout
 * started by the first must not run out in.
 */
const spans = (passesMs: ReadonlyArray<number>): ReadonlyArray<number> => {
  const found: number[] = [0]
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

const unitMs: Readonly<Record<string, number>> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 }
const passStep = /^(\d+) (second|minute|hour|day)s? pass(?:es)?$/
const farewellStep = /^the message has played$/

/** A step that lets time pass: a number of seconds, or waiting for a farewell message to end. */
export type Wait = { readonly _tag: 'Pass'; readonly ms: number } | { readonly _tag: 'Farewell' }

/**
 * The waits of a scenario in order, read from its steps' text as the `{duration} pass/passes`
 * and `the message has played` steps (features/steps/calls.steps.ts) word them, so that the
 * plan is known before the node starts and each wait can be told from the other kind.
 */
export const scenarioWaits = (stepTexts: ReadonlyArray<string>): ReadonlyArray<Wait> =>
  stepTexts.flatMap((text): Wait[] => {
    const trimmed = text.trim()
    if (farewellStep.test(trimmed)) return [{ _tag: 'Farewell' }]
    const m = passStep.exec(trimmed)
    return m === null ? [] : [{ _tag: 'Pass', ms: Number(m[1]) * (unitMs[m[2] ?? ''] ?? Number.NaN) }]
  })

/** The passes among a scenario's waits (what `planTime` plans for). */
export const scenarioPasses = (stepTexts: ReadonlyArray<string>): ReadonlyArray<number> =>
  scenarioWaits(stepTexts).flatMap((w) => (w._tag === 'Pass' ? [w.ms] : []))
