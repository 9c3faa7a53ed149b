/**
 * Acceptance checks on asynchronous flows wait, within a bound, for what they expect
 * (CONVENTIONS 9; cucumber/screenplay.js `src/eventually.ts`). The check runs at least once; a
 * failing check is retried every `intervalMs` until `timeoutMs` has passed, and then its last
 * failure is what the scenario reports. The sim world gives a bound of 0: the in-process world
 * is settled when an action returns, so one look is the truth. The wire world gives a real one.
 */
export interface EventuallyBound {
  readonly timeoutMs: number
  readonly intervalMs: number
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const eventually = async <T>(check: () => T | Promise<T>, bound: EventuallyBound): Promise<T> => {
  const deadline = performance.now() + bound.timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (failure) {
      if (performance.now() + bound.intervalMs > deadline) throw failure
      await pause(bound.intervalMs)
    }
  }
}
