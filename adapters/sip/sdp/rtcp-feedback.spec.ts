/**
 * `a=rtcp-fb` in Parley's answers (RFC 4585 §4.2: only what the offer listed, for the payload
 * type kept) and offers, and what each exchange tells the media side, through readOffer,
 * negotiateAnswer, buildOffer and the exchange plan.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { videoPlanOfExchange } from '../../media/worker/exchange-plan.js'
import type { NegotiatedRtp } from './build-answer.js'
import { negotiateAnswer } from './build-answer.js'
import { buildOffer } from './build-offer.js'
import type { LocalMedia } from './local-media.js'
import { readOffer } from './read-offer.js'
import { listedFeedback, rtcpFeedbackAttributes, videoRtcpRunsFor } from './rtcp-feedback.js'
import * as F from './sdp-fixtures.js'
import { everyStream as all, fixtureLocal as local, negotiateFixture as negotiate } from './testing/negotiate-fixture.js'

const videoSection = (sdp: string): string => sdp.slice(sdp.indexOf('m=video'))
const videoStream = (streams: ReturnType<typeof negotiate>['streams']): NegotiatedRtp | undefined => streams.find((s): s is NegotiatedRtp => s.kind === 'rtp' && s.role === 'video')

/** baresip's offer with its video line's `a=rtcp-fb:* nack pli` replaced by `lines`. */
const baresipWith = (...lines: ReadonlyArray<string>): string => F.baresipOffer.replace('a=rtcp-fb:* nack pli\r\n', lines.map((l) => `${l}\r\n`).join(''))

void test('baresip (a=rtcp-fb:* nack pli, rtcp-mux): the answer lists nack pli on the kept payload type, nothing it was not offered', () => {
  const negotiated = negotiate(F.baresipOffer)
  const video = videoSection(negotiated.sdp)
  assert.match(video, /a=rtcp-fb:100 nack pli\r\n/)
  assert.doesNotMatch(video, /ccm fir/)
  assert.doesNotMatch(negotiated.sdp.slice(0, negotiated.sdp.indexOf('m=video')), /rtcp-fb/, 'audio lines get none')
  assert.deepEqual(videoStream(negotiated.streams)?.rtcpFeedback, { pli: true, fir: false })
})

void test('ccm fir and nack pli for the kept payload type are both answered; lines for other payload types, trr-int and bare nack are not', () => {
  const both = negotiate(baresipWith('a=rtcp-fb:100 ccm fir', 'a=rtcp-fb:100 nack pli', 'a=rtcp-fb:* trr-int 0', 'a=rtcp-fb:100 nack'))
  assert.match(videoSection(both.sdp), /a=rtcp-fb:100 nack pli\r\na=rtcp-fb:100 ccm fir\r\n/)
  assert.equal(videoSection(both.sdp).match(/a=rtcp-fb/g)?.length, 2)
  assert.deepEqual(videoStream(both.streams)?.rtcpFeedback, { pli: true, fir: true })
  const otherPayload = negotiate(baresipWith('a=rtcp-fb:99 nack pli', 'a=rtcp-fb:99 ccm fir'))
  assert.doesNotMatch(videoSection(otherPayload.sdp), /rtcp-fb/)
  // Reports still run (RFC 3550), with no feedback.
  assert.deepEqual(videoStream(otherPayload.streams)?.rtcpFeedback, { pli: false, fir: false })
})

void test('SfB video (SDES keys, ICE, rtcp-mux) in H.264: no rtcp-fb of Parley\'s, its own x-message line left alone; the worker runs SRTCP with PLI for its x-pli ([MS-RTP] §2.2.12.1)', () => {
  const negotiated = negotiate(F.sfbAudioVideoOffer())
  assert.doesNotMatch(videoSection(negotiated.sdp), /rtcp-fb/)
  assert.deepEqual(videoStream(negotiated.streams)?.rtcpFeedback, { pli: true, fir: false })
  // Without the x-message line: reports only.
  const without = negotiate(F.sfbAudioVideoOffer().replace('a=rtcp-fb:* x-message app send:src,x-pli recv:src,x-pli\r\n', ''))
  assert.deepEqual(videoStream(without.streams)?.rtcpFeedback, { pli: false, fir: false })
  // X-H264UC only: none (its RTP is framed in the port shim).
  const xh264uc = negotiate(F.sfbMultipartBody(F.sfbAudioVideoOffer(false)), F.sfbMultipartContentType)
  assert.equal(videoStream(xh264uc.streams)?.rtcpFeedback, undefined)
})

void test('an SRTP room system (RTP/SAVP, rtcp-mux, nack pli): the answer lists nack pli and the worker runs SRTCP; without rtcp-mux, none', () => {
  const savp = baresipWith('a=rtcp-fb:* nack pli', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe').replace(/m=video (\d+) RTP\/AVP/, 'm=video $1 RTP/SAVP')
  const muxed = negotiate(savp)
  assert.match(videoSection(muxed.sdp), /a=crypto:/)
  assert.match(videoSection(muxed.sdp), /a=rtcp-fb:100 nack pli\r\n/)
  assert.deepEqual(videoStream(muxed.streams)?.rtcpFeedback, { pli: true, fir: false })
  const unmuxed = negotiate(savp.replace(/(m=video[\s\S]*?)a=rtcp-mux\r\n/, '$1'))
  assert.doesNotMatch(videoSection(unmuxed.sdp), /rtcp-fb/)
  assert.equal(videoStream(unmuxed.streams)?.rtcpFeedback, undefined)
})

void test('the worker runs RTCP on plain RTP video, on SRTP muxed, not on X-H264UC, and under ICE only muxed', () => {
  assert.equal(videoRtcpRunsFor({ codecName: 'H264', secure: false, rtcpMux: false, ice: false }), true)
  assert.equal(videoRtcpRunsFor({ codecName: 'H264', secure: true, rtcpMux: true, ice: true }), true)
  assert.equal(videoRtcpRunsFor({ codecName: 'H264', secure: true, rtcpMux: false, ice: false }), false)
  assert.equal(videoRtcpRunsFor({ codecName: 'X-H264UC', secure: false, rtcpMux: true, ice: false }), false)
  assert.equal(videoRtcpRunsFor({ codecName: 'H264', secure: false, rtcpMux: true, ice: true }), true)
  assert.equal(videoRtcpRunsFor({ codecName: 'H264', secure: false, rtcpMux: false, ice: true }), false)
  assert.deepEqual(listedFeedback(undefined, 96), { pli: false, fir: false })
  assert.deepEqual(rtcpFeedbackAttributes(96, { pli: false, fir: false }), {})
})

const farEnd: LocalMedia = { ...local, publicHost: '198.51.100.9', ports: { audio: 5004, video: 5006 }, localUri: 'sip:far@example.net' }

const offered = (dialect: 'sip' | 'mssip') => {
  const offer = buildOffer({ _tag: 'Initial', dialect, media: { audio: 'sendrecv', video: 'sendrecv' }, local })
  if (E.isLeft(offer)) assert.fail(JSON.stringify(offer.left))
  return offer.right
}

void test('Parley\'s offers list nack pli and ccm fir on each plain H.264 format of a plain RTP video line; none towards SfB (SRTP, ICE, X-H264UC)', () => {
  const sip = videoSection(offered('sip'))
  const h264 = [...sip.matchAll(/a=rtpmap:(\d+) H264\/90000/g)].map((m) => m[1])
  assert.ok(h264.length > 0)
  for (const pt of h264) {
    assert.match(sip, new RegExp(`a=rtcp-fb:${pt} nack pli\r\n`))
    assert.match(sip, new RegExp(`a=rtcp-fb:${pt} ccm fir\r\n`))
  }
  assert.doesNotMatch(videoSection(offered('mssip')), /rtcp-fb/)
})

void test('an exchange Parley offered: the plan runs what both listed, on the far end\'s RTCP port (Parley offers no rtcp-mux)', () => {
  const read = (sdp: string) => {
    const parsed = readOffer('application/sdp', sdp)
    if (E.isLeft(parsed)) assert.fail(JSON.stringify(parsed.left))
    return parsed.right
  }
  const ours = read(offered('sip'))
  const answer = negotiateAnswer(ours, all, farEnd).sdp
  assert.match(videoSection(answer), /a=rtcp-fb:\d+ nack pli\r\na=rtcp-fb:\d+ ccm fir\r\n/)
  assert.deepEqual(videoPlanOfExchange(ours, read(answer))?.rtcp, { mux: false, pli: true, fir: true, remotePort: 5007 })
  // An answer that lists only PLI, and one that lists none (reports only).
  assert.deepEqual(videoPlanOfExchange(ours, read(answer.replace(/a=rtcp-fb:\d+ ccm fir\r\n/, '')))?.rtcp, { mux: false, pli: true, fir: false, remotePort: 5007 })
  assert.deepEqual(videoPlanOfExchange(ours, read(answer.replace(/a=rtcp-fb:[^\r]*\r\n/g, '')))?.rtcp, { mux: false, pli: false, fir: false, remotePort: 5007 })
})
