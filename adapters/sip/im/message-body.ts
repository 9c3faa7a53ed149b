/**
 * Chat text out of a MESSAGE body (RFC 3428; SfB IM in dialog, PROTOCOLS 1.3 and 2.2), and the
 * body Parley sends. Parley prefers `text/plain` inside `multipart/alternative` (pidgin-sipe
 * prefers HTML; plain text is what every receiver can show without a renderer).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Body, ContentType, MimePart } from '../dialect/mime.js'
import { bodyText, decodeText, mediaTypeOf, parseContentType, splitMultipart } from '../dialect/mime.js'
import { htmlToText } from './html-text.js'
import type { ImError } from './im-error.js'
import { rtfToText } from './rtf-text.js'

/** Text formats we can turn into chat text, most preferred first. */
const textFormats = ['text/plain', 'text/html', 'text/rtf', 'application/rtf'] as const

const textOfFormat = (mediaType: string, text: string): string | undefined => {
  switch (mediaType) {
    case 'text/plain':
      return text.replace(/\r\n/g, '\n').trim()
    case 'text/html':
      return htmlToText(text)
    case 'text/rtf':
    case 'application/rtf':
      return rtfToText(text)
    default:
      return undefined
  }
}

const nonEmpty = (text: string): E.Either<ImError, string> => (text === '' ? E.left({ _tag: 'EmptyMessage' }) : E.right(text))

/** The alternative to read: the first part in the most preferred format. */
export const preferredPart = (parts: ReadonlyArray<MimePart>): MimePart | undefined => {
  for (const format of textFormats) {
    const part = parts.find((p) => mediaTypeOf(p.contentType) === format)
    if (part !== undefined) return part
  }
  return undefined
}

const decodeSingle = (ct: ContentType, body: Body, contentType: string): E.Either<ImError, string> => {
  const text = textOfFormat(mediaTypeOf(ct), bodyText(body, ct))
  return text === undefined ? E.left({ _tag: 'UnsupportedImContentType', contentType }) : nonEmpty(text)
}

/** The text of a MESSAGE body: text/plain, text/html, text/rtf, or a multipart of them. */
export const decodeMessageBody = (contentType: string, body: Body): E.Either<ImError, string> => {
  const ct = parseContentType(contentType)
  if (E.isLeft(ct)) return E.left({ _tag: 'UnsupportedImContentType', contentType })
  if (ct.right.type !== 'multipart') return decodeSingle(ct.right, body, contentType)
  const parts = splitMultipart(ct.right, body)
  if (E.isLeft(parts)) return E.left({ _tag: 'MalformedImBody', reason: parts.left._tag === 'BadMultipart' ? parts.left.reason : 'bad content type' })
  const part = preferredPart(parts.right)
  if (part === undefined) return E.left({ _tag: 'UnsupportedImContentType', contentType })
  const text = textOfFormat(mediaTypeOf(part.contentType), decodeText(part.body, part.contentType.params.get('charset')))
  return text === undefined ? E.left({ _tag: 'UnsupportedImContentType', contentType }) : nonEmpty(text)
}

export interface OutgoingMessageBody {
  readonly contentType: string
  readonly body: string
}

/** What Parley sends in a MESSAGE: plain UTF-8 text, which SfB and SIP clients all render. */
export const buildMessageBody = (text: string): OutgoingMessageBody => ({ contentType: 'text/plain; charset=UTF-8', body: text })
