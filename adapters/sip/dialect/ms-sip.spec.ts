import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { isMsSip, msSipMarkers } from './ms-sip.js'
import type { SipHeaders } from './sip-headers.js'

const h = (name: string, value: string) => ({ name, value })

// Shaped after the SfB 2015 IM INVITE of PROTOCOLS 1.3 (identifiers changed).
const sfbImInvite: SipHeaders = [
  h('From', '"Bob Jones"<sip:bob@example.com>;tag=4f1a2b3c4d;epid=0a1b2c3d4e'),
  h('To', '<sip:meet.alice@example.com>'),
  h('Contact', '<sip:bob@example.com;opaque=user:epid:Qm9iJ3MgbGFwdG9wAAAA;gruu>'),
  h('User-Agent', 'UCCAPI/16.0.4417.1000 OC/16.0.4417.1000 (Skype for Business)'),
  h('ms-text-format', 'text/plain; charset=UTF-8; ms-body=aGVsbG8='),
  h('Ms-Conversation-ID', 'AdKjt1Xy9lDJ8KRjRYaBRsRaq4N/vw=='),
  h('ms-keep-alive', 'UAC;hop-hop=yes'),
]

void test('an SfB 2015 IM INVITE carries all three kinds of marker', () => {
  const tags = new Set(msSipMarkers(sfbImInvite).map((m) => m._tag))
  assert.deepEqual(tags, new Set(['MicrosoftUserAgent', 'MsHeader', 'EpidParameter']))
  assert.equal(isMsSip(sfbImInvite), true)
})

void test('each marker alone is enough', () => {
  const cases: ReadonlyArray<readonly [string, SipHeaders]> = [
    ['Lync 2013 user agent', [h('User-Agent', 'UCCAPI/15.0.4569.1503 OC/15.0.4569.1503 (Microsoft Lync)')]],
    ['SfB server user agent', [h('User-Agent', 'RTC/6.0')]],
    ['Mediation Server', [h('user-agent', 'RTCC/6.0.0.0 MediationServer')]],
    ['an SfB INVITE relayed without a User-Agent', [h('Ms-Conversation-ID', 'AdPQwQ+QHyGgNm5cnnI5Sv0cCiqWRgACaRaw')]],
    ['a Polycom registered to Lync', [h('ms-keep-alive', 'UAC;hop-hop=yes'), h('User-Agent', 'PolycomRealPresenceGroup500/4.1.5')]],
    ['epid in From', [h('From', 'hdx8000 <sip:hdx8000@[fd00:7:495::c0]> ;epid=82075008AAC0CG;tag=plcm_3285719264')]],
    ['epid in To', [h('To', '<sip:bob@example.com>;epid=46c4b2d3ac')]],
    ['epid in a compact From', [h('f', 'sip:bob@example.com;tag=1;epid=2')]],
  ]
  for (const [name, headers] of cases) assert.equal(isMsSip(headers), true, name)
})

void test('standard SIP user agents are not SfB', () => {
  const cases: ReadonlyArray<readonly [string, SipHeaders]> = [
    ['baresip', [h('User-Agent', 'baresip v3.10.1 (x86_64/linux)'), h('From', '<sip:alice@example.com>;tag=abc')]],
    ['SIPp', [h('From', 'sipp <sip:sipp@127.0.0.1:5061>;tag=1'), h('Subject', 'Performance Test')]],
    ['Cisco room system', [h('User-Agent', 'TANDBERG/529 (ce9.15.3)'), h('Supported', 'replaces,100rel,timer,gruu')]],
    ['a header that merely mentions ms-', [h('X-Note', 'ms-keep-alive'), h('Supported', 'ms-dialog-route-set-update')]],
    ['an epid inside the Contact URI only', [h('Contact', '<sip:bob@example.com;opaque=user:epid:abc;gruu>')]],
    ['ROC is not OC', [h('User-Agent', 'ROC/1.0')]],
    ['an unparsable From', [h('From', '"unterminated <sip:a@b>;epid=1')]],
  ]
  for (const [name, headers] of cases) assert.equal(isMsSip(headers), false, name)
})

void test('any ms-* header name makes a request SfB, whatever else it carries', () => {
  const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/)
  fc.assert(
    fc.property(fc.array(fc.record({ name: headerName, value: fc.string() })), fc.stringMatching(/^[a-z0-9-]{1,12}$/), (others, suffix) => {
      assert.equal(isMsSip([...others, h(`MS-${suffix}`, 'x')]), true)
    }),
  )
})

void test('msSipMarkers never throws on arbitrary headers', () => {
  fc.assert(fc.property(fc.array(fc.record({ name: fc.string(), value: fc.string() })), (headers) => {
    msSipMarkers(headers)
  }))
})

void test('isMsSip answers as msSipMarkers does, on SfB-like and standard header lists', () => {
  const name = fc.constantFrom('From', 'f', 'To', 't', 'User-Agent', 'user-agent', 'Contact', 'ms-keep-alive', 'MS-Foo', 'Via', ' To', 'Supported')
  const value = fc.constantFrom(
    '<sip:bob@example.com>;tag=1;epid=0a1b',
    '<sip:bob@example.com>;tag=1;EPID=x',
    '<sip:bob@example.com;epid=in-uri>;tag=2',
    '"epid" <sip:epid@example.com>',
    '<sip:bob@example.com',
    'UCCAPI/16.0 OC/16.0 (Skype for Business)',
    'baresip v2.0',
    'RTCC/6.0',
    '',
    'SIPp',
  )
  fc.assert(
    fc.property(fc.array(fc.record({ name, value }), { maxLength: 8 }), (headers) => {
      assert.equal(isMsSip(headers), msSipMarkers(headers).length > 0)
    }),
    { numRuns: 2000 },
  )
})
