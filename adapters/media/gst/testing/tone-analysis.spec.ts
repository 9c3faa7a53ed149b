import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { rmsDbfs, toneShareDb } from './tone-analysis.js'

const sine = (frequencies: ReadonlyArray<number>, rate: number, seconds: number, amplitude = 8000): Float64Array =>
  Float64Array.from({ length: Math.round(rate * seconds) }, (_, i) => frequencies.reduce((sum, f) => sum + amplitude * Math.sin((2 * Math.PI * f * i) / rate), 0))

void test('a pure tone is all of its energy; an absent one is far below', () => {
  const tone = sine([440], 8000, 1)
  assert.ok(Math.abs(toneShareDb(tone, 440, 8000)) < 0.5)
  assert.ok(toneShareDb(tone, 1000, 8000) < -60)
})

void test('two equal tones share the energy: about -3 dB each', () => {
  const both = sine([1000, 1500], 8000, 1)
  for (const f of [1000, 1500]) assert.ok(Math.abs(toneShareDb(both, f, 8000) + 3) < 0.5, `${f}: ${toneShareDb(both, f, 8000)}`)
  assert.ok(toneShareDb(both, 440, 8000) < -50)
})

void test('silence has no tone and no level', () => {
  const silence = new Float64Array(8000)
  assert.equal(toneShareDb(silence, 440, 8000), Number.NEGATIVE_INFINITY)
  assert.equal(rmsDbfs(silence), Number.NEGATIVE_INFINITY)
})

void test('any tone within the band is found, and a distant one is not', () => {
  fc.assert(
    fc.property(fc.integer({ min: 20, max: 390 }), (tenHz) => {
      const f = tenHz * 10
      const tone = sine([f], 8000, 0.5)
      assert.ok(toneShareDb(tone, f, 8000) > -1)
      assert.ok(toneShareDb(tone, f + 300 <= 3900 ? f + 300 : f - 300, 8000) < -40)
    }),
    { numRuns: 50 },
  )
})
