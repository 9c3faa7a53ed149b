/**
 * The wire world's time plan: short scenarios run in real time; long ones are scaled so that
 * every look stays a margin away from every configurable timeout, whichever side it must be on.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { planTime, scenarioPasses, scenarioWaits, type TimePolicy } from './time-plan.js'

const policy: TimePolicy = { marginMs: 400, realTimeUpToMs: 30_000 }
const s = (n: number): number => n * 1000
const minutes = (n: number): number => n * 60_000
const defaults = [s(60), minutes(30), s(60)]

test('a short scenario runs in real time', () => {
  assert.deepEqual(planTime([s(4), s(1)], defaults, policy), { factor: 1, realMs: s(5) })
  assert.deepEqual(planTime([], defaults, policy), { factor: 1, realMs: 0 })
})

test('29 minutes against a 30-minute timeout: one minute of scenario time is the margin', () => {
  const plan = planTime([minutes(29), minutes(1)], defaults, policy)
  assert.equal(plan.factor, 400 / 60_000)
  assert.ok(plan.realMs < 13_000, `real time ${plan.realMs}`)
})

test('a Host back after 29 minutes is measured against the timeout, not against the passes', () => {
  // 29 minutes pass, the Host dials, 10 minutes pass: the look that matters is 1 minute before the 30-minute timeout.
  const plan = planTime([minutes(29), minutes(10)], defaults, policy)
  assert.equal(plan.factor, 400 / 60_000)
})

test('59 seconds against a 60 s timeout needs a second to be the margin', () => {
  const plan = planTime([s(59), s(1)], defaults, policy)
  assert.equal(plan.factor, 0.4)
  assert.equal(plan.realMs, s(60) * 0.4)
})

test('two steps with no pass between them are real time apart: no timeout is scaled below the margin', () => {
  // Alice and Bob join one after the other while a 5-minute only-one-participant timeout runs.
  const plan = planTime([3_600_000], [s(60), minutes(30), s(60), minutes(5)], policy)
  assert.equal(plan.factor, 400 / 60_000)
})

test('telling 599 s from 600 s costs what the report must say is too long for the wire', () => {
  const plan = planTime([s(599), s(1)], [s(60), minutes(30), s(600)], policy)
  assert.ok(plan.realMs > 200_000)
})

test('every look keeps the margin from every timeout it is not exactly at', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 86_400 }).map(s), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 86_400 }).map(s), { minLength: 1, maxLength: 4 }),
      (passes, timeouts) => {
        const { factor, realMs } = planTime(passes, timeouts, policy)
        assert.ok(factor > 0 && factor <= 1)
        const total = passes.reduce((a, b) => a + b, 0)
        assert.ok(Math.abs(realMs - total * factor) < 1e-6)
        if (factor === 1) return
        for (const timeout of timeouts) assert.ok(timeout * factor >= policy.marginMs - 1e-9, `timeout ${timeout} is shorter than the margin`)
        for (let start = 0; start < passes.length; start += 1) {
          let span = 0
          for (const pass of passes.slice(start)) {
            span += pass
            for (const timeout of timeouts) {
              const gap = Math.abs(timeout - span) * factor
              assert.ok(gap === 0 || gap >= policy.marginMs - 1e-9, `span ${span} vs timeout ${timeout}: ${gap} ms`)
            }
          }
        }
      },
    ),
  )
})

test('the passes of a scenario are read from its steps', () => {
  assert.deepEqual(scenarioPasses(['Alice dials locked@example.com', '4 seconds pass', '1 second passes', 'the message has played', '29 minutes pass', '1 day passes']), [
    4000, 1000, 29 * 60_000, 86_400_000,
  ])
})

test('the waits of a scenario tell a farewell from a pass of the same length', () => {
  assert.deepEqual(scenarioWaits(['10 seconds pass', 'Bob hangs up', 'the message has played', '1 minute passes']), [
    { _tag: 'Pass', ms: 10_000 },
    { _tag: 'Farewell' },
    { _tag: 'Pass', ms: 60_000 },
  ])
})
