import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Vmr } from '../config/model.js'
import type { Pin } from '../dial-string/pin.js'
import { pinDigits } from '../dial-string/pin.js'
import { makeVmr, pin } from '../node/node-harness.js'
import { everyoneNeedsPin, isOpen, judgeDialled, judgeTyped, judgeWhileWaiting, roleWithoutPin } from './pin-policy.js'

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max })
const pinArb: fc.Arbitrary<Pin> = fc.oneof(digits(4, 20), digits(3, 19).map((d) => d + '#')).map(pin)

/** VMRs as the configuration codecs allow them: guests need a Host PIN, PINs differ. */
const vmrArb: fc.Arbitrary<Vmr> = fc
  .record({ allowGuests: fc.boolean(), pin: fc.option(pinArb, { nil: undefined }), guestPin: fc.option(pinArb, { nil: undefined }) })
  .filter((v) => (!v.allowGuests || v.pin !== undefined) && (v.allowGuests || v.guestPin === undefined))
  .filter((v) => v.pin === undefined || v.guestPin === undefined || pinDigits(v.pin) !== pinDigits(v.guestPin))
  .map((v) =>
    makeVmr('1', {
      allowGuests: v.allowGuests,
      ...(v.pin === undefined ? {} : { pin: v.pin }),
      ...(v.guestPin === undefined ? {} : { guestPin: v.guestPin }),
    }),
  )

/** Typed entries biased toward the VMR's own PINs, a lone # and near misses. */
const typedFor = (vmr: Vmr): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(''),
    digits(0, 22),
    ...[vmr.pin, vmr.guestPin].filter((p): p is Pin => p !== undefined).map((p) => fc.constantFrom(pinDigits(p), pinDigits(p) + '0', pinDigits(p).slice(1))),
  )

void describe('PIN policy (DESIGN §2 "PINs, roles and host gating")', () => {
  void it('gives Host only for the Host PIN (or an open VMR), Guest only for the Guest PIN or a lone # without one', () => {
    fc.assert(
      fc.property(vmrArb.chain((v) => fc.tuple(fc.constant(v), typedFor(v))), ([vmr, typed]) => {
        const verdict = judgeTyped(vmr, typed)
        const hostPinTyped = vmr.pin !== undefined && pinDigits(vmr.pin) === typed
        const guestEntry = vmr.allowGuests && (vmr.guestPin === undefined ? typed === '' : pinDigits(vmr.guestPin) === typed)
        if (isOpen(vmr) || hostPinTyped) assert.deepEqual(verdict, { _tag: 'Accepted', role: 'host' })
        else if (guestEntry) assert.deepEqual(verdict, { _tag: 'Accepted', role: 'guest' })
        else assert.deepEqual(verdict, { _tag: 'Wrong' })
      }),
    )
  })

  void it('judges a dial-string PIN like the same digits typed at the prompt (a lone # aside)', () => {
    fc.assert(
      fc.property(vmrArb, pinArb, (vmr, dialled) => {
        assert.deepEqual(judgeDialled(vmr, dialled), judgeTyped(vmr, pinDigits(dialled)))
      }),
    )
  })

  void it('raises a waiting Guest only with the Host PIN; a lone # or the Guest PIN changes nothing', () => {
    fc.assert(
      fc.property(vmrArb.filter((v) => v.allowGuests).chain((v) => fc.tuple(fc.constant(v), typedFor(v))), ([vmr, typed]) => {
        const verdict = judgeWhileWaiting(vmr, typed)
        assert.equal(verdict === 'host', vmr.pin !== undefined && pinDigits(vmr.pin) === typed)
        if (typed === '' || (vmr.guestPin !== undefined && pinDigits(vmr.guestPin) === typed)) assert.equal(verdict, 'unchanged')
      }),
    )
  })

  void it('starts ADPs on the first valid PIN exactly where nobody gets in without one (PROTOCOLS 3.5)', () => {
    assert.equal(everyoneNeedsPin(makeVmr('1')), false)
    assert.equal(everyoneNeedsPin(makeVmr('1', { pin: pin('1234') })), true)
    assert.equal(everyoneNeedsPin(makeVmr('1', { allowGuests: true, pin: pin('1234') })), false)
    assert.equal(everyoneNeedsPin(makeVmr('1', { allowGuests: true, pin: pin('1234'), guestPin: pin('5678') })), true)
    assert.equal(roleWithoutPin(makeVmr('1', { allowGuests: true, pin: pin('1234') })), 'guest')
    assert.equal(roleWithoutPin(makeVmr('1')), 'host')
  })
})
