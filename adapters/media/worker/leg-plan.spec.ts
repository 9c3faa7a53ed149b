import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { negotiateAnswer } from '../../sip/sdp/build-answer.js'
import type { LocalMedia } from '../../sip/sdp/local-media.js'
import { readOffer } from '../../sip/sdp/read-offer.js'
import * as F from '../../sip/sdp/sdp-fixtures.js'
import { audioPlanOf, contentPlanOf, videoPlanOf } from './leg-plan.js'
import { AudioStreamPlan, LegPlan, VideoStreamPlan } from './worker-protocol.js'
import { everyStream as all, fixtureLocal as local, negotiateFixture as answer } from '../../sip/sdp/testing/negotiate-fixture.js'

void test('SIPp PCMU: codec, far end, Parley’s port; the plan is what the worker protocol accepts', () => {
  const plan = audioPlanOf(answer(F.sippPcmuOffer))
  assert.ok(plan !== undefined)
  assert.deepEqual(plan.codec, { name: 'PCMU', payloadType: 0, clockRate: 8000 })
  assert.equal(plan.localPort, 40000)
  assert.equal(plan.direction, 'sendrecv')
  assert.ok(E.isRight(AudioStreamPlan.decode(plan)))
})

void test('baresip Opus with telephone-event; SfB G.722 with SDES keys and ICE', () => {
  const opus = audioPlanOf(answer(F.baresipOffer))
  assert.equal(opus?.codec.name, 'opus')
  // baresip offers telephone-event/8000 beside Opus; the event keeps its own clock.
  assert.deepEqual(opus?.telephoneEvent, { payloadType: 101, clockRate: 8000 })
  const sfb = audioPlanOf(answer(F.sfbMultipartBody(), F.sfbMultipartContentType))
  assert.equal(sfb?.codec.name, 'G722')
  assert.deepEqual(sfb?.telephoneEvent, { payloadType: 101, clockRate: 8000 })
  assert.equal(sfb?.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80')
  assert.equal(sfb?.srtp?.remoteKey, 'WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe')
  assert.equal(sfb?.ice?.remoteUfrag, 'tlMR')
  assert.ok(E.isRight(AudioStreamPlan.decode(sfb)))
})

void test('no accepted audio, no plan', () => {
  const offer = readOffer('application/sdp', F.sfbImOffer)
  if (E.isLeft(offer)) assert.fail('fixture')
  assert.equal(audioPlanOf(negotiateAnswer(offer.right, { chat: true }, local)), undefined)
})

void test('video: baresip H.264 in packetization mode 0, SfB plain H.264 in mode 1 (X-H264UC is not H.264); none without video', () => {
  const baresip = videoPlanOf(answer(F.baresipOffer))
  assert.deepEqual(baresip, {
    codec: { name: 'H264', payloadType: 100, clockRate: 90000 },
    packetizationMode: 0,
    remote: { address: '192.0.2.20', port: 10002 },
    direction: 'sendrecv',
    localPort: 40002,
    // RTCP muxed as offered (a=rtcp-mux), PLI as offered (a=rtcp-fb:* nack pli): rtcp-feedback.ts.
    rtcp: { mux: true, pli: true, fir: false },
  })
  assert.ok(E.isRight(VideoStreamPlan.decode(baresip)))
  // SfB's plain H.264 (SRTP, rtcp-mux): SRTCP muxed, PLI for its x-message x-pli (rtcp-feedback.ts).
  assert.deepEqual(videoPlanOf(answer(F.sfbAudioVideoOffer()))?.rtcp, { mux: true, pli: true, fir: false })
  const sfb = videoPlanOf(answer(F.sfbAudioVideoOffer()))
  assert.equal(sfb?.codec.payloadType, 123)
  assert.equal(sfb?.packetizationMode, 1)
  assert.ok(sfb?.srtp !== undefined)
  assert.ok(E.isRight(VideoStreamPlan.decode(sfb)))
  assert.equal(videoPlanOf(answer(F.sippPcmuOffer)), undefined)
})

void test('video: an SfB client offering X-H264UC only gets an H.264 plan in mode 1 with the [MS-H264PF] framing; plain H.264 plans have none', () => {
  const sfb = videoPlanOf(answer(F.sfbMultipartBody(F.sfbAudioVideoOffer(false)), F.sfbMultipartContentType))
  assert.equal(sfb?.payloadFormat, 'ms-h264pf')
  // X-H264UC runs no RTCP: its RTP is framed in the port shim.
  assert.equal(sfb?.rtcp, undefined)
  assert.deepEqual(sfb?.codec, { name: 'H264', payloadType: 122, clockRate: 90000 })
  assert.equal(sfb?.packetizationMode, 1)
  assert.equal(sfb?.srtp?.remoteKey, 'Yk3+JfD0s9Lq2mN8vB7cX6zA5wE4rT1uI0oP9lKj')
  assert.ok(E.isRight(VideoStreamPlan.decode(sfb)))
  assert.equal(videoPlanOf(answer(F.sfbAudioVideoOffer()))?.payloadFormat, undefined)
  assert.ok(E.isLeft(VideoStreamPlan.decode({ ...sfb, payloadFormat: 'rfc6190' })))
})

void test('content: a Polycom room system’s second video (a=content:slides, H.264) on Parley’s content port, beside its main video', () => {
  const withContent: LocalMedia = { ...local, ports: { ...local.ports, content: 40004 } }
  const offer = readOffer('application/sdp', F.polycomBfcpOffer)
  if (E.isLeft(offer)) assert.fail(JSON.stringify(offer.left))
  const negotiated = negotiateAnswer(offer.right, { ...all, content: 'sendrecv' }, withContent)
  const content = contentPlanOf(negotiated)
  assert.deepEqual(content, {
    codec: { name: 'H264', payloadType: 109, clockRate: 90000 },
    packetizationMode: 0,
    remote: { address: '192.0.2.113', port: 49430 },
    direction: 'sendrecv',
    localPort: 40004,
    // Reports only (no a=rtcp-fb offered), on the far end's RTCP port (RTP + 1: no a=rtcp-mux).
    rtcp: { mux: false, pli: false, fir: false, remotePort: 49431 },
  })
  assert.ok(E.isRight(VideoStreamPlan.decode(content)))
  assert.equal(videoPlanOf(negotiated)?.remote.port, 49428, 'the main video stays the first video m-line')
  assert.ok(E.isRight(LegPlan.decode({ leg: 'l', video: videoPlanOf(negotiated), content })))
  // Content not accepted (no content in the answer): no plan.
  assert.equal(contentPlanOf(negotiateAnswer(offer.right, all, withContent)), undefined)
  assert.equal(contentPlanOf(answer(F.baresipOffer)), undefined)
})
