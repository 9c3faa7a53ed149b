/** Gateway calls through the router (DESIGN §2 "Gateway rules"). */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LegId, TimerId } from '../model/ids.js'
import { NodeHarness, audioOffer, imOffer, makeConfig, makeRule, observations, only, videoOffer } from '../node/node-harness.js'
import { mapFailureStatus } from './gateway-call.js'

const config = makeConfig({
  global: { defaultSipProxy: 'default.example.com' },
  rules: [
    makeRule('1', '(.+)@rooms\\.example\\.com', { replaceString: '\\1@vc.example.net', sipProxy: 'sbc.example.net:5061', callType: 'video' }),
    makeRule('2', '(.+)@audio\\.example\\.com', { callType: 'audio' }),
    makeRule('3', '(.+)@sfb\\.example\\.com', { outgoingProtocol: 'mssip', mssipProxy: 'pool.example.com', callType: 'auto' }),
  ],
})

const ann = { displayName: 'Ann', uri: 'sip:ann@example.com' }
/** The outgoing leg rings for at most the ring timeout (global `ring_timeout_s`, 60 s by default). */
const ringTimer = TimerId('leg:a%2Fout:ring')
const call = (h: NodeHarness, dialled = 'sip:room1@rooms.example.com', offer = videoOffer, protocol: 'sip' | 'mssip' | 'webrtc' = 'sip') =>
  h.offer('a', dialled, { caller: ann, offer, protocol })

void describe('gateway calls', () => {
  void it('rings the caller and dials the rewritten destination through the rule’s proxy, protocol and call type', () => {
    const h = new NodeHarness(config)
    const effects = call(h)
    assert.deepEqual(
      effects.filter((e) => e._tag !== 'Observe'),
      [
        { _tag: 'Ring', leg: 'a' },
        {
          _tag: 'DialOut',
          leg: 'a/out',
          from: ann,
          to: 'sip:room1@vc.example.net',
          protocol: 'sip',
          proxy: 'sbc.example.net:5061',
          callType: 'video',
          offer: { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' },
        },
        { _tag: 'StartTimer', timer: ringTimer, due: 60_000 },
      ],
    )
    assert.equal(h.state.calls.size, 2)
  })

  void it('offers the far end no more than the rule’s ceiling allows', () => {
    const h = new NodeHarness(config)
    assert.deepEqual(only(call(h, 'sip:x@audio.example.com'), 'DialOut')[0]?.offer, { audio: 'sendrecv' })
    const h2 = new NodeHarness(config)
    const sfb = only(h2.offer('a', 'sip:bob@sfb.example.com', { offer: audioOffer }), 'DialOut')[0]
    assert.deepEqual([sfb?.protocol, sfb?.proxy, sfb?.callType, sfb?.offer], ['mssip', 'pool.example.com', 'auto', { audio: 'sendrecv' }])
  })

  void it('answers the caller with what both ends support and bridges them when the far end answers', () => {
    const h = new NodeHarness(config)
    call(h)
    const effects = h.answer('a/out', audioOffer)
    assert.deepEqual(effects, [
      { _tag: 'CancelTimer', timer: ringTimer },
      { _tag: 'Answer', leg: 'a', answer: { audio: 'sendrecv' } },
      { _tag: 'Bridge', a: 'a', b: 'a/out' },
    ])
  })

  void it('rejects the caller with a mapped status when the far end fails, and forgets both legs', () => {
    const h = new NodeHarness(config)
    call(h)
    const effects = h.send({ _tag: 'CallFailed', leg: LegId('a/out'), status: 486, reason: 'Busy Here' })
    assert.deepEqual(effects, [
      { _tag: 'CancelTimer', timer: ringTimer },
      { _tag: 'Reject', leg: 'a', status: 486, reason: 'Busy Here' },
    ])
    assert.equal(h.state.calls.size, 0)
    assert.equal(h.state.gateways.size, 0)
  })

  void it('maps far-end failures onto the statuses Parley sends', () => {
    assert.equal(mapFailureStatus(404), 404)
    assert.equal(mapFailureStatus(604), 404)
    assert.equal(mapFailureStatus(603), 603)
    assert.equal(mapFailureStatus(500), 503)
    assert.equal(mapFailureStatus(408), 480)
    fc.assert(fc.property(fc.integer({ min: 300, max: 699 }), (s) => assert.ok([403, 404, 480, 486, 488, 503, 603].includes(mapFailureStatus(s)))))
  })

  void it('abandons the dial-out (CANCEL) when the caller gives up before the answer', () => {
    const h = new NodeHarness(config)
    call(h)
    assert.deepEqual(h.hangUp('a', 'cancel'), [
      { _tag: 'Hangup', leg: 'a/out', reason: 'the caller hung up' },
      { _tag: 'CancelTimer', timer: ringTimer },
    ])
    assert.equal(h.state.calls.size, 0)
    assert.deepEqual(h.answer('a/out'), [])
  })

  void it('hangs up the other end when either end hangs up after the bridge', () => {
    for (const [ender, other] of [
      ['a', 'a/out'],
      ['a/out', 'a'],
    ] as const) {
      const h = new NodeHarness(config)
      call(h)
      h.answer('a/out')
      assert.deepEqual(only(h.hangUp(ender), 'Hangup').map((x) => x.leg), [other])
      assert.equal(h.state.calls.size, 0)
      assert.equal(h.state.gateways.size, 0)
    }
  })

  void it('relays DTMF both ways once bridged, and not before', () => {
    const h = new NodeHarness(config)
    call(h)
    assert.deepEqual(h.keys('a', '1'), [])
    h.answer('a/out')
    assert.deepEqual(h.keys('a', '5'), [{ _tag: 'SendDtmf', leg: 'a/out', digits: '5' }])
    assert.deepEqual(h.keys('a/out', '#'), [{ _tag: 'SendDtmf', leg: 'a', digits: '#' }])
  })

  void it('relays chat only between two chat-capable ends', () => {
    const h = new NodeHarness(config)
    call(h, 'sip:room1@rooms.example.com', { ...videoOffer, chat: true }, 'mssip')
    h.answer('a/out', videoOffer)
    const toRoom = h.chat('a', 'hello')
    assert.deepEqual(only(toRoom, 'DeliverChat'), [])
    assert.deepEqual(observations(toRoom), [{ _tag: 'ChatRelayed', from: 'a', recipients: 0 }])
    // The far end sends chat itself: it takes chat from now on.
    assert.deepEqual(only(h.chat('a/out', 'hi'), 'DeliverChat').map((d) => [d.leg, d.text]), [['a', 'hi']])
    assert.deepEqual(only(h.chat('a', 'hello again'), 'DeliverChat').map((d) => [d.leg, d.from.displayName, d.text]), [['a/out', 'Ann', 'hello again']])
  })

  void it('bridges an SfB IM session to a chat-capable far end', () => {
    const h = new NodeHarness(config)
    call(h, 'sip:bob@sfb.example.com', imOffer, 'mssip')
    const answered = h.answer('a/out', imOffer)
    assert.deepEqual(only(answered, 'Answer').map((a) => a.answer), [{ chat: true }])
    assert.deepEqual(only(h.chat('a', 'hi'), 'DeliverChat').length, 1)
  })

  void it('relays content: the presenter gets the floor, the other end sees it; a new presenter takes it', () => {
    const h = new NodeHarness(config)
    call(h)
    h.answer('a/out')
    assert.deepEqual(h.send({ _tag: 'ContentRequested', leg: LegId('a') }), [
      { _tag: 'GrantFloor', leg: 'a' },
      { _tag: 'Show', leg: 'a/out', view: { _tag: 'Content', presenter: 'Ann' } },
    ])
    const taken = h.send({ _tag: 'ContentRequested', leg: LegId('a/out') })
    assert.deepEqual(taken.filter((e) => e._tag !== 'Show'), [
      { _tag: 'RevokeFloor', leg: 'a' },
      { _tag: 'GrantFloor', leg: 'a/out' },
    ])
    const released = h.send({ _tag: 'ContentReleased', leg: LegId('a/out') })
    assert.deepEqual(released, [
      { _tag: 'RevokeFloor', leg: 'a/out' },
      { _tag: 'Show', leg: 'a', view: { _tag: 'Composed', layout: 'one_main_zero_pips', participants: ['a/out'] } },
    ])
    assert.deepEqual(h.send({ _tag: 'ContentReleased', leg: LegId('a/out') }), [])
  })

  void it('passes a media change through to the other end under the ceiling', () => {
    const h = new NodeHarness(config)
    call(h, 'sip:x@audio.example.com', audioOffer)
    h.answer('a/out', audioOffer)
    assert.deepEqual(h.send({ _tag: 'MediaChanged', leg: LegId('a'), offer: videoOffer }), [
      { _tag: 'Answer', leg: 'a', answer: { audio: 'sendrecv' } },
      { _tag: 'Reoffer', leg: 'a/out', offer: { audio: 'sendrecv' } },
    ])
  })
})
