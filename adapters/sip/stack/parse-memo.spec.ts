import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Grammar } from 'sip.js/lib/grammar/grammar.js'
import { createParseMemo } from './parse-memo.js'

const values = fc.oneof(
  fc.constantFrom('<sip:a@example.com>;tag=1', '"Bob" <sip:bob@contoso.com>;tag=x;epid=9', 'sip:c@d', 'not a header <'),
  fc.stringMatching(/^<sip:[a-z]{1,6}@[a-z]{1,6}\.com>;tag=[a-z0-9]{1,4}$/),
)

void test('the memo answers what the grammar answers, and never holds more than its capacity', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.array(values, { maxLength: 60 }), (capacity, inputs) => {
      const memo = createParseMemo(capacity)
      for (const input of inputs) {
        assert.deepEqual(JSON.stringify(memo.parse(input, 'From')), JSON.stringify(Grammar.parse(input, 'From')))
        assert.ok(memo.size() <= capacity)
      }
    }),
  )
})

void test('a remembered value is shared and frozen, so no message can change another', () => {
  const memo = createParseMemo(4)
  const first = memo.parse('<sip:a@example.com>;tag=1', 'From') as { setParam: (k: string, v: string) => void; uri: object }
  assert.equal(memo.parse('<sip:a@example.com>;tag=1', 'From'), first)
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.uri))
  assert.throws(() => first.setParam('tag', '2'), TypeError)
})

void test('capacity 0 parses every time', () => {
  const memo = createParseMemo(0)
  assert.notEqual(memo.parse('<sip:a@example.com>', 'To'), memo.parse('<sip:a@example.com>', 'To'))
  assert.equal(memo.size(), 0)
})
