import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ConferenceId, LegId, TimerId } from '../model/ids.js'
import type { TimerOwner } from './timer-key.js'
import { conferenceTimer, legTimer, parseTimerId, timerId } from './timer-key.js'

const ownerArb: fc.Arbitrary<TimerOwner> = fc.oneof(
  fc.string().map((s) => ({ _tag: 'Leg' as const, leg: LegId(s) })),
  fc.string().map((s) => ({ _tag: 'Conference' as const, conference: ConferenceId(s) })),
  fc.string().map((s) => ({ _tag: 'Presence' as const, address: s })),
)

void describe('timer ids', () => {
  void it('read back the owner and name they were made from, whatever the ids contain', () => {
    fc.assert(
      fc.property(ownerArb, fc.string(), (owner, name) => {
        assert.deepEqual(parseTimerId(timerId(owner, name)), { owner, name })
      }),
    )
  })

  void it('are readable in logs', () => {
    assert.equal(legTimer(LegId('leg-7'), 'pin-digit'), 'leg:leg-7:pin-digit')
    assert.equal(conferenceTimer(ConferenceId('1'), 'host-wait:a:b'), 'conf:1:host-wait:a:b')
    assert.deepEqual(parseTimerId(conferenceTimer(ConferenceId('1'), 'host-wait:a:b')), {
      owner: { _tag: 'Conference', conference: '1' },
      name: 'host-wait:a:b',
    })
  })

  void it('refuse ids they did not make', () => {
    for (const s of ['', 'x', 'leg:', 'gw:a:b', 'leg:%E0%A4%A:x']) assert.equal(parseTimerId(TimerId(s)), undefined)
  })
})
