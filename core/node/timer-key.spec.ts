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

  void it('percent-encode the owner exactly as encodeURIComponent does (the fast path for plain ids included)', () => {
    const idArb = fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9._~-]{0,12}$/), fc.constantFrom('leg-7', 'a b', "it's", 'x:y', '%', 'é'))
    fc.assert(
      fc.property(idArb, fc.string(), (id, name) => {
        assert.equal(legTimer(LegId(id), name), `leg:${encodeURIComponent(id)}:${name}`)
        assert.equal(conferenceTimer(ConferenceId(id), name), `conf:${encodeURIComponent(id)}:${name}`)
        assert.equal(timerId({ _tag: 'Presence', address: id }, name), `presence:${encodeURIComponent(id)}:${name}`)
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
