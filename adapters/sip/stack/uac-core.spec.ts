import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomToken } from './uac-core.js'

void test('random tokens are hex of the asked length and do not repeat, across refills of their pool', () => {
  const seen = new Set<string>()
  // 6 000 tokens of 6-10 bytes: the 4 KB pool is refilled about a dozen times.
  for (let i = 0; i < 6000; i++) {
    const bytes = 6 + (i % 5)
    const token = randomToken(bytes)
    assert.match(token, new RegExp(`^[0-9a-f]{${bytes * 2}}$`))
    assert.ok(!seen.has(token), `token ${token} repeated`)
    seen.add(token)
  }
  assert.match(randomToken(5000), /^[0-9a-f]{10000}$/)
})
