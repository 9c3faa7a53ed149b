import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { VirtualClock } from './virtual-clock.js'

test('timers fire in due order, ties in scheduling order, and never early', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }), fc.integer({ min: 0, max: 1200 }), (dues, step) => {
      const clock = new VirtualClock(0)
      const fired: Array<{ due: number; index: number; at: number }> = []
      dues.forEach((due, index) => clock.schedule(due, () => fired.push({ due, index, at: clock.now() })))
      clock.advance(step)
      const expected = dues
        .map((due, index) => ({ due, index }))
        .filter((d) => d.due <= step)
        .sort((a, b) => a.due - b.due || a.index - b.index)
      assert.deepEqual(fired.map(({ due, index }) => ({ due, index })), expected)
      for (const f of fired) assert.equal(f.at, f.due)
      assert.equal(clock.now(), step)
      assert.equal(clock.pendingCount, dues.length - expected.length)
    }),
  )
})

test('a cancelled timer does not fire; a timer scheduled while firing fires in the same advance', () => {
  const clock = new VirtualClock(100)
  const log: string[] = []
  const cancel = clock.schedule(150, () => log.push('cancelled'))
  clock.schedule(120, () => {
    log.push('first')
    clock.schedule(130, () => log.push('chained'))
  })
  cancel()
  clock.advance(100)
  assert.deepEqual(log, ['first', 'chained'])
})
