/**
 * Trusted peers (DESIGN §2, §3: no digest challenge, asserted identity believed) are configured
 * as exact addresses or CIDR ranges, IPv4 or IPv6 (`global.trusted_peers`). Being SfB and being
 * trusted are separate questions: see ms-sip.ts.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { IpAddress } from './ip-address.js'
import { parseIp, parseSourceAddress } from './ip-address.js'

export interface PeerRange {
  readonly family: 4 | 6
  /** The network with its host bits cleared. */
  readonly network: bigint
  readonly prefix: number
}

export type PeerRangeError = { readonly _tag: 'BadPeerRange'; readonly value: string; readonly reason: string }

const widthOf = (family: 4 | 6): number => (family === 4 ? 32 : 128)

const maskOf = (family: 4 | 6, prefix: number): bigint => {
  const width = BigInt(widthOf(family))
  const all = (1n << width) - 1n
  return prefix === 0 ? 0n : (all >> (width - BigInt(prefix))) << (width - BigInt(prefix))
}

/**
 * `a.b.c.d`, `a.b.c.d/n`, `x::y`, `x::y/n`. Host bits under the prefix are ignored. An
 * IPv4-mapped range with a prefix of at least 96 becomes the IPv4 range it covers.
 */
export const parsePeerRange = (entry: string): E.Either<PeerRangeError, PeerRange> => {
  const bad = (reason: string): E.Either<PeerRangeError, never> => E.left({ _tag: 'BadPeerRange', value: entry, reason })
  const [addressText = '', prefixText, extra] = entry.trim().split('/')
  if (extra !== undefined) return bad('more than one /')
  const parsedAddress = parseIp(addressText)
  if (E.isLeft(parsedAddress)) return bad('not an IP address')
  const written = parsedAddress.right
  // parseIp folds a mapped address to IPv4; the prefix then counts from bit 96 of the IPv6 form.
  const mappedForm = written.family === 4 && addressText.includes(':')
  const writtenWidth = mappedForm ? 128 : widthOf(written.family)
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return bad('prefix is not a number')
  const writtenPrefix = prefixText === undefined ? writtenWidth : Number(prefixText)
  if (writtenPrefix > writtenWidth) return bad(`prefix longer than ${writtenWidth}`)
  if (mappedForm && writtenPrefix < 96) return bad('an IPv4-mapped range needs a prefix of at least 96')
  const prefix = mappedForm ? writtenPrefix - 96 : writtenPrefix
  return E.right({ family: written.family, prefix, network: written.value & maskOf(written.family, prefix) })
}

export const rangeContains = (range: PeerRange, address: IpAddress): boolean =>
  range.family === address.family && (address.value & maskOf(range.family, range.prefix)) === range.network

/**
 * Whether `source` (`ip`, `ip:port`, `[ipv6]:port`) lies in one of `trustedPeers`. Entries that
 * are not addresses or ranges never match (the configuration decoder reports them).
 */
export const isTrustedPeer = (source: string, trustedPeers: ReadonlyArray<string>): boolean => {
  const address = parseSourceAddress(source)
  if (E.isLeft(address)) return false
  return trustedPeers.some((entry) => {
    const range = parsePeerRange(entry)
    return E.isRight(range) && rangeContains(range.right, address.right)
  })
}
