import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { Direction, MediaAnswer } from '../../../core/model/call.js'
import { codecOf } from './codecs.js'
import { answerDirection, buildAnswer, negotiateAnswer } from './build-answer.js'
import type { NegotiatedRtp, NegotiatedStream } from './build-answer.js'
import type { LocalMedia } from './local-media.js'
import { parseSdp } from './parse-sdp.js'
import type { ParsedOffer } from './parsed-offer.js'
import { readOffer } from './read-offer.js'
import * as F from './sdp-fixtures.js'

/** Deterministic "random" bytes: 0, 1, 2, … so that answers can be compared as text. */
const countingBytes = (): ((n: number) => Uint8Array) => {
  let next = 0
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff)
}

const localMedia = (overrides: Partial<LocalMedia> = {}): LocalMedia => ({
  publicHost: '192.0.2.50',
  ports: { audio: 40000, video: 40002, content: 40004, floorControl: 40006 },
  randomBytes: countingBytes(),
  session: { id: '4242', version: 1 },
  localUri: 'sip:meet.alice@example.com',
  ...overrides,
})

const offerOf = (body: string, contentType = 'application/sdp'): ParsedOffer => {
  const parsed = readOffer(contentType, body)
  if (E.isLeft(parsed)) assert.fail(JSON.stringify(parsed.left))
  return parsed.right
}

const everything: MediaAnswer = { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv', chat: true }

const lines = (sdp: string) => sdp.split('\r\n').filter((l) => l !== '')
const mLines = (sdp: string) => lines(sdp).filter((l) => l.startsWith('m='))

const rtpAt = (streams: ReadonlyArray<NegotiatedStream>, index: number): NegotiatedRtp => {
  const s = streams[index]
  assert.ok(s !== undefined && s.kind === 'rtp', `stream ${index} accepted: ${JSON.stringify(s)}`)
  return s
}

/** The answer to an SfB 2015 audio+video call (also the example in the work report). */
const expectedSfbAnswer = [
  'v=0',
  'o=- 4242 1 IN IP4 192.0.2.50',
  's=Parley',
  'c=IN IP4 192.0.2.50',
  't=0 0',
  'a=ice-lite',
  'm=audio 40000 RTP/SAVP 9 101',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:GBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1|2^31',
  'a=sendrecv',
  'a=ice-ufrag:AAECAwQF',
  'a=ice-pwd:BgcICQoLDA0ODxAREhMUFRYX',
  'a=candidate:1 1 UDP 2130706431 192.0.2.50 40000 typ host',
  'a=rtcp-mux',
  'a=label:main-audio',
  'm=video 40002 RTP/SAVP 123',
  'a=rtpmap:123 H264/90000',
  'a=fmtp:123 profile-level-id=42C02A;packetization-mode=1',
  'a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJT|2^31',
  'a=sendrecv',
  'a=ice-ufrag:AAECAwQF',
  'a=ice-pwd:BgcICQoLDA0ODxAREhMUFRYX',
  'a=candidate:1 1 UDP 2130706431 192.0.2.50 40002 typ host',
  'a=rtcp-mux',
  'a=label:main-video',
  '',
].join('\r\n')

void test('SfB 2015 audio+video: the whole answer', () => {
  const offer = offerOf(F.sfbMultipartBody(), F.sfbMultipartContentType)
  const answer = negotiateAnswer(offer, { audio: 'sendrecv', video: 'sendrecv' }, localMedia())
  assert.equal(answer.sdp, expectedSfbAnswer)
  assert.deepEqual(answer.accepted, { audio: 'sendrecv', video: 'sendrecv' })
  const audio = rtpAt(answer.streams, 0)
  assert.equal(audio.srtp?.remote.tag, 3)
  assert.equal(audio.srtp?.remote.key, 'WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe')
  assert.equal(audio.ice?.remote.ufrag, 'tlMR')
  assert.deepEqual(audio.telephoneEvent, { payloadType: 101, clockRate: 8000, events: '0-15' })
  // The answer reads back as an offer would: same streams, same roles.
  const reread = parseSdp(answer.sdp)
  assert.ok(E.isRight(reread))
  assert.deepEqual(reread.right.media, { audio: true, video: true, content: false, chat: false })
})

void test('an SfB client that offers X-H264UC and RTVideo only: main video answered with X-H264UC, its fmtp echoed ([MS-SDPEXT], [MS-H264PF])', () => {
  const offer = offerOf(F.sfbMultipartBody(F.sfbAudioVideoOffer(false)), F.sfbMultipartContentType)
  const answer = negotiateAnswer(offer, { audio: 'sendrecv', video: 'sendrecv' }, localMedia())
  const video = lines(answer.sdp).slice(lines(answer.sdp).indexOf('m=video 40002 RTP/SAVP 122'))
  assert.deepEqual(mLines(answer.sdp), ['m=audio 40000 RTP/SAVP 9 101', 'm=video 40002 RTP/SAVP 122'])
  assert.deepEqual(video.slice(0, 3), ['m=video 40002 RTP/SAVP 122', 'a=rtpmap:122 X-H264UC/90000', 'a=fmtp:122 packetization-mode=1;mst-mode=NI-TC'])
  for (const attribute of ['a=sendrecv', 'a=rtcp-mux', 'a=label:main-video', 'a=candidate:1 1 UDP 2130706431 192.0.2.50 40002 typ host']) assert.ok(video.includes(attribute), `${attribute} in ${video.join(' | ')}`)
  assert.ok(video.some((l) => l.startsWith('a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:')))
  const stream = rtpAt(answer.streams, 1)
  assert.equal(stream.codec.name, 'X-H264UC')
  assert.equal(stream.srtp?.remote.key, 'Yk3+JfD0s9Lq2mN8vB7cX6zA5wE4rT1uI0oP9lKj')
  assert.equal(stream.ice?.remote.ufrag, 'R3PS')
  assert.deepEqual(answer.accepted, { audio: 'sendrecv', video: 'sendrecv' })
})

void test('a node whose codecs leave out X-H264UC leaves that SfB video at port 0 with its formats', () => {
  const offer = offerOf(F.sfbMultipartBody(F.sfbAudioVideoOffer(false)), F.sfbMultipartContentType)
  const answer = negotiateAnswer(offer, { audio: 'sendrecv', video: 'sendrecv' }, localMedia({ codecs: ['G722', 'PCMU', 'PCMA', 'H264'] }))
  assert.deepEqual(mLines(answer.sdp), ['m=audio 40000 RTP/SAVP 9 101', 'm=video 0 RTP/SAVP 122 121 124'])
  assert.deepEqual(answer.streams[1], { kind: 'rejected', index: 1, reason: 'no-common-codec' })
  assert.deepEqual(answer.accepted, { audio: 'sendrecv' })
})

void test('X-H264UC is taken in packetization mode 1 only, and not for a content stream', () => {
  assert.equal(codecOf({ payloadType: 122, encoding: 'X-H264UC', clockRate: 90000 }, 'packetization-mode=1;mst-mode=NI-TC'), 'X-H264UC')
  assert.equal(codecOf({ payloadType: 122, encoding: 'x-h264uc', clockRate: 90000 }, 'packetization-mode=0'), undefined)
  assert.equal(codecOf({ payloadType: 122, encoding: 'X-H264UC', clockRate: 90000 }, undefined), undefined)
  const content = [
    'v=0', 'o=- 1 1 IN IP4 192.0.2.9', 's=-', 'c=IN IP4 192.0.2.9', 't=0 0',
    'm=video 5000 RTP/AVP 122', 'a=rtpmap:122 X-H264UC/90000', 'a=fmtp:122 packetization-mode=1;mst-mode=NI-TC', 'a=content:slides', '',
  ].join('\r\n')
  const answer = negotiateAnswer(offerOf(content), { content: 'sendrecv' }, localMedia())
  assert.deepEqual(answer.streams[0], { kind: 'rejected', index: 0, reason: 'no-common-codec' })
})

void test('SfB RTP/AVP with keys is answered RTP/AVP with a key', () => {
  const answer = buildAnswer(offerOf(F.sfbAudioOnlyAvpOffer), { audio: 'sendrecv' }, localMedia())
  assert.deepEqual(mLines(answer), ['m=audio 40000 RTP/AVP 9 101'])
  assert.ok(lines(answer).some((l) => l.startsWith('a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:')))
})

void test('directions: Parley sends only what the offerer receives, receives only what it sends', () => {
  const all: ReadonlyArray<Direction> = ['sendrecv', 'sendonly', 'recvonly', 'inactive']
  const expected: Readonly<Record<Direction, Readonly<Record<Direction, Direction>>>> = {
    sendrecv: { sendrecv: 'sendrecv', sendonly: 'sendonly', recvonly: 'recvonly', inactive: 'inactive' },
    sendonly: { sendrecv: 'recvonly', sendonly: 'inactive', recvonly: 'recvonly', inactive: 'inactive' },
    recvonly: { sendrecv: 'sendonly', sendonly: 'sendonly', recvonly: 'inactive', inactive: 'inactive' },
    inactive: { sendrecv: 'inactive', sendonly: 'inactive', recvonly: 'inactive', inactive: 'inactive' },
  }
  for (const offered of all) for (const wanted of all) assert.equal(answerDirection(offered, wanted), expected[offered][wanted], `${offered} × ${wanted}`)
  const hold = offerOf(F.sippPcmuOffer.replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/8000\r\na=sendonly'))
  assert.ok(lines(buildAnswer(hold, { audio: 'sendrecv' }, localMedia())).includes('a=recvonly'))
})

void test('SIPp and baresip: the offerer’s preferred codec, telephone-event with its payload type', () => {
  assert.deepEqual(mLines(buildAnswer(offerOf(F.sippPcmuOffer), everything, localMedia())), ['m=audio 40000 RTP/AVP 0'])
  const baresip = negotiateAnswer(offerOf(F.baresipOffer), everything, localMedia())
  assert.deepEqual(mLines(baresip.sdp), ['m=audio 40000 RTP/AVP 96 101', 'm=video 40002 RTP/AVP 100'])
  assert.ok(lines(baresip.sdp).includes('a=rtpmap:96 opus/48000/2'))
  assert.ok(lines(baresip.sdp).includes('a=fmtp:96 useinbandfec=1'))
  assert.ok(lines(baresip.sdp).includes('a=fmtp:100 packetization-mode=0;profile-level-id=42e01f'))
  assert.equal(lines(baresip.sdp).filter((l) => l === 'a=rtcp-mux').length, 2)
  assert.equal(lines(baresip.sdp).some((l) => l.startsWith('a=crypto') || l.startsWith('a=ice')), false)
  const onlyPcma = buildAnswer(offerOf(F.baresipOffer), everything, localMedia({ codecs: ['PCMA'] }))
  assert.deepEqual(mLines(onlyPcma), ['m=audio 40000 RTP/AVP 8 101', 'm=video 0 RTP/AVP 100'])
})

void test('streams the core does not want, or has no port for, are rejected', () => {
  const answer = negotiateAnswer(offerOf(F.baresipOffer), { audio: 'sendrecv' }, localMedia({ ports: {} }))
  assert.deepEqual(answer.streams, [
    { kind: 'rejected', index: 0, reason: 'no-local-port' },
    { kind: 'rejected', index: 1, reason: 'not-wanted' },
  ])
  assert.deepEqual(mLines(answer.sdp), ['m=audio 0 RTP/AVP 96 9 0 8 101', 'm=video 0 RTP/AVP 100'])
})

void test('SfB IM: m=message with Parley’s URI and accept-types, or port 0 without chat', () => {
  const im = offerOf(F.sfbImOffer)
  const answer = buildAnswer(im, { chat: true }, localMedia())
  assert.deepEqual(lines(answer).slice(-2), ['m=message 5060 sip sip:meet.alice@example.com', 'a=accept-types:text/plain multipart/alternative text/html text/rtf'])
  assert.deepEqual(mLines(buildAnswer(im, {}, localMedia())), ['m=message 0 sip null'])
  assert.throws(() => buildAnswer(im, { chat: true }, localMedia({ localUri: 'sip:a b@example.com' })))
})

void test('Polycom TCP/BFCP: Parley is floor control server, listening, the floor bound to the content label', () => {
  const answer = negotiateAnswer(offerOf(F.polycomBfcpOffer), everything, localMedia({ floorControl: { conferenceId: 7, userId: 3, floorId: 2 } }))
  const text = lines(answer.sdp)
  assert.deepEqual(mLines(answer.sdp), ['m=audio 40000 RTP/AVP 9 101', 'm=video 40002 RTP/AVP 109', 'm=application 40006 TCP/BFCP *', 'm=video 40004 RTP/AVP 109', 'm=application 0 RTP/AVP 100'])
  for (const l of ['a=floorctrl:s-only', 'a=confid:7', 'a=userid:3', 'a=floorid:2 mstrm:3', 'a=setup:passive', 'a=connection:new', 'a=content:slides', 'a=label:3', 'a=content:main']) {
    assert.ok(text.includes(l), l)
  }
  assert.deepEqual(answer.accepted, { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' })
  const floor = answer.streams[2]
  assert.ok(floor?.kind === 'floor-control' && floor.setup === 'passive' && floor.contentLabel === '3')
})

void test('BFCP follows the content stream and RFC 4145 roles', () => {
  const noContent = negotiateAnswer(offerOf(F.polycomBfcpOffer), { audio: 'sendrecv', video: 'sendrecv' }, localMedia())
  assert.deepEqual(noContent.streams[2], { kind: 'rejected', index: 2, reason: 'content-not-accepted' })
  const passiveOfferer = offerOf(F.polycomBfcpOffer.replace('a=setup:actpass', 'a=setup:passive'))
  const active = negotiateAnswer(passiveOfferer, everything, localMedia())
  assert.ok(mLines(active.sdp).includes('m=application 9 TCP/BFCP *'))
  assert.ok(lines(active.sdp).includes('a=setup:active'))
  const tls = offerOf(F.polycomBfcpOffer.replace('TCP/BFCP', 'TCP/TLS/BFCP'))
  assert.deepEqual(negotiateAnswer(tls, everything, localMedia()).streams[2], { kind: 'rejected', index: 2, reason: 'no-local-fingerprint' })
  const withFingerprint = buildAnswer(tls, everything, localMedia({ fingerprint: { algorithm: 'sha-256', value: 'AB:CD:EF' } }))
  assert.ok(lines(withFingerprint).includes('a=fingerprint:sha-256 AB:CD:EF'))
  const serverOnly = negotiateAnswer(offerOf(F.polycomServerOnlyBfcpOffer), everything, localMedia())
  assert.deepEqual(serverOnly.streams[2], { kind: 'rejected', index: 2, reason: 'offerer-insists-on-floor-control' })
  assert.equal(serverOnly.accepted.content, 'sendrecv')
})

void test('Cisco UDP/BFCP: no TCP setup, BFCP version 2, telephone-event keeps PT 100', () => {
  const text = lines(buildAnswer(offerOf(F.tandbergUdpBfcpOffer), everything, localMedia()))
  assert.ok(text.includes('m=audio 40000 RTP/AVP 8 100'))
  assert.ok(text.includes('a=bfcpver:2'))
  assert.ok(text.includes('a=floorid:1 mstrm:12'))
  assert.equal(text.some((l) => l.startsWith('a=setup')), false)
})

void test('a content stream without a label gets one no other stream uses', () => {
  const offer = offerOf(
    ['v=0', 'o=- 1 1 IN IP4 192.0.2.9', 's=-', 'c=IN IP4 192.0.2.9', 't=0 0', 'm=video 5000 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=label:1', 'm=video 5002 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=content:slides', 'm=application 5004 TCP/BFCP *', 'a=floorctrl:c-only', ''].join('\r\n'),
  )
  const text = lines(buildAnswer(offer, everything, localMedia()))
  assert.ok(text.includes('a=label:2'))
  assert.ok(text.includes('a=floorid:1 mstrm:2'))
})

void test('ICE only with an offer that has it, an IP to announce, and given credentials kept', () => {
  const sfb = offerOf(F.sfbAudioOnlyAvpOffer)
  const named = buildAnswer(sfb, { audio: 'sendrecv' }, localMedia({ publicHost: 'parley.example.com' }))
  assert.equal(lines(named).some((l) => l.startsWith('a=ice') || l.startsWith('a=candidate')), false)
  assert.ok(lines(named).includes('c=IN IP4 parley.example.com'))
  const given = buildAnswer(sfb, { audio: 'sendrecv' }, localMedia({ iceCredentials: { ufrag: 'Pq9x', pwd: 'abcdefghijklmnopqrstuvwx' } }))
  assert.ok(lines(given).includes('a=ice-ufrag:Pq9x'))
  const noMux = offerOf(F.sfbAudioOnlyAvpOffer.replace('a=rtcp-mux\r\n', ''))
  const twoComponents = lines(buildAnswer(noMux, { audio: 'sendrecv' }, localMedia()))
  assert.ok(twoComponents.includes('a=candidate:1 2 UDP 2130706430 192.0.2.50 40001 typ host'))
  assert.equal(twoComponents.includes('a=rtcp-mux'), false)
  const v6 = lines(buildAnswer(offerOf(F.baresipSrtpIpv6Offer), everything, localMedia({ publicHost: '2001:db8::50' })))
  assert.ok(v6.includes('c=IN IP6 2001:db8::50'))
  assert.ok(v6.includes('o=- 4242 1 IN IP6 2001:db8::50'))
  // Offered _32 first: Parley still takes _80, the suite every SRTP endpoint runs (crypto-choice.ts).
  assert.ok(v6.some((l) => l.startsWith('a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:')))
})

void test('SfB RDP sharing is answered with port 0 (a later part of the product)', () => {
  const answer = negotiateAnswer(offerOf(F.sfbApplicationSharingOffer), everything, localMedia())
  assert.deepEqual(mLines(answer.sdp), ['m=applicationsharing 0 TCP/RTP/SAVP 127'])
  assert.deepEqual(answer.streams, [{ kind: 'rejected', index: 0, reason: 'unsupported-media' }])
})

void test('the answer never depends on anything but its inputs', () => {
  fc.assert(
    fc.property(fc.constantFrom(F.sfbAudioVideoOffer(), F.polycomBfcpOffer, F.baresipOffer, F.tandbergUdpBfcpOffer, F.sfbImOffer), (body) => {
      const offer = offerOf(body)
      assert.equal(buildAnswer(offer, everything, localMedia()), buildAnswer(offer, everything, localMedia()))
    }),
    { numRuns: 20 },
  )
})
