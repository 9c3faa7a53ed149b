/**
 * writeSdp against sdp-transform's own `write`: the same text for the descriptions Parley
 * writes (its answers to every fixture, in every direction) and for descriptions sdp-transform
 * reads from generated SDP (any grammar field, odd values, session-level attributes).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parse, write } from 'sdp-transform'
import type { SessionDescription } from 'sdp-transform'
import type { Direction } from '../../../core/model/call.js'
import { negotiateAnswer } from './build-answer.js'
import type { LocalMedia } from './local-media.js'
import { parseSdp } from './parse-sdp.js'
import * as F from './sdp-fixtures.js'
import { writeSdp } from './sdp-serialise.js'

/** sdp-transform's writer fills in missing fields on the object it is given: it gets a copy. */
const same = (description: SessionDescription, label: string): void => assert.equal(writeSdp(description), write(structuredClone(description)), label)

const fixtures = F.namedOffers()

const local = (publicHost: string): LocalMedia => ({
  publicHost,
  ports: { audio: 40000, video: 40002, content: 40004, floorControl: 40006 },
  randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff),
  session: { id: '99', version: 3 },
  localUri: 'sip:meet.alice@example.com',
})

void test('the fixtures as sdp-transform reads them are written as its writer writes them', () => {
  for (const [name, sdp] of fixtures) same(parse(sdp), name)
})

void test("Parley's answers to every fixture, in every direction, over IPv4, IPv6 and a host name", () => {
  const directions: ReadonlyArray<Direction> = ['sendrecv', 'sendonly', 'recvonly', 'inactive']
  let answers = 0
  for (const [name, sdp] of fixtures) {
    const offer = parseSdp(sdp)
    assert.ok(E.isRight(offer), name)
    for (const direction of directions) {
      for (const host of ['192.0.2.50', '2001:db8::50', 'parley.example.com']) {
        const answer = negotiateAnswer(offer.right, { audio: direction, video: direction, content: direction, chat: true }, local(host))
        same(parse(answer.sdp), `${name} ${direction} ${host}`)
        answers++
      }
    }
  }
  assert.equal(answers, fixtures.length * 12)
})

const value = fc.constantFrom('0', '96', '1e3', 'x', '', 'opus/48000/2', 'inline:abc|2^20', 'IN', 'IP4', '%s', '%%', '192.0.2.1', 'typ', 'host', 'raddr', 'rport')
const attributeLine = fc
  .tuple(
    fc.constantFrom('rtpmap', 'fmtp', 'rtcp', 'rtcp-fb', 'crypto', 'setup', 'connection', 'mid', 'ptime', 'sendrecv', 'recvonly', 'ice-lite', 'ice-ufrag', 'ice-pwd', 'fingerprint', 'candidate', 'ssrc', 'rtcp-mux', 'label', 'content', 'floorctrl', 'confid', 'userid', 'floorid', 'bfcpver', 'x-ms-foo', 'extmap'),
    fc.boolean(),
    fc.array(value, { maxLength: 10 }),
  )
  .map(([name, colon, words]) => `a=${name}${colon ? ':' : ''}${words.join(' ')}`)
const otherLine = fc.constantFrom('b=AS:128', 'b=TIAS:64000', 'c=IN IP4 192.0.2.20', 'c=IN IP6 ::1', 'i=info', 'u=http://x', 'e=a@b', 'p=+1', 't=0 0', 'r=1 2 3', 'z=0 0')
const section = fc
  .tuple(fc.constantFrom('audio', 'video', 'application', 'message'), fc.constantFrom('0', '5004', '5004/2'), fc.constantFrom('RTP/AVP', 'RTP/SAVP', 'TCP/BFCP', 'sip'), fc.constantFrom('0 8', '96', '*', 'null', ''), fc.array(fc.oneof(attributeLine, otherLine), { maxLength: 10 }))
  .map(([media, port, proto, formats, lines]) => [`m=${media} ${port} ${proto} ${formats}`.trimEnd(), ...lines])
const text = fc
  .tuple(fc.array(fc.oneof(attributeLine, otherLine), { maxLength: 6 }), fc.array(section, { maxLength: 4 }))
  .map(([sessionLines, sections]) => ['v=0', 'o=- 1 2 IN IP4 192.0.2.20', 's=-', ...sessionLines, ...sections.flat(), ''].join('\r\n'))

void test('any description sdp-transform reads is written as its writer writes it', () => {
  fc.assert(
    fc.property(text, (sdp) => same(parse(sdp), sdp)),
    { numRuns: 1500 },
  )
})
