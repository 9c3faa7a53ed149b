/**
 * BFCP messages as data (RFC 8855 §5): the COMMON-HEADER, the primitives and the attributes
 * Parley reads or writes as floor control server. A message is a header and its attributes in
 * wire order; which attributes a primitive needs (its ABNF, §5.3) is checked where the message
 * is handled, so that the codec round-trips whatever arrives.
 */

/** RFC 8855 §5.1, Table 2 (14-17 are the version 2 additions for unreliable transport). */
export const primitiveCodes = {
  FloorRequest: 1,
  FloorRelease: 2,
  FloorRequestQuery: 3,
  FloorRequestStatus: 4,
  UserQuery: 5,
  UserStatus: 6,
  FloorQuery: 7,
  FloorStatus: 8,
  ChairAction: 9,
  ChairActionAck: 10,
  Hello: 11,
  HelloAck: 12,
  Error: 13,
  FloorRequestStatusAck: 14,
  FloorStatusAck: 15,
  Goodbye: 16,
  GoodbyeAck: 17,
} as const

export type Primitive = keyof typeof primitiveCodes

export const primitives: ReadonlyArray<Primitive> = Object.keys(primitiveCodes) as Array<Primitive>

const primitiveByCode: ReadonlyMap<number, Primitive> = new Map(primitives.map((p) => [primitiveCodes[p], p]))
export const primitiveOf = (code: number): Primitive | undefined => primitiveByCode.get(code)

/** RFC 8855 §5.2.5, REQUEST-STATUS values. */
export const requestStatusCodes = {
  Pending: 1,
  Accepted: 2,
  Granted: 3,
  Denied: 4,
  Cancelled: 5,
  Released: 6,
  Revoked: 7,
} as const

export type RequestStatus = keyof typeof requestStatusCodes

const requestStatusByCode: ReadonlyMap<number, RequestStatus> = new Map(
  (Object.keys(requestStatusCodes) as Array<RequestStatus>).map((s) => [requestStatusCodes[s], s]),
)
export const requestStatusOf = (code: number): RequestStatus | undefined => requestStatusByCode.get(code)

/** RFC 8855 §5.2.6, ERROR-CODE values. */
export const errorCodes = {
  ConferenceDoesNotExist: 1,
  UserDoesNotExist: 2,
  UnknownPrimitive: 3,
  UnknownMandatoryAttribute: 4,
  UnauthorizedOperation: 5,
  InvalidFloorId: 6,
  FloorRequestIdDoesNotExist: 7,
  MaximumFloorRequestsReached: 8,
  UseTls: 9,
  UnableToParseMessage: 10,
  UseDtls: 11,
  UnsupportedVersion: 12,
  IncorrectMessageLength: 13,
  GenericError: 14,
} as const

export type ErrorCodeName = keyof typeof errorCodes

/** RFC 8855 §5.2, attribute types. */
export const attributeCodes = {
  BeneficiaryId: 1,
  FloorId: 2,
  FloorRequestId: 3,
  Priority: 4,
  RequestStatus: 5,
  ErrorCode: 6,
  ErrorInfo: 7,
  ParticipantProvidedInfo: 8,
  StatusInfo: 9,
  SupportedAttributes: 10,
  SupportedPrimitives: 11,
  UserDisplayName: 12,
  UserUri: 13,
  BeneficiaryInformation: 14,
  FloorRequestInformation: 15,
  RequestedByInformation: 16,
  FloorRequestStatus: 17,
  OverallRequestStatus: 18,
} as const

export type AttributeName = keyof typeof attributeCodes

/** Every attribute carries the M bit (§5.2): a receiver that does not know a mandatory one refuses the message. */
interface AttributeBase {
  readonly mandatory: boolean
}

export type Unsigned16Attribute = AttributeBase & { readonly type: 'BeneficiaryId' | 'FloorId' | 'FloorRequestId'; readonly value: number }
/** Priority 0 (lowest) to 4 (highest) in the top 3 bits (§5.2.4). */
export type PriorityAttribute = AttributeBase & { readonly type: 'Priority'; readonly priority: number }
/** The status, and the queue position (0 = not given) (§5.2.5). */
export type RequestStatusAttribute = AttributeBase & { readonly type: 'RequestStatus'; readonly status: RequestStatus; readonly queuePosition: number }
export type ErrorCodeAttribute = AttributeBase & { readonly type: 'ErrorCode'; readonly code: number; readonly details: Uint8Array }
export type TextAttribute = AttributeBase & {
  readonly type: 'ErrorInfo' | 'ParticipantProvidedInfo' | 'StatusInfo' | 'UserDisplayName' | 'UserUri'
  readonly text: string
}
/** Attribute types, one per octet (type << 1, the R bit reserved) (§5.2.10). */
export type SupportedAttributesAttribute = AttributeBase & { readonly type: 'SupportedAttributes'; readonly attributes: ReadonlyArray<number> }
export type SupportedPrimitivesAttribute = AttributeBase & { readonly type: 'SupportedPrimitives'; readonly primitives: ReadonlyArray<number> }
/** Grouped attributes (§5.2.14-18): a 16-bit id (beneficiary, floor request, requester or floor) then nested attributes. */
export type GroupedAttribute = AttributeBase & {
  readonly type: 'BeneficiaryInformation' | 'FloorRequestInformation' | 'RequestedByInformation' | 'FloorRequestStatus' | 'OverallRequestStatus'
  readonly id: number
  readonly attributes: ReadonlyArray<Attribute>
}
/** A type this codec does not know (kept as bytes, so that a mandatory one can be refused with its type). */
export type UnknownAttribute = AttributeBase & { readonly type: 'Unknown'; readonly code: number; readonly contents: Uint8Array }

export type Attribute =
  | Unsigned16Attribute
  | PriorityAttribute
  | RequestStatusAttribute
  | ErrorCodeAttribute
  | TextAttribute
  | SupportedAttributesAttribute
  | SupportedPrimitivesAttribute
  | GroupedAttribute
  | UnknownAttribute

/** RFC 8855 §5.1: version 1 over reliable transport (TCP), 2 over unreliable (UDP). */
export type BfcpVersion = 1 | 2

export interface BfcpHeader {
  readonly version: BfcpVersion
  /** R: this message answers a request (version 2 only, §5.1). */
  readonly responder: boolean
  readonly primitive: Primitive
  readonly conferenceId: number
  readonly transactionId: number
  readonly userId: number
}

export interface BfcpMessage extends BfcpHeader {
  readonly attributes: ReadonlyArray<Attribute>
}

// ---- reading attributes ------------------------------------------------------------------------

type Having<A, T> = A extends { readonly type: infer U } ? (T extends U ? A : never) : never
/** The attribute shape that can carry type `T` (some shapes carry several types). */
export type AttributeOf<T extends Attribute['type']> = Having<Attribute, T>

export const findAttribute = <T extends Attribute['type']>(attributes: ReadonlyArray<Attribute>, type: T): AttributeOf<T> | undefined =>
  attributes.find((a): a is AttributeOf<T> => a.type === type)

export const allAttributes = <T extends Attribute['type']>(attributes: ReadonlyArray<Attribute>, type: T): ReadonlyArray<AttributeOf<T>> =>
  attributes.filter((a): a is AttributeOf<T> => a.type === type)
