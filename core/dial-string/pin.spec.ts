import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { isPin, parsePin, pinDigits, pinsEqual, PinCodec, type Pin } from './pin.js'

/** The rule of DESIGN §2 written the slow, obvious way, as the model the scanner must agree with. */
const pinRule = (s: string): boolean => /^[0-9]*#?$/.test(s) && s.length >= 4 && s.length <= 20

const pin = (s: string): Pin => {
  const parsed = parsePin(s)
  assert.ok(E.isRight(parsed), `${s} should be a PIN`)
  return parsed.right
}

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max })

const validPin = fc.oneof(digits(4, 20), digits(3, 19).map((d) => d + '#'))

void describe('parsePin', () => {
  for (const good of ['1234', '1234#', '123#', '0000', '12345678901234567890', '1234567890123456789#']) {
    void it(`accepts ${good}`, () => assert.deepEqual(parsePin(good), E.right(good)))
  }
  const bad: ReadonlyArray<readonly [string, string]> = [
    ['', 'too-short'],
    ['123', 'too-short'],
    ['12#', 'too-short'],
    ['123456789012345678901', 'too-long'],
    ['12345678901234567890#', 'too-long'],
    ['12a4', 'not-digits'],
    [' 1234', 'not-digits'],
    ['１２３４', 'not-digits'],
    ['#1234', 'misplaced-hash'],
    ['12#34', 'misplaced-hash'],
    ['1234##', 'misplaced-hash'],
  ]
  for (const [input, reason] of bad) {
    void it(`refuses ${JSON.stringify(input)} as ${reason}`, () =>
      assert.deepEqual(parsePin(input), E.left({ _tag: 'PinError', reason, input })))
  }

  void it('agrees with the rule on any string, and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789#* a') }), fc.string({ unit: 'binary' })), (s) => {
        assert.equal(E.isRight(parsePin(s)), pinRule(s))
        assert.equal(isPin(s), pinRule(s))
      }),
      { numRuns: 2000 },
    )
  })

  void it('accepts every generated PIN', () => {
    fc.assert(fc.property(validPin, (s) => assert.ok(E.isRight(parsePin(s)))))
  })
})

void describe('pinsEqual', () => {
  void it('treats 1234 and 1234# as the same PIN (DESIGN §2)', () => {
    assert.equal(pinsEqual(pin('1234'), pin('1234#')), true)
    assert.equal(pinsEqual(pin('1234#'), pin('1234')), true)
    assert.equal(pinsEqual(pin('123#'), pin('1234')), false)
    assert.equal(pinsEqual(pin('1234'), pin('12345')), false)
    assert.equal(pinDigits(pin('4321#')), '4321')
  })

  void it('is the equality of the digits', () => {
    fc.assert(
      fc.property(validPin, validPin, (a, b) => {
        assert.equal(pinsEqual(pin(a), pin(b)), a.replace(/#$/, '') === b.replace(/#$/, ''))
        assert.equal(pinsEqual(pin(a), pin(b)), pinsEqual(pin(b), pin(a)))
        assert.equal(pinsEqual(pin(a), pin(a)), true)
      }),
    )
  })
})

void describe('PinCodec', () => {
  void it('decodes a PIN and explains a refusal', () => {
    assert.deepEqual(PinCodec.decode('5678#'), E.right('5678#'))
    const refused = PinCodec.decode('12')
    assert.ok(E.isLeft(refused))
    assert.equal(refused.left[0]?.message, 'a PIN has at least 4 characters')
    assert.ok(E.isLeft(PinCodec.decode(1234)))
    assert.equal(PinCodec.is('1234'), true)
    assert.equal(PinCodec.is('12a4'), false)
  })
})
