import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parse as parseWithTransform } from 'sdp-transform'
import type { MediaDescription } from 'sdp-transform'
import type { Direction, MediaAnswer } from '../../../core/model/call.js'
import { negotiateAnswer } from './build-answer.js'
import { buildOffer } from './build-offer.js'
import type { LocalMedia } from './local-media.js'
import { readOffer } from './read-offer.js'
import * as F from './sdp-fixtures.js'

const local = (): LocalMedia => {
  let next = 7
  return {
    publicHost: '192.0.2.50',
    ports: { audio: 40000, video: 40002, content: 40004, floorControl: 40006 },
    randomBytes: (n) => Uint8Array.from({ length: n }, () => (next = (next * 31 + 17) & 0xff)),
    session: { id: '99', version: 3 },
    localUri: 'sip:meet.alice@example.com',
  }
}

const direction = fc.constantFrom<Direction>('sendrecv', 'sendonly', 'recvonly', 'inactive')

const mediaAnswer: fc.Arbitrary<MediaAnswer> = fc.record(
  { audio: direction, video: direction, content: direction, chat: fc.boolean() },
  { requiredKeys: [] },
)

interface Format {
  readonly encoding: string
  readonly fmtp?: string
  readonly staticPt?: number
}

const audioFormats: ReadonlyArray<Format> = [
  { encoding: 'PCMU/8000', staticPt: 0 },
  { encoding: 'PCMA/8000', staticPt: 8 },
  { encoding: 'G722/8000', staticPt: 9 },
  { encoding: 'opus/48000/2', fmtp: 'useinbandfec=1' },
  { encoding: 'SILK/16000', fmtp: 'useinbandfec=1; usedtx=0' },
  { encoding: 'G7221/16000', fmtp: 'bitrate=24000' },
  { encoding: 'G722/8000/2' },
  { encoding: 'x-msrta/16000' },
  { encoding: 'CN/8000', staticPt: 13 },
  { encoding: 'telephone-event/8000', fmtp: '0-16' },
  { encoding: 'telephone-event/48000', fmtp: '0-15' },
]
const videoFormats: ReadonlyArray<Format> = [
  { encoding: 'H264/90000', fmtp: 'profile-level-id=42e01f;packetization-mode=1' },
  { encoding: 'H264/90000', fmtp: 'profile-level-id=42e01f' },
  { encoding: 'H264/90000', fmtp: 'packetization-mode=2' },
  { encoding: 'X-H264UC/90000', fmtp: 'packetization-mode=1;mst-mode=NI-TC' },
  { encoding: 'x-rtvc1/90000' },
  { encoding: 'H263/90000', staticPt: 34 },
  { encoding: 'VP8/90000' },
]

const key = 'WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe'

const rtpSection = (media: 'audio' | 'video', pool: ReadonlyArray<Format>) =>
  fc
    .record({
      port: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 5, arbitrary: fc.integer({ min: 1024, max: 65000 }) }),
      protocol: fc.constantFrom('RTP/AVP', 'RTP/SAVP', 'RTP/AVPF', 'RTP/SAVPF', 'UDP/TLS/RTP/SAVPF'),
      formats: fc.uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { minLength: 1, maxLength: pool.length }),
      direction: fc.option(direction, { nil: undefined }),
      crypto: fc.boolean(),
      ice: fc.boolean(),
      rtcpMux: fc.boolean(),
      content: fc.option(fc.constantFrom('slides', 'main'), { nil: undefined }),
      label: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
    })
    .map((s) => {
      let dynamic = 96
      const formats = s.formats.map((i) => {
        const f = pool[i] ?? { encoding: 'PCMU/8000' }
        return { ...f, pt: f.staticPt ?? dynamic++ }
      })
      return [
        `m=${media} ${s.port} ${s.protocol} ${formats.map((f) => f.pt).join(' ')}`,
        ...formats.flatMap((f) => [`a=rtpmap:${f.pt} ${f.encoding}`, ...(f.fmtp === undefined ? [] : [`a=fmtp:${f.pt} ${f.fmtp}`])]),
        ...(s.direction === undefined ? [] : [`a=${s.direction}`]),
        ...(s.crypto ? [`a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`, `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`] : []),
        ...(s.ice ? ['a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', `a=candidate:1 1 UDP 2130706431 192.0.2.9 ${s.port} typ host`] : []),
        ...(s.rtcpMux ? ['a=rtcp-mux'] : []),
        ...(s.content === undefined || media !== 'video' ? [] : [`a=content:${s.content}`]),
        ...(s.label === undefined ? [] : [`a=label:${s.label}`]),
      ]
    })

const otherSection = fc.oneof(
  fc.record({ port: fc.integer({ min: 0, max: 65000 }), proto: fc.constantFrom('TCP/BFCP', 'UDP/BFCP', 'TCP/TLS/BFCP'), ctrl: fc.constantFrom('c-only', 'c-s', 's-only', ''), label: fc.integer({ min: 1, max: 9 }) }).map((b) => [
    `m=application ${b.port} ${b.proto} *`,
    ...(b.ctrl === '' ? [] : [`a=floorctrl:${b.ctrl}`]),
    `a=floorid:1 mstrm:${b.label}`,
    'a=setup:actpass',
  ]),
  fc.constantFrom(
    ['m=message 5060 sip null', 'a=accept-types:text/plain multipart/alternative'],
    ['m=message 2855 TCP/MSRP *', 'a=accept-types:text/plain'],
    ['m=applicationsharing 5000 TCP/RTP/SAVP 127', 'a=rtpmap:127 x-data/90000'],
    ['m=image 5008 udptl t38', 'a=T38FaxVersion:0'],
    ['m=application 5010 RTP/AVP 100', 'a=rtpmap:100 H224/4800'],
  ),
)

const generatedOffer: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 3, arbitrary: rtpSection('audio', audioFormats) }, { weight: 3, arbitrary: rtpSection('video', videoFormats) }, { weight: 2, arbitrary: otherSection }), { minLength: 1, maxLength: 6 })
  .map((sections) => `${['v=0', 'o=- 5 6 IN IP4 192.0.2.9', 's=-', 'c=IN IP4 192.0.2.9', 't=0 0', ...sections.flat()].join('\r\n')}\r\n`)

type RtpMapLine = MediaDescription['rtp'][number]

const sends = (d: string | undefined) => d === undefined || d === 'sendrecv' || d === 'sendonly'
const receives = (d: string | undefined) => d === undefined || d === 'sendrecv' || d === 'recvonly'

void test('generated offers are read, and their answers keep every m-line in place with only offered codecs', () => {
  fc.assert(
    fc.property(generatedOffer, mediaAnswer, (offerText, wanted) => {
      const offer = readOffer('application/sdp', offerText)
      if (E.isLeft(offer)) return assert.fail(`${JSON.stringify(offer.left)}\n${offerText}`)
      const answer = negotiateAnswer(offer.right, wanted, local())
      const offered = parseWithTransform(offerText)
      const answered = parseWithTransform(answer.sdp)
      assert.equal(answered.media.length, offered.media.length)
      assert.equal(answer.streams.length, offered.media.length)
      answered.media.forEach((a, i) => {
        const o = offered.media[i]
        assert.ok(o !== undefined)
        assert.equal(a.type, o.type, `m-line ${i} type`)
        assert.equal(a.protocol, o.protocol, `m-line ${i} proto`)
        const stream = answer.streams[i]
        assert.equal(stream?.kind === 'rejected', a.port === 0, `m-line ${i} port 0 iff rejected`)
        if (a.port === 0 || (a.type !== 'audio' && a.type !== 'video')) return
        const offeredPts = String(o.payloads).split(' ').map(Number)
        for (const pt of String(a.payloads).split(' ').map(Number)) {
          assert.ok(offeredPts.includes(pt), `answered PT ${pt} was offered`)
          const answeredMap: RtpMapLine | undefined = a.rtp.find((r) => r.payload === pt)
          const offeredMap: RtpMapLine | undefined = o.rtp.find((r) => r.payload === pt)
          assert.ok(answeredMap !== undefined)
          if (offeredMap !== undefined) assert.equal(answeredMap.codec.toLowerCase(), offeredMap.codec.toLowerCase())
        }
        const offeredDirection = o.direction
        if (!sends(offeredDirection)) assert.ok(!receives(a.direction) || a.direction === undefined, `m-line ${i}: offerer does not send`)
        if (!receives(offeredDirection)) assert.ok(!sends(a.direction) || a.direction === undefined, `m-line ${i}: offerer does not receive`)
        const wantedDirection = stream?.kind === 'rtp' ? wanted[stream.role] : undefined
        assert.ok(wantedDirection !== undefined, 'only wanted roles are accepted')
        if (!sends(wantedDirection)) assert.ok(!sends(a.direction))
        if (!receives(wantedDirection)) assert.ok(!receives(a.direction))
      })
      const roles = answer.streams.flatMap((s) => (s.kind === 'rtp' ? [s.role] : []))
      assert.equal(new Set(roles).size, roles.length, 'at most one accepted stream per role')
      assert.ok(E.isRight(readOffer('application/sdp', answer.sdp)), 'the answer is itself readable SDP')
    }),
    { numRuns: 400 },
  )
})

const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), line: fc.string() }),
  fc.record({ op: fc.constant('char' as const), at: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never

const mutate = (text: string, m: Mutation): string => {
  const lines = text.split('\r\n')
  const i = lines.length === 0 ? 0 : m.at % lines.length
  switch (m.op) {
    case 'delete':
      return lines.filter((_, j) => j !== i).join('\r\n')
    case 'duplicate':
      return [...lines.slice(0, i + 1), lines[i] ?? '', ...lines.slice(i + 1)].join('\r\n')
    case 'swap': {
      const j = m.with % lines.length
      const copy = [...lines]
      copy[i] = lines[j] ?? ''
      copy[j] = lines[i] ?? ''
      return copy.join('\r\n')
    }
    case 'insert':
      return [...lines.slice(0, i), m.line, ...lines.slice(i)].join('\r\n')
    case 'char': {
      const at = text.length === 0 ? 0 : m.at % text.length
      return text.slice(0, at) + m.char + text.slice(at + 1)
    }
    case 'truncate':
      return text.slice(0, text.length === 0 ? 0 : m.at % text.length)
  }
}

const realOffers = [F.sfbAudioVideoOffer(), F.sfbAudioOnlyAvpOffer, F.sfbImOffer, F.sfbApplicationSharingOffer, F.sippPcmuOffer, F.baresipOffer, F.baresipSrtpIpv6Offer, F.polycomBfcpOffer, F.tandbergUdpBfcpOffer]

void test('mutated real and generated offers never make readOffer or the answer throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...realOffers), generatedOffer), fc.array(mutation, { minLength: 1, maxLength: 5 }), mediaAnswer, (text, mutations, wanted) => {
      const mutated = mutations.reduce(mutate, text)
      const offer = readOffer('application/sdp', mutated)
      if (E.isRight(offer)) {
        const answer = negotiateAnswer(offer.right, wanted, local())
        assert.equal(answer.streams.length, offer.right.streams.length)
      }
    }),
    { numRuns: 1000 },
  )
})

void test('readOffer never throws on arbitrary bytes, text or multipart bodies', () => {
  const contentTypes = fc.constantFrom('application/sdp', 'multipart/alternative; boundary=b', 'multipart/mixed; boundary="x y"', 'text/plain', '', 'application/SDP; charset=utf-8')
  fc.assert(
    fc.property(contentTypes, fc.oneof(fc.string(), fc.uint8Array({ maxLength: 500 }), fc.string().map((s) => `v=0\r\n${s}`)), (ct, body) => {
      readOffer(ct, body)
    }),
    { numRuns: 1000 },
  )
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...realOffers), fc.string()), { maxLength: 4 }), (parts) => {
      const body = `${parts.map((p) => `--b\r\nContent-Type: application/sdp\r\n\r\n${p}`).join('\r\n')}\r\n--b--`
      readOffer('multipart/alternative; boundary=b', body)
    }),
  )
})

void test('Parley’s own offers read back with the streams asked for', () => {
  fc.assert(
    fc.property(fc.constantFrom('sip' as const, 'mssip' as const), mediaAnswer, (dialect, wanted) => {
      const built = buildOffer({ _tag: 'Initial', dialect, media: wanted, local: local() })
      if (E.isLeft(built)) return assert.fail(JSON.stringify(built.left))
      const reread = readOffer('application/sdp', built.right)
      if (E.isLeft(reread)) return assert.fail(JSON.stringify(reread.left))
      assert.deepEqual(reread.right.media, {
        audio: wanted.audio !== undefined,
        video: wanted.video !== undefined,
        // SfB gets no BFCP content line; SIP gets no IM session line.
        content: wanted.content !== undefined && dialect === 'sip',
        chat: wanted.chat === true && dialect === 'mssip',
      })
    }),
  )
})

void test('re-offers keep the previous m-lines in order, bump the version, and append what is new', () => {
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...realOffers), generatedOffer), mediaAnswer, mediaAnswer, (offerText, first, second) => {
      const offer = readOffer('application/sdp', offerText)
      if (E.isLeft(offer)) return
      const previous = negotiateAnswer(offer.right, first, local()).sdp
      const update = buildOffer({ _tag: 'Update', previous, media: second, local: local() })
      if (E.isLeft(update)) return assert.fail(JSON.stringify(update.left))
      const before = parseWithTransform(previous)
      const after = parseWithTransform(update.right)
      assert.equal(Number(after.origin.sessionVersion), Number(before.origin.sessionVersion) + 1)
      assert.equal(String(after.origin.sessionId), String(before.origin.sessionId))
      assert.ok(after.media.length >= before.media.length)
      before.media.forEach((m, i) => {
        assert.equal(after.media[i]?.type, m.type)
        assert.equal(after.media[i]?.protocol, m.protocol)
        if (m.port === 0) assert.equal(after.media[i]?.port, 0, 'a removed stream stays removed')
      })
      const reread = readOffer('application/sdp', update.right)
      assert.ok(E.isRight(reread), 'the re-offer is readable SDP')
    }),
    { numRuns: 300 },
  )
})
