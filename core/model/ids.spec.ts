import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LegId } from './ids.js'

void describe('LegId', () => {
  void it('is the very string it is made from, whatever it holds (array indices, __proto__, any text)', () => {
    for (const s of ['leg-1', '0', '4294967295', '__proto__', '', 'a:b%c']) assert.equal(LegId(s), s)
    fc.assert(fc.property(fc.string(), (s) => LegId(s) === s))
  })
})
