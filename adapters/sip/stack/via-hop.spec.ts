import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createParseMemo } from './parse-memo.js'
import { fastViaHop, grammarViaHop, parseViaHop, stampViaHop } from './via-hop.js'

const memo = createParseMemo(64)
const hop = (text: string) => {
  const parsed = parseViaHop(text, memo)
  assert.ok(parsed !== undefined, text)
  return parsed
}

void test('received is added when the sent-by host is not the source address (RFC 3261 §18.2.1)', () => {
  const stamped = stampViaHop(hop('SIP/2.0/TLS fe01.contoso.com:5061;branch=z9hG4bK1;ms-received-port=5061'), { host: '10.1.1.5', port: 50123 })
  assert.equal(stamped.text, 'SIP/2.0/TLS fe01.contoso.com:5061;branch=z9hG4bK1;ms-received-port=5061;received=10.1.1.5')
  assert.equal(stamped.received, '10.1.1.5')
  assert.equal(stamped.rport, undefined)
})

void test('nothing changes when the sent-by host is the source and no rport was asked for', () => {
  const original = hop('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK2')
  assert.equal(stampViaHop(original, { host: '192.0.2.1', port: 5060 }), original)
})

void test('a valueless rport is filled with the source port, and received is added even if equal (RFC 3581 §4)', () => {
  const stamped = stampViaHop(hop('SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK3'), { host: '192.0.2.1', port: 61000 })
  assert.equal(stamped.text, 'SIP/2.0/UDP 192.0.2.1:5060;rport=61000;branch=z9hG4bK3;received=192.0.2.1')
  assert.equal(stamped.rport, 61000)
  assert.equal(stamped.rportRequested, false)
})

void test('a received parameter put there by the client is replaced, not doubled', () => {
  const stamped = stampViaHop(hop('SIP/2.0/UDP 10.0.0.1;received=6.6.6.6;branch=z9hG4bK4'), { host: '192.0.2.44', port: 5060 })
  assert.equal(stamped.text, 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK4;received=192.0.2.44')
})

void test('IPv6 sent-by compares without brackets', () => {
  const original = hop('SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK5')
  assert.equal(stampViaHop(original, { host: '2001:db8::1', port: 40000 }), original)
})

void test('the fast Via reader agrees with SIP.js\'s grammar wherever it answers', () => {
  const grammarMemo = createParseMemo(0)
  const sp = fc.constantFrom('', ' ', '  ')
  const host = fc.oneof(
    fc.ipV4(),
    fc.constantFrom('300.1.1.1', '10.1.1', 'fe01.contoso.com', 'FE01.Contoso.COM', 'a-b.example', '[2001:db8::1]', '[::1]', 'host_with_underscore', '-bad.example'),
    fc.domain(),
  )
  const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,12}$/)
  const param = fc.oneof(
    token.map((t) => `branch=z9hG4bK${t}`),
    fc.constantFrom('rport', 'rport=5060', 'rport=70000', 'rport=', 'received=192.0.2.1', 'received=::1', 'received=bad host', 'ms-received-port=5061', 'ms-received-cid=2A3B00', 'maddr=224.0.0.1', 'ttl=16', 'branched=FALSE', 'ms-internal-info="bq1A;qyVr"', 'x=[::1]'),
    fc.tuple(token, token).map(([n, v]) => `${n}=${v}`),
  )
  fc.assert(
    fc.property(
      fc.constantFrom('UDP', 'TCP', 'TLS', 'tls', 'SCTP', 'WS'),
      host,
      fc.option(fc.integer({ min: 0, max: 99999 }), { nil: undefined }),
      fc.array(fc.tuple(sp, param, sp), { maxLength: 5 }),
      sp,
      (transport, h, port, params, trailing) => {
        const text = `SIP/2.0/${transport} ${h}${port === undefined ? '' : `:${port}`}${params.map(([a, p, b]) => `${a};${b}${p}`).join('')}${trailing}`
        const fast = fastViaHop(text)
        if (fast === undefined) return
        const slow = grammarViaHop(text, grammarMemo)
        assert.ok(slow !== undefined, `the grammar refuses what the fast reader took: ${text}`)
        const { text: _a, ...fastFields } = fast
        const { text: _b, ...slowFields } = slow
        assert.deepEqual(fastFields, slowFields, text)
      },
    ),
    { numRuns: 2000 },
  )
})

void test('the Vias seen in practice take the fast path', () => {
  for (const text of [
    'SIP/2.0/TLS 10.1.1.5:5061;branch=z9hG4bK5E4AF1C1.2C8F5E91;branched=FALSE;ms-internal-info="bq1AqyVr"',
    'SIP/2.0/TLS 10.1.1.20:50231;branch=z9hG4bKaa;ms-received-port=50231;ms-received-cid=2A3B00',
    'SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK776asdhds',
    'SIP/2.0/TCP fe01.contoso.com;branch=z9hG4bK1;received=10.0.0.1;rport=50000',
    'SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKx',
  ]) {
    assert.ok(fastViaHop(text) !== undefined, text)
  }
})
