/**
 * Keys typed at a PIN prompt (DESIGN §2): digits collect, `#` ends the entry (alone: an empty
 * entry), and so does a pause of `pinDigitPauseMs` after the last digit (the caller's Call runs
 * that timer). `*` and A-D are ignored (choice: they are no part of any PIN).
 */
import type { DtmfDigit } from '../model/call.js'
import { maxPinLength } from '../dial-string/pin.js'

export interface PinEntry {
  /** Digits typed since the last entry ended, without `#`. */
  readonly typed: string
  /** Wrong attempts so far (the dial-string PIN counts as one). */
  readonly wrong: number
}

export const freshEntry = (wrong = 0): PinEntry => ({ typed: '', wrong })

export type KeyResult =
  | { readonly _tag: 'Typing'; readonly entry: PinEntry }
  | { readonly _tag: 'Submitted'; readonly entry: PinEntry; readonly typed: string }
  | { readonly _tag: 'Ignored' }

const isDigit = (d: DtmfDigit): boolean => d >= '0' && d <= '9'

export const pressKey = (entry: PinEntry, key: DtmfDigit): KeyResult => {
  if (key === '#') return { _tag: 'Submitted', entry: { typed: '', wrong: entry.wrong }, typed: entry.typed }
  if (!isDigit(key)) return { _tag: 'Ignored' }
  // One digit past the longest PIN is enough to know the entry is wrong; keep no more.
  const typed = entry.typed.length > maxPinLength ? entry.typed : entry.typed + key
  return { _tag: 'Typing', entry: { typed, wrong: entry.wrong } }
}

/** The pause after the last digit ended the entry; `undefined` when nothing was typed. */
export const submitOnPause = (entry: PinEntry): { readonly entry: PinEntry; readonly typed: string } | undefined =>
  entry.typed === '' ? undefined : { entry: { typed: '', wrong: entry.wrong }, typed: entry.typed }
