/**
 * The attribute reader by name (sdp-attributes.ts) against sdp-transform's parser: parseSdp and
 * parseSdpWithTransform must give the same answer (the same ParsedOffer, or the same error) on
 * every fixture and on generated offers mixing real shapes with odd ones (names in other
 * letter case, values that fail the grammar, repeated and session-level attributes, SfB's
 * x-candidate-ipv6, rtcp without a port).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseSdp, parseSdpWithTransform } from './parse-sdp.js'
import * as F from './sdp-fixtures.js'

const fixtures = F.namedOffers()

void test('the reader by name reads every fixture as sdp-transform does', () => {
  for (const [name, sdp] of fixtures) assert.deepEqual(parseSdp(sdp), parseSdpWithTransform(sdp), name)
})

const token = fc.constantFrom('0', '8', '96', '101', '127', '1e3', '07', 'x', '', 'AES_CM_128_HMAC_SHA1_80', 'inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32', 'UDP', 'TCP-ACT', '10.0.0.1', '::1', 'typ', 'host')
const words = fc.array(token, { maxLength: 9 }).map((ws) => ws.join(' '))

const attributeLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(
    'a=rtpmap:96 opus/48000/2', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=rtpmap:122 X-H264UC/90000', 'a=rtpmap:9 G722/8000/1',
    'a=fmtp:101 0-16', 'a=fmtp:122 packetization-mode=1;mst-mode=NI-TC', 'a=fmtp:96 stereo=1; sprop-stereo=1',
    'a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31|1:1',
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj UNENCRYPTED_SRTP',
    'a=ice-ufrag:cbM2', 'a=ice-pwd:8b1tk9Q0bSxcw7Gn0uXK1i3b', 'a=ice-lite',
    'a=candidate:1 1 UDP 2130706431 192.0.2.20 50052 typ host', 'a=candidate:2 2 TCP-PASS 174455039 192.0.2.20 50053 typ srflx raddr 10.0.0.1 rport 50053',
    'a=x-candidate-ipv6:3 1 UDP 2130706431 2001:db8::1 50054 typ host', 'a=X-Candidate-IPv6:3 1 UDP 1 2001:db8::1 5 typ host',
    'a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive', 'a=rtcp-mux', 'a=rtcp:50053', 'a=rtcp:50053 IN IP4 192.0.2.20', 'a=rtcp:',
    'a=label:1', 'a=label:main-video', 'a=label:07', 'a=content:slides', 'a=content:main', 'a=floorctrl:c-s', 'a=floorctrl:s-only', 'a=confid:4', 'a=userid:7',
    'a=setup:actpass', 'a=setup:', 'a=connection:new', 'a=fingerprint:sha-256 AB:CD', 'a=x-ssrc-range:1-2', 'a=rtcp-fb:* nack pli', 'a=mid:1',
    'a=rtcp-fb:96 ccm fir', 'a=rtcp-fb:* trr-int 0', 'a=rtcp-fb:* trr-int', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:* x-message app send:src,x-pli recv:src,x-pli',
  ) },
  // The same names in other letter case, and names with odd values.
  { weight: 2, arbitrary: fc.constantFrom('a=RTPMAP:0 PCMU/8000', 'a=SendRecv', 'a=Label:x', 'a=Ice-Ufrag:ab', 'a=Rtcp-Mux', 'a=CRYPTO:1 x y', 'a=sendrecv:oops', 'a=ice-lite:yes', 'a=rtcp-muxed', 'a=sendrecvx') },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('rtpmap', 'fmtp', 'crypto', 'candidate', 'x-candidate-ipv6', 'rtcp', 'label', 'content', 'setup', 'rtcp-fb', 'ice-ufrag', 'ice-pwd', 'confid', 'userid', 'floorctrl', 'rtcp-mux', 'sendonly'), fc.boolean(), words)
      .map(([name, colon, value]) => `a=${name}${colon ? ':' : ''}${value}`),
  },
)

const mediaSection = fc
  .tuple(
    // Mostly answerable shapes (audio or video over RTP/AVP with a c= line), so the codec, crypto and ICE reading is exercised.
    fc.constantFrom('audio', 'audio', 'video', 'video', 'application', 'message'),
    fc.constantFrom(0, 5004, 50052, 50052),
    fc.constantFrom('RTP/AVP', 'RTP/AVP', 'RTP/AVP', 'RTP/SAVP', 'RTP/AVPF', 'UDP/BFCP', 'TCP/BFCP', 'sip'),
    fc.constantFrom('0 8 101', '96 0 9 101', '96 0 9 101', '122 121 34', '*', 'null', '*  96'),
    fc.option(fc.constantFrom('c=IN IP4 192.0.2.20', 'c=IN IP4 0.0.0.0', 'c=IN IP6 2001:db8::1'), { nil: undefined, freq: 4 }),
    fc.array(attributeLine, { maxLength: 14 }),
  )
  .map(([media, port, proto, formats, c, lines]) => [`m=${media} ${port} ${proto} ${formats}`, ...(c === undefined ? [] : [c]), ...lines])

const offer = fc
  .tuple(fc.array(attributeLine, { maxLength: 5 }), fc.boolean(), fc.array(mediaSection, { minLength: 1, maxLength: 4 }))
  .map(([sessionLines, sessionConnection, sections]) =>
    ['v=0', 'o=- 1 2 IN IP4 192.0.2.20', 's=-', ...(sessionConnection ? ['c=IN IP4 192.0.2.20'] : []), 't=0 0', ...sessionLines, ...sections.flat(), ''].join('\r\n'),
  )

void test('the reader by name and sdp-transform agree on generated offers', () => {
  fc.assert(
    fc.property(offer, (sdp) => {
      assert.deepEqual(parseSdp(sdp), parseSdpWithTransform(sdp))
    }),
    { numRuns: 1500 },
  )
})
