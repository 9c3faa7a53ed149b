import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { DtmfDigit } from '../model/call.js'
import { freshEntry, pressKey, submitOnPause } from './pin-entry.js'

void describe('PIN entry keys', () => {
  void it('collects digits until #, which submits them (alone: an empty entry)', () => {
    let entry = freshEntry(1)
    for (const d of '1234') {
      const r = pressKey(entry, d as DtmfDigit)
      assert.equal(r._tag, 'Typing')
      if (r._tag === 'Typing') entry = r.entry
    }
    assert.deepEqual(pressKey(entry, '#'), { _tag: 'Submitted', entry: { typed: '', wrong: 1 }, typed: '1234' })
    assert.deepEqual(pressKey(freshEntry(), '#'), { _tag: 'Submitted', entry: freshEntry(), typed: '' })
  })

  void it('ignores * and A-D, and submits on a pause only what was typed', () => {
    for (const k of ['*', 'A', 'B', 'C', 'D'] as const) assert.deepEqual(pressKey(freshEntry(), k), { _tag: 'Ignored' })
    assert.equal(submitOnPause(freshEntry()), undefined)
    assert.deepEqual(submitOnPause({ typed: '12', wrong: 2 }), { entry: { typed: '', wrong: 2 }, typed: '12' })
  })

  void it('keeps no more than one digit past the longest PIN, so an endless entry stays wrong and small', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 200 }), (keys) => {
        let entry = freshEntry()
        for (const k of keys) {
          const r = pressKey(entry, k as DtmfDigit)
          if (r._tag === 'Typing') entry = r.entry
        }
        assert.equal(entry.typed, keys.slice(0, 21))
      }),
    )
  })
})
