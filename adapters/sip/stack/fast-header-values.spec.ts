import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Grammar } from 'sip.js/lib/grammar/grammar.js'
import { fastHeaderValue } from './fast-header-values.js'

/** The reader answers what the grammar answers (classes, fields, parameter order), or declines. */
const agrees = (text: string, rule: string): boolean => {
  const fast = fastHeaderValue(text, rule)
  if (fast === undefined) return false
  const grammar = Grammar.parse(text, rule)
  assert.deepStrictEqual(fast, grammar, `${rule}: ${text}`)
  assert.equal(JSON.stringify(fast), JSON.stringify(grammar), `${rule} (order): ${text}`)
  return true
}

const tokenText = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,10}$/)
/** Mostly the shapes real peers send, sometimes the odd ones the reader must decline or get right. */
const usually = <T>(plausible: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ arbitrary: plausible, weight: 6 }, { arbitrary: odd, weight: 1 })

const host = usually(
  fc.oneof(fc.ipV4(), fc.domain(), fc.constantFrom('example.com', 'fe01.contoso.com')),
  fc.constantFrom('example.com', 'EXAMPLE.COM', '127.0.0.1', '256.1.1.1', '01.2.3.4', '1.2.3.4a', '1.2.3', 'a_b.com', 'a.1b', 'a.b_c', 'host.', '-a.com', 'a-.com', '[::1]', '[2001:db8::1]', 'fe01.contoso.com', 'x'),
)
const user = usually(
  fc.oneof(fc.constantFrom('meet.bob', 'sipp', 'alice', '+15551234'), fc.stringMatching(/^[A-Za-z0-9._+-]{1,10}$/)),
  fc.oneof(fc.constantFrom('a;b', 'a?b', 'a%20b', 'user:pw', 'a/b', "o'neil(x)", '&=+$,', 'sip'), fc.stringMatching(/^[A-Za-z0-9\-_.!~*'()&=+$,;?/%:]{1,8}$/)),
)
const uriParam = usually(
  fc.oneof(fc.constantFrom('lr', 'transport=udp', 'transport=TCP', 'transport=tls', 'user=phone', 'gruu', 'x=Y', 'maddr=1.2.3.4'), fc.tuple(tokenText, tokenText).map(([n, v]) => `${n.replace(/[%`]/g, 'x')}=${v.replace(/[%`]/g, 'x')}`)),
  fc.oneof(fc.constantFrom('lr', 'lr=on', 'LR', 'lrx', 'transport=udp', 'transport=UDP', 'transport=tls', 'transport=udpx', 'transport=ws', 'TRANSPORT=Tcp', 'transport', 'transports=1', 'user=phone', 'user=ipx', 'user=ip', 'username=1', 'maddr=1.2.3.4', 'ttl=5', 'method=INVITE', 'x=Y', 'X', 'opaque=user:epid:ab12;gruu'.split(';')[0]!, 'gruu', 'a=%20', 'a=[::1]', 'a=', '=b', 'a=b=c', 'a b'),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9\-_.!~*'()[\]/:&+$]{1,6}$/), fc.option(fc.stringMatching(/^[A-Za-z0-9\-_.!~*'()[\]/:&+$]{1,6}$/))).map(([n, v]) => (v === null ? n : `${n}=${v}`))),
)
const port = usually(fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 65_535 }).map((p) => `:${p}`)), fc.oneof(fc.integer({ min: 0, max: 99_999 }).map((p) => `:${p}`), fc.constantFrom(':', ':abc', ':0050', ':123456')))
const uri = fc
  .tuple(usually(fc.constantFrom('sip', 'sips'), fc.constantFrom('SIP', 'Sip', 'tel', 'sipx')), fc.option(user, { freq: 5 }), host, port, fc.array(uriParam, { maxLength: 3 }), usually(fc.constant(''), fc.constant('?subject=x')))
  .map(([scheme, u, h, p, params, headers]) => `${scheme}:${u === null ? '' : `${u}@`}${h}${p}${params.map((x) => `;${x}`).join('')}${headers}`)
const displayName = usually(
  fc.oneof(fc.constant(''), fc.constantFrom('"sipp" ', '"Bob"', 'Bob '), fc.stringMatching(/^[A-Za-z0-9 .'-]{0,12}$/).map((s) => `"${s}" `)),
  fc.oneof(fc.constantFrom('"" ', '"Bob"', '"" ', '"Bo\\"b" ', '"Jürgen Groß" ', '"a\tb" ', '"  spaced  " ', 'Bob ', 'Bob  Smith ', 'sip ', 'sip:x ', ' Bob ', '"unclosed ', 'Bob<', '"x"y" '),
  tokenText.map((t) => `${t} `),
  fc.string({ maxLength: 8 }).map((s) => `"${s}" `)),
)
const headerParam = usually(
  fc.oneof(tokenText.map((t) => `tag=${t}`), fc.constantFrom('epid=9e1d2', 'x', 'x=1.2.3.4')),
  fc.oneof(fc.constantFrom('tag', 'tag=', 'TAG=x', 'tagx=1', 'epid=9e1d2', 'x', 'x="q"', 'x=1.2.3.4', 'x=[::1]', 'q=0.5', 'q=1.0', 'expires=30', 'tag=a;tag=b', ' tag=x', 'tag = x', '+sip.instance="<urn:uuid:1>"'),
  fc.tuple(tokenText, fc.option(tokenText)).map(([n, v]) => (v === null ? n : `${n}=${v}`))),
)
const nameAddr = fc
  .tuple(usually(fc.constant(true), fc.constant(false)), displayName, uri, fc.array(headerParam, { maxLength: 3 }))
  .map(([angled, name, u, params]) => `${angled ? `${name}<${u}>` : u}${params.map((p) => `;${p}`).join('')}`)

void test('From, To and Contact: the reader agrees with SIP.js\'s grammar wherever it answers', () => {
  let answered = 0
  fc.assert(
    fc.property(nameAddr, fc.constantFrom('From', 'To', 'Contact'), (text, rule) => {
      if (agrees(text, rule)) answered++
    }),
    { numRuns: 3000 },
  )
  // The generator is mostly unusual shapes; still, a good share must be read without the grammar.
  assert.ok(answered > 1000, `only ${answered} of 3000 answered`)
})

void test('Request-URIs: the reader agrees with the grammar wherever it answers', () => {
  fc.assert(fc.property(uri, (text) => void agrees(text, 'SIP_URI')), { numRuns: 2000 })
})

void test('CSeq, Content-Length and Max-Forwards agree with the grammar', () => {
  const method = fc.oneof(
    fc.constantFrom('INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'PRACK', 'UPDATE', 'PUBLISH', 'REGISTER', 'SERVICE', 'BENOTIFY', 'invite', 'INVITEX', 'ACKNOWLEDGE', 'INFOx', 'MESSAGES', 'BYEBYE', 'NOTIFYx', 'REFERRED', 'X-1'),
    tokenText,
  )
  const cseq = fc.tuple(fc.oneof(fc.nat({ max: 2 ** 31 }).map(String), fc.constantFrom('', '01', '4294967296', '99999999999', 'x')), fc.constantFrom(' ', '  ', '\t', ''), method).map(([n, sp, m]) => `${n}${sp}${m}`)
  fc.assert(fc.property(cseq, (text) => void agrees(text, 'CSeq')), { numRuns: 2000 })
  const number = fc.oneof(fc.nat().map(String), fc.constantFrom('', '007', '1234567890', '-1', '1.5', ' 5'))
  fc.assert(fc.property(number, fc.constantFrom('Content_Length', 'Max_Forwards'), (text, rule) => void agrees(text, rule)))
})

void test('the shapes every call carries are read without the grammar', () => {
  const everyday: ReadonlyArray<readonly [string, string]> = [
    ['From', '"sipp" <sip:sipp@127.0.0.1:5060>;tag=31247SIPpTag001'],
    ['To', '<sip:meet.bob@example.com>;tag=10659d029acb'],
    ['To', '<sip:meet.bob@example.com>'],
    ['From', '"Alice Smith" <sip:alice@contoso.com>;tag=8a7b6c5d;epid=1a2b3c4d5e'],
    ['To', 'sip:bob@example.com;tag=x1'],
    ['Contact', '<sip:sipp@127.0.0.1:5060;transport=UDP>'],
    ['Contact', '<sip:alice@contoso.com;opaque=user:epid:Zt9T1EcJq;gruu>'],
    ['CSeq', '1 INVITE'],
    ['CSeq', '102 SUBSCRIBE'],
    ['Max_Forwards', '70'],
    ['Content_Length', '0'],
    ['SIP_URI', 'sip:meet.bob@example.com'],
    ['SIP_URI', 'sip:127.0.0.1:5060;transport=tcp;lr'],
  ]
  for (const [rule, text] of everyday) assert.ok(agrees(text, rule), `${rule}: ${text} went to the grammar`)
})
