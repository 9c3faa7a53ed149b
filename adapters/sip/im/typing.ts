/**
 * Typing indications. SfB/Lync (as pidgin-sipe interoperates with it) sends SIP INFO with
 * `application/xml` `<KeyboardActivity><status status="type"/></KeyboardActivity>` while the
 * user types (PROTOCOLS 1.3); RFC 3994 `application/im-iscomposing+xml` is tolerated too.
 * Parley answers them and relays nothing.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Body } from '../dialect/mime.js'
import { bodyText, mediaTypeOf, parseContentType } from '../dialect/mime.js'
import type { ImError } from './im-error.js'

export interface TypingIndication {
  readonly _tag: 'Typing'
  /** True while the user types; false for an explicit idle. */
  readonly active: boolean
}

/** Typing bodies are a few hundred bytes; anything far larger is not one. */
const maxTypingBodyChars = 4096

const keyboardActivity = /<(?:[\w.-]+:)?KeyboardActivity\b/i
const keyboardStatus = /<(?:[\w.-]+:)?status\s[^>]{0,256}?\bstatus\s*=\s*["']([A-Za-z-]*)["']/i
const isComposingState = /<(?:[\w.-]+:)?state\s*>\s*([A-Za-z]+)\s*</i

export const recogniseTyping = (contentType: string, body: Body): E.Either<ImError, TypingIndication> => {
  const notTyping: E.Either<ImError, never> = E.left({ _tag: 'NotTyping', contentType })
  const ct = parseContentType(contentType)
  if (E.isLeft(ct)) return notTyping
  const text = bodyText(body, ct.right)
  if (text.length > maxTypingBodyChars) return notTyping
  switch (mediaTypeOf(ct.right)) {
    case 'application/xml':
    case 'text/xml': {
      if (!keyboardActivity.test(text)) return notTyping
      const status = keyboardStatus.exec(text)?.[1]
      return status === undefined ? notTyping : E.right({ _tag: 'Typing', active: status.toLowerCase() === 'type' })
    }
    case 'application/im-iscomposing+xml': {
      const state = isComposingState.exec(text)?.[1]
      return state === undefined ? notTyping : E.right({ _tag: 'Typing', active: state.toLowerCase() === 'active' })
    }
    default:
      return notTyping
  }
}
