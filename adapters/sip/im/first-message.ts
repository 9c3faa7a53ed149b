/**
 * SfB embeds the first IM of a session in the INVITE headers (PROTOCOLS 1.3, `Supported:
 * ms-embedded-first-message`): `ms-text-format: text/plain; charset=UTF-8; ms-body=<base64>`
 * and `ms-im-format: text/html|text/rtf; …; ms-body=<base64>` alternatives. Plain text is
 * preferred, then HTML, then RTF.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ContentType } from '../dialect/mime.js'
import { decodeText, mediaTypeOf, parseContentType } from '../dialect/mime.js'
import type { SipHeaders } from '../dialect/sip-headers.js'
import { headerValues } from '../dialect/sip-headers.js'
import { htmlToText } from './html-text.js'
import type { ImError } from './im-error.js'
import { rtfToText } from './rtf-text.js'

interface EmbeddedAlternative {
  readonly contentType: ContentType
  readonly base64: string
}

const formatRank = (ct: ContentType): number => ['text/plain', 'text/html', 'text/rtf'].indexOf(mediaTypeOf(ct))

const strictBase64 = /^[A-Za-z0-9+/]*={0,2}$/

const decodeAlternative = (alt: EmbeddedAlternative): string | undefined => {
  const compact = alt.base64.replace(/\s/g, '')
  if (!strictBase64.test(compact) || compact.length % 4 === 1) return undefined
  const text = decodeText(new Uint8Array(Buffer.from(compact, 'base64')), alt.contentType.params.get('charset'))
  switch (mediaTypeOf(alt.contentType)) {
    case 'text/plain':
      return text.replace(/\r\n/g, '\n').trim()
    case 'text/html':
      return htmlToText(text)
    case 'text/rtf':
      return rtfToText(text)
    default:
      return undefined
  }
}

/** The first message of an SfB IM INVITE, or `NoEmbeddedMessage` when it carries none. */
export const decodeFirstMessage = (headers: SipHeaders): E.Either<ImError, string> => {
  const alternatives: EmbeddedAlternative[] = []
  for (const value of [...headerValues(headers, 'ms-text-format'), ...headerValues(headers, 'ms-im-format')]) {
    const ct = parseContentType(value)
    if (E.isLeft(ct)) continue
    const base64 = ct.right.params.get('ms-body')
    if (base64 !== undefined && formatRank(ct.right) >= 0) alternatives.push({ contentType: ct.right, base64 })
  }
  if (alternatives.length === 0) return E.left({ _tag: 'NoEmbeddedMessage' })
  // Stable sort: among equal formats, ms-text-format (listed first) wins.
  const ordered = [...alternatives].sort((a, b) => formatRank(a.contentType) - formatRank(b.contentType))
  let sawEmpty = false
  for (const alt of ordered) {
    const text = decodeAlternative(alt)
    if (text === undefined) continue
    if (text !== '') return E.right(text)
    sawEmpty = true
  }
  return E.left(sawEmpty ? { _tag: 'EmptyMessage' } : { _tag: 'MalformedImBody', reason: 'no readable ms-body' })
}
