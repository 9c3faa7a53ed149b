/**
 * The BFCP wire format (RFC 8855 §5): a 12-octet COMMON-HEADER, then TLV attributes padded to
 * 32 bits. `decodeMessage` never throws: any bytes give a message or a tagged error, the error
 * carrying what the header said when it could be read (the server answers with an Error
 * message addressed from it, §13.8). `encodeMessage` throws only on a message Parley should
 * never build (an attribute over the 255 octets its 8-bit length can say).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Attribute, AttributeName, BfcpMessage, BfcpVersion, GroupedAttribute } from './bfcp-message.js'
import { attributeCodes, primitiveCodes, primitiveOf, requestStatusCodes, requestStatusOf } from './bfcp-message.js'

export const commonHeaderLength = 12

/** The header fields as read, before they are known to make sense. */
export interface RawHeader {
  readonly version: number
  readonly responder: boolean
  readonly primitiveCode: number
  readonly conferenceId: number
  readonly transactionId: number
  readonly userId: number
}

export type BfcpDecodeError =
  | { readonly _tag: 'TooShort'; readonly length: number }
  | { readonly _tag: 'UnsupportedVersion'; readonly header: RawHeader }
  /** Payload Length (in 32-bit words) does not match the bytes received. */
  | { readonly _tag: 'IncorrectLength'; readonly header: RawHeader; readonly declared: number; readonly actual: number }
  /** F bit: a fragment of a larger message (§6.2.3); Parley does not reassemble. */
  | { readonly _tag: 'Fragmented'; readonly header: RawHeader }
  | { readonly _tag: 'UnknownPrimitive'; readonly header: RawHeader }
  | { readonly _tag: 'MalformedAttribute'; readonly header: RawHeader; readonly offset: number; readonly reason: string }

const attributeNameByCode: ReadonlyMap<number, AttributeName> = new Map(
  (Object.keys(attributeCodes) as Array<AttributeName>).map((name) => [attributeCodes[name], name]),
)

const padded = (length: number): number => (length + 3) & ~3

/**
 * The whole length of the message starting at `bytes[0]`, from its Payload Length, once its
 * first 4 octets are there (TCP framing, §6.1); undefined before.
 */
export const frameLength = (bytes: Uint8Array): number | undefined =>
  bytes.length < 4 ? undefined : commonHeaderLength + 4 * ((bytes[2]! << 8) | bytes[3]!)

// ---- encoding ----------------------------------------------------------------------------------

const utf8 = new TextEncoder()

const attributeContents = (a: Attribute): Uint8Array => {
  switch (a.type) {
    case 'BeneficiaryId':
    case 'FloorId':
    case 'FloorRequestId':
      return Uint8Array.of(a.value >> 8, a.value & 0xff)
    case 'Priority':
      return Uint8Array.of((a.priority & 0x07) << 5, 0)
    case 'RequestStatus':
      return Uint8Array.of(requestStatusCodes[a.status], a.queuePosition)
    case 'ErrorCode':
      return Uint8Array.of(a.code, ...a.details)
    case 'ErrorInfo':
    case 'ParticipantProvidedInfo':
    case 'StatusInfo':
    case 'UserDisplayName':
    case 'UserUri':
      return utf8.encode(a.text)
    case 'SupportedAttributes':
      return Uint8Array.from(a.attributes.map((t) => (t & 0x7f) << 1))
    case 'SupportedPrimitives':
      return Uint8Array.from(a.primitives)
    case 'BeneficiaryInformation':
    case 'FloorRequestInformation':
    case 'RequestedByInformation':
    case 'FloorRequestStatus':
    case 'OverallRequestStatus':
      return concat([Uint8Array.of(a.id >> 8, a.id & 0xff), ...a.attributes.map(encodeAttribute)])
    case 'Unknown':
      return a.contents
  }
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** One attribute with its padding. Grouped attributes count their nested attributes' padding (§5.2). */
export const encodeAttribute = (a: Attribute): Uint8Array => {
  const contents = attributeContents(a)
  const length = 2 + contents.length
  if (length > 255) throw new Error(`BFCP attribute ${a.type} is ${length} octets; its length field holds 255`)
  const out = new Uint8Array(padded(length))
  const code = a.type === 'Unknown' ? a.code : attributeCodes[a.type]
  out[0] = ((code & 0x7f) << 1) | (a.mandatory ? 1 : 0)
  out[1] = length
  out.set(contents, 2)
  return out
}

export const encodeMessage = (m: BfcpMessage): Uint8Array => {
  const payload = concat(m.attributes.map(encodeAttribute))
  const out = new Uint8Array(commonHeaderLength + payload.length)
  const view = new DataView(out.buffer)
  out[0] = (m.version << 5) | (m.responder ? 0x10 : 0)
  out[1] = primitiveCodes[m.primitive]
  view.setUint16(2, payload.length / 4)
  view.setUint32(4, m.conferenceId)
  view.setUint16(8, m.transactionId)
  view.setUint16(10, m.userId)
  out.set(payload, commonHeaderLength)
  return out
}

// ---- decoding ----------------------------------------------------------------------------------

// A leading U+FEFF is text, not a byte-order mark: BFCP text is UTF-8 with none (§5.2.7).
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true })

type AttributeResult = E.Either<{ readonly offset: number; readonly reason: string }, { readonly attribute: Attribute; readonly next: number }>

const fail = (offset: number, reason: string): AttributeResult => E.left({ offset, reason })

/**
 * The attribute at `offset`, within `end` (the message's, or the enclosing group's end padded
 * to 32 bits: a group's length may or may not count its last member's padding).
 */
const decodeAttribute = (bytes: Uint8Array, offset: number, end: number, depth: number): AttributeResult => {
  if (end - offset < 2) return fail(offset, 'attribute header cut short')
  const code = bytes[offset]! >> 1
  const mandatory = (bytes[offset]! & 1) === 1
  const length = bytes[offset + 1]!
  if (length < 2) return fail(offset, `attribute length ${length} is under its own header`)
  if (offset + length > end) return fail(offset, `attribute of ${length} octets runs past the end`)
  const next = Math.min(offset + padded(length), end)
  const contents = bytes.subarray(offset + 2, offset + length)
  const name = attributeNameByCode.get(code)
  const ok = (attribute: Attribute): AttributeResult => E.right({ attribute, next })
  const exactly = (n: number): boolean => contents.length === n
  switch (name) {
    case undefined:
      return ok({ type: 'Unknown', code, mandatory, contents: contents.slice() })
    case 'BeneficiaryId':
    case 'FloorId':
    case 'FloorRequestId':
      return exactly(2) ? ok({ type: name, mandatory, value: (contents[0]! << 8) | contents[1]! }) : fail(offset, `${name} must be 4 octets`)
    case 'Priority':
      return exactly(2) ? ok({ type: name, mandatory, priority: contents[0]! >> 5 }) : fail(offset, 'PRIORITY must be 4 octets')
    case 'RequestStatus': {
      if (!exactly(2)) return fail(offset, 'REQUEST-STATUS must be 4 octets')
      const status = requestStatusOf(contents[0]!)
      return status === undefined ? fail(offset, `unknown request status ${contents[0]!}`) : ok({ type: name, mandatory, status, queuePosition: contents[1]! })
    }
    case 'ErrorCode':
      return contents.length < 1 ? fail(offset, 'ERROR-CODE without a code') : ok({ type: name, mandatory, code: contents[0]!, details: contents.slice(1) })
    case 'ErrorInfo':
    case 'ParticipantProvidedInfo':
    case 'StatusInfo':
    case 'UserDisplayName':
    case 'UserUri':
      return ok({ type: name, mandatory, text: textDecoder.decode(contents) })
    case 'SupportedAttributes':
      return ok({ type: name, mandatory, attributes: [...contents].map((b) => b >> 1) })
    case 'SupportedPrimitives':
      return ok({ type: name, mandatory, primitives: [...contents] })
    case 'BeneficiaryInformation':
    case 'FloorRequestInformation':
    case 'RequestedByInformation':
    case 'FloorRequestStatus':
    case 'OverallRequestStatus': {
      if (contents.length < 2) return fail(offset, `${name} without its id`)
      // Groups nest a fixed, small number of levels (§5.3); a deeper one is not a BFCP message.
      if (depth >= 4) return fail(offset, 'grouped attributes nested too deep')
      const nested = decodeAttributes(bytes, offset + 4, Math.min(offset + padded(length), end), depth + 1)
      if (E.isLeft(nested)) return E.left(nested.left)
      const group: GroupedAttribute = { type: name, mandatory, id: (contents[0]! << 8) | contents[1]!, attributes: nested.right }
      return ok(group)
    }
  }
}

const decodeAttributes = (
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
): E.Either<{ readonly offset: number; readonly reason: string }, ReadonlyArray<Attribute>> => {
  const attributes: Attribute[] = []
  let offset = start
  while (offset < end) {
    // Padding after the last attribute of a group is not an attribute.
    if (depth > 0 && end - offset < 4 && bytes.subarray(offset, end).every((b) => b === 0)) break
    const decoded = decodeAttribute(bytes, offset, end, depth)
    if (E.isLeft(decoded)) return decoded
    attributes.push(decoded.right.attribute)
    offset = decoded.right.next
  }
  return E.right(attributes)
}

const readHeader = (bytes: Uint8Array): RawHeader => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    version: bytes[0]! >> 5,
    responder: (bytes[0]! & 0x10) !== 0,
    primitiveCode: bytes[1]!,
    conferenceId: view.getUint32(4),
    transactionId: view.getUint16(8),
    userId: view.getUint16(10),
  }
}

/** One whole BFCP message (a UDP datagram, or one TCP frame cut by `frameLength`). */
export const decodeMessage = (bytes: Uint8Array): E.Either<BfcpDecodeError, BfcpMessage> => {
  if (bytes.length < commonHeaderLength) return E.left({ _tag: 'TooShort', length: bytes.length })
  const header = readHeader(bytes)
  if (header.version !== 1 && header.version !== 2) return E.left({ _tag: 'UnsupportedVersion', header })
  if ((bytes[0]! & 0x08) !== 0) return E.left({ _tag: 'Fragmented', header })
  const declared = frameLength(bytes) ?? 0
  if (declared !== bytes.length) return E.left({ _tag: 'IncorrectLength', header, declared, actual: bytes.length })
  const primitive = primitiveOf(header.primitiveCode)
  if (primitive === undefined) return E.left({ _tag: 'UnknownPrimitive', header })
  const attributes = decodeAttributes(bytes, commonHeaderLength, bytes.length, 0)
  if (E.isLeft(attributes)) return E.left({ _tag: 'MalformedAttribute', header, ...attributes.left })
  return E.right({
    version: header.version as BfcpVersion,
    responder: header.responder,
    primitive,
    conferenceId: header.conferenceId,
    transactionId: header.transactionId,
    userId: header.userId,
    attributes: attributes.right,
  })
}
