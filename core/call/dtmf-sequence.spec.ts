import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { nextDtmfStep } from './dtmf-sequence.js'

/** Runs a sequence to the end: what is sent, and how many pauses come before each send. */
const play = (sequence: string): ReadonlyArray<readonly [number, string]> => {
  const out: Array<readonly [number, string]> = []
  let pauses = 0
  let rest: string | undefined = sequence
  while (rest !== undefined) {
    const step = nextDtmfStep(rest)
    if (step.send !== '') out.push([pauses, step.send])
    rest = step.afterPause
    if (rest !== undefined) pauses++
  }
  return out
}

void describe('ADP DTMF sequence', () => {
  void it('sends the digits between commas, one 2 s pause per comma', () => {
    assert.deepEqual(play('1234#'), [[0, '1234#']])
    assert.deepEqual(play('12,,34'), [
      [0, '12'],
      [2, '34'],
    ])
    assert.deepEqual(play(',9'), [[1, '9']])
    assert.deepEqual(play(''), [])
  })

  void it('sends every digit once, in order, and pauses once per comma', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9*#,]{0,20}$/), (seq) => {
        const sent = play(seq)
        assert.equal(sent.map(([, d]) => d).join(''), seq.replaceAll(',', ''))
        const commas = seq.split(',').length - 1
        const last = sent.at(-1)
        if (last !== undefined) assert.ok(last[0] <= commas)
      }),
    )
  })
})
