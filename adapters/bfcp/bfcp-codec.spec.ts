import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { decodeMessage, encodeMessage, frameLength } from './bfcp-codec.js'
import type { Attribute, BfcpMessage, GroupedAttribute } from './bfcp-message.js'
import { attributeCodes, primitives, requestStatusCodes } from './bfcp-message.js'
import type { RequestStatus } from './bfcp-message.js'

const u16 = fc.integer({ min: 0, max: 0xffff })
const mandatory = fc.boolean()
const asciiText = fc.string({ maxLength: 12 })
/** Any Unicode scalar value (UTF-8 cannot carry lone surrogates). */
const unicodeText = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff), { maxLength: 40 })
  .map((cs) => String.fromCodePoint(...cs))
const knownCodes = new Set<number>(Object.values(attributeCodes))

const leaf = (text: fc.Arbitrary<string>): fc.Arbitrary<Attribute> =>
  fc.oneof(
    fc.record({ type: fc.constantFrom('BeneficiaryId' as const, 'FloorId' as const, 'FloorRequestId' as const), mandatory, value: u16 }),
    fc.record({ type: fc.constant('Priority' as const), mandatory, priority: fc.integer({ min: 0, max: 7 }) }),
    fc.record({
      type: fc.constant('RequestStatus' as const),
      mandatory,
      status: fc.constantFrom(...(Object.keys(requestStatusCodes) as Array<RequestStatus>)),
      queuePosition: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ type: fc.constant('ErrorCode' as const), mandatory, code: fc.integer({ min: 0, max: 255 }), details: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ type: fc.constantFrom('ErrorInfo' as const, 'ParticipantProvidedInfo' as const, 'StatusInfo' as const, 'UserDisplayName' as const, 'UserUri' as const), mandatory, text }),
    fc.record({ type: fc.constant('SupportedAttributes' as const), mandatory, attributes: fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 8 }) }),
    fc.record({ type: fc.constant('SupportedPrimitives' as const), mandatory, primitives: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }) }),
    fc.record({
      type: fc.constant('Unknown' as const),
      mandatory,
      code: fc.integer({ min: 0, max: 127 }).filter((c) => !knownCodes.has(c)),
      contents: fc.uint8Array({ maxLength: 8 }),
    }),
  )

const groupTypes = fc.constantFrom<GroupedAttribute['type']>('BeneficiaryInformation', 'FloorRequestInformation', 'RequestedByInformation', 'FloorRequestStatus', 'OverallRequestStatus')

/** Groups two deep with short members, within the 255 octets a group's length can say. */
const grouped = (depth: number): fc.Arbitrary<Attribute> =>
  fc.record({
    type: groupTypes,
    mandatory,
    id: u16,
    attributes: fc.array(depth <= 1 ? leaf(asciiText) : fc.oneof(leaf(asciiText), grouped(depth - 1)), { maxLength: 3 }),
  })

const attribute: fc.Arbitrary<Attribute> = fc.oneof(leaf(unicodeText), grouped(2))

const message: fc.Arbitrary<BfcpMessage> = fc.record({
  version: fc.constantFrom(1 as const, 2 as const),
  responder: fc.boolean(),
  primitive: fc.constantFrom(...primitives),
  conferenceId: fc.integer({ min: 0, max: 0xffffffff }),
  transactionId: u16,
  userId: u16,
  attributes: fc.array(attribute, { maxLength: 6 }),
})

/** Uint8Array contents compare by value; a decoded one is a fresh copy. */
const normalise = (m: unknown): unknown => JSON.parse(JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v)))

void test('decode(encode(m)) gives m back, and the frame length is the encoded length', () => {
  fc.assert(
    fc.property(message, (m) => {
      const bytes = encodeMessage(m)
      assert.equal(bytes.length % 4, 0)
      assert.equal(frameLength(bytes), bytes.length)
      const decoded = decodeMessage(bytes)
      assert.ok(E.isRight(decoded), JSON.stringify(decoded))
      assert.deepEqual(normalise(decoded.right), normalise(m))
    }),
    { numRuns: 500 },
  )
})

void test('any bytes decode to a message or a tagged error, never an exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const decoded = decodeMessage(bytes)
      assert.ok(E.isLeft(decoded) ? typeof decoded.left._tag === 'string' : typeof decoded.right.primitive === 'string')
    }),
    { numRuns: 2000 },
  )
})

void test('a valid message with bytes flipped still decodes to a value or an error', () => {
  fc.assert(
    fc.property(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (m, flips) => {
      const bytes = encodeMessage(m)
      for (const [at, value] of flips) bytes[at % bytes.length] = value
      const decoded = decodeMessage(bytes)
      assert.ok(E.isLeft(decoded) || E.isRight(decoded))
    }),
    { numRuns: 1000 },
  )
})

void test('a FloorRequest as RFC 8855 §5.3.1 lays it out, byte for byte', () => {
  // Version 1, FloorRequest, 2 words of payload, conference 7, transaction 0x1234, user 3,
  // FLOOR-ID 2 with the M bit (type 2 << 1 | 1), length 4.
  const bytes = Uint8Array.from([0x20, 1, 0, 1, 0, 0, 0, 7, 0x12, 0x34, 0, 3, 0x05, 4, 0, 2])
  const decoded = decodeMessage(bytes)
  assert.deepEqual(decoded, E.right({ version: 1, responder: false, primitive: 'FloorRequest', conferenceId: 7, transactionId: 0x1234, userId: 3, attributes: [{ type: 'FloorId', mandatory: true, value: 2 }] }))
  const again = decodeMessage(bytes)
  assert.ok(E.isRight(again))
  assert.deepEqual([...encodeMessage(again.right)], [...bytes])
})

void test('a grouped attribute whose length leaves out its last member padding is read all the same', () => {
  // FLOOR-REQUEST-INFORMATION (15) id 9 holding REQUEST-STATUS... then a 1-char STATUS-INFO (length 3).
  const group = [15 << 1, 4 + 4 + 3, 0, 9, 5 << 1, 4, 3, 0, 9 << 1, 3, 0x41, 0]
  const bytes = Uint8Array.from([0x40, 4, 0, 3, 0, 0, 0, 1, 0, 5, 0, 1, ...group])
  const decoded = decodeMessage(bytes)
  assert.ok(E.isRight(decoded), JSON.stringify(decoded))
  const info = decoded.right.attributes[0]
  assert.ok(info?.type === 'FloorRequestInformation')
  assert.deepEqual(info.attributes, [
    { type: 'RequestStatus', mandatory: false, status: 'Granted', queuePosition: 0 },
    { type: 'StatusInfo', mandatory: false, text: 'A' },
  ])
})

void test('the errors say what the header said', () => {
  assert.deepEqual(decodeMessage(Uint8Array.of(0x20, 1)), E.left({ _tag: 'TooShort', length: 2 }))
  const header = [0, 0, 0, 0, 0, 0, 0, 5, 0, 6, 0, 7]
  const withFirst = (b0: number, b1: number, b2 = 0, b3 = 0) => Uint8Array.from([b0, b1, b2, b3, ...header.slice(4)])
  const unsupported = decodeMessage(withFirst(0x60, 1))
  assert.ok(E.isLeft(unsupported) && unsupported.left._tag === 'UnsupportedVersion' && unsupported.left.header.conferenceId === 5)
  const fragment = decodeMessage(withFirst(0x48, 1))
  assert.ok(E.isLeft(fragment) && fragment.left._tag === 'Fragmented')
  const long = decodeMessage(withFirst(0x20, 1, 0, 1))
  assert.ok(E.isLeft(long) && long.left._tag === 'IncorrectLength' && long.left.declared === 16 && long.left.actual === 12)
  const unknown = decodeMessage(withFirst(0x20, 99))
  assert.ok(E.isLeft(unknown) && unknown.left._tag === 'UnknownPrimitive' && unknown.left.header.transactionId === 6 && unknown.left.header.userId === 7)
  const badStatus = decodeMessage(Uint8Array.from([0x20, 4, 0, 1, ...header.slice(4), 5 << 1, 4, 0, 0]))
  assert.ok(E.isLeft(badStatus) && badStatus.left._tag === 'MalformedAttribute' && badStatus.left.offset === 12)
})

void test('an attribute over 255 octets is a bug in the caller', () => {
  const m: BfcpMessage = { version: 1, responder: false, primitive: 'Error', conferenceId: 1, transactionId: 1, userId: 1, attributes: [{ type: 'ErrorInfo', mandatory: false, text: 'x'.repeat(254) }] }
  assert.throws(() => encodeMessage(m), /255/)
})
