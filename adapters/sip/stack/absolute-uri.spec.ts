/**
 * From and To with tel: and other non-SIP URIs (RFC 3261 §20.20, §20.39; RFC 3966; RFC 4475
 * §3.3.4 unksm2): read where SIP.js's grammar refuses them, and never where it would answer.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { Grammar } from 'sip.js/lib/grammar/grammar.js'
import type { NameAddrHeader } from 'sip.js/lib/grammar/name-addr-header.js'
import { AbsoluteUri, readAbsoluteFromOrTo } from './absolute-uri.js'
import { parseHeaderValue } from './fast-header-values.js'
import { parseMessage } from './message-parser.js'
import { createParseMemo } from './parse-memo.js'

const tokenText = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,8}$/)
const usually = <T>(plausible: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ arbitrary: plausible, weight: 5 }, { arbitrary: odd, weight: 1 })

/** RFC 3966 numbers: global (`+` digits with visual separators) or local with a phone-context. */
const telNumber = fc.oneof(
  fc.stringMatching(/^\+[0-9][0-9().-]{0,14}$/),
  fc.tuple(fc.stringMatching(/^[0-9*#]{1,8}$/).map((n) => n.replace(/#/g, '%23')), fc.constantFrom('example.com', '+1555', 'gw.contoso.com')).map(([n, c]) => `${n};phone-context=${c}`),
)
const telParams = fc.array(fc.constantFrom(';ext=1234', ';isub=12', ';npdi', ';rn=+15550000', ';cic=+1-5551'), { maxLength: 2 }).map((p) => p.join(''))
const telUri = fc.tuple(fc.constantFrom('tel', 'TEL', 'Tel'), telNumber, telParams).map(([s, n, p]) => `${s}:${n}${p}`)
/** Other schemes, and the SIP ones and near misses the grammar owns or refuses. */
const otherUri = fc.oneof(
  fc.constantFrom('isbn:2983792873', 'http://www.example.com', 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'im:alice@example.com', 'mailto:a@b.c', 'h323:1001@gk.example.com', 'name:John_Smith'),
  fc.tuple(fc.constantFrom('sip', 'sips', 'SIP', 'sipx', 'x-y.z+1', '1tel', '', 'tel'), fc.stringMatching(/^[A-Za-z0-9;/?:@&=+$,\-_.!~*'()% <>"]{0,12}$/)).map(([s, r]) => `${s}:${r}`),
  fc.constantFrom('sip:bob@example.com', 'sips:bob@example.com;transport=tls', 'tel:', 'tel:a b', 'tel:%zz', ':x', 'tel', 'tel:+1,2', 'tel:+1?x'),
)
const uri = usually(telUri, otherUri)
const displayName = usually(
  fc.oneof(fc.constant(''), fc.constantFrom('"+1 555" ', '"Reception" ', 'Caller '), fc.stringMatching(/^[A-Za-z0-9 +.'-]{0,12}$/).map((s) => `"${s}" `)),
  fc.oneof(fc.constantFrom('"Bo\\"b" ', '"unclosed ', 'sip:x ', '" " ', '"" ', 'a<'), fc.string({ maxLength: 6 }).map((s) => `${s} `)),
)
const headerParam = usually(
  fc.oneof(tokenText.map((t) => `tag=${t}`), fc.constantFrom('epid=9e1d2', 'x')),
  fc.constantFrom('tag', 'tag=', 'tag=a;tag=b', 'x="q v"', ' tag=x', 'a b', '=b', 'q=0.5'),
)
const value = fc
  .tuple(usually(fc.constant(true), fc.constant(false)), displayName, uri, fc.array(headerParam, { maxLength: 3 }))
  .map(([angled, name, u, params]) => `${angled ? `${name}<${u}>` : u}${params.map((p) => `;${p}`).join('')}`)

void test('the reader answers only where the grammar refuses: a SIP From or To always stays the grammar\'s', () => {
  let answered = 0
  fc.assert(
    fc.property(value, fc.constantFrom('From', 'To'), (text, rule) => {
      const read = readAbsoluteFromOrTo(text)
      if (read === undefined) return
      answered++
      assert.equal(Grammar.parse(text, rule), -1, `${rule}: ${text}: the grammar reads it, so the reader must decline`)
      assert.ok(read.uri instanceof AbsoluteUri)
      assert.ok(!/^sips?$/.test(read.uri.scheme), read.uri.scheme)
    }),
    { numRuns: 2000 },
  )
  assert.ok(answered > 700, `only ${answered} of 2000 answered`)
})

void test('a tel: name-addr gives back its display name, its URI as written and its tag', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9 +.'-]{0,12}$/), telUri, tokenText, (name, tel, tag) => {
      const read = readAbsoluteFromOrTo(`"${name}" <${tel}>;tag=${tag};epid=1a2b`)
      assert.ok(read !== undefined, tel)
      assert.equal(read.uri.toString(), tel)
      assert.equal(read.uri.scheme, 'tel')
      assert.equal(read.displayName, name)
      assert.equal(read.getParam('tag'), tag)
      assert.equal(read.getParam('epid'), '1a2b')
    }),
    { numRuns: 500 },
  )
})

void test('the shapes PSTN gateways, SfB and RFC 4475 send are read; malformed ones are not', () => {
  const cases: ReadonlyArray<readonly [string, string | undefined, string | undefined, string | undefined]> = [
    // value, URI, display name, tag
    ['"+1 555" <tel:+15551234567>;tag=abc', 'tel:+15551234567', '+1 555', 'abc'],
    ['<tel:+1-555-123-4567;ext=22>', 'tel:+1-555-123-4567;ext=22', undefined, undefined],
    ['tel:+15551234567;tag=9f8e', 'tel:+15551234567', undefined, '9f8e'],
    ['<tel:7042;phone-context=example.com>;tag=1', 'tel:7042;phone-context=example.com', undefined, '1'],
    ['Reception <tel:+441234567890>;tag=zz', 'tel:+441234567890', 'Reception', 'zz'],
    // RFC 4475 §3.3.4 (unksm2).
    ['isbn:2983792873', 'isbn:2983792873', undefined, undefined],
    ['<http://www.example.com>;tag=3234233', 'http://www.example.com', undefined, '3234233'],
  ]
  for (const [text, uriText, name, tag] of cases) {
    const read = readAbsoluteFromOrTo(text)
    assert.ok(read !== undefined, text)
    assert.equal(read.uri.toString(), uriText, text)
    assert.equal(read.displayName, name, text)
    assert.equal(read.getParam('tag'), tag, text)
  }
  for (const bad of ['<tel:>', '<tel:a b>', '<:123>', '<1tel:123>', 'tel:+1,2', 'tel:+1?a', '"x <tel:1>', '<tel:1>;tag', '<tel:%2>', '<tel:1', '<sip:bob@example.com>'])
    assert.equal(readAbsoluteFromOrTo(bad), undefined, bad)
})

void test('parseHeaderValue reads a tel: From without asking the grammar, and a SIP one as before', () => {
  const asked: string[] = []
  const memo = createParseMemo(16)
  const counting = { parse: (text: string, rule: string) => (asked.push(text), memo.parse(text, rule)), size: memo.size }
  const tel = parseHeaderValue('"+1 555" <tel:+15551234567>;tag=abc', 'From', counting) as NameAddrHeader
  assert.equal(tel.uri.toString(), 'tel:+15551234567')
  const sip = parseHeaderValue('"Bob" <sip:bob@example.com;user=phone;x=%41>;tag=a', 'From', counting) as NameAddrHeader
  assert.equal(sip.uri.scheme, 'sip')
  assert.deepEqual(asked, ['"Bob" <sip:bob@example.com;user=phone;x=%41>;tag=a'])
  // Other headers are the grammar's alone.
  assert.equal(parseHeaderValue('<tel:+15551234567>', 'Contact', counting), -1)
})

void test('an INVITE from a PSTN caller, and RFC 4475 unksm2, parse with their From and To', () => {
  const memo = createParseMemo(16)
  const head = (lines: ReadonlyArray<string>) => parseMessage(lines.join('\r\n'), Buffer.alloc(0), memo)
  const invite = head([
    'INVITE sip:meet.bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.30:5060;branch=z9hG4bKgw1',
    'From: "+1 555" <tel:+15551234567>;tag=abc',
    'To: <tel:+15557654321>',
    'P-Asserted-Identity: <tel:+15551234567>',
    'Call-ID: pstn-1@192.0.2.30',
    'CSeq: 1 INVITE',
    'Contact: <sip:+15551234567@192.0.2.30:5060;user=phone>',
  ])
  assert.ok(E.isRight(invite), JSON.stringify(E.isLeft(invite) ? invite.left.problem : ''))
  assert.equal(invite.right.fromTag, 'abc')
  assert.equal(invite.right.from.uri.toString(), 'tel:+15551234567')
  assert.equal(invite.right.from.displayName, '+1 555')
  assert.equal(invite.right.to.uri.toString(), 'tel:+15557654321')
  assert.equal(invite.right.toTag, '')
  const unksm2 = head([
    'REGISTER sip:example.com SIP/2.0',
    'To: isbn:2983792873',
    'From: <http://www.example.com>;tag=3234233',
    'Call-ID: unksm2.daksdj@hyphenated-host.example.com',
    'CSeq: 234902 REGISTER',
    'Max-Forwards: 70',
    'Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw',
    'Contact: <name:John_Smith>',
    'l: 0',
  ])
  assert.ok(E.isRight(unksm2))
  assert.equal(unksm2.right.fromTag, '3234233')
  assert.equal(unksm2.right.to.uri.toString(), 'isbn:2983792873')
})
