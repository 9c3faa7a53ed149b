import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { ActiveSpeakerState, LegLevel } from './active-speaker.js'
import { defaultTuning, stepActiveSpeaker } from './active-speaker.js'

const run = (rounds: ReadonlyArray<ReadonlyArray<LegLevel<string>>>, everyMs = 100) => {
  let state: ActiveSpeakerState<string> = {}
  const changes: string[] = []
  rounds.forEach((levels, i) => {
    const step = stepActiveSpeaker(state, levels, i * everyMs)
    state = step.state
    if (step.changed !== undefined) changes.push(step.changed)
  })
  return { state, changes }
}

void test('the first voice above the threshold becomes the speaker at once', () => {
  assert.deepEqual(run([[{ leg: 'a', db: -60 }], [{ leg: 'a', db: -20 }]]).changes, ['a'])
})

void test('a new voice takes over only after holding the floor, and only if clearly louder', () => {
  const talk = (a: number, b: number) => [
    { leg: 'a', db: a },
    { leg: 'b', db: b },
  ]
  // b is louder for 300 ms, then a again: no switch (hold 400 ms).
  assert.deepEqual(run([talk(-20, -60), talk(-25, -15), talk(-25, -15), talk(-25, -15), talk(-20, -60)]).changes, ['a'])
  // b louder for 500 ms: switch once.
  assert.deepEqual(run([talk(-20, -60), ...Array.from({ length: 6 }, () => talk(-25, -15))]).changes, ['a', 'b'])
  // b louder by less than the margin: never.
  assert.deepEqual(run([talk(-20, -60), ...Array.from({ length: 10 }, () => talk(-20, -18.5))]).changes, ['a'])
  // a has gone quiet: b needs no margin, only the hold.
  assert.deepEqual(run([talk(-20, -60), ...Array.from({ length: 6 }, () => talk(-70, -40))]).changes, ['a', 'b'])
})

void test('silence keeps the last speaker', () => {
  const { state, changes } = run([[{ leg: 'a', db: -20 }], ...Array.from({ length: 20 }, () => [{ leg: 'a', db: -90 }, { leg: 'b', db: -80 }])])
  assert.deepEqual(changes, ['a'])
  assert.equal(state.speaker, 'a')
})

void test('whatever the levels, a change names the loudest leg above the threshold, and never the current speaker', () => {
  const level = fc.record({ leg: fc.constantFrom('a', 'b', 'c'), db: fc.double({ min: -100, max: 0, noNaN: true }) })
  fc.assert(
    fc.property(fc.array(fc.array(level, { maxLength: 3 }), { maxLength: 40 }), (rounds) => {
      let state: ActiveSpeakerState<string> = {}
      rounds.forEach((levels, i) => {
        const before = state.speaker
        const step = stepActiveSpeaker(state, levels, i * 100)
        if (step.changed !== undefined) {
          assert.notEqual(step.changed, before)
          const loudest = Math.max(...levels.map((l) => l.db))
          assert.ok(levels.some((l) => l.leg === step.changed && l.db === loudest && l.db >= defaultTuning.thresholdDb))
          assert.equal(step.state.speaker, step.changed)
        } else assert.equal(step.state.speaker, before)
        state = step.state
      })
    }),
  )
})
