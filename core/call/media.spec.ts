import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { CallType, MediaOffer, RuleCallType } from '../model/call.js'
import { makeVmr } from '../node/node-harness.js'
import { answerUnder, commonMedia, narrowCallType, offerUnder, participantMediaIn } from './media.js'

const offerArb: fc.Arbitrary<MediaOffer> = fc.record({ audio: fc.boolean(), video: fc.boolean(), content: fc.boolean(), chat: fc.boolean() })
const ceilingArb: fc.Arbitrary<RuleCallType> = fc.constantFrom('audio', 'video-only', 'video', 'auto')
const callTypeArb: fc.Arbitrary<CallType> = fc.constantFrom('audio', 'video-only', 'video')

void describe('media under a ceiling (PROTOCOLS 3.7, 3.10)', () => {
  void it('answers only what was offered, and never above the ceiling', () => {
    fc.assert(
      fc.property(offerArb, ceilingArb, (offer, ceiling) => {
        const a = answerUnder(offer, ceiling)
        assert.equal(a.audio !== undefined, offer.audio)
        assert.equal(a.video !== undefined, offer.video && ceiling !== 'audio')
        assert.equal(a.content !== undefined, offer.content && (ceiling === 'video' || ceiling === 'auto'))
        assert.equal(a.chat === true, offer.chat)
      }),
    )
  })

  void it('narrows ceilings to the lower one; auto is no ceiling', () => {
    assert.equal(narrowCallType('video', 'audio'), 'audio')
    assert.equal(narrowCallType('video-only', 'video'), 'video-only')
    assert.equal(narrowCallType('audio', 'auto'), 'audio')
    fc.assert(fc.property(callTypeArb, callTypeArb, (a, b) => assert.equal(narrowCallType(a, b), narrowCallType(b, a))))
  })

  void it('offers audio always, video and presentation as the ceiling allows', () => {
    assert.deepEqual(offerUnder('audio'), { audio: 'sendrecv' })
    assert.deepEqual(offerUnder('video-only'), { audio: 'sendrecv', video: 'sendrecv' })
    assert.deepEqual(offerUnder('video'), { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' })
  })

  void it('bridges only what both ends have', () => {
    fc.assert(
      fc.property(offerArb, offerArb, ceilingArb, (a, b, ceiling) => {
        const m = commonMedia(a, b, ceiling)
        if (m.video !== undefined) assert.ok(a.video && b.video)
        if (m.audio !== undefined) assert.ok(a.audio && b.audio)
        if (m.chat === true) assert.ok(a.chat && b.chat)
      }),
    )
  })

  void it('gives an audio-only leg room video only in a room VMR whose ceiling has video', () => {
    const audioOnly: MediaOffer = { audio: true, video: false, content: false, chat: false }
    assert.deepEqual(participantMediaIn(makeVmr('1'), audioOnly), { sendsVideo: false, receivesVideo: true })
    assert.deepEqual(participantMediaIn(makeVmr('1', { audioOnlyView: 'avatar' }), audioOnly), { sendsVideo: false, receivesVideo: false })
    assert.deepEqual(participantMediaIn(makeVmr('1', { callType: 'audio' }), audioOnly), { sendsVideo: false, receivesVideo: false })
  })
})
