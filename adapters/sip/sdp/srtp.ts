/**
 * SDES keying for SRTP (RFC 4568): the suites Parley's media side can run, reading an offered
 * `a=crypto` line, and making Parley's own inline key from injected random bytes.
 */

/** RFC 4568 §6.2 and RFC 6188 §7.1 suites with their master key + salt length in bytes. */
const suiteKeyLengths: ReadonlyMap<string, number> = new Map([
  ['AES_CM_128_HMAC_SHA1_80', 30],
  ['AES_CM_128_HMAC_SHA1_32', 30],
  ['AES_256_CM_HMAC_SHA1_80', 46],
  ['AES_256_CM_HMAC_SHA1_32', 46],
])

export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32' | 'AES_256_CM_HMAC_SHA1_80' | 'AES_256_CM_HMAC_SHA1_32'

export const isSupportedSuite = (suite: string): suite is SrtpSuite => suiteKeyLengths.has(suite)

export const keyLengthOf = (suite: SrtpSuite): number => suiteKeyLengths.get(suite) ?? 30

/** One offered `a=crypto:<tag> <suite> inline:<key>[|lifetime][|mki:length]` line. */
export interface SdesCrypto {
  readonly tag: number
  readonly suite: SrtpSuite
  /** Base64 master key and salt. */
  readonly key: string
  readonly lifetime?: string
  readonly mki?: string
}

/**
 * The first inline key of a key-params field, or undefined when it is not one Parley reads (no
 * `inline:`, bad base64, wrong length for the suite).
 */
export const readInlineKey = (tag: number, suite: SrtpSuite, keyParams: string): SdesCrypto | undefined => {
  const first = keyParams.split(';')[0] ?? ''
  if (!first.startsWith('inline:')) return undefined
  const [key = '', ...rest] = first.slice('inline:'.length).split('|')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length !== keyLengthOf(suite)) return undefined
  // RFC 4568 §6.1: the lifetime comes before the MKI, and the MKI alone has a colon.
  const mki = rest.find((p) => p.includes(':'))
  const lifetime = rest.find((p) => !p.includes(':'))
  return { tag, suite, key, ...(lifetime === undefined ? {} : { lifetime }), ...(mki === undefined ? {} : { mki }) }
}

/** A fresh base64 master key and salt for `suite`. */
export const newInlineKey = (suite: SrtpSuite, randomBytes: (length: number) => Uint8Array): string => {
  const length = keyLengthOf(suite)
  const bytes = randomBytes(length)
  if (bytes.length !== length) throw new Error(`randomBytes(${length}) returned ${bytes.length} bytes`)
  return Buffer.from(bytes).toString('base64')
}
