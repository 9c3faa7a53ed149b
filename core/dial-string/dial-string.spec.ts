import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  aliasKey,
  formatDialString,
  parseDialString,
  type DialScheme,
  type DialString,
  type DialStringErrorReason,
  type UriHeader,
  type UriParameter,
} from './dial-string.js'
import { isPin, type Pin } from './pin.js'

const parsed = (raw: string): DialString => {
  const result = parseDialString(raw)
  assert.ok(E.isRight(result), `${raw} should parse, got ${JSON.stringify(result)}`)
  return result.right
}

/** Builds a DialString the way the parser does: absent fields are absent, not `undefined`. */
const dialString = (fields: {
  readonly displayName?: string | undefined
  readonly bracketed?: boolean
  readonly scheme?: DialScheme | undefined
  readonly user: string
  readonly pin?: Pin | undefined
  readonly domain?: string | undefined
  readonly port?: number | undefined
  readonly parameters?: ReadonlyArray<UriParameter>
  readonly headers?: ReadonlyArray<UriHeader>
}): DialString => {
  const d: { -readonly [K in keyof DialString]: DialString[K] } = {
    bracketed: fields.displayName !== undefined || fields.bracketed === true,
    user: fields.user,
    parameters: fields.parameters ?? [],
    headers: fields.headers ?? [],
  }
  if (fields.displayName !== undefined) d.displayName = fields.displayName
  if (fields.scheme !== undefined) d.scheme = fields.scheme
  if (fields.pin !== undefined) d.pin = fields.pin
  if (fields.domain !== undefined) d.domain = fields.domain
  if (fields.port !== undefined) d.port = fields.port
  return d
}

const asPin = (s: string): Pin => {
  assert.ok(isPin(s))
  return s
}

// ---------------------------------------------------------------------------------------------
// Generators derived from the grammar the parser accepts.

const chars = (s: string): fc.Arbitrary<string> => fc.constantFrom(...s.split(''))
const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const paramChars = alnum + "-_.!~*'()[]/:&+$%"
const headerChars = alnum + "-_.!~*'()[]/?:+$%"

const randomCase = (s: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((upper) => s.replace(/./gu, (c, i: number) => (upper[i] === true ? c.toUpperCase() : c.toLowerCase())))

const pinArb: fc.Arbitrary<Pin> = fc
  .oneof(
    fc.string({ unit: chars('0123456789'), minLength: 4, maxLength: 20 }),
    fc.string({ unit: chars('0123456789'), minLength: 3, maxLength: 19 }).map((d) => d + '#'),
  )
  .map(asPin)

/** Would `user` be read as alias + PIN? Such users are not representable (see dial-string.ts). */
const endsInPinForm = (user: string): boolean => {
  const stars = user.lastIndexOf('**')
  return stars > 0 && isPin(user.slice(stars + 2))
}

const userArb: fc.Arbitrary<string> = fc
  .string({
    unit: fc.oneof(
      { weight: 6, arbitrary: chars(alnum + ".-_!~*'()&=+$,;?/:#%@ \"<>") },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom('**', '**1234', '**123#') },
    ),
    minLength: 1,
    maxLength: 24,
  })
  .filter((u) => u.length > 0 && !endsInPinForm(u))

const domainArb: fc.Arbitrary<string> = fc.oneof(
  fc.domain().chain(randomCase),
  fc.ipV4(),
  fc.ipV6().chain(randomCase).map((a) => `[${a}]`),
)

const parameterArb: fc.Arbitrary<UriParameter> = fc
  .tuple(
    fc.string({ unit: chars(paramChars), minLength: 1, maxLength: 10 }),
    fc.option(fc.string({ unit: chars(paramChars + '='), maxLength: 10 }), { nil: undefined }),
  )
  .map(([name, value]) => (value === undefined ? { name } : { name, value }))

const headerArb: fc.Arbitrary<UriHeader> = fc
  .tuple(
    fc.string({ unit: chars(headerChars), minLength: 1, maxLength: 10 }),
    fc.string({ unit: chars(headerChars + '='), maxLength: 10 }),
  )
  .map(([name, value]) => ({ name, value }))

const displayNameArb = fc.string({
  unit: fc.oneof(chars('ab "\\<>@;'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  maxLength: 16,
})

const dialStringArb: fc.Arbitrary<DialString> = fc
  .record({
    displayName: fc.option(displayNameArb, { nil: undefined }),
    bracketed: fc.boolean(),
    scheme: fc.option(fc.constantFrom<DialScheme>('sip', 'sips', 'h323', 'tel'), { nil: undefined }),
    user: userArb,
    pin: fc.option(pinArb, { nil: undefined }),
    domain: fc.option(domainArb, { nil: undefined }),
    port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    parameters: fc.array(parameterArb, { maxLength: 3 }),
    headers: fc.array(headerArb, { maxLength: 3 }),
  })
  .chain((f) =>
    // A SIP URI always names a host (RFC 3261 §19.1.1); a port needs a host.
    (f.scheme === 'sip' || f.scheme === 'sips') && f.domain === undefined
      ? domainArb.map((domain) => dialString({ ...f, domain }))
      : fc.constant(dialString({ ...f, port: f.domain === undefined ? undefined : f.port })),
  )

/** Strings made of the pieces dial strings are made of, to reach deep into the scanner. */
const sipishArb: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      'sip:', 'SIPS:', 'h323:', 'tel:', 'mailto:', '"', '\\', '<', '>', '@', '**', '1234', '#', '%', '%2A', '%2a%2A',
      '%ZZ', '%C3%A9', '%FF', '[', ']', '::1', ':', '5060', '99999', ';', '=', '?', '&', 'transport=tls', 'tag=x',
      'example.com', 'EXAMPLE.com', ' ', '\t', 'meet.alice', 'é', '\uD83D', '\uDE00', '😀', '1001', '+1555', '_',
    ),
    { maxLength: 14 },
  )
  .map((pieces) => pieces.join(''))

const codeUnitStringArb = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) })

// ---------------------------------------------------------------------------------------------

void describe('parseDialString: examples', () => {
  const examples: ReadonlyArray<readonly [string, DialString]> = [
    [
      'sip:meet.alice@example.com;transport=tls',
      dialString({ scheme: 'sip', user: 'meet.alice', domain: 'example.com', parameters: [{ name: 'transport', value: 'tls' }] }),
    ],
    ['meet.alice**1234@example.com', dialString({ user: 'meet.alice', pin: asPin('1234'), domain: 'example.com' })],
    ['sip:meet.alice**1234@example.com', dialString({ scheme: 'sip', user: 'meet.alice', pin: asPin('1234'), domain: 'example.com' })],
    ['<sip:1001@example.com>;tag=x', dialString({ bracketed: true, scheme: 'sip', user: '1001', domain: 'example.com' })],
    ['<sip:1001@example.com>', dialString({ bracketed: true, scheme: 'sip', user: '1001', domain: 'example.com' })],
    [
      '"Alice" <sips:meet.alice**1234#@Example.COM:5061;transport=tls?subject=x>',
      dialString({
        displayName: 'Alice',
        scheme: 'sips',
        user: 'meet.alice',
        pin: asPin('1234#'),
        domain: 'Example.COM',
        port: 5061,
        parameters: [{ name: 'transport', value: 'tls' }],
        headers: [{ name: 'subject', value: 'x' }],
      }),
    ],
    [
      '"Bob Smith" <sip:bob@example.com;transport=tls;ms-opaque=d3470f2e1d>;tag=0e2d0c3e5f;epid=01010101',
      dialString({
        displayName: 'Bob Smith',
        scheme: 'sip',
        user: 'bob',
        domain: 'example.com',
        parameters: [{ name: 'transport', value: 'tls' }, { name: 'ms-opaque', value: 'd3470f2e1d' }],
      }),
    ],
    ['Alice Smith <sip:alice@example.com>', dialString({ displayName: 'Alice Smith', scheme: 'sip', user: 'alice', domain: 'example.com' })],
    ['"" <sip:alice@example.com>', dialString({ displayName: '', scheme: 'sip', user: 'alice', domain: 'example.com' })],
    ['"A \\"quoted\\" \\\\ name" <tel:+1555>', dialString({ displayName: 'A "quoted" \\ name', scheme: 'tel', user: '+1555' })],
    ['h323:room@10.0.0.1', dialString({ scheme: 'h323', user: 'room', domain: '10.0.0.1' })],
    ['h323:1001', dialString({ scheme: 'h323', user: '1001' })],
    ['tel:+15551234', dialString({ scheme: 'tel', user: '+15551234' })],
    [
      'tel:+15551234;phone-context=example.com',
      dialString({ scheme: 'tel', user: '+15551234', parameters: [{ name: 'phone-context', value: 'example.com' }] }),
    ],
    ['1001', dialString({ user: '1001' })],
    ['SIP:Meet.Alice@Example.com', dialString({ scheme: 'sip', user: 'Meet.Alice', domain: 'Example.com' })],
    ['sip:alice@[::1]:5060', dialString({ scheme: 'sip', user: 'alice', domain: '[::1]', port: 5060 })],
    ['sip:alice@[2001:db8::10]', dialString({ scheme: 'sip', user: 'alice', domain: '[2001:db8::10]' })],
    ['sip:alice@127.0.0.1:5070;lr', dialString({ scheme: 'sip', user: 'alice', domain: '127.0.0.1', port: 5070, parameters: [{ name: 'lr' }] })],
    ['meet.alice%2A%2A1234@example.com', dialString({ user: 'meet.alice', pin: asPin('1234'), domain: 'example.com' })],
    ['meet.alice%2a%2a1234%23@example.com', dialString({ user: 'meet.alice', pin: asPin('1234#'), domain: 'example.com' })],
    ['%61lice@example.com', dialString({ user: 'alice', domain: 'example.com' })],
    ['caf%C3%A9@example.com', dialString({ user: 'café', domain: 'example.com' })],
    // `**` followed by something that is not a PIN stays part of the user (dial-string.ts).
    ['meet.alice**12@example.com', dialString({ user: 'meet.alice**12', domain: 'example.com' })],
    ['meet.alice**12ab@example.com', dialString({ user: 'meet.alice**12ab', domain: 'example.com' })],
    ['**1234@example.com', dialString({ user: '**1234', domain: 'example.com' })],
    ['a**b**5678@example.com', dialString({ user: 'a**b', pin: asPin('5678'), domain: 'example.com' })],
    ['a***1234@example.com', dialString({ user: 'a*', pin: asPin('1234'), domain: 'example.com' })],
    ['sip:alice;day=tuesday@atlanta.com', dialString({ scheme: 'sip', user: 'alice;day=tuesday', domain: 'atlanta.com' })],
    [
      'sip:meet.alice@example.com;gruu;opaque=app:conf:focus:id:ABC?Subject=hi&Priority=urgent',
      dialString({
        scheme: 'sip',
        user: 'meet.alice',
        domain: 'example.com',
        parameters: [{ name: 'gruu' }, { name: 'opaque', value: 'app:conf:focus:id:ABC' }],
        headers: [{ name: 'Subject', value: 'hi' }, { name: 'Priority', value: 'urgent' }],
      }),
    ],
    ['  sip:alice@example.com \t', dialString({ scheme: 'sip', user: 'alice', domain: 'example.com' })],
  ]
  for (const [raw, expected] of examples) {
    void it(raw, () => assert.deepEqual(parseDialString(raw), E.right(expected)))
  }
})

void describe('parseDialString: refusals', () => {
  const refusals: ReadonlyArray<readonly [string, DialStringErrorReason, number]> = [
    ['', 'empty', 0],
    ['   ', 'empty', 3],
    ['"Alice <sip:alice@example.com>', 'unterminated-quote', 0],
    ['"Alice" sip:alice@example.com', 'missing-angle-bracket', 8],
    ['<sip:alice@example.com', 'unterminated-angle-bracket', 0],
    ['<sip:alice@example.com> trailing', 'text-after-uri', 24],
    ['mailto:alice@example.com', 'unsupported-scheme', 0],
    ['http://example.com/', 'unsupported-scheme', 0],
    ['sip:example.com', 'missing-user', 4],
    ['sip:@example.com', 'missing-user', 4],
    ['<>', 'missing-user', 1],
    ['meet alice@example.com', 'invalid-user-character', 4],
    ['meet.alice%2@example.com', 'invalid-escape', 10],
    ['meet.alice%ZZ@example.com', 'invalid-escape', 10],
    ['meet.alice%FF@example.com', 'invalid-escape', 0],
    ['alice\uD800@example.com', 'invalid-user-character', 5],
    ['alice@', 'missing-domain', 6],
    ['alice@;transport=tls', 'missing-domain', 6],
    ['alice@exa mple.com', 'invalid-domain', 9],
    ['alice@[::1', 'invalid-domain', 10],
    ['alice@[]', 'invalid-domain', 7],
    ['alice@example.com:', 'invalid-port', 18],
    ['alice@example.com:65536', 'invalid-port', 18],
    ['alice@example.com:5060x', 'invalid-port', 22],
    ['alice@example.com;', 'invalid-parameter', 18],
    ['alice@example.com;a=b c', 'invalid-parameter', 21],
    ['alice@example.com?', 'invalid-header', 18],
    ['alice@example.com?a=b c', 'invalid-header', 21],
  ]
  for (const [raw, reason, position] of refusals) {
    void it(`${JSON.stringify(raw)}: ${reason}`, () =>
      assert.deepEqual(parseDialString(raw), E.left({ _tag: 'DialStringError', reason, position })))
  }
})

void describe('parseDialString: never throws', () => {
  const total = (s: string): void => {
    const result = parseDialString(s)
    assert.ok(E.isLeft(result) || E.isRight(result))
    if (E.isRight(result)) {
      const d = result.right
      assert.ok(d.user.length > 0)
      assert.ok(d.displayName === undefined || d.bracketed)
      // What parsing yields, formatting writes back in a form that parses to the same thing.
      assert.deepEqual(parseDialString(formatDialString(d)), result)
    }
  }
  void it('on any printable string', () => fc.assert(fc.property(fc.string(), total), { numRuns: 2000 }))
  void it('on any Unicode string', () => fc.assert(fc.property(fc.string({ unit: 'binary' }), total), { numRuns: 2000 }))
  void it('on any UTF-16 code units, lone surrogates included', () =>
    fc.assert(fc.property(codeUnitStringArb, total), { numRuns: 2000 }))
  void it('on SIP-ish strings', () => fc.assert(fc.property(sipishArb, total), { numRuns: 5000 }))
  void it('on mutations of valid dial strings', () =>
    fc.assert(
      fc.property(dialStringArb, fc.nat(), fc.string({ maxLength: 3 }), (d, at, insert) => {
        const text = formatDialString(d)
        const cut = at % (text.length + 1)
        total(text.slice(0, cut) + insert + text.slice(cut + 1))
      }),
      { numRuns: 3000 },
    ))
})

void describe('formatDialString', () => {
  void it('round-trips: parse(format(d)) == d for generated dial strings', () => {
    fc.assert(
      fc.property(dialStringArb, (d) => assert.deepEqual(parseDialString(formatDialString(d)), E.right(d))),
      { numRuns: 3000 },
    )
  })

  void it('writes escapes only where RFC 3261 needs them', () => {
    assert.equal(formatDialString(parsed('meet.alice**1234#@example.com')), 'meet.alice**1234%23@example.com')
    assert.equal(formatDialString(parsed('tel:+1-555-1234')), 'tel:+1-555-1234')
    assert.equal(formatDialString(parsed('caf%C3%A9@example.com')), 'caf%C3%A9@example.com')
    assert.equal(formatDialString(parsed('sip:alice;day=tuesday@atlanta.com')), 'sip:alice%3Bday=tuesday@atlanta.com')
    assert.equal(formatDialString(parsed('Alice <sip:a@b>;tag=1')), '"Alice" <sip:a@b>')
    assert.equal(formatDialString(parsed('"Al \\"x\\"" <sip:a@b>')), '"Al \\"x\\"" <sip:a@b>')
  })
})

void describe('aliasKey', () => {
  const key = (raw: string): string => aliasKey(parsed(raw))

  void it('is user@domain in lower case, without scheme, PIN, port, parameters or headers', () => {
    const same = [
      'meet.alice@example.com',
      'sip:meet.alice@example.com;transport=tls',
      'SIPS:Meet.Alice@EXAMPLE.COM:5061',
      'h323:meet.alice@example.com',
      '"Alice\'s meeting room" <sip:meet.alice**1234@example.com>;tag=x',
      'meet.alice%2A%2A1234%23@Example.com?subject=hello',
      '%6Deet.alice@example.com',
    ]
    for (const raw of same) assert.equal(key(raw), 'meet.alice@example.com', raw)
    assert.equal(key('tel:+15551234;phone-context=example.com'), '+15551234')
    assert.equal(key('h323:1001'), '1001')
    assert.equal(key('sip:room@[2001:DB8::1]:5060'), 'room@[2001:db8::1]')
    assert.notEqual(key('meet.alice**12@example.com'), key('meet.alice@example.com'))
  })

  void it('drops the visual separators of a global telephone number, whatever the scheme (RFC 3966 §5.1.1)', () => {
    for (const raw of ['tel:+1-555-123-4567', 'tel:+1.555.123.4567', 'tel:+1(555)1234567', '+15551234567', '+1-555-123-4567'])
      assert.equal(key(raw).split('@')[0], '+15551234567', raw)
    assert.equal(key('sip:+1-555-123-4567@gw.example.com;user=phone'), '+15551234567@gw.example.com')
    // Not a global number: left as written.
    assert.equal(key('+1-555-abc'), '+1-555-abc')
    assert.equal(key('meet.1-2@example.com'), 'meet.1-2@example.com')
    assert.equal(key('tel:555-1234;phone-context=example.com'), '555-1234')
    assert.equal(key('+-.'), '+-.')
  })

  void it('a global number keys the same with visual separators put anywhere in it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 15 }), fc.array(fc.constantFrom('', '', '-', '.', '(', ')'), { minLength: 15, maxLength: 15 }), (digits, separators) => {
        const plain = '+' + digits.join('')
        const written = '+' + digits.map((digit, i) => `${separators[i] ?? ''}${digit}`).join('')
        assert.equal(key(`tel:${written}`), plain)
        assert.equal(key(`sip:${written}@example.com`), `${plain}@example.com`)
      }),
      { numRuns: 500 },
    )
  })

  const flipAsciiCase = (s: string, flips: ReadonlyArray<boolean>): string =>
    s.replace(/[A-Za-z]/g, (c, i: number) => (flips[i % Math.max(flips.length, 1)] === true ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c))

  void it('ignores scheme, parameters, headers, PIN, port, display name and ASCII case', () => {
    fc.assert(
      fc.property(
        dialStringArb,
        fc.record({
          scheme: fc.option(fc.constantFrom<DialScheme>('sip', 'sips', 'h323', 'tel'), { nil: undefined }),
          pin: fc.option(pinArb, { nil: undefined }),
          port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
          parameters: fc.array(parameterArb, { maxLength: 2 }),
          headers: fc.array(headerArb, { maxLength: 2 }),
          displayName: fc.option(displayNameArb, { nil: undefined }),
          flips: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        }),
        (d, change) => {
          const scheme = d.domain === undefined && (change.scheme === 'sip' || change.scheme === 'sips') ? d.scheme : change.scheme
          const variant = dialString({
            ...change,
            scheme,
            user: flipAsciiCase(d.user, change.flips),
            domain: d.domain === undefined ? undefined : flipAsciiCase(d.domain, change.flips),
            port: d.domain === undefined ? undefined : change.port,
          })
          fc.pre(!endsInPinForm(variant.user))
          assert.equal(aliasKey(parsed(formatDialString(variant))), aliasKey(d))
        },
      ),
      { numRuns: 2000 },
    )
  })
})
