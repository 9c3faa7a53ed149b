/**
 * What a contact list shows from a presence body Parley sent: the piggybacked first notification
 * in a SUBSCRIBE's 200 or a NOTIFY (PROTOCOLS 1.1, 1.2, 2.1). Read with the node's own XML reader
 * and MIME splitter, but judged as a client judges it:
 *
 * - `multipart/related` (RFC 4662): an RLMI part, then one document per resource;
 * - `application/msrtc-event-categories+xml`: a `state` with availability 0-4499 is Available,
 *   its `contactCard` gives the display name and the picture (`photo/uri` and `hash`); no
 *   `state` at all is "Presence unknown";
 * - `application/pidf+xml`: a tuple with basic `open` is Available, CIPID `display-name` and
 *   `icon`; no tuple is "Presence unknown".
 *
 * The product logo is the image served at `/avatar/default.png` (DESIGN §6 "Avatars"); any
 * other picture is the VMR's own, known by its hash.
 */
import * as E from 'fp-ts/lib/Either.js'
import { bodyText, mediaTypeOf, parseContentType, splitMultipart, type ContentType } from '../../adapters/sip/dialect/mime.js'
import { childElements, readXml, textOf, attribute, type XmlElement } from '../../adapters/sip/presence/xml-reader.js'
import type { ContactPicture, PresenceView } from '../network.js'

export type PresenceBodyError = { readonly _tag: 'UnreadablePresence'; readonly reason: string }

const unreadable = (reason: string): E.Either<PresenceBodyError, never> => E.left({ _tag: 'UnreadablePresence', reason })

const descendants = (e: XmlElement, name: string): ReadonlyArray<XmlElement> =>
  childElements(e).flatMap((c) => (c.name === name ? [c, ...descendants(c, name)] : descendants(c, name)))

const first = (e: XmlElement, name: string): XmlElement | undefined => descendants(e, name)[0]

const pictureOf = (uri: string | undefined, hash: string | undefined): ContactPicture =>
  uri === undefined || /\/avatar\/default\.png$/i.test(uri) ? { kind: 'product-logo' } : { kind: 'image', hash: hash ?? uri }

/** `<categories uri>` → what the SfB contact list shows for `uri`. */
const fromCategories = (root: XmlElement): readonly [string, PresenceView] => {
  const uri = attribute(root, 'uri') ?? ''
  const categories = childElements(root).filter((c) => c.name === 'category')
  const state = categories.find((c) => attribute(c, 'name') === 'state')
  const availability = state === undefined ? undefined : first(state, 'availability')
  const value = availability === undefined ? Number.NaN : Number(textOf(availability).trim())
  if (!(value >= 0 && value < 4500)) return [uri, { state: 'Presence unknown' }]
  const card = categories.find((c) => attribute(c, 'name') === 'contactCard')
  const displayName = card === undefined ? undefined : first(card, 'displayName')
  const photo = card === undefined ? undefined : first(card, 'photo')
  const photoUri = photo === undefined ? undefined : first(photo, 'uri')
  const photoHash = photo === undefined ? undefined : first(photo, 'hash')
  return [
    uri,
    {
      state: 'Available',
      displayName: displayName === undefined ? '' : textOf(displayName).trim(),
      picture: pictureOf(photoUri === undefined ? undefined : textOf(photoUri).trim(), photoHash === undefined ? undefined : textOf(photoHash).trim()),
    },
  ]
}

/** `<presence entity>` (PIDF with CIPID) → what a contact list shows for `entity`. */
const fromPidf = (root: XmlElement): readonly [string, PresenceView] => {
  const uri = attribute(root, 'entity') ?? ''
  const open = descendants(root, 'basic').some((b) => textOf(b).trim() === 'open')
  if (!open) return [uri, { state: 'Presence unknown' }]
  const name = first(root, 'display-name')
  const icon = first(root, 'icon')
  return [uri, { state: 'Available', displayName: name === undefined ? '' : textOf(name).trim(), picture: pictureOf(icon === undefined ? undefined : textOf(icon).trim(), undefined) }]
}

const readDocument = (contentType: ContentType, body: Uint8Array): E.Either<PresenceBodyError, ReadonlyArray<readonly [string, PresenceView]>> => {
  const type = mediaTypeOf(contentType)
  if (type === 'multipart/related') {
    const parts = splitMultipart(contentType, body)
    if (E.isLeft(parts)) return unreadable(`multipart: ${parts.left._tag}`)
    const documents: Array<readonly [string, PresenceView]> = []
    for (const part of parts.right) {
      if (mediaTypeOf(part.contentType) === 'application/rlmi+xml') continue
      const read = readDocument(part.contentType, part.body)
      if (E.isLeft(read)) return read
      documents.push(...read.right)
    }
    return E.right(documents)
  }
  if (type !== 'application/msrtc-event-categories+xml' && type !== 'application/pidf+xml') return unreadable(`not a presence document: ${type}`)
  const xml = readXml(bodyText(body, contentType))
  if (E.isLeft(xml)) return unreadable(`XML: ${xml.left.reason}`)
  const root = xml.right
  if (root.name === 'categories') return E.right([fromCategories(root)])
  if (root.name === 'presence') return E.right([fromPidf(root)])
  return unreadable(`unexpected root element <${root.name}>`)
}

/** Each resource a body speaks of, by the URI it names, with what a contact list shows for it. */
export const readPresenceBody = (contentType: string | undefined, body: Uint8Array): E.Either<PresenceBodyError, ReadonlyMap<string, PresenceView>> => {
  if (contentType === undefined || body.length === 0) return E.right(new Map())
  const ct = parseContentType(contentType)
  if (E.isLeft(ct)) return unreadable(`Content-Type ${contentType}`)
  return E.map((documents: ReadonlyArray<readonly [string, PresenceView]>) => new Map(documents))(readDocument(ct.right, body))
}
