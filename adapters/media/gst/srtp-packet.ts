/**
 * SRTP (RFC 3711) for single packets in Node: AES counter mode with HMAC-SHA1, the transforms
 * of the SDES suites Parley answers (AES_CM_128_HMAC_SHA1_80/_32, RFC 4568 §6.2; the 256-bit
 * ones of RFC 6188). GStreamer's srtpenc/srtpdec (libsrtp) carry a leg's media; this is for
 * the few packets the worker makes itself (the receive chain's priming packet, which must pass
 * srtpdec), for SRTCP on video legs (applied in the port shim, srtp-ice-legs.ts) and for test
 * far ends that check what Parley sends.
 */
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto'

export interface SrtpSuiteParameters {
  /** Master (and session encryption) key length in bytes. */
  readonly keyLength: 16 | 32
  /** SRTP authentication tag length in bytes (SRTCP's is always 10: RFC 4568 §6.2.1). */
  readonly tagLength: 10 | 4
}

const suites: Readonly<Record<string, SrtpSuiteParameters>> = {
  AES_CM_128_HMAC_SHA1_80: { keyLength: 16, tagLength: 10 },
  AES_CM_128_HMAC_SHA1_32: { keyLength: 16, tagLength: 4 },
  AES_256_CM_HMAC_SHA1_80: { keyLength: 32, tagLength: 10 },
  AES_256_CM_HMAC_SHA1_32: { keyLength: 32, tagLength: 4 },
}

export const srtpSuiteParameters = (suite: string): SrtpSuiteParameters | undefined => suites[suite]

/** RFC 3711 §4.3.1: the master salt is 112 bits for every suite here. */
const saltLength = 14

export interface SessionKeys {
  readonly encryption: Buffer
  readonly authentication: Buffer
  readonly salt: Buffer
}

const aesCtr = (key: Buffer): string => (key.length === 32 ? 'aes-256-ctr' : 'aes-128-ctr')

/**
 * RFC 3711 §4.3.1/§4.3.3 key derivation with the AES-CM PRF and a key derivation rate of 0
 * (SDES's default, RFC 4568 §6.3.1): x = (label << 48) XOR master salt, keystream at x * 2^16.
 */
const derive = (masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer => {
  const iv = Buffer.alloc(16)
  masterSalt.copy(iv, 0)
  iv[7] = (iv[7] ?? 0) ^ label
  const cipher = createCipheriv(aesCtr(masterKey), masterKey, iv)
  return cipher.update(Buffer.alloc(length))
}

/** Session keys for SRTP (labels 0-2) or SRTCP (labels 3-5) from a base64 SDES key (master key followed by salt). */
export const sessionKeys = (keyAndSalt: Buffer, suite: SrtpSuiteParameters, rtcp = false): SessionKeys => {
  if (keyAndSalt.length !== suite.keyLength + saltLength) throw new Error(`SRTP master key and salt must be ${suite.keyLength + saltLength} bytes, not ${keyAndSalt.length}`)
  const masterKey = keyAndSalt.subarray(0, suite.keyLength)
  const masterSalt = keyAndSalt.subarray(suite.keyLength)
  const base = rtcp ? 3 : 0
  return {
    encryption: derive(masterKey, masterSalt, base, suite.keyLength),
    authentication: derive(masterKey, masterSalt, base + 1, 20),
    salt: derive(masterKey, masterSalt, base + 2, saltLength),
  }
}

/** RFC 3550 §5.1: where the payload starts (after CSRCs and a header extension), or undefined. */
const payloadOffset = (packet: Buffer): number | undefined => {
  if (packet.length < 12 || ((packet[0] ?? 0) & 0xc0) !== 0x80) return undefined
  let offset = 12 + 4 * ((packet[0] ?? 0) & 0x0f)
  if (((packet[0] ?? 0) & 0x10) !== 0) {
    if (packet.length < offset + 4) return undefined
    offset += 4 + 4 * packet.readUInt16BE(offset + 2)
  }
  return offset <= packet.length ? offset : undefined
}

/** RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i = ROC * 2^16 + SEQ. */
const packetIv = (salt: Buffer, ssrc: number, index: bigint): Buffer => {
  const iv = Buffer.alloc(16)
  salt.copy(iv, 0)
  const ssrcBytes = Buffer.alloc(4)
  ssrcBytes.writeUInt32BE(ssrc >>> 0)
  for (let i = 0; i < 4; i++) iv[4 + i] = (iv[4 + i] ?? 0) ^ (ssrcBytes[i] ?? 0)
  for (let i = 0; i < 6; i++) iv[13 - i] = (iv[13 - i] ?? 0) ^ Number((index >> BigInt(8 * i)) & 0xffn)
  return iv
}

const tagOf = (keys: SessionKeys, authenticated: Buffer, roc: number, length: number): Buffer => {
  const rocBytes = Buffer.alloc(4)
  rocBytes.writeUInt32BE(roc >>> 0)
  return createHmac('sha1', keys.authentication).update(authenticated).update(rocBytes).digest().subarray(0, length)
}

/** An RTP packet encrypted and authenticated (RFC 3711 §3.3); `roc` is the sender's rollover counter. */
export const protectRtp = (packet: Buffer, keys: SessionKeys, suite: SrtpSuiteParameters, roc = 0): Buffer => {
  const offset = payloadOffset(packet)
  if (offset === undefined) throw new Error('not an RTP packet')
  const index = (BigInt(roc >>> 0) << 16n) | BigInt(packet.readUInt16BE(2))
  const cipher = createCipheriv(aesCtr(keys.encryption), keys.encryption, packetIv(keys.salt, packet.readUInt32BE(8), index))
  const encrypted = Buffer.concat([packet.subarray(0, offset), cipher.update(packet.subarray(offset))])
  return Buffer.concat([encrypted, tagOf(keys, encrypted, roc, suite.tagLength)])
}

/**
 * The RTP packet inside an SRTP one, or undefined when its tag is wrong (a wrong key, a
 * forgery). `mkiLength` bytes sit between the payload and the tag (RFC 3711 §3.1).
 */
export const unprotectRtp = (packet: Buffer, keys: SessionKeys, suite: SrtpSuiteParameters, roc = 0, mkiLength = 0): Buffer | undefined => {
  const end = packet.length - suite.tagLength - mkiLength
  const body = packet.subarray(0, Math.max(0, end))
  const offset = payloadOffset(body)
  if (offset === undefined) return undefined
  const tag = packet.subarray(packet.length - suite.tagLength)
  if (!timingSafeEqual(tag, tagOf(keys, body, roc, suite.tagLength))) return undefined
  const index = (BigInt(roc >>> 0) << 16n) | BigInt(body.readUInt16BE(2))
  const cipher = createCipheriv(aesCtr(keys.encryption), keys.encryption, packetIv(keys.salt, body.readUInt32BE(8), index))
  return Buffer.concat([body.subarray(0, offset), cipher.update(body.subarray(offset))])
}

/**
 * A receiver's view of one sender's rollover counter (RFC 3711 §3.3.1, appendix A): the ROC
 * that puts a sequence number nearest the highest one seen.
 */
export class RolloverCounter {
  private highest: number | undefined
  private roc = 0

  /** The ROC to try for `seq`; `accept` it once the packet authenticated. */
  guess(seq: number): number {
    if (this.highest === undefined) return this.roc
    if (this.highest < 0x8000) return seq - this.highest > 0x8000 ? this.roc - 1 : this.roc
    return this.highest - 0x8000 > seq ? this.roc + 1 : this.roc
  }

  accept(seq: number, roc: number): void {
    if (this.highest === undefined || roc > this.roc || (roc === this.roc && seq > this.highest)) {
      this.highest = seq
      this.roc = roc
    }
  }
}

/** RFC 3711 §3.4: SRTCP's authentication tag is 80 bits whatever the SRTP suite (RFC 4568 §6.2.1). */
export const srtcpTagLength = 10

/** RFC 3711 §3.4: the SRTCP index is 31 bits, after the E (encrypted) flag. */
const srtcpIndexMask = 0x7fffffff

const isRtcpHeader = (packet: Buffer): boolean => packet.length >= 8 && ((packet[0] ?? 0) & 0xc0) === 0x80

/**
 * An RTCP compound packet as SRTCP (RFC 3711 §3.4): everything after the first header's 8 bytes
 * encrypted (E flag set), then the E flag and 31-bit `index`, then the 80-bit tag over all of it.
 * The IV is SRTP's (§4.1.1) with the first header's SSRC and the SRTCP index. The caller keeps
 * the index going per sender (no index used twice with one key, §9.1).
 */
export const protectRtcp = (packet: Buffer, keys: SessionKeys, index: number): Buffer => {
  if (!isRtcpHeader(packet)) throw new Error('not an RTCP packet')
  const i = index & srtcpIndexMask
  const cipher = createCipheriv(aesCtr(keys.encryption), keys.encryption, packetIv(keys.salt, packet.readUInt32BE(4), BigInt(i)))
  const trailer = Buffer.alloc(4)
  trailer.writeUInt32BE((0x80000000 | i) >>> 0)
  const authenticated = Buffer.concat([packet.subarray(0, 8), cipher.update(packet.subarray(8)), trailer])
  return Buffer.concat([authenticated, createHmac('sha1', keys.authentication).update(authenticated).digest().subarray(0, srtcpTagLength)])
}

export interface UnprotectedRtcp {
  readonly packet: Buffer
  readonly index: number
}

/**
 * The RTCP compound packet inside an SRTCP one, or undefined when its tag is wrong (a wrong key,
 * a forgery) or it is too short. `mkiLength` bytes sit between the index and the tag (§3.4).
 * A packet sent without encryption (E flag clear, §3.4) is returned as it is, authenticated.
 */
export const unprotectRtcp = (packet: Buffer, keys: SessionKeys, mkiLength = 0): UnprotectedRtcp | undefined => {
  const authenticatedEnd = packet.length - srtcpTagLength - mkiLength
  if (authenticatedEnd < 12 || !isRtcpHeader(packet)) return undefined
  const authenticated = packet.subarray(0, authenticatedEnd)
  const tag = packet.subarray(packet.length - srtcpTagLength)
  if (!timingSafeEqual(tag, createHmac('sha1', keys.authentication).update(authenticated).digest().subarray(0, srtcpTagLength))) return undefined
  const word = authenticated.readUInt32BE(authenticatedEnd - 4)
  const index = word & srtcpIndexMask
  const body = authenticated.subarray(0, authenticatedEnd - 4)
  if ((word & 0x80000000) === 0) return { packet: Buffer.from(body), index }
  const cipher = createCipheriv(aesCtr(keys.encryption), keys.encryption, packetIv(keys.salt, body.readUInt32BE(4), BigInt(index)))
  return { packet: Buffer.concat([body.subarray(0, 8), cipher.update(body.subarray(8))]), index }
}

/** RFC 5761 §4: on a muxed port, RTCP is what has a packet type 192-223 where RTP has its payload type (and marker). */
export const isMuxedRtcp = (packet: Buffer): boolean => packet.length >= 8 && (packet[1] ?? 0) >= 192 && (packet[1] ?? 0) <= 223
