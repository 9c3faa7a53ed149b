import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { RateSearch, searchSideBySide, sustained } from './rate-search.js'

/** Runs a search against a machine whose true capacity is `capacity` (a rate passes iff <= it). */
const run = (search: RateSearch, capacity: number): number[] => {
  const probed: number[] = []
  for (let rate = search.next(); rate !== undefined; rate = search.next()) {
    probed.push(rate)
    search.record(rate, rate <= capacity)
  }
  return probed
}

test('brackets the capacity within the resolution, from below and from above', () => {
  fc.assert(
    fc.property(fc.integer({ min: 20, max: 20_000 }), fc.integer({ min: 10, max: 20_000 }), (capacity, start) => {
      const search = new RateSearch({ start, factor: 1.6, resolution: 1.1, maxProbes: 40 })
      const probed = run(search, capacity)
      assert.ok(search.result <= capacity, `result ${search.result} above capacity ${capacity}`)
      // The answer is within the resolution (plus rounding) of the truth.
      assert.ok(search.result * 1.1 + 1 >= capacity, `result ${search.result} too far below ${capacity} after ${probed.join(', ')}`)
      assert.ok(probed.length < 40)
    }),
  )
})

test('a search started at the last answer confirms it in two probes when nothing moved', () => {
  const search = new RateSearch({ start: 1000, factor: 1.1, resolution: 1.1, maxProbes: 6 })
  assert.deepEqual(run(search, 1050), [1000, 1100])
  assert.equal(search.result, 1000)
})

test('stops after maxProbes with the best rate seen', () => {
  const search = new RateSearch({ start: 10, factor: 2, resolution: 1.01, maxProbes: 3 })
  assert.deepEqual(run(search, 1_000_000), [10, 20, 40])
  assert.equal(search.result, 40)
})

test('nothing sustained: the result is 0 and the search ends at the floor', () => {
  const search = new RateSearch({ start: 100, factor: 2, resolution: 1.1, maxProbes: 50, floor: 10 })
  const probed = run(search, 0)
  assert.equal(search.result, 0)
  assert.equal(probed.at(-1), 10)
})

test('a pass above an earlier failure (a noisy machine) reopens the bracket above it', () => {
  const search = new RateSearch({ start: 100, factor: 2, resolution: 1.1, maxProbes: 10 })
  search.record(100, false)
  search.record(50, true)
  search.record(200, true)
  assert.equal(search.result, 200)
  assert.equal(search.next(), 400)
})

test('sustained: fewer than 0.1 % failures and not behind the asked rate', () => {
  const outcome = { asked: 1000, attempted: 2000, succeeded: 2000, failed: 0, achieved: 990 }
  assert.equal(sustained(outcome), true)
  assert.equal(sustained({ ...outcome, succeeded: 1998, failed: 2 }), false) // exactly 0.1 %
  assert.equal(sustained({ ...outcome, succeeded: 1999, failed: 1 }), true)
  assert.equal(sustained({ ...outcome, achieved: 900 }), false)
  assert.equal(sustained({ ...outcome, attempted: 0, succeeded: 0 }), false)
})

test('with nothing sustained yet, the search goes on past maxProbes until a rate passes', () => {
  const search = new RateSearch({ start: 1000, factor: 1.1, resolution: 1.1, maxProbes: 3 })
  const probed = run(search, 700)
  assert.equal(probed.length, 5) // 1000, 909, 826, 751, 683
  assert.equal(search.result, 683)
})

test('side by side: each side gets its own capacity, probes take turns, and the next sample starts from the last answer', async () => {
  const capacities = [3000, 400]
  const sides = [
    { capacity: 0, last: undefined as number | undefined, firstGuess: 1000 },
    { capacity: 1, last: undefined as number | undefined, firstGuess: 100 },
  ]
  const order: number[] = []
  const probe = (side: (typeof sides)[number], rate: number): Promise<boolean> => {
    order.push(side.capacity)
    return Promise.resolve(rate <= capacities[side.capacity]!)
  }
  const [first, second] = await searchSideBySide(sides, probe)
  assert.ok(first! <= 3000 && first! * 1.1 > 3000, `first side: ${first}`)
  assert.ok(second! <= 400 && second! * 1.1 > 400, `second side: ${second}`)
  assert.deepEqual(order.slice(0, 4), [0, 1, 0, 1], 'the sides take turns')
  assert.deepEqual(sides.map((s) => s.last), [first, second])
  order.length = 0
  await searchSideBySide(sides, probe)
  assert.ok(order.length <= 6, `a later sample searches narrowly around the last answer: ${order.length} probes`)
})
