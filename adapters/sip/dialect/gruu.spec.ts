import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseGruuContact } from './gruu.js'
import { parseNameAddr } from './name-addr.js'

void test('an SfB GRUU Contact names the endpoint id', () => {
  assert.deepEqual(parseGruuContact('<sip:bob@example.com;opaque=user:epid:hYnsEUpJhlGc0T-xd_I7vAAA;gruu>'), E.right({
    _tag: 'MsEpidGruu',
    uri: 'sip:bob@example.com;opaque=user:epid:hYnsEUpJhlGc0T-xd_I7vAAA;gruu',
    aor: 'sip:bob@example.com',
    epid: 'hYnsEUpJhlGc0T-xd_I7vAAA',
  }))
})

void test('the GRUU a registrar hands out in a Contact parameter', () => {
  const contact =
    '<sip:bob@192.0.2.8:17925;transport=tls>;expires=300;+sip.instance="<urn:uuid:e0de506b-a705-59cc-9bfa-d37593141231>";gruu="sip:bob@example.com;opaque=user:epid:a1De4AWnzFmb-tN1kxQSMQAA;gruu"'
  const parsed = parseGruuContact(contact)
  assert.ok(E.isRight(parsed))
  assert.equal(parsed.right._tag, 'MsEpidGruu')
  assert.equal(parsed.right.aor, 'sip:bob@example.com')
})

void test('RFC 5627 public and temporary GRUUs', () => {
  const pub = parseGruuContact('<sip:room@rooms.example.com;gr=urn:uuid:998e8de6-7d02-5d23-abb3-7e070e1deb8c>')
  assert.deepEqual(pub, E.right({
    _tag: 'InstanceGruu',
    uri: 'sip:room@rooms.example.com;gr=urn:uuid:998e8de6-7d02-5d23-abb3-7e070e1deb8c',
    aor: 'sip:room@rooms.example.com',
    instance: 'urn:uuid:998e8de6-7d02-5d23-abb3-7e070e1deb8c',
  }))
  const temp = parseGruuContact('<sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr>')
  assert.ok(E.isRight(temp) && temp.right._tag === 'InstanceGruu' && temp.right.instance === '')
})

void test('a user part with ";" does not hide the URI parameters', () => {
  const parsed = parseGruuContact('<sip:+1555;phone-context=x@example.com;opaque=user:epid:zz;gruu>')
  assert.ok(E.isRight(parsed) && parsed.right._tag === 'MsEpidGruu' && parsed.right.aor === 'sip:+1555;phone-context=x@example.com')
})

void test('contacts that are not GRUUs, and garbage', () => {
  assert.equal(E.isLeft(parseGruuContact('<sip:bob@192.0.2.8:5060>')) && 'NotAGruu', 'NotAGruu')
  const notGruu = parseGruuContact('<sip:bob@example.com;opaque=user:epid:abc>')
  assert.ok(E.isLeft(notGruu) && notGruu.left._tag === 'NotAGruu')
  const bad = parseGruuContact('"Bob <sip:bob@example.com>')
  assert.ok(E.isLeft(bad) && bad.left._tag === 'BadContact')
  fc.assert(fc.property(fc.string(), (s) => {
    parseGruuContact(s)
  }))
})

void test('name-addr: quoted display names, spaces before parameters, bare URIs', () => {
  assert.deepEqual(parseNameAddr('"Smith; <John>" <sip:j@example.com>;tag=1 ; epid="ab;c"'), E.right({
    displayName: 'Smith; <John>',
    uri: 'sip:j@example.com',
    params: new Map([['tag', '1'], ['epid', 'ab;c']]),
  }))
  assert.deepEqual(parseNameAddr('Bob <sip:b@example.com>'), E.right({ displayName: 'Bob', uri: 'sip:b@example.com', params: new Map() }))
  assert.deepEqual(parseNameAddr('sip:b@example.com;tag=9;lr'), E.right({ uri: 'sip:b@example.com', params: new Map([['tag', '9'], ['lr', '']]) }))
  assert.ok(E.isLeft(parseNameAddr('   ')))
  assert.ok(E.isLeft(parseNameAddr('<sip:b@example.com')))
})
