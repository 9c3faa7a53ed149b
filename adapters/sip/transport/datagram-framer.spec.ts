import { test } from 'node:test'
import assert from 'node:assert/strict'
import { frameDatagram } from './datagram-framer.js'

const limits = { maxMessageBytes: 2000, maxHeaderCount: 20 }
const head = 'MESSAGE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nCall-ID: c'

void test('with Content-Length the body is that many bytes and the excess is discarded', () => {
  const frame = frameDatagram(Buffer.from(`${head}\r\nContent-Length: 5\r\n\r\nhelloEXTRA`), limits)
  assert.ok(frame._tag === 'Message')
  assert.equal(frame.body.toString(), 'hello')
})

void test('without Content-Length the body runs to the end of the datagram', () => {
  const frame = frameDatagram(Buffer.from(`${head}\r\n\r\nthe whole rest`), limits)
  assert.ok(frame._tag === 'Message')
  assert.equal(frame.body.toString(), 'the whole rest')
})

void test('a datagram shorter than its Content-Length is unframeable, keeping the head for a 400', () => {
  const frame = frameDatagram(Buffer.from(`${head}\r\nContent-Length: 50\r\n\r\nshort`), limits)
  assert.ok(frame._tag === 'Unframeable')
  assert.deepEqual(frame.problem, { _tag: 'TruncatedBody', declared: 50, received: 5 })
  assert.match(frame.head, /Call-ID: c/)
})

void test('CRLF, NUL and space datagrams are keepalives', () => {
  assert.equal(frameDatagram(Buffer.from('\r\n\r\n'), limits)._tag, 'Keepalive')
  assert.equal(frameDatagram(Buffer.from([0, 0, 0, 0]), limits)._tag, 'Keepalive')
})

void test('leading CRLFs before the start line are skipped', () => {
  const frame = frameDatagram(Buffer.from(`\r\n${head}\r\nl: 0\r\n\r\n`), limits)
  assert.ok(frame._tag === 'Message')
  assert.match(frame.head, /^MESSAGE /)
})

void test('oversized datagrams, heads without a blank line and too many headers are unframeable', () => {
  assert.equal(frameDatagram(Buffer.from(`${head}\r\n\r\n${'x'.repeat(3000)}`), limits)._tag, 'Unframeable')
  const noEnd = frameDatagram(Buffer.from(`${head}\r\n`), limits)
  assert.ok(noEnd._tag === 'Unframeable' && noEnd.problem._tag === 'NoEndOfHeaders')
  const many = frameDatagram(Buffer.from(`${head}\r\n${'X: 1\r\n'.repeat(30)}\r\n`), limits)
  assert.ok(many._tag === 'Unframeable' && many.problem._tag === 'TooManyHeaders')
})
