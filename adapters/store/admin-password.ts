/**
 * The admin password (DESIGN §6 `PARLEY_ADMIN_PASSWORD`): kept only as an scrypt hash with its
 * own random salt, in the form `scrypt$N$r$p$<salt>$<hash>` (base64url), so the parameters can be
 * raised later without losing the passwords hashed before. Checked in constant time.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto'
import type { ScryptOptions } from 'node:crypto'

/** N = 2^15, r = 8 (RFC 7914 §2's recommended r): about 32 MiB and tens of ms per check. */
const cost = { N: 32768, r: 8, p: 1 } as const
const keyLength = 32
const saltLength = 16
/** scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly that, so leave room. */
const maxmem = 64 * 1024 * 1024

interface ParsedHash {
  readonly options: ScryptOptions
  readonly salt: Buffer
  readonly hash: Buffer
}

const parse = (stored: string): ParsedHash | undefined => {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [N, r, p] = parts.slice(1, 4).map(Number)
  if (N === undefined || r === undefined || p === undefined || ![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return undefined
  const salt = Buffer.from(parts[4] ?? '', 'base64url')
  const hash = Buffer.from(parts[5] ?? '', 'base64url')
  if (salt.length === 0 || hash.length === 0) return undefined
  return { options: { N, r, p, maxmem }, salt, hash }
}

export const hashPassword = (password: string, salt: Buffer = randomBytes(saltLength)): string => {
  const hash = scryptSync(password.normalize('NFC'), salt, keyLength, { ...cost, maxmem })
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

/** Off the event loop (libuv's pool): a check costs tens of milliseconds of CPU. */
export const verifyPassword = (stored: string, presented: string): Promise<boolean> => {
  const parsed = parse(stored)
  if (parsed === undefined) return Promise.resolve(false)
  return new Promise((resolve) => {
    try {
      scrypt(presented.normalize('NFC'), parsed.salt, parsed.hash.length, parsed.options, (error, derived) => {
        resolve(error === null && derived.length === parsed.hash.length && timingSafeEqual(derived, parsed.hash))
      })
    } catch {
      // Parameters scrypt refuses (N not a power of two, too much memory): a damaged hash.
      resolve(false)
    }
  })
}

/** 18 random bytes: 24 URL-safe characters, 144 bits. */
export const generatePassword = (): string => randomBytes(18).toString('base64url')
