/** Addresses as the Call and Conference compare and dial them (DESIGN §2 "Dial strings and aliases"). */
import * as E from 'fp-ts/lib/Either.js'
import { aliasKey, parseDialString } from '../dial-string/dial-string.js'
import type { Party } from '../model/call.js'
import type { Vmr } from '../config/model.js'

/**
 * The normalized form of an address (`aliasKey`: `user@domain`, lower case, no scheme, PIN or
 * parameters), so that a caller and a configured ADP alias compare equal however written. Text
 * that is no address at all compares as itself, lower-cased.
 */
export const addressKeyOf = (address: string): string => {
  const parsed = parseDialString(address)
  return E.isRight(parsed) ? aliasKey(parsed.right) : address.trim().toLowerCase()
}

/** An alias as a request-URI: `room@example.com` becomes `sip:room@example.com`; a URI stays. */
export const dialUriOf = (alias: string): string => {
  const parsed = parseDialString(alias)
  return E.isRight(parsed) && parsed.right.scheme !== undefined ? alias : `sip:${alias}`
}

/** The VMR as a contact: what SfB receivers see chat and content coming from (PROTOCOLS 3.8). */
export const vmrParty = (vmr: Vmr): Party => ({
  displayName: vmr.name,
  uri: dialUriOf(vmr.aliases[0] ?? vmr.id),
})
