/**
 * Which offered SDES `a=crypto` line Parley answers, and with what (RFC 4568 §7.1.2 / §7.1.3):
 * one line, one of the offered suites, Parley's own fresh master key and salt for what Parley
 * sends, and the offerer's key, salt and MKI for what Parley receives.
 *
 * The answerer may take any offered suite it supports (§7.1.2); Parley takes its strongest
 * default first rather than the offerer's order: AES_CM_128_HMAC_SHA1_80 is the suite every
 * SRTP endpoint must run (RFC 4568 §6.2.1), _32 only weakens the tag, and SfB offers both
 * (PROTOCOLS 1.5). The 256-bit suites (RFC 6188) come after because GStreamer's srtpdec/srtpenc
 * run them too.
 */
import type { SdesCrypto, SrtpSuite } from './srtp.js'
import { newInlineKey } from './srtp.js'

/** Parley's order of preference among the suites its media side runs. */
export const suitePreference: ReadonlyArray<SrtpSuite> = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32']

const rank = (c: SdesCrypto): number => suitePreference.indexOf(c.suite)

/**
 * The offered line to answer: the preferred suite; within a suite, a line without an MKI (SfB
 * offers the same key with and without one, [MS-SDPEXT]; without, every packet is 1-4 bytes
 * shorter and the receive side needs no MKI table); then the offerer's order.
 */
export const chooseCrypto = (offered: ReadonlyArray<SdesCrypto>): SdesCrypto | undefined =>
  offered.reduce<SdesCrypto | undefined>((best, c) => {
    if (best === undefined) return c
    const byRank = rank(c) - rank(best)
    if (byRank !== 0) return byRank < 0 ? c : best
    return best.mki !== undefined && c.mki === undefined ? c : best
  }, undefined)

/**
 * Parley's line for the chosen one: same tag and suite (§7.1.2), a fresh key from `randomBytes`
 * (a CSPRNG at the edge), the offered lifetime echoed, and no MKI: Parley has one key per
 * direction for the whole session and never rekeys, so an MKI would only lengthen its packets.
 */
export const answerCrypto = (chosen: SdesCrypto, randomBytes: (length: number) => Uint8Array): SdesCrypto => ({
  tag: chosen.tag,
  suite: chosen.suite,
  key: newInlineKey(chosen.suite, randomBytes),
  ...(chosen.lifetime === undefined ? {} : { lifetime: chosen.lifetime }),
})

/** The `a=crypto` value as sdp-transform writes it: `<tag> <suite> inline:<key>[|<lifetime>]`. */
export const cryptoAttribute = (c: SdesCrypto): { readonly id: number; readonly suite: string; readonly config: string } => ({
  id: c.tag,
  suite: c.suite,
  config: `inline:${c.key}${c.lifetime === undefined ? '' : `|${c.lifetime}`}${c.mki === undefined ? '' : `|${c.mki}`}`,
})

/**
 * An `<value>:<length>` MKI (RFC 4568 §6.1: decimal value, length in bytes 1-128) as the bytes
 * that lead every SRTP packet's authentication tag; undefined when it is not one.
 */
export const mkiBytes = (mki: string): Uint8Array | undefined => {
  const match = /^(\d{1,40}):(\d{1,3})$/.exec(mki)
  if (match === null) return undefined
  const length = Number(match[2])
  let value = BigInt(match[1] ?? '0')
  if (length < 1 || length > 128 || value >= 1n << BigInt(8 * length)) return undefined
  const bytes = new Uint8Array(length)
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn)
    value >>= 8n
  }
  return bytes
}
