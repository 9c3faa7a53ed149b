/**
 * Who needs which PIN, and what an attempt is worth (DESIGN §2 "PINs, roles and host gating";
 * PROTOCOLS 3.3). Host rights follow only from the single PIN of a VMR without guests (or from
 * it having no PIN), or from a correct Host PIN: never from a Guest PIN, a lone `#`, timing or
 * retries. Typed digits are compared without their `#`, exactly as `pinsEqual` compares PINs.
 */
import type { Role } from '../model/call.js'
import type { Vmr } from '../config/model.js'
import type { Pin } from '../dial-string/pin.js'
import { pinDigits, pinsEqual } from '../dial-string/pin.js'

/** Three wrong attempts end the call (Pexip: 3 tries, then "invalid PIN" and disconnect). */
export const maxPinAttempts = 3

export type PinVerdict = { readonly _tag: 'Accepted'; readonly role: Role } | { readonly _tag: 'Wrong' }

const accepted = (role: Role): PinVerdict => ({ _tag: 'Accepted', role })
const wrong: PinVerdict = { _tag: 'Wrong' }

/** A VMR without guests and without a PIN: everyone is a Host at once, no prompt. */
export const isOpen = (vmr: Vmr): boolean => !vmr.allowGuests && vmr.pin === undefined

/**
 * The role a caller gets without typing anything: Host in an open VMR, Guest where guests are
 * allowed without a Guest PIN (what a lone `#` gives), otherwise none.
 */
export const roleWithoutPin = (vmr: Vmr): Role | undefined =>
  isOpen(vmr) ? 'host' : vmr.allowGuests && vmr.guestPin === undefined ? 'guest' : undefined

/**
 * Every participant must enter a valid PIN: then ADPs wait for the first valid PIN instead of
 * the first arrival (PROTOCOLS 3.5 table).
 */
export const everyoneNeedsPin = (vmr: Vmr): boolean => roleWithoutPin(vmr) === undefined

const matches = (pin: Pin | undefined, typed: string): boolean => pin !== undefined && pinDigits(pin) === typed

/** Digits typed at the prompt and ended by `#` or the pause (`typed` has no `#`; '' = lone `#`). */
export const judgeTyped = (vmr: Vmr, typed: string): PinVerdict => {
  if (isOpen(vmr)) return accepted('host')
  if (matches(vmr.pin, typed)) return accepted('host')
  if (!vmr.allowGuests) return wrong
  if (vmr.guestPin === undefined) return typed === '' ? accepted('guest') : wrong
  return matches(vmr.guestPin, typed) ? accepted('guest') : wrong
}

/** The PIN of `alias**PIN@domain`: one attempt made before the prompt. */
export const judgeDialled = (vmr: Vmr, pin: Pin): PinVerdict => {
  if (isOpen(vmr)) return accepted('host')
  if (vmr.pin !== undefined && pinsEqual(pin, vmr.pin)) return accepted('host')
  if (vmr.allowGuests && vmr.guestPin !== undefined && pinsEqual(pin, vmr.guestPin)) return accepted('guest')
  return wrong
}

export type WaitingVerdict = 'host' | 'unchanged' | 'wrong'

/**
 * What a waiting Guest typed on the holding screen: the Host PIN makes them a Host; a lone `#`
 * or the Guest PIN changes nothing (they are a Guest already, choice); other digits are wrong
 * and count toward the same three attempts.
 */
export const judgeWhileWaiting = (vmr: Vmr, typed: string): WaitingVerdict => {
  if (matches(vmr.pin, typed)) return 'host'
  if (typed === '' || matches(vmr.guestPin, typed)) return 'unchanged'
  return 'wrong'
}
