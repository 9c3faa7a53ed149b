import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { StreamFramer, type StreamFrame } from './stream-framer.js'

const limits = { maxMessageBytes: 64 * 1024, maxHeaderCount: 64 }

const message = (body: string, lengthHeader: 'long' | 'compact' = 'long'): string => {
  const bytes = Buffer.byteLength(body)
  const length = lengthHeader === 'long' ? `Content-Length: ${bytes}` : `l: ${bytes}`
  return `MESSAGE sip:meet.alice@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1\r\nCall-ID: c1\r\n${length}\r\n\r\n${body}`
}

const feed = (framer: StreamFramer, chunks: ReadonlyArray<Buffer>): StreamFrame[] => chunks.flatMap((c) => [...framer.push(c)])

const summary = (frames: ReadonlyArray<StreamFrame>): string[] =>
  frames.map((f) => (f._tag === 'Message' ? `msg:${f.body.toString('utf8')}` : f._tag === 'KeepalivePing' ? 'ping' : `bad:${f.problem._tag}`))

/** Cuts `bytes` at the given offsets (sorted, deduplicated). */
const split = (bytes: Buffer, cuts: ReadonlyArray<number>): Buffer[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let from = 0
  for (const p of points) {
    chunks.push(bytes.subarray(from, p))
    from = p
  }
  chunks.push(bytes.subarray(from))
  return chunks
}

void test('messages and keepalives come out the same however the stream is segmented', () => {
  const item = fc.oneof(
    fc.record({ kind: fc.constant('msg' as const), body: fc.string({ maxLength: 40, unit: 'grapheme' }), compact: fc.boolean() }),
    fc.record({ kind: fc.constant('ping' as const) }),
  )
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (items, cuts) => {
      const wire = items.map((i) => (i.kind === 'ping' ? '\r\n\r\n' : message(i.body, i.compact ? 'compact' : 'long'))).join('')
      const expected = items.map((i) => (i.kind === 'ping' ? 'ping' : `msg:${i.body}`))
      const frames = feed(new StreamFramer(limits), split(Buffer.from(wire, 'utf8'), cuts))
      assert.deepEqual(summary(frames), expected)
    }),
  )
})

void test('two messages coalesced in one segment are both delivered, bodies cut by byte length', () => {
  const wire = Buffer.from(message('héllo') + message('{"x":1}'), 'utf8')
  const frames = feed(new StreamFramer(limits), [wire])
  assert.deepEqual(summary(frames), ['msg:héllo', 'msg:{"x":1}'])
  const first = frames[0]
  assert.ok(first?._tag === 'Message')
  assert.match(first.head, /^MESSAGE sip:meet.alice@example.com SIP\/2.0\r\n/)
  assert.ok(!first.head.endsWith('\r\n'), 'the head excludes the blank line')
})

void test('a lone CRLF (a pong, or padding before a start line) is skipped; a double CRLF is a ping', () => {
  const frames = feed(new StreamFramer(limits), [Buffer.from('\r\n' + message('a') + '\r\n\r\n\r\n')])
  // "\r\n" before the message: skipped. After it: a ping, then one CRLF still waiting for its pair.
  assert.deepEqual(summary(frames), ['msg:a', 'ping'])
})

void test('a ping split across segments is still one ping', () => {
  const frames = feed(new StreamFramer(limits), [Buffer.from('\r'), Buffer.from('\n\r'), Buffer.from('\n')])
  assert.deepEqual(summary(frames), ['ping'])
})

void test('a message without Content-Length on a stream is unframeable and the framer stops', () => {
  const framer = new StreamFramer(limits)
  const noLength = 'OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK2\r\nCall-ID: x\r\n\r\n'
  const frames = feed(framer, [Buffer.from(noLength + message('later'))])
  assert.deepEqual(summary(frames), ['bad:MissingContentLength'])
  const bad = frames[0]
  assert.ok(bad?._tag === 'Unframeable')
  assert.match(bad.head, /Call-ID: x/)
  assert.equal(framer.broken, true)
  assert.deepEqual(feed(framer, [Buffer.from(message('ignored'))]), [])
})

void test('an oversized message, a head that never ends, too many headers and a bad length are refused', () => {
  const small = { maxMessageBytes: 300, maxHeaderCount: 5 }
  assert.deepEqual(summary(feed(new StreamFramer(small), [Buffer.from(message('x'.repeat(400)))])), ['bad:MessageTooLarge'])
  assert.deepEqual(summary(feed(new StreamFramer(small), [Buffer.from('INVITE sip:a@b SIP/2.0\r\n' + 'X-Filler: y\r\n'.repeat(40))])), ['bad:MessageTooLarge'])
  const manyHeaders = 'INVITE sip:a@b SIP/2.0\r\n' + 'X: 1\r\n'.repeat(6) + 'Content-Length: 0\r\n\r\n'
  assert.deepEqual(summary(feed(new StreamFramer(small), [Buffer.from(manyHeaders)])), ['bad:TooManyHeaders'])
  assert.deepEqual(summary(feed(new StreamFramer(limits), [Buffer.from('BYE sip:a@b SIP/2.0\r\nContent-Length: ten\r\n\r\n')])), ['bad:InvalidContentLength'])
  assert.deepEqual(
    summary(feed(new StreamFramer(limits), [Buffer.from('BYE sip:a@b SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab')])),
    ['bad:InvalidContentLength'],
  )
})

void test('a folded header line is not counted as a header of its own', () => {
  const folded = 'INVITE sip:a@b SIP/2.0\r\nSubject: one\r\n two\r\n three\r\nContent-Length: 0\r\n\r\n'
  assert.deepEqual(summary(feed(new StreamFramer({ maxMessageBytes: 1000, maxHeaderCount: 2 }), [Buffer.from(folded)])), ['msg:'])
})
