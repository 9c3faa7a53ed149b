/**
 * Conference PINs (DESIGN §2 "PINs, roles and host gating"; PROTOCOLS 3.3).
 *
 * A PIN is 4 to 20 characters: digits with an optional trailing `#`, the `#` counting toward the
 * length, exactly as Pexip validates `pin`/`guest_pin` (LengthBetween(4, 20) over the whole
 * string). So `123#` is a valid PIN; it equals `123` under `pinsEqual`, although `123` alone is
 * too short to be configured.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

export interface PinBrand {
  readonly Pin: unique symbol
}
export type Pin = t.Branded<string, PinBrand>

export const minPinLength = 4
export const maxPinLength = 20

export type PinErrorReason = 'too-short' | 'too-long' | 'not-digits' | 'misplaced-hash'

export interface PinError {
  readonly _tag: 'PinError'
  readonly reason: PinErrorReason
  readonly input: string
}

const digit0 = 0x30
const digit9 = 0x39
const hash = 0x23

const pinProblem = (s: string): PinErrorReason | undefined => {
  const n = s.length
  if (n < minPinLength) return 'too-short'
  if (n > maxPinLength) return 'too-long'
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= digit0 && c <= digit9) continue
    return c === hash ? (i === n - 1 ? undefined : 'misplaced-hash') : 'not-digits'
  }
  return undefined
}

export const isPin = (s: string): s is Pin => pinProblem(s) === undefined

export const parsePin = (s: string): E.Either<PinError, Pin> => {
  const reason = pinProblem(s)
  return reason === undefined ? E.right(s as Pin) : E.left({ _tag: 'PinError', reason, input: s })
}

/** The digits a caller must type: the PIN without its optional trailing `#`. */
export const pinDigits = (p: Pin): string => (p.charCodeAt(p.length - 1) === hash ? p.slice(0, -1) : p)

/** `1234` and `1234#` are the same PIN: one trailing `#` is ignored on both sides (DESIGN §2). */
export const pinsEqual = (a: Pin, b: Pin): boolean => pinDigits(a) === pinDigits(b)

export const describePinError = (e: PinError): string => {
  switch (e.reason) {
    case 'too-short':
      return `a PIN has at least ${minPinLength} characters`
    case 'too-long':
      return `a PIN has at most ${maxPinLength} characters (a trailing # counts)`
    case 'not-digits':
      return 'a PIN is digits 0-9 with an optional trailing #'
    case 'misplaced-hash':
      return 'a # may only end a PIN'
  }
}

/** The io-ts form, for decoders of configuration and API bodies (CONVENTIONS 6). */
export const PinCodec = new t.Type<Pin, string, unknown>(
  'Pin',
  (u): u is Pin => typeof u === 'string' && isPin(u),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a PIN string')
    const parsed = parsePin(u)
    return E.isRight(parsed) ? t.success(parsed.right) : t.failure(u, c, describePinError(parsed.left))
  },
  (p) => p,
)
