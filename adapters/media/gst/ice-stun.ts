/**
 * The STUN of an ICE-lite agent (RFC 8445 §2.5, §7.3): reading Binding requests and answering
 * them, with short-term credentials (RFC 8489 §9.1: MESSAGE-INTEGRITY is HMAC-SHA1 keyed with
 * the password) and FINGERPRINT (§14.7: CRC-32 XOR 0x5354554e), so that packets on a media port
 * can be told apart from RTP (RFC 7983 §7: first byte 0-3 is STUN, 128-191 RTP/RTCP).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'

export const magicCookie = 0x2112a442
const headerLength = 20

export const MessageType = { bindingRequest: 0x0001, bindingSuccess: 0x0101, bindingError: 0x0111, bindingIndication: 0x0011 } as const

export const Attribute = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  xorMappedAddress: 0x0020,
  priority: 0x0024,
  useCandidate: 0x0025,
  fingerprint: 0x8028,
  iceControlled: 0x8029,
  iceControlling: 0x802a,
} as const

/** RFC 7983 §7: what the first byte of a datagram on a media port says it is. */
export const packetKind = (packet: Buffer): 'stun' | 'rtp' | 'other' => {
  const first = packet[0]
  if (first === undefined) return 'other'
  if (first <= 3) return 'stun'
  if (first >= 128 && first <= 191) return 'rtp'
  return 'other'
}

export interface StunAttribute {
  readonly type: number
  /** Offset of the attribute's header within the message. */
  readonly offset: number
  readonly value: Buffer
}

export interface StunMessage {
  readonly type: number
  readonly transactionId: Buffer
  readonly attributes: ReadonlyArray<StunAttribute>
  readonly raw: Buffer
}

/** A STUN message with the magic cookie (RFC 8489 §5, §6.3), or undefined. */
export const readStun = (packet: Buffer): StunMessage | undefined => {
  if (packet.length < headerLength || packetKind(packet) !== 'stun') return undefined
  const length = packet.readUInt16BE(2)
  if (length % 4 !== 0 || headerLength + length !== packet.length || packet.readUInt32BE(4) !== magicCookie) return undefined
  const attributes: StunAttribute[] = []
  let offset = headerLength
  while (offset + 4 <= packet.length) {
    const type = packet.readUInt16BE(offset)
    const valueLength = packet.readUInt16BE(offset + 2)
    if (offset + 4 + valueLength > packet.length) return undefined
    attributes.push({ type, offset, value: packet.subarray(offset + 4, offset + 4 + valueLength) })
    offset += 4 + Math.ceil(valueLength / 4) * 4
  }
  if (offset !== packet.length) return undefined
  return { type: packet.readUInt16BE(0), transactionId: packet.subarray(8, 20), attributes, raw: packet }
}

const crcTable = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** CRC-32 (ISO 3309, as in zlib). */
export const crc32 = (data: Buffer): number => {
  let c = 0xffffffff
  for (const byte of data) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const fingerprintXor = 0x5354554e

/** The message up to `offset` with its length field as if it ended `extra` bytes after `offset`. */
const prefixWithLength = (raw: Buffer, offset: number, extra: number): Buffer => {
  const prefix = Buffer.from(raw.subarray(0, offset))
  prefix.writeUInt16BE(offset + extra - headerLength, 2)
  return prefix
}

const integrityOf = (raw: Buffer, offset: number, password: string): Buffer =>
  createHmac('sha1', Buffer.from(password, 'utf8')).update(prefixWithLength(raw, offset, 24)).digest()

/**
 * RFC 8489 §14.5: MESSAGE-INTEGRITY verifies with `password`; attributes after it other than
 * FINGERPRINT are ignored (§14), and a FINGERPRINT present must be right (§14.7).
 */
export const verifyStun = (message: StunMessage, password: string): boolean => {
  const integrity = message.attributes.find((a) => a.type === Attribute.messageIntegrity)
  if (integrity === undefined || integrity.value.length !== 20) return false
  const fingerprint = message.attributes.find((a) => a.type === Attribute.fingerprint)
  if (fingerprint !== undefined) {
    if (fingerprint.value.length !== 4) return false
    if (((crc32(prefixWithLength(message.raw, fingerprint.offset, 8)) ^ fingerprintXor) >>> 0) !== fingerprint.value.readUInt32BE(0)) return false
  }
  return timingSafeEqual(integrity.value, integrityOf(message.raw, integrity.offset, password))
}

const attribute = (type: number, value: Buffer): Buffer => {
  const header = Buffer.alloc(4)
  header.writeUInt16BE(type, 0)
  header.writeUInt16BE(value.length, 2)
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4)
  return Buffer.concat([header, value, padding])
}

/** RFC 8489 §14.2: the address XORed with the cookie (and, for IPv6, the transaction id). */
export const xorMappedAddress = (address: string, port: number, transactionId: Buffer): Buffer => {
  const cookie = Buffer.alloc(4)
  cookie.writeUInt32BE(magicCookie)
  const v4 = isIPv4(address)
  if (!v4 && !isIPv6(address)) throw new Error(`not an IP address: ${address}`)
  const bytes = v4 ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address)
  const mask = v4 ? cookie : Buffer.concat([cookie, transactionId])
  const value = Buffer.alloc(4 + bytes.length)
  value[1] = v4 ? 0x01 : 0x02
  value.writeUInt16BE((port ^ (magicCookie >>> 16)) & 0xffff, 2)
  for (let i = 0; i < bytes.length; i++) value[4 + i] = (bytes[i] ?? 0) ^ (mask[i] ?? 0)
  return value
}

/** Reads an XOR-MAPPED-ADDRESS value back (for checks and test clients). */
export const readXorMappedAddress = (value: Buffer, transactionId: Buffer): { readonly address: string; readonly port: number } | undefined => {
  const family = value[1]
  if (value.length < 8 || (family !== 1 && family !== 2) || value.length !== (family === 1 ? 8 : 20)) return undefined
  const cookie = Buffer.alloc(4)
  cookie.writeUInt32BE(magicCookie)
  const mask = family === 1 ? cookie : Buffer.concat([cookie, transactionId])
  const bytes = Buffer.from(value.subarray(4).map((b, i) => b ^ (mask[i] ?? 0)))
  const port = (value.readUInt16BE(2) ^ (magicCookie >>> 16)) & 0xffff
  if (family === 1) return { address: [...bytes].join('.'), port }
  // Uncompressed (`0:0:0:0:0:0:0:1`); compare with ipv6Bytes of the expected address.
  return { address: Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(2 * i).toString(16)).join(':'), port }
}

export const ipv6Bytes = (address: string): Buffer => {
  const zone = address.split('%')[0] ?? address
  const [head = '', tail] = zone.split('::')
  const parts = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(':'))
  const left = parts(head)
  const right = parts(tail)
  const missing = 8 - left.length - right.length
  const groups = [...left, ...Array.from({ length: tail === undefined ? 0 : missing }, () => '0'), ...right]
  const out = Buffer.alloc(16)
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) & 0xffff, 2 * i))
  return out
}

/**
 * A STUN message of `type` with `attributes`, then MESSAGE-INTEGRITY keyed with `password`
 * (when given) and FINGERPRINT, in that order (RFC 8489 §14.5, §14.7).
 */
export const writeStun = (type: number, transactionId: Buffer, attributes: ReadonlyArray<readonly [number, Buffer]>, password?: string): Buffer => {
  const header = Buffer.alloc(headerLength)
  header.writeUInt16BE(type, 0)
  header.writeUInt32BE(magicCookie, 4)
  transactionId.copy(header, 8)
  let message = Buffer.concat([header, ...attributes.map(([t, v]) => attribute(t, v))])
  if (password !== undefined) message = Buffer.concat([message, attribute(Attribute.messageIntegrity, integrityOf(message, message.length, password))])
  const fingerprint = Buffer.alloc(4)
  fingerprint.writeUInt32BE((crc32(prefixWithLength(message, message.length, 8)) ^ fingerprintXor) >>> 0)
  message = Buffer.concat([message, attribute(Attribute.fingerprint, fingerprint)])
  message.writeUInt16BE(message.length - headerLength, 2)
  return message
}

export interface IceCheckCredentials {
  readonly localUfrag: string
  readonly localPwd: string
}

export type BindingOutcome =
  /** Answer with `response`; `nominated` when the controlling agent put USE-CANDIDATE in (RFC 8445 §7.3.1.5). */
  | { readonly _tag: 'Answer'; readonly response: Buffer; readonly nominated: boolean }
  /** Not for us, or not authentic: RFC 8489 §9.1.3 answers 400/401 only to what it can read; Parley stays silent. */
  | { readonly _tag: 'Ignore'; readonly why: string }

/**
 * RFC 8445 §7.3: a Binding request to Parley's candidate is answered with the source address
 * as XOR-MAPPED-ADDRESS when its USERNAME starts with Parley's ufrag and its integrity checks
 * with Parley's password. A lite agent is always controlled and never checks back (§2.5).
 */
export const answerBinding = (packet: Buffer, source: { readonly address: string; readonly port: number }, credentials: IceCheckCredentials): BindingOutcome => {
  const message = readStun(packet)
  if (message === undefined) return { _tag: 'Ignore', why: 'not STUN' }
  if (message.type !== MessageType.bindingRequest) return { _tag: 'Ignore', why: `STUN type 0x${message.type.toString(16)}` }
  const username = message.attributes.find((a) => a.type === Attribute.username)?.value.toString('utf8')
  if (username === undefined || !username.startsWith(`${credentials.localUfrag}:`)) return { _tag: 'Ignore', why: 'USERNAME is not for this ufrag' }
  if (!verifyStun(message, credentials.localPwd)) return { _tag: 'Ignore', why: 'MESSAGE-INTEGRITY or FINGERPRINT does not verify' }
  const response = writeStun(MessageType.bindingSuccess, message.transactionId, [[Attribute.xorMappedAddress, xorMappedAddress(source.address, source.port, message.transactionId)]], credentials.localPwd)
  return { _tag: 'Answer', response, nominated: message.attributes.some((a) => a.type === Attribute.useCandidate) }
}
