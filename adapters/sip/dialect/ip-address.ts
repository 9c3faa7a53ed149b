/**
 * IPv4 and IPv6 addresses as numbers, for prefix matching. IPv4-mapped IPv6 addresses
 * (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) are the IPv4 address they carry, so a dual-stack
 * listener's view of an IPv4 peer matches an IPv4 entry and the other way round.
 */
import * as E from 'fp-ts/lib/Either.js'

export interface IpAddress {
  readonly family: 4 | 6
  readonly value: bigint
}

export type IpError = { readonly _tag: 'BadIpAddress'; readonly value: string }

const badIp = (value: string): E.Either<IpError, never> => E.left({ _tag: 'BadIpAddress', value })

const decimalOctet = /^(?:0|[1-9]\d{0,2})$/

/** Dotted quad, no leading zeros (their octal reading differs between tools). */
const parseIpv4Value = (s: string): bigint | undefined => {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const part of parts) {
    if (!decimalOctet.test(part)) return undefined
    const n = Number(part)
    if (n > 255) return undefined
    value = (value << 8n) | BigInt(n)
  }
  return value
}

const hexGroup = /^[0-9a-fA-F]{1,4}$/

/** Groups of one side of `::`, with a dotted-quad tail counted as two groups. */
const ipv6Groups = (side: string, allowIpv4Tail: boolean): ReadonlyArray<number> | undefined => {
  if (side === '') return []
  const parts = side.split(':')
  const groups: number[] = []
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? ''
    if (allowIpv4Tail && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4Value(part)
      if (v4 === undefined) return undefined
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
    } else if (hexGroup.test(part)) groups.push(parseInt(part, 16))
    else return undefined
  }
  return groups
}

const parseIpv6Value = (s: string): bigint | undefined => {
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const [head = '', tail] = halves
  const left = ipv6Groups(head, tail === undefined)
  const right = tail === undefined ? [] : ipv6Groups(tail, true)
  if (left === undefined || right === undefined) return undefined
  const explicit = left.length + right.length
  if (tail === undefined ? explicit !== 8 : explicit > 7) return undefined
  const groups = [...left, ...new Array<number>(8 - explicit).fill(0), ...right]
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)
}

const mappedPrefix = 0xffffn << 32n

/** An IPv4 or IPv6 literal (an IPv6 zone `%eth0` is ignored). */
export const parseIp = (raw: string): E.Either<IpError, IpAddress> => {
  const s = raw.trim()
  if (s.includes(':')) {
    const v6 = parseIpv6Value(s.split('%')[0] ?? '')
    if (v6 === undefined) return badIp(raw)
    return v6 >> 32n === 0xffffn ? E.right({ family: 4, value: v6 - mappedPrefix }) : E.right({ family: 6, value: v6 })
  }
  const v4 = parseIpv4Value(s)
  return v4 === undefined ? badIp(raw) : E.right({ family: 4, value: v4 })
}

/**
 * The address of a network source written as `ip`, `ip:port`, `[ipv6]` or `[ipv6]:port`.
 */
export const parseSourceAddress = (source: string): E.Either<IpError, IpAddress> => {
  const s = source.trim()
  if (s.startsWith('[')) {
    const close = s.indexOf(']')
    if (close < 0) return badIp(source)
    const after = s.slice(close + 1)
    if (after !== '' && !/^:\d{1,5}$/.test(after)) return badIp(source)
    return parseIp(s.slice(1, close))
  }
  const colons = s.split(':').length - 1
  if (colons === 1) {
    const [host = '', port = ''] = s.split(':')
    return /^\d{1,5}$/.test(port) ? parseIp(host) : badIp(source)
  }
  return parseIp(s)
}
