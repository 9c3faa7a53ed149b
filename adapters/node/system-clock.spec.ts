import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomIds } from './random-ids.js'
import { systemClock } from './system-clock.js'

void test('the system clock fires a timer at its due time, not before, and a cancelled one never', async () => {
  const start = systemClock.now()
  const fired: string[] = []
  const firedAt = new Promise<number>((resolve) => systemClock.schedule(start + 30, () => (fired.push('due'), resolve(systemClock.now()))))
  const cancel = systemClock.schedule(start + 10, () => fired.push('cancelled'))
  cancel()
  systemClock.schedule(start - 1000, () => fired.push('past'))
  assert.ok((await firedAt) >= start + 30)
  assert.deepEqual(fired, ['past', 'due'])
})

void test('random ids do not repeat', () => {
  const legs = new Set(Array.from({ length: 1000 }, () => randomIds.leg()))
  assert.equal(legs.size, 1000)
  assert.notEqual(randomIds.subscription(), randomIds.subscription())
})
