import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createParseMemo } from './parse-memo.js'
import { parseViaHop, stampViaHop } from './via-hop.js'

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
