import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type { FloorControlStream, MessageStream, OfferedStream, ParsedOffer, RtpStream } from './parsed-offer.js'
import { readOffer } from './read-offer.js'
import * as F from './sdp-fixtures.js'

const read = (contentType: string, body: string | Uint8Array): ParsedOffer => {
  const parsed = readOffer(contentType, body)
  if (E.isLeft(parsed)) assert.fail(`expected an offer, got ${JSON.stringify(parsed.left)}`)
  return parsed.right
}

const rtp = (offer: ParsedOffer, index: number): RtpStream => {
  const s = offer.streams[index]
  assert.ok(s !== undefined && s.kind === 'rtp', `m-line ${index} is RTP`)
  return s
}

const errorTag = (contentType: string, body: string | Uint8Array): string => {
  const parsed = readOffer(contentType, body)
  return E.isLeft(parsed) ? parsed.left._tag : 'Right'
}

const sdp = (...lines: ReadonlyArray<string>) => `${lines.join('\r\n')}\r\n`
const head = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0']

void test('SfB 2015 multipart/alternative: the RFC 5245 variant is read, with what the answer needs', () => {
  const offer = read(F.sfbMultipartContentType, F.sfbMultipartBody())
  assert.equal(offer.variants, 2)
  assert.match(offer.sdp, /a=ice-ufrag:tlMR/)
  assert.deepEqual(offer.media, { audio: true, video: true, content: false, chat: false })
  const audio = rtp(offer, 0)
  assert.equal(audio.role, 'audio')
  assert.equal(audio.secure, true)
  // SILK, x-msrta, SIREN, G.722.1, G722/8000/2, RED and CN are not Parley's; telephone-event 101 is.
  assert.deepEqual(audio.codecs.map((c) => [c.name, c.payloadType]), [['G722', 9], ['PCMU', 0], ['PCMA', 8]])
  assert.deepEqual(audio.telephoneEvents, [{ payloadType: 101, clockRate: 8000, events: '0-15' }])
  // a=cryptoscale:1 is SfB's own; crypto 2 has an MKI, 3 has none.
  assert.deepEqual(audio.crypto.map((c) => [c.tag, c.suite, c.lifetime, c.mki]), [[2, 'AES_CM_128_HMAC_SHA1_80', '2^31', '1:1'], [3, 'AES_CM_128_HMAC_SHA1_80', '2^31', undefined]])
  assert.equal(audio.ice?.ufrag, 'tlMR')
  assert.equal(audio.ice?.pwd, 'FuwpNRsfT4UaOKa0ivlnB0n4')
  assert.deepEqual([...new Set(audio.ice?.candidates.map((c) => c.transport))], ['UDP', 'TCP-PASS', 'TCP-ACT'])
  assert.ok(audio.ice?.candidates.some((c) => c.address === '2001:db8:5ef5:79fd::7cf9'), 'a=x-candidate-ipv6 is a candidate')
  assert.equal(audio.rtcpMux, true)
  assert.equal(audio.label, 'main-audio')
  assert.deepEqual(audio.remote, { ipVersion: 4, address: '10.0.10.21', port: 50052, rtcpPort: 50053 })
  const video = rtp(offer, 1)
  assert.equal(video.role, 'video')
  assert.deepEqual(video.codecs.map((c) => [c.name, c.payloadType, c.fmtp]), [
    ['X-H264UC', 122, 'packetization-mode=1;mst-mode=NI-TC'],
    ['H264', 123, 'profile-level-id=42C02A;packetization-mode=1'],
  ])
})

void test('an SfB offer whose video is X-H264UC/RTVideo only: X-H264UC is video Parley can take (RTVideo is not)', () => {
  const offer = read(F.sfbMultipartContentType, F.sfbMultipartBody(F.sfbAudioVideoOffer(false)))
  assert.deepEqual(offer.media, { audio: true, video: true, content: false, chat: false })
  assert.equal(rtp(offer, 1).unusable, undefined)
  assert.equal(rtp(offer, 1).primary, true)
  assert.deepEqual(rtp(offer, 1).codecs.map((c) => [c.name, c.payloadType]), [['X-H264UC', 122]])
})

void test('SfB with encryption supported: RTP/AVP with SDES keys', () => {
  const audio = rtp(read('application/sdp', F.sfbAudioOnlyAvpOffer), 0)
  assert.equal(audio.secure, false)
  assert.equal(audio.crypto.length, 2)
  assert.equal(audio.unusable, undefined)
})

const multipart = (parts: ReadonlyArray<readonly [string, string]>) =>
  [...parts.flatMap(([disposition, body]) => ['--B', 'Content-Type: application/sdp', ...(disposition === '' ? [] : [`Content-Disposition: ${disposition}`]), '', body]), '--B--', ''].join('\r\n')

void test('choosing among SDP variants: answerable, then secured, then not the 2007 fallback, then the later', () => {
  const plainAudio = sdp(...head, 'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000')
  const securedAudio = sdp(...head, 'm=audio 4002 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe')
  const unusableSecured = sdp(...head, 'm=audio 4004 RTP/SAVP 0', 'a=crypto:1 AEAD_AES_256_GCM inline:abc')
  const audioVideo = sdp(...head, 'm=audio 4006 RTP/AVP 0', 'm=video 4008 RTP/AVP 96', 'a=rtpmap:96 H264/90000')
  const port = (offer: ParsedOffer) => offer.streams[0]?.port
  assert.equal(port(read('multipart/alternative; boundary=B', multipart([['', plainAudio], ['', unusableSecured]]))), 4000)
  assert.equal(port(read('multipart/alternative; boundary=B', multipart([['', audioVideo], ['', securedAudio]]))), 4006)
  assert.equal(port(read('multipart/alternative; boundary=B', multipart([['', securedAudio], ['', plainAudio]]))), 4002)
  assert.equal(port(read('multipart/alternative; boundary=B', multipart([['', plainAudio], ['session; ms-proxy-2007fallback', plainAudio.replace('4000', '4010')]]))), 4000)
  assert.equal(port(read('multipart/alternative; boundary=B', multipart([['', plainAudio], ['', plainAudio.replace('4000', '4010')]]))), 4010)
  // multipart/mixed with one SDP part and a part that is not SDP.
  const mixed = ['--B', 'Content-Type: application/x-cisco-remotecc-request+xml', '', '<x/>', '--B', 'Content-Type: application/sdp', '', plainAudio, '--B--'].join('\r\n')
  assert.equal(port(read('multipart/mixed; boundary=B', mixed)), 4000)
})

void test('SIPp PCMU, static payload types without rtpmap, and baresip', () => {
  assert.deepEqual(rtp(read('application/sdp', F.sippPcmuOffer), 0).codecs.map((c) => c.name), ['PCMU'])
  const staticOnly = read('application/sdp', sdp(...head, 'm=audio 5004 RTP/AVP 18 8 0 9'))
  assert.deepEqual(rtp(staticOnly, 0).codecs.map((c) => [c.name, c.encoding, c.clockRate]), [['PCMA', 'PCMA', 8000], ['PCMU', 'PCMU', 8000], ['G722', 'G722', 8000]])
  const baresip = read('application/sdp', F.baresipOffer)
  assert.deepEqual(baresip.media, { audio: true, video: true, content: false, chat: false })
  assert.deepEqual(rtp(baresip, 0).codecs.map((c) => [c.name, c.payloadType, c.channels]), [['opus', 96, 2], ['G722', 9, undefined], ['PCMU', 0, undefined], ['PCMA', 8, undefined]])
  assert.deepEqual(rtp(baresip, 0).remote, { ipVersion: 4, address: '192.0.2.20', port: 10000, rtcpPort: 10000 })
  assert.deepEqual(rtp(baresip, 1).codecs.map((c) => c.name), ['H264'])
})

void test('baresip SRTP over IPv6 with c= at media level only', () => {
  const offer = read('application/sdp', new TextEncoder().encode(F.baresipSrtpIpv6Offer))
  const audio = rtp(offer, 0)
  assert.deepEqual(audio.remote, { ipVersion: 6, address: '2001:db8::20', port: 10000, rtcpPort: 10001 })
  assert.deepEqual(audio.crypto.map((c) => [c.tag, c.suite]), [[1, 'AES_CM_128_HMAC_SHA1_32'], [2, 'AES_CM_128_HMAC_SHA1_80']])
})

void test('Polycom BFCP: content video by a=content:slides, floor control as a client, H.224 left alone', () => {
  const offer = read('application/sdp', F.polycomBfcpOffer)
  assert.deepEqual(offer.media, { audio: true, video: true, content: true, chat: false })
  assert.deepEqual(offer.streams.map((s) => [s.kind, s.kind === 'rtp' ? s.role : undefined]), [
    ['rtp', 'audio'],
    ['rtp', 'video'],
    ['floor-control', undefined],
    ['rtp', 'content'],
    ['other', undefined],
  ])
  const floor = offer.streams[2] as FloorControlStream
  assert.deepEqual([floor.transport, floor.floorControl, floor.setup, floor.conferenceId, floor.userId], ['tcp', 'c-s', 'actpass', '1', '2'])
  assert.deepEqual(floor.floors, [{ floorId: '1', streamLabels: ['3'] }])
  assert.equal(offer.streams[4]?.unusable, 'unsupported-media')
})

void test('Cisco UDP/BFCP: the content video is found by the floor label alone', () => {
  const offer = read('application/sdp', F.tandbergUdpBfcpOffer)
  assert.deepEqual(offer.streams.map((s) => (s.kind === 'rtp' ? s.role : s.kind)), ['audio', 'video', 'content', 'floor-control'])
  const floor = offer.streams[3] as FloorControlStream
  assert.deepEqual([floor.transport, floor.versions], ['udp', [1, 2]])
})

void test('an offerer that insists on being floor control server keeps content but loses BFCP', () => {
  const offer = read('application/sdp', F.polycomServerOnlyBfcpOffer)
  assert.equal(offer.media.content, true)
  assert.equal(offer.streams[2]?.unusable, 'offerer-insists-on-floor-control')
})

void test('SfB IM and RDP application sharing', () => {
  const im = read('application/sdp;call-type=im', F.sfbImOffer)
  assert.deepEqual(im.media, { audio: false, video: false, content: false, chat: true })
  assert.ok((im.streams[0] as MessageStream).acceptTypes.includes('text/plain'))
  const sharing = read('application/sdp', F.sfbApplicationSharingOffer)
  assert.equal(sharing.applicationSharing, true)
  assert.deepEqual(sharing.media, { audio: false, video: false, content: false, chat: false })
  assert.equal(sharing.streams[0]?.unusable, 'unsupported-media')
  const msrp = read('application/sdp', sdp(...head, 'm=message 2855 TCP/MSRP *', 'a=accept-types:text/plain', 'a=path:msrp://192.0.2.1:2855/x;tcp'))
  assert.equal(msrp.streams[0]?.unusable, 'unsupported-transport')
  const noText = read('application/sdp', sdp(...head, 'm=message 5060 sip null', 'a=accept-types:application/ms-imdn+xml'))
  assert.equal(noText.streams[0]?.unusable, 'no-common-message-format')
})

void test('disabled m-lines, holds, session-level attributes', () => {
  const offer = read('application/sdp', sdp(...head, 'a=sendonly', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'm=video 5002 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'm=audio 5000 RTP/AVP 0', 'c=IN IP4 0.0.0.0', 'a=sendrecv'))
  assert.equal(rtp(offer, 0).unusable, 'disabled-by-offerer')
  assert.equal(rtp(offer, 0).primary, false)
  assert.equal(rtp(offer, 1).primary, true)
  assert.equal(rtp(offer, 1).direction, 'sendonly', 'session-level a=sendonly')
  assert.equal(rtp(offer, 2).direction, 'sendonly', 'RFC 2543 hold: 0.0.0.0')
  assert.equal(offer.media.video, true)
})

void test('streams Parley cannot accept', () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ['srtp-without-usable-sdes', ['m=audio 5000 RTP/SAVP 0', 'a=crypto:1 AEAD_AES_256_GCM inline:WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHeWnqbW9Q1a4K6jTb3']],
    ['srtp-without-usable-sdes', ['m=audio 5000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe UNENCRYPTED_SRTCP']],
    ['srtp-without-usable-sdes', ['m=audio 5000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=']],
    ['unsupported-transport', ['m=audio 5000 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2', 'a=fingerprint:sha-256 AB:CD']],
    ['unsupported-transport', ['m=video 5000 TCP/RTP/AVP 96', 'a=rtpmap:96 H264/90000']],
    ['no-common-codec', ['m=video 5000 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=2']],
    ['no-common-codec', ['m=audio 5000 RTP/AVP 18 96', 'a=rtpmap:96 opus/48000']],
    ['no-common-codec', ['m=video 5000 RTP/AVP 0']],
  ]
  for (const [unusable, lines] of cases) assert.equal(read('application/sdp', sdp(...head, ...lines)).streams[0]?.unusable, unusable, lines.join(' / '))
})

void test('malformed bodies are tagged errors', () => {
  const cases: ReadonlyArray<readonly [string, string, string | Uint8Array]> = [
    ['EmptyBody', 'application/sdp', ''],
    ['EmptyBody', 'application/sdp', new Uint8Array()],
    ['UnsupportedContentType', 'text/plain', 'v=0'],
    ['UnsupportedContentType', 'sdp', 'v=0'],
    ['MalformedMultipart', 'multipart/alternative', '--x\r\n\r\nv=0'],
    ['NoSdpPart', 'multipart/mixed; boundary=B', '--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--'],
    ['MalformedSdp', 'multipart/alternative; boundary=B', '--B\r\nContent-Type: application/sdp\r\n\r\nnot sdp\r\n--B--'],
    ['MalformedSdp', 'application/sdp', 'hello'],
    ['MalformedSdp', 'application/sdp', sdp('v=1', ...head.slice(1))],
    ['MalformedSdp', 'application/sdp', sdp('v=0', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 5000 RTP/AVP 0')],
    ['MalformedSdp', 'application/sdp', sdp(...head, 'm=audio 70000 RTP/AVP 0')],
    ['MalformedSdp', 'application/sdp', sdp(...head, 'm=audio 5000 RTP/AVP')],
    ['MalformedSdp', 'application/sdp', sdp(...head, 'm=audio 5000 RTP/AVP 0', 'c=IN IP4')],
    ['MalformedSdp', 'application/sdp', sdp(...head, 'm=audio 5000 RTP/AVP 0', 'this is not sdp')],
    ['MalformedSdp', 'application/sdp', sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0')],
    ['MalformedSdp', 'application/sdp', sdp(...head, ...new Array<string>(20000).fill('a=x-padding:0123456789'))],
  ]
  for (const [tag, ct, body] of cases) assert.equal(errorTag(ct, body), tag, `${ct}: ${typeof body === 'string' ? body.slice(0, 60) : 'bytes'}`)
  // A disabled stream needs no connection address.
  assert.equal(errorTag('application/sdp', sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=audio 0 RTP/AVP 0')), 'Right')
})

void test('every stream of every fixture is classified exactly once per role', () => {
  const all: ReadonlyArray<OfferedStream> = [F.sfbAudioVideoOffer(), F.polycomBfcpOffer, F.tandbergUdpBfcpOffer, F.baresipOffer, F.sfbImOffer].flatMap(
    (body) => read('application/sdp', body).streams,
  )
  assert.ok(all.length > 0)
  for (const body of [F.sfbAudioVideoOffer(), F.polycomBfcpOffer, F.tandbergUdpBfcpOffer]) {
    const roles = read('application/sdp', body).streams.flatMap((s) => (s.kind === 'rtp' && s.primary ? [s.role] : []))
    assert.equal(new Set(roles).size, roles.length)
  }
})
