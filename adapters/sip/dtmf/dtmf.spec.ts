import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { buildDtmfInfo, parseDtmfInfo } from './dtmf-info.js'
import { digitOfEventCode, dtmfDigitsByEvent, eventCodeOf } from './dtmf-event.js'

void test('RFC 4733 event codes: 0-9, * = 10, # = 11, A-D = 12-15, flash is not a digit', () => {
  assert.equal(eventCodeOf('0'), 0)
  assert.equal(eventCodeOf('9'), 9)
  assert.equal(eventCodeOf('*'), 10)
  assert.equal(eventCodeOf('#'), 11)
  assert.equal(eventCodeOf('A'), 12)
  assert.equal(eventCodeOf('D'), 15)
  assert.deepEqual(digitOfEventCode(16), E.left({ _tag: 'NotADtmfEvent', code: 16 }))
  assert.ok(E.isLeft(digitOfEventCode(-1)))
  assert.ok(E.isLeft(digitOfEventCode(1.5)))
  for (const digit of dtmfDigitsByEvent) assert.deepEqual(digitOfEventCode(eventCodeOf(digit)), E.right(digit))
})

void test('dtmf-relay bodies as phones and gateways write them', () => {
  const cases: ReadonlyArray<readonly [string, string, string, number | undefined]> = [
    ['application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n', '5', 160],
    ['application/dtmf-relay', 'Signal=*\r\nDuration=250', '*', 250],
    ['application/dtmf-relay', 'Signal=#\nDuration=100\n', '#', 100],
    ['Application/DTMF-Relay; charset=us-ascii', 'signal = 10\r\nduration = 160\r\n', '*', 160],
    ['application/dtmf-relay', 'Signal=11\r\n', '#', undefined],
    ['application/dtmf-relay', 'Signal=star\r\nDuration=x', '*', undefined],
    ['application/dtmf-relay', 'Signal=pound', '#', undefined],
    ['application/dtmf-relay', 'Signal=d\r\nDuration=160', 'D', 160],
    ['application/dtmf-relay', 'Signal=15', 'D', undefined],
    ['application/dtmf', '7', '7', undefined],
    ['application/dtmf', ' # \r\n', '#', undefined],
  ]
  for (const [contentType, body, digit, durationMs] of cases) {
    const parsed = parseDtmfInfo(contentType, body)
    assert.deepEqual(parsed, E.right(durationMs === undefined ? { digit } : { digit, durationMs }), `${contentType} ${JSON.stringify(body)}`)
  }
  assert.deepEqual(parseDtmfInfo('application/dtmf-relay', new TextEncoder().encode('Signal=3\r\nDuration=160')), E.right({ digit: '3', durationMs: 160 }))
})

void test('bodies that are not a key press', () => {
  assert.equal(E.isLeft(parseDtmfInfo('application/dtmf-relay', 'Duration=160')), true)
  const flash = parseDtmfInfo('application/dtmf-relay', 'Signal=16')
  assert.ok(E.isLeft(flash) && flash.left._tag === 'NotADtmfDigit')
  const other = parseDtmfInfo('application/xml', '<KeyboardActivity/>')
  assert.ok(E.isLeft(other) && other.left._tag === 'UnsupportedDtmfBody')
  assert.ok(E.isLeft(parseDtmfInfo('application/dtmf', 'E')))
  assert.ok(E.isLeft(parseDtmfInfo('garbage', 'Signal=1')))
})

void test('what Parley sends reads back as the same digit', () => {
  fc.assert(
    fc.property(fc.constantFrom(...dtmfDigitsByEvent), fc.integer({ min: 40, max: 2000 }), (digit, durationMs) => {
      const { contentType, body } = buildDtmfInfo(digit, durationMs)
      assert.deepEqual(parseDtmfInfo(contentType, body), E.right({ digit, durationMs }))
    }),
  )
  assert.deepEqual(buildDtmfInfo('5'), { contentType: 'application/dtmf-relay', body: 'Signal=5\r\nDuration=160\r\n' })
})

void test('parsing never throws on arbitrary input', () => {
  fc.assert(
    fc.property(fc.constantFrom('application/dtmf-relay', 'application/dtmf', 'text/plain'), fc.oneof(fc.string(), fc.uint8Array()), (ct, body) => {
      parseDtmfInfo(ct, body)
    }),
  )
})
