/**
 * The ring timeout of dial-outs (global `ring_timeout_s`, 60 s by default): an ADP or a gateway's
 * outgoing leg not answered in time is cancelled (a Hangup of an unanswered dial-out is a CANCEL,
 * RFC 3261 §9.1) and ends as an unanswered call: the ADP is not dialled again (DESIGN §2), the
 * gateway caller gets 480 (the 408 of an unanswered far end, mapped).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LegId } from '../model/ids.js'
import { NodeHarness, makeAdp, makeConfig, makeRule, makeVmr, only, videoOffer } from '../node/node-harness.js'
import type { ConfigParts } from '../node/node-harness.js'
import { defaultRingTimeoutS } from './call-timing.js'

const bob = makeVmr('2', { name: "Bob's room", aliases: ['meet.bob@example.com'] })
const roomAdp = makeAdp('7', '2', { alias: 'room7@rooms.example.com' })
const rooms = makeRule('1', '(.+)@rooms\\.example\\.com', { sipProxy: 'sbc.example.net' })

const harness = (parts: ConfigParts = {}): NodeHarness => new NodeHarness(makeConfig({ vmrs: [bob], adps: [roomAdp], rules: [rooms], ...parts }))

/** Bob's room with Alice in it and its ADP dialled (10 s after she joined). */
const adpRinging = (parts: ConfigParts = {}): NodeHarness => {
  const h = harness(parts)
  h.offer('alice', 'meet.bob@example.com')
  assert.equal(only(h.advance(10_000), 'DialOut').length, 1)
  return h
}

/** A caller through the rooms rule, its outgoing leg `gw/out` dialled. */
const gatewayRinging = (parts: ConfigParts = {}): NodeHarness => {
  const h = harness(parts)
  assert.equal(only(h.offer('gw', 'sip:room1@rooms.example.com'), 'DialOut').length, 1)
  return h
}

void describe('ring timeout of dial-outs', () => {
  void it('is 60 s unless global ring_timeout_s says otherwise', () => {
    assert.equal(defaultRingTimeoutS, 60)
    const adp = adpRinging()
    assert.deepEqual(adp.timersOf('2/adp/7').map((t) => adp.timers.get(t)), [70_000], 'dialled at 10 s, ringing until 70 s')
    const gateway = gatewayRinging()
    assert.deepEqual(gateway.timersOf('gw/out').map((t) => gateway.timers.get(t)), [60_000])
    const configured = gatewayRinging({ global: { ringTimeoutS: 25 } })
    assert.deepEqual(configured.timersOf('gw/out').map((t) => configured.timers.get(t)), [25_000])
  })

  void it('an ADP unanswered in time is cancelled once and not dialled again; the conference goes on', () => {
    const h = adpRinging()
    assert.deepEqual(only(h.advance(59_999), 'Hangup'), [])
    assert.deepEqual(only(h.advance(1), 'Hangup'), [{ _tag: 'Hangup', leg: '2/adp/7', reason: 'not answered within 60 s' }])
    assert.equal(h.state.calls.has(LegId('2/adp/7')), false)
    assert.deepEqual(h.timersOf('2/adp/7'), [])
    // The far end's 487 to the CANCEL, or a 200 that crossed it, is late news for a leg Parley no longer knows.
    assert.deepEqual(h.send({ _tag: 'CallFailed', leg: LegId('2/adp/7'), status: 487, reason: 'Request Terminated' }), [])
    assert.deepEqual(h.answer('2/adp/7'), [])
    h.offer('bert', 'meet.bob@example.com')
    assert.equal(only(h.advance(120_000), 'DialOut').length, 0)
    assert.equal(only(h.log, 'DialOut').length, 1)
    assert.equal(h.ended.has(LegId('alice')), false)
    assert.equal(h.state.conferences.size, 1)
  })

  void it('an ADP answered in time keeps ringing out of it: the timer is cancelled', () => {
    const h = adpRinging()
    h.advance(30_000)
    assert.deepEqual(only(h.answer('2/adp/7'), 'CancelTimer').map((c) => c.timer), ['leg:2%2Fadp%2F7:ring'])
    assert.deepEqual(only(h.advance(120_000), 'Hangup'), [])
  })

  void it('a gateway leg unanswered in time is cancelled and the caller is refused 480', () => {
    const h = gatewayRinging({ global: { ringTimeoutS: 20 } })
    const expired = h.advance(20_000)
    assert.deepEqual(
      expired.filter((e) => e._tag === 'Hangup' || e._tag === 'Reject'),
      [
        { _tag: 'Hangup', leg: 'gw/out', reason: 'not answered within 20 s' },
        { _tag: 'Reject', leg: 'gw', status: 480, reason: 'not answered within 20 s' },
      ],
    )
    assert.equal(h.state.calls.size, 0)
    assert.equal(h.state.gateways.size, 0)
    assert.deepEqual(h.answer('gw/out'), [])
  })

  void it('whenever the far end answers, fails or the caller gives up, exactly one ending happens and no ring timer outlives its leg', () => {
    const event = fc.constantFrom('answer', 'fail', 'caller-cancel', 'nothing')
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 150_000 }), event, (ringS, afterMs, what) => {
        const h = gatewayRinging({ global: { ringTimeoutS: ringS } })
        h.advance(afterMs)
        const timedOut = afterMs >= ringS * 1_000
        if (what === 'answer') h.answer('gw/out', videoOffer)
        else if (what === 'fail') h.send({ _tag: 'CallFailed', leg: LegId('gw/out'), status: 486, reason: 'Busy Here' })
        else if (what === 'caller-cancel') h.hangUp('gw', 'cancel')
        const rejects = only(h.log, 'Reject')
        const bridged = only(h.log, 'Bridge').length
        const cancelledOut = only(h.log, 'Hangup').filter((x) => x.leg === 'gw/out').length
        if (timedOut) {
          assert.deepEqual(rejects.map((r) => r.status), [480])
          assert.equal(bridged, 0)
          assert.equal(cancelledOut, 1)
        } else if (what === 'answer') {
          assert.deepEqual([rejects.length, bridged, cancelledOut], [0, 1, 0])
        } else if (what === 'fail') {
          assert.deepEqual([rejects.map((r) => r.status), bridged, cancelledOut], [[486], 0, 0])
        } else if (what === 'caller-cancel') {
          assert.deepEqual([rejects.length, bridged, cancelledOut], [0, 0, 1])
        } else assert.deepEqual([rejects.length, bridged, cancelledOut], [0, 0, 0])
        // A ring timer runs only while the outgoing leg is unanswered and alive.
        const ringing = h.timersOf('gw/out').length === 1
        assert.equal(ringing, !timedOut && what === 'nothing')
      }),
      { numRuns: 300 },
    )
  })
})
