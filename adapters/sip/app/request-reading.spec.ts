import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { parseNameAddr } from '../dialect/name-addr.js'
import { parseMessage } from '../stack/message-parser.js'
import { createParseMemo } from '../stack/parse-memo.js'
import { SipRequest } from '../stack/sip-message.js'
import { callerParty, dialledAddress, eventPackage, expiresOf, hostOfUri, nameAddrOf, ownHostCheck, supportedTags } from './request-reading.js'

const memo = createParseMemo(64)

const request = (uri: string, headers: ReadonlyArray<string>, to = '<sip:meet.bob@example.com>', from = '"Carol" <sip:carol@example.net>;tag=1'): SipRequest => {
  const head = [
    `INVITE ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKx',
    `From: ${from}`,
    `To: ${to}`,
    'Call-ID: c1',
    'CSeq: 1 INVITE',
    ...headers,
    'Content-Length: 0',
  ].join('\r\n')
  const parsed = parseMessage(`${head}\r\n`, Buffer.alloc(0), memo)
  assert.ok(E.isRight(parsed) && parsed.right instanceof SipRequest, JSON.stringify(parsed))
  return parsed.right
}

const own = ownHostCheck(['parley.example.com', '192.0.2.10'])

void test('hosts of URIs, bracketed IPv6 included', () => {
  assert.equal(hostOfUri('sip:meet.alice**1234@Example.COM:5061;transport=tls'), 'example.com')
  assert.equal(hostOfUri('sip:[2001:db8::1]:5060'), '2001:db8::1')
  assert.equal(hostOfUri('tel:+15551234'), '+15551234')
})

void test('the Request-URI is what was dialled, unless it names the node: then the To header', () => {
  assert.equal(dialledAddress(request('sip:meet.bob@example.com', []), own), 'sip:meet.bob@example.com')
  assert.equal(dialledAddress(request('sip:meet.bob@parley.example.com', []), own), 'sip:meet.bob@example.com')
  assert.equal(dialledAddress(request('sip:meet.bob@127.0.0.1:5060', []), own), 'sip:meet.bob@example.com')
  assert.equal(dialledAddress(request('sip:192.0.2.10', [], '<sip:192.0.2.10>'), own), 'sip:192.0.2.10', 'no user anywhere: as received')
})

void test('trusted peers name the caller with P-Asserted-Identity; anyone else by From', () => {
  const withPai = request('sip:meet.bob@example.com', ['P-Asserted-Identity: <tel:+15551234>, "Alice Smith" <sip:alice@contoso.com>'])
  assert.deepEqual(callerParty(withPai, true), { displayName: 'Alice Smith', uri: 'sip:alice@contoso.com' })
  assert.deepEqual(callerParty(withPai, false), { displayName: 'Carol', uri: 'sip:carol@example.net' })
  // A PSTN gateway asserting the number alone (RFC 3325 §9.1), and a PSTN caller's tel: From.
  const telOnly = request('sip:meet.bob@example.com', ['P-Asserted-Identity: "+1 555" <tel:+15551234>', 'P-Asserted-Identity: <urn:x:y>'])
  assert.deepEqual(callerParty(telOnly, true), { displayName: '+1 555', uri: 'tel:+15551234' })
  const pstn = request('sip:meet.bob@example.com', [], undefined, '"+1 555" <tel:+15551234567>;tag=abc')
  assert.deepEqual(callerParty(pstn, false), { displayName: '+1 555', uri: 'tel:+15551234567' })
  const bareNumber = request('sip:meet.bob@example.com', ['P-Asserted-Identity: <tel:+15551234567>'], undefined, '"Reception" <sip:anonymous@anonymous.invalid>;tag=abc')
  assert.deepEqual(callerParty(bareNumber, true), { displayName: 'Reception', uri: 'tel:+15551234567' })
})

void test('Supported tags, Event package and Expires as written, in long or compact form', () => {
  const r = request('sip:x@example.com', ['k: ms-benotify, eventlist', 'Supported: MS-Piggyback-First-Notify', 'o: presence;id=7', 'Expires: 600'])
  assert.deepEqual([...supportedTags(r)].sort(), ['eventlist', 'ms-benotify', 'ms-piggyback-first-notify'])
  assert.equal(eventPackage(r), 'presence')
  assert.deepEqual(expiresOf(r), { _tag: 'Seconds', seconds: 600 })
  assert.deepEqual(expiresOf(request('sip:x@example.com', ['Expires: soon'])), { _tag: 'Malformed', value: 'soon' })
  assert.equal(supportedTags(request('sip:x@example.com', ['Supported:'])).size, 0, 'an empty Supported (SIPp) is no tag')
})

void test('a party written as a name-addr reads back as the same party, whatever its display name', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }).filter((s) => !/[\r\n]/.test(s)), fc.constantFrom('sip:a@example.com', 'sips:b@[2001:db8::1]:5061'), (displayName, uri) => {
      const parsed = parseNameAddr(nameAddrOf({ displayName, uri }))
      assert.ok(E.isRight(parsed))
      assert.equal(parsed.right.uri, uri)
      assert.equal(parsed.right.displayName ?? '', displayName)
    }),
  )
})
