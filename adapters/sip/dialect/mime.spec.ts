import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { decodeText, mediaTypeOf, parseContentType, splitMultipart } from './mime.js'

void test('content types with quoted parameters', () => {
  const ct = parseContentType('Multipart/Alternative;boundary="----=_NextPart_000_001C_01D282D0.D2055920"')
  assert.ok(E.isRight(ct))
  assert.equal(mediaTypeOf(ct.right), 'multipart/alternative')
  assert.equal(ct.right.params.get('boundary'), '----=_NextPart_000_001C_01D282D0.D2055920')
  const im = parseContentType('application/sdp;call-type=im')
  assert.ok(E.isRight(im) && im.right.params.get('call-type') === 'im')
  const text = parseContentType('text/plain; charset=UTF-8; msgr=WAAtAE0ATQBTAC0ASQBNAC0ARgBvAHIAbQBhAHQAOgAgAEYATgA9AE0AUwAlADIAMABTAGgAZQBsAGwAJQAyADAARABsAGcAJQAyADAAMgA7ACAARQBGAD0AOwAgAEMATwA9ADAAOwAgAEMAUwA9ADAAOwAgAFAARgA9ADAACgANAAoADQA')
  assert.ok(E.isRight(text) && text.right.params.get('charset') === 'UTF-8')
  assert.ok(E.isLeft(parseContentType('sdp')))
  assert.ok(E.isLeft(parseContentType('text/ plain/x')))
})

const sfbStyleBody = (eol: string) =>
  [
    'preamble',
    '------=_NextPart_000',
    'Content-Type: application/sdp',
    'Content-Transfer-Encoding: 7bit',
    'Content-Disposition: session; handling=optional; ms-proxy-2007fallback',
    '',
    'v=0',
    'o=- 0 0 IN IP4 192.0.2.1',
    '',
    '------=_NextPart_000',
    'Content-Type: application/sdp',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('v=0\r\no=- 0 1 IN IP4 192.0.2.1\r\n').toString('base64'),
    '------=_NextPart_000--',
    'epilogue',
  ].join(eol)

void test('multipart/alternative parts keep their headers and bodies', () => {
  for (const eol of ['\r\n', '\n']) {
    const ct = parseContentType('multipart/alternative; boundary="----=_NextPart_000"')
    assert.ok(E.isRight(ct))
    const parts = splitMultipart(ct.right, sfbStyleBody(eol))
    assert.ok(E.isRight(parts))
    assert.equal(parts.right.length, 2)
    const [first, second] = parts.right
    assert.equal(decodeText(first?.body ?? new Uint8Array()), `v=0${eol}o=- 0 0 IN IP4 192.0.2.1${eol}`)
    assert.match(first?.headers.find((x) => x.name === 'Content-Disposition')?.value ?? '', /ms-proxy-2007fallback/)
    assert.equal(decodeText(second?.body ?? new Uint8Array()), 'v=0\r\no=- 0 1 IN IP4 192.0.2.1\r\n')
  }
})

void test('a missing close delimiter keeps the last part; a missing boundary is an error', () => {
  const ct = parseContentType('multipart/mixed; boundary=b1')
  assert.ok(E.isRight(ct))
  const parts = splitMultipart(ct.right, '--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1\r\n\r\nno headers')
  assert.ok(E.isRight(parts))
  assert.deepEqual(parts.right.map((p) => [mediaTypeOf(p.contentType), decodeText(p.body)]), [['text/plain', 'hi'], ['text/plain', 'no headers']])
  const noBoundary = parseContentType('multipart/mixed')
  assert.ok(E.isRight(noBoundary) && E.isLeft(splitMultipart(noBoundary.right, '--x\r\n\r\nbody')))
  assert.ok(E.isLeft(splitMultipart(ct.right, 'no delimiter here')))
})

void test('charsets: bytes decode in the declared charset, unknown labels fall back to UTF-8', () => {
  assert.equal(decodeText(new Uint8Array([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]), 'windows-1251'), 'Привет')
  assert.equal(decodeText(new Uint8Array([0x68, 0x69]), 'x-no-such-charset'), 'hi')
})

void test('splitMultipart never throws on arbitrary bytes or boundaries', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.string({ minLength: 1, maxLength: 10 }), (bytes, boundary) => {
      const ct = parseContentType(`multipart/mixed; boundary="${boundary.replace(/["\\]/g, '')}"`)
      if (E.isRight(ct)) splitMultipart(ct.right, bytes)
    }),
  )
  fc.assert(fc.property(fc.string(), (s) => {
    parseContentType(s)
  }))
})
