/**
 * What a benchmark is (DESIGN §5, §6 "make bench"): a Parley figure and a reference figure,
 * measured side by side in one call so that both see the same machine. The machine's speed
 * drifts (up to 2x within minutes), so a figure is only ever compared with one taken next to it.
 */
import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'

export interface Measurement {
  readonly name: string
  readonly unit: string
  readonly reference_name: string
  /** The ratio (see `lowerIsBetter`) Parley must reach. */
  readonly target?: number
  /** For latencies and the like: the ratio is then reference / parley, so bigger is still better. */
  readonly lowerIsBetter?: boolean
  /**
   * A target for Parley's own figure besides the ratio (issue 8: e.g. >= 20 000 NOTIFY/s, p99 <
   * 20 ms): at least `value`, or at most when `lowerIsBetter`. Both must hold for "met".
   */
  readonly absolute?: { readonly value: number }
  /** At most this many samples (the run's count otherwise), for a slow measurement. */
  readonly samples?: number
  /** False: no warm-up sample (a measurement whose setup is its warm-up). */
  readonly warmUp?: boolean
  /** What the figures alone do not say (e.g. how many calls in progress survived), after the run. */
  readonly detail?: () => string
  /** One side-by-side sample: the reference and Parley measured alternately in this one call. */
  sample(): Promise<{ parley: number; reference: number }>
}

/** Results go somewhere the optimiser cannot see through, so no measured call is elided. */
const sink: unknown[] = [undefined]
export const consume = (value: unknown): void => {
  sink[0] = value
}

/**
 * Calls `op` on `inputs` in turn for about `sliceMs` and answers calls per second. The clock is
 * read once per pass over the inputs, so its cost stays out of short operations.
 */
export const opsPerSecond = <A>(op: (input: A) => unknown, inputs: ReadonlyArray<A>, sliceMs: number): number => {
  const started = performance.now()
  let calls = 0
  let now = started
  do {
    for (let i = 0; i < inputs.length; i++) sink[0] = op(inputs[i]!)
    calls += inputs.length
    now = performance.now()
  } while (now - started < sliceMs)
  return (calls * 1000) / (now - started)
}

/**
 * Throughput of two implementations of the same operation over the same inputs, in the order
 * reference, Parley, Parley, reference (ABBA), so that a drift during the sample weighs on both
 * sides alike. Each figure is the mean of its two slices.
 */
export const sideBySideOpsPerSecond = async <A>(options: {
  readonly parley: (input: A) => unknown
  readonly reference: (input: A) => unknown
  readonly inputs: ReadonlyArray<A>
  readonly sliceMs: number
}): Promise<{ parley: number; reference: number }> => {
  const { parley, reference, inputs, sliceMs } = options
  const r1 = opsPerSecond(reference, inputs, sliceMs)
  await yieldToEventLoop()
  const p1 = opsPerSecond(parley, inputs, sliceMs)
  await yieldToEventLoop()
  const p2 = opsPerSecond(parley, inputs, sliceMs)
  await yieldToEventLoop()
  const r2 = opsPerSecond(reference, inputs, sliceMs)
  return { parley: (p1 + p2) / 2, reference: (r1 + r2) / 2 }
}

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
