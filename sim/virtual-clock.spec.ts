import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { TimerId } from '../core/model/ids.js'
import type { TimerFired } from '../core/node/input.js'
import { CoreTimers, VirtualClock } from './virtual-clock.js'

void test('timers fire in due order, ties in the order they were set, each at its own time and never early', () => {
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
      assert.deepEqual(
        fired.map(({ due, index }) => ({ due, index })),
        expected,
      )
      for (const f of fired) assert.equal(f.at, f.due)
      assert.equal(clock.now(), step)
      assert.equal(clock.pendingCount, dues.length - expected.length)
    }),
  )
})

void test('a timer set by a firing timer within the same advance fires in that advance, in order', () => {
  const clock = new VirtualClock(0)
  const order: string[] = []
  clock.schedule(10, () => {
    order.push('a@10')
    clock.schedule(15, () => order.push('c@15'))
  })
  clock.schedule(20, () => order.push('b@20'))
  clock.advance(30)
  assert.deepEqual(order, ['a@10', 'c@15', 'b@20'])
})

void test('fireDue fires what is due now, also when called from inside a firing timer, and moves no time', () => {
  const clock = new VirtualClock(100)
  const order: string[] = []
  clock.schedule(100, () => {
    order.push('first')
    clock.schedule(100, () => order.push('zero-delay'))
    clock.fireDue()
    order.push('after nested fireDue')
  })
  clock.schedule(101, () => order.push('later'))
  clock.fireDue()
  assert.deepEqual(order, ['first', 'after nested fireDue', 'zero-delay'])
  assert.equal(clock.now(), 100)
})

void test('a cancelled timer never fires, and time cannot run backwards or be moved by a timer', () => {
  const clock = new VirtualClock(0)
  let fired = false
  const cancel = clock.schedule(5, () => (fired = true))
  cancel()
  clock.advance(10)
  assert.equal(fired, false)
  assert.throws(() => clock.advance(-1))
  clock.schedule(20, () => clock.advance(1))
  assert.throws(() => clock.advance(20), /cannot move time/)
})

void test("the core's timers: StartTimer arms, re-arming replaces, CancelTimer disarms, a due timer comes back as TimerFired at its due time", () => {
  const clock = new VirtualClock(0)
  const fired: TimerFired[] = []
  const timers = new CoreTimers(clock, (input) => fired.push(input))
  const pin = TimerId('leg:l1:pin-entry')
  const wait = TimerId('conference:1:host-wait')
  timers.start({ _tag: 'StartTimer', timer: pin, due: 60_000 })
  timers.start({ _tag: 'StartTimer', timer: pin, due: 65_000 })
  timers.start({ _tag: 'StartTimer', timer: wait, due: 1_800_000 })
  timers.cancel({ _tag: 'CancelTimer', timer: wait })
  assert.deepEqual(timers.armedTimers, [pin])
  clock.advance(64_999)
  assert.deepEqual(fired, [])
  clock.advance(1_000_000)
  assert.deepEqual(fired, [{ _tag: 'TimerFired', at: 65_000, timer: pin }])
  assert.deepEqual(timers.armedTimers, [])
})
