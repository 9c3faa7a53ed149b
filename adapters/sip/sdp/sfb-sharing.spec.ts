import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { contentPlanOf } from '../../media/worker/leg-plan.js'
import { negotiateAnswer } from './build-answer.js'
import type { LocalMedia } from './local-media.js'
import type { ParsedOffer } from './parsed-offer.js'
import { readOffer } from './read-offer.js'
import * as F from './sdp-fixtures.js'
import { sfbSharingOfferOf } from './sfb-sharing.js'

const offerOf = (body: string): ParsedOffer => {
  const parsed = readOffer('application/sdp', body)
  if (E.isLeft(parsed)) assert.fail(JSON.stringify(parsed.left))
  return parsed.right
}

const local = (): LocalMedia => ({
  publicHost: '192.0.2.50',
  ports: { content: 40004 },
  randomBytes: (n) => new Uint8Array(n).fill(9),
  session: { id: '4242', version: 1 },
  localUri: 'sip:meet.alice@example.com',
})

const lines = (sdp: string) => sdp.split('\r\n').filter((l) => l !== '')

void test('an SfB sharing offer: the VbSS line (label applicationsharing-video) is its content, the sharer is told by the line’s direction or the RDP role; calls and BFCP content are not sharing offers', () => {
  const sharer = sfbSharingOfferOf(offerOf(F.sfbVbssSharingOffer()))
  assert.equal(sharer?.sharer, true)
  assert.equal(sharer?.vbss?.role, 'content')
  assert.equal(sharer?.vbss?.label, 'applicationsharing-video')
  assert.deepEqual(sharer?.vbss?.codecs.map((c) => c.name).includes('H264'), true)
  assert.equal(sfbSharingOfferOf(offerOf(F.sfbVbssSharingOffer('recvonly', 'viewer')))?.sharer, false)
  // RDP only (SfB 2015): a sharing offer with nothing Parley can take.
  const rdp = sfbSharingOfferOf(offerOf(F.sfbApplicationSharingOffer))
  assert.deepEqual(rdp, { sharer: true })
  for (const call of [F.sfbAudioVideoOffer(), F.polycomBfcpOffer, F.sfbImOffer]) assert.equal(sfbSharingOfferOf(offerOf(call)), undefined)
})

void test('the answer to a VbSS share: RDP refused (port 0), the VbSS line taken as content, recvonly to a sharer and sendonly to a viewer, with its label, keys and ICE, without RFC 4796 a=content', () => {
  for (const [direction, role, answered] of [
    ['sendonly', 'sharer', 'recvonly'],
    ['recvonly', 'viewer', 'sendonly'],
  ] as const) {
    const negotiated = negotiateAnswer(offerOf(F.sfbVbssSharingOffer(direction, role)), { content: 'sendrecv' }, local())
    const answer = lines(negotiated.sdp)
    assert.deepEqual(
      answer.filter((l) => l.startsWith('m=')),
      ['m=applicationsharing 0 TCP/RTP/SAVP 127', 'm=video 40004 RTP/SAVP 123'],
    )
    const video = answer.slice(answer.indexOf('m=video 40004 RTP/SAVP 123'))
    assert.ok(video.includes('a=label:applicationsharing-video'), negotiated.sdp)
    assert.ok(video.includes(`a=${answered}`), negotiated.sdp)
    assert.ok(video.some((l) => l.startsWith('a=crypto:')) && video.some((l) => l.startsWith('a=ice-ufrag:')), negotiated.sdp)
    assert.ok(!answer.some((l) => l.startsWith('a=content:')), `no a=content for SfB: ${negotiated.sdp}`)
    assert.deepEqual(negotiated.accepted, { content: answered })
    // The worker's plan of it: plain H.264, keyed and behind ICE, on the content port.
    const plan = contentPlanOf(negotiated)
    assert.equal(plan?.codec.payloadType, 123)
    assert.equal(plan?.direction, answered)
    assert.equal(plan?.localPort, 40004)
    assert.ok(plan?.srtp !== undefined && plan.ice !== undefined, JSON.stringify(plan))
  }
})

void test('a BFCP room system’s content line still gets a=content:slides', () => {
  const negotiated = negotiateAnswer(offerOf(F.polycomBfcpOffer), { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' }, { ...local(), ports: { audio: 40000, video: 40002, content: 40004, floorControl: 40006 } })
  assert.ok(lines(negotiated.sdp).includes('a=content:slides'), negotiated.sdp)
})

/** The VbSS offer of a client that sends its screen only as X-H264UC ([MS-H264PF]), as SfB does its main video. */
const vbssOnlyXh264uc = (direction: 'sendonly' | 'recvonly', role: 'sharer' | 'viewer'): string =>
  F.sfbVbssSharingOffer(direction, role)
    .replace('m=video 50042 RTP/SAVP 122 123', 'm=video 50042 RTP/SAVP 122')
    .replace(/a=(?:rtpmap|fmtp):123 [^\r\n]*\r\n/g, '')

void test('a VbSS line offering only X-H264UC is taken with it (decision 0007), its fmtp echoed, and planned as ms-h264pf; a BFCP slides line with only X-H264UC is still refused', () => {
  for (const [direction, role, answered] of [
    ['sendonly', 'sharer', 'recvonly'],
    ['recvonly', 'viewer', 'sendonly'],
  ] as const) {
    const offer = vbssOnlyXh264uc(direction, role)
    assert.ok(!offer.includes(':123 '), offer)
    const negotiated = negotiateAnswer(offerOf(offer), { content: 'sendrecv' }, local())
    const answer = lines(negotiated.sdp)
    assert.deepEqual(answer.filter((l) => l.startsWith('m=')), ['m=applicationsharing 0 TCP/RTP/SAVP 127', 'm=video 40004 RTP/SAVP 122'])
    assert.ok(answer.includes('a=rtpmap:122 X-H264UC/90000') && answer.includes('a=fmtp:122 packetization-mode=1;mst-mode=NI-TC'), negotiated.sdp)
    assert.ok(answer.includes('a=label:applicationsharing-video') && answer.includes(`a=${answered}`), negotiated.sdp)
    assert.deepEqual(negotiated.accepted, { content: answered })
    const plan = contentPlanOf(negotiated)
    assert.equal(plan?.payloadFormat, 'ms-h264pf')
    assert.deepEqual(plan?.codec, { name: 'H264', payloadType: 122, clockRate: 90000 })
    assert.equal(plan?.packetizationMode, 1)
  }
  // Both offered: plain H.264 stays the choice (no framing needed).
  assert.equal(contentPlanOf(negotiateAnswer(offerOf(F.sfbVbssSharingOffer()), { content: 'sendrecv' }, local()))?.payloadFormat, undefined)
})
