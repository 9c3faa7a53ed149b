import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { negotiateAnswer } from './build-answer.js'
import { answerCrypto, chooseCrypto, mkiBytes, suitePreference } from './crypto-choice.js'
import type { LocalMedia } from './local-media.js'
import { parseSdp } from './parse-sdp.js'
import type { RtpStream } from './parsed-offer.js'
import { readOffer } from './read-offer.js'
import type { SdesCrypto } from './srtp.js'
import { keyLengthOf } from './srtp.js'

const base64Key = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('base64'))

/** Suites as offers carry them: Parley's four, and ones it does not run (RFC 7714 GCM, F8, a typo). */
const offeredSuite = fc.constantFrom(...suitePreference, 'AEAD_AES_128_GCM', 'F8_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_81')

const keyBytesOf = (suite: string): number => (suite.startsWith('AES_256') ? 46 : suite === 'AEAD_AES_128_GCM' ? 28 : 30)

/** One `a=crypto` line: lifetime and MKI in SfB's (`|2^31|1:1`) and other shapes, sometimes with session parameters. */
const cryptoLine = (tag: number) =>
  fc
    .record({
      suite: offeredSuite,
      lifetime: fc.option(fc.constantFrom('2^31', '2^20', '1048576'), { nil: undefined }),
      mki: fc.option(fc.constantFrom('1:1', '1:4', '255:1', '7:2'), { nil: undefined }),
      sessionParameter: fc.option(fc.constantFrom('UNENCRYPTED_SRTCP', 'KDR=1'), { nil: undefined, freq: 8 }),
    })
    .chain((c) =>
      base64Key(keyBytesOf(c.suite)).map(
        (key) =>
          `a=crypto:${tag} ${c.suite} inline:${key}${c.lifetime === undefined ? '' : `|${c.lifetime}`}${c.mki === undefined ? '' : `|${c.mki}`}${c.sessionParameter === undefined ? '' : ` ${c.sessionParameter}`}`,
      ),
    )

const iceLines = fc.record({
  ufrag: fc.stringMatching(/^[A-Za-z0-9+/]{4,8}$/),
  pwd: fc.stringMatching(/^[A-Za-z0-9+/]{22,32}$/),
})

interface Offer {
  readonly text: string
  readonly secure: boolean
  readonly cryptoLines: ReadonlyArray<string>
  readonly ice: boolean
  readonly rtcpMux: boolean
}

/** An SfB-like audio offer: RTP/SAVP or (as SfB sends too) RTP/AVP with crypto, its cryptoscale line, ICE or not. */
const offer: fc.Arbitrary<Offer> = fc
  .record({
    secure: fc.boolean(),
    cryptoLines: fc.integer({ min: 0, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => cryptoLine(i + 1)))),
    cryptoscale: fc.boolean(),
    ice: fc.option(iceLines, { nil: undefined }),
    rtcpMux: fc.boolean(),
  })
  .map(({ secure, cryptoLines, cryptoscale, ice, rtcpMux }) => {
    const text = [
      'v=0',
      'o=- 0 0 IN IP4 10.0.10.21',
      's=session',
      'c=IN IP4 10.0.10.21',
      't=0 0',
      `m=audio 50024 ${secure ? 'RTP/SAVP' : 'RTP/AVP'} 0 8 101`,
      ...(ice === undefined
        ? []
        : [`a=ice-ufrag:${ice.ufrag}`, `a=ice-pwd:${ice.pwd}`, 'a=candidate:1 1 UDP 2130706431 10.0.10.21 50024 typ host ', 'a=candidate:1 2 UDP 2130705918 10.0.10.21 50025 typ host ']),
      ...(cryptoscale ? ['a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe|2^31|1:1'] : []),
      ...cryptoLines,
      ...(rtcpMux ? ['a=rtcp-mux'] : []),
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      '',
    ].join('\r\n')
    return { text, secure, cryptoLines, ice: ice !== undefined, rtcpMux }
  })

const localMedia = (randomBytes: (n: number) => Uint8Array): LocalMedia => ({
  publicHost: '192.0.2.50',
  ports: { audio: 40000 },
  randomBytes,
  session: { id: '1', version: 1 },
  localUri: 'sip:meet.alice@example.com',
})

/** Supported lines of the offer, as Parley reads them (suite run, plain inline key of the suite's length, no session parameters). */
const usableSuites = (o: Offer): ReadonlyArray<string> =>
  o.cryptoLines.flatMap((line) => {
    const [, suite = '', params = ''] = /^a=crypto:\d+ (\S+) (.*)$/.exec(line) ?? []
    return (suitePreference as ReadonlyArray<string>).includes(suite) && !params.includes(' ') ? [suite] : []
  })

void test('SDES answers: the answer parses, has one offered suite (Parley\'s preferred), and a key from the CSPRNG of the suite\'s length; SRTP with no usable suite is refused', () => {
  fc.assert(
    fc.property(offer, fc.uint8Array({ minLength: 64, maxLength: 64 }), (o, entropy) => {
      let used = 0
      const drawn: number[] = []
      const randomBytes = (n: number) => {
        const out = Uint8Array.from({ length: n }, (_, i) => entropy[(used + i) % entropy.length] ?? 0)
        used += n
        drawn.push(...out)
        return out
      }
      const read = readOffer('application/sdp', o.text)
      assert.ok(E.isRight(read), JSON.stringify(read))
      const usable = usableSuites(o)
      const stream = read.right.streams[0] as RtpStream
      if (o.secure && usable.length === 0) {
        // No suite Parley runs on an RTP/SAVP line: the stream is not offered to the core, which refuses the call with 488.
        assert.equal(read.right.media.audio, false)
        assert.equal(stream.unusable, 'srtp-without-usable-sdes')
        return
      }
      const answer = negotiateAnswer(read.right, { audio: 'sendrecv' }, localMedia(randomBytes))
      const parsed = parseSdp(answer.sdp)
      assert.ok(E.isRight(parsed), `the answer parses: ${answer.sdp}`)
      const answered = parsed.right.streams[0] as RtpStream
      assert.equal(answered.port, 40000)
      const cryptoInAnswer = answer.sdp.split('\r\n').filter((l) => l.startsWith('a=crypto:'))
      if (usable.length === 0) {
        assert.deepEqual(cryptoInAnswer, [], 'no key without an offered one')
        return
      }
      assert.equal(cryptoInAnswer.length, 1, answer.sdp)
      assert.equal(answered.crypto.length, 1, 'Parley\'s own line reads back as a usable key')
      const mine = answered.crypto[0] as SdesCrypto
      assert.ok(usable.includes(mine.suite), `${mine.suite} is one offered: ${usable.join(', ')}`)
      const best = suitePreference.find((s) => usable.includes(s))
      assert.equal(mine.suite, best, 'Parley\'s preferred suite among those offered')
      const key = Buffer.from(mine.key, 'base64')
      assert.equal(key.length, keyLengthOf(mine.suite))
      if (mine.suite.startsWith('AES_CM_128')) assert.equal(key.length, 30)
      // ICE credentials may be drawn first; the key is one run of what was drawn.
      assert.ok(Buffer.from(drawn).indexOf(key) >= 0, 'the key is the injected random bytes')
      assert.equal(mine.mki, undefined)
      const offeredTag = stream.crypto.find((c) => c.tag === mine.tag)
      assert.equal(offeredTag?.suite, mine.suite, 'the answer keeps the tag of the line it takes (RFC 4568 §7.1.2)')
    }),
    { numRuns: 400 },
  )
})

void test('ICE offers are answered as ICE-lite with host candidates for Parley\'s RTP and RTCP ports and its own credentials', () => {
  fc.assert(
    fc.property(offer, (o) => {
      const read = readOffer('application/sdp', o.text)
      assert.ok(E.isRight(read))
      if (!read.right.media.audio) return
      let n = 0
      const answer = negotiateAnswer(read.right, { audio: 'sendrecv' }, localMedia((len) => Uint8Array.from({ length: len }, () => n++ & 0xff)))
      const parsed = parseSdp(answer.sdp)
      assert.ok(E.isRight(parsed))
      const answered = parsed.right.streams[0] as RtpStream
      assert.equal(parsed.right.iceLite, o.ice, 'a=ice-lite exactly when ICE was offered (RFC 8445 §2.5)')
      if (!o.ice) {
        assert.equal(answered.ice, undefined)
        return
      }
      const ice = answered.ice
      assert.ok(ice !== undefined)
      assert.notEqual(ice.ufrag, (read.right.streams[0] as RtpStream).ice?.ufrag)
      assert.ok(ice.ufrag.length >= 4 && ice.pwd.length >= 22, 'RFC 8839 §5.4 lengths')
      const expected = o.rtcpMux ? [[1, 40000]] : [[1, 40000], [2, 40001]]
      assert.deepEqual(
        ice.candidates.map((c) => [c.component, c.port]),
        expected,
      )
      assert.ok(ice.candidates.every((c) => c.type === 'host' && c.address === '192.0.2.50' && c.transport === 'UDP'))
    }),
    { numRuns: 200 },
  )
})

void test('choice among offered lines: suite preference first, then a line without MKI, then offer order', () => {
  const line = (tag: number, suite: SdesCrypto['suite'], mki?: string): SdesCrypto => ({ tag, suite, key: 'k', ...(mki === undefined ? {} : { mki }) })
  assert.equal(chooseCrypto([]), undefined)
  assert.equal(chooseCrypto([line(1, 'AES_CM_128_HMAC_SHA1_32'), line(2, 'AES_CM_128_HMAC_SHA1_80')])?.tag, 2)
  assert.equal(chooseCrypto([line(1, 'AES_256_CM_HMAC_SHA1_80'), line(2, 'AES_CM_128_HMAC_SHA1_32')])?.tag, 2)
  assert.equal(chooseCrypto([line(2, 'AES_CM_128_HMAC_SHA1_80', '1:1'), line(3, 'AES_CM_128_HMAC_SHA1_80')])?.tag, 3)
  assert.equal(chooseCrypto([line(2, 'AES_CM_128_HMAC_SHA1_80', '1:1'), line(3, 'AES_CM_128_HMAC_SHA1_80', '2:1')])?.tag, 2)
  assert.equal(chooseCrypto([line(4, 'AES_CM_128_HMAC_SHA1_80'), line(5, 'AES_CM_128_HMAC_SHA1_80')])?.tag, 4)
  const answered = answerCrypto({ ...line(2, 'AES_CM_128_HMAC_SHA1_80', '1:1'), lifetime: '2^31' }, (n) => new Uint8Array(n).fill(7))
  assert.deepEqual(answered, { tag: 2, suite: 'AES_CM_128_HMAC_SHA1_80', key: Buffer.alloc(30, 7).toString('base64'), lifetime: '2^31' })
  assert.throws(() => answerCrypto(line(1, 'AES_CM_128_HMAC_SHA1_80'), () => new Uint8Array(3)), /returned 3 bytes/)
})

void test('MKI values become the bytes that lead the tag (RFC 4568 §6.1, RFC 3711 §3.1)', () => {
  assert.deepEqual(mkiBytes('1:1'), Uint8Array.of(1))
  assert.deepEqual(mkiBytes('1:4'), Uint8Array.of(0, 0, 0, 1))
  assert.deepEqual(mkiBytes('258:2'), Uint8Array.of(1, 2))
  assert.equal(mkiBytes('256:1'), undefined, 'does not fit its length')
  assert.equal(mkiBytes('1:0'), undefined)
  assert.equal(mkiBytes('1:129'), undefined)
  assert.equal(mkiBytes('x:1'), undefined)
})
