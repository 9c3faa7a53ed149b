/** Addresses as the simulated networks index them: the dial-string `aliasKey` (no scheme, PIN, parameters; lower case). */
import * as E from 'fp-ts/lib/Either.js'
import { aliasKey, parseDialString } from '../core/dial-string/dial-string.js'

/** `user@domain` of a dialled string, or undefined when it is no address at all. */
export const addressKey = (dialled: string): string | undefined => {
  const parsed = parseDialString(dialled)
  return E.isRight(parsed) ? aliasKey(parsed.right) : undefined
}
