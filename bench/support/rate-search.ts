/**
 * Finding a sustained call rate by probing: each probe runs calls at one asked rate for a fixed
 * few seconds and says whether the rate was sustained (fewer than 0.1 % failures, and the calls
 * did not fall behind the asked rate). The search keeps the highest sustained rate and the lowest
 * one that was not, and stops once they are within `resolution` of each other.
 *
 * A search is stepped from outside (`next`, then `record`), so that two of them — Parley's and
 * the reference's — can take turns on the machine and see the same minute of it.
 */

/** What one probe saw. */
export interface ProbeOutcome {
  readonly asked: number
  /** Calls the caller was to place. */
  readonly attempted: number
  readonly succeeded: number
  /** Calls that ended in a failure or never completed (attempted − succeeded). */
  readonly failed: number
  /** Successful calls per second over the probe's wall-clock time. */
  readonly achieved: number
}

/** Fewer than 0.1 % of the calls failed (issue 8). */
export const failureLimit = 0.001
/** The probe may finish this much behind the asked rate (SIPp starts, the last calls end). */
export const achievedShare = 0.95

export const sustained = (o: ProbeOutcome): boolean => o.attempted > 0 && o.failed < failureLimit * o.attempted && o.achieved >= achievedShare * o.asked

export interface RateSearchOptions {
  /** The first rate probed. */
  readonly start: number
  /** How far one probe moves from the last while nothing brackets the answer (> 1). */
  readonly factor: number
  /** Done when the lowest failing rate is within this ratio of the highest sustained one (> 1). */
  readonly resolution: number
  /**
   * Probes at most once a rate has been sustained; while none has, the search goes on down
   * (up to `maxProbes` more), since an answer of 0 would be no answer.
   */
  readonly maxProbes: number
  /** Rates are probed in whole calls per second, at least this. */
  readonly floor?: number
}

export class RateSearch {
  private best: number | undefined
  private worst: number | undefined
  private probes = 0
  private readonly floor: number

  constructor(private readonly options: RateSearchOptions) {
    if (!(options.factor > 1) || !(options.resolution > 1)) throw new Error('factor and resolution must be above 1')
    this.floor = options.floor ?? 1
  }

  /** The next rate to probe, or undefined when the search is over. */
  next(): number | undefined {
    const { best, worst } = this
    if (this.probes >= (best === undefined ? 2 * this.options.maxProbes : this.options.maxProbes)) return undefined
    let rate: number
    if (best === undefined && worst === undefined) rate = this.options.start
    else if (best === undefined) rate = worst! / this.options.factor
    else if (worst === undefined) rate = best * this.options.factor
    else if (worst / best <= this.options.resolution) return undefined
    else rate = Math.sqrt(best * worst)
    rate = Math.max(this.floor, Math.round(rate))
    // Rounding can land on a rate already decided; then the bracket is as fine as it gets.
    if (rate === best || rate === worst) return undefined
    if (best === undefined && worst !== undefined && worst <= this.floor) return undefined
    return rate
  }

  /**
   * A probe's verdict. A machine this noisy can pass a rate above one that failed; the newer
   * verdict wins and the bracket is widened again on that side.
   */
  record(rate: number, passed: boolean): void {
    this.probes++
    if (passed) {
      this.best = this.best === undefined ? rate : Math.max(this.best, rate)
      if (this.worst !== undefined && this.worst <= this.best) this.worst = undefined
    } else {
      this.worst = this.worst === undefined ? rate : Math.min(this.worst, rate)
      if (this.best !== undefined && this.best >= this.worst) this.best = undefined
    }
  }

  /** The highest sustained rate found (0 when none was). */
  get result(): number {
    return this.best ?? 0
  }

  get probesTaken(): number {
    return this.probes
  }
}

/** One side of a side-by-side rate search: where its search starts, and where the last ended. */
export interface RateSide {
  /** The last answer, where the next sample's search starts (a narrow search around it). */
  last: number | undefined
  /** Where the first sample's search starts (a wide search, ×1.6 steps). */
  readonly firstGuess: number
}

/**
 * The sustained rate of every side, searched turn by turn (a probe of one side, then one of the
 * next, until all searches are done) so that the machine's drift falls on all sides alike. Each
 * side's answer is kept as its `last` for the next sample.
 */
export const searchSideBySide = async <S extends RateSide>(sides: ReadonlyArray<S>, probe: (side: S, rate: number) => Promise<boolean>): Promise<ReadonlyArray<number>> => {
  const searches = sides.map(
    (side) =>
      new RateSearch(
        side.last === undefined
          ? { start: side.firstGuess, factor: 1.6, resolution: 1.1, maxProbes: 12, floor: 10 }
          : { start: side.last, factor: 1.1, resolution: 1.1, maxProbes: 3, floor: 10 },
      ),
  )
  for (;;) {
    let probed = false
    for (let i = 0; i < sides.length; i++) {
      const rate = searches[i]!.next()
      if (rate === undefined) continue
      searches[i]!.record(rate, await probe(sides[i]!, rate))
      probed = true
    }
    if (!probed) break
  }
  sides.forEach((side, i) => (side.last = searches[i]!.result || undefined))
  return searches.map((search) => search.result)
}
