/**
 * RFC 4733 §3.2 named telephone events for DTMF: 0-9 are the digits, `*` = 10, `#` = 11,
 * A-D = 12-15 (16 is flash, which is not a digit).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { DtmfDigit } from '../../../core/model/call.js'

export type DtmfError =
  | { readonly _tag: 'NotADtmfEvent'; readonly code: number }
  | { readonly _tag: 'NotADtmfDigit'; readonly text: string }
  | { readonly _tag: 'UnsupportedDtmfBody'; readonly contentType: string }
  | { readonly _tag: 'MalformedDtmfBody'; readonly reason: string }

/** Index = RFC 4733 event code. */
export const dtmfDigitsByEvent: ReadonlyArray<DtmfDigit> = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D']

export const eventCodeOf = (digit: DtmfDigit): number => dtmfDigitsByEvent.indexOf(digit)

export const digitOfEventCode = (code: number): E.Either<DtmfError, DtmfDigit> => {
  const digit = Number.isInteger(code) ? dtmfDigitsByEvent[code] : undefined
  return digit === undefined ? E.left({ _tag: 'NotADtmfEvent', code }) : E.right(digit)
}

/** Spellings seen in SIP INFO bodies besides the symbol itself (PROTOCOLS 2.4). */
const spelledDigits: ReadonlyMap<string, DtmfDigit> = new Map([
  ['star', '*'],
  ['pound', '#'],
  ['hash', '#'],
])

/**
 * A digit as a peer writes it: the symbol (`5`, `*`, `#`, `a`-`d` in either case), a word
 * (`star`, `pound`, `hash`), or its RFC 4733 event number (`10` = `*`, `11` = `#`, `12`-`15` = A-D).
 */
export const parseDtmfToken = (text: string): E.Either<DtmfError, DtmfDigit> => {
  const token = text.trim()
  if (/^\d{1,2}$/.test(token)) return E.mapLeft((): DtmfError => ({ _tag: 'NotADtmfDigit', text }))(digitOfEventCode(Number(token)))
  const upper = token.toUpperCase()
  const symbol = dtmfDigitsByEvent.find((d) => d === upper)
  if (symbol !== undefined) return E.right(symbol)
  const spelled = spelledDigits.get(token.toLowerCase())
  return spelled === undefined ? E.left({ _tag: 'NotADtmfDigit', text }) : E.right(spelled)
}
