/**
 * `application/msrtc-event-categories+xml` for one presentity (PROTOCOLS 1.2; [MS-PRES]; the
 * Lync 2013 schema docs): a `<categories uri>` root holding the category instances the watcher
 * may see, without container ids (those are an ACL mechanism, never sent to watchers).
 *
 * Parley publishes two categories for an Available contact:
 * - `state`: an `aggregateState` with availability 3500 (Available/Free), what watchers get;
 * - `contactCard`: the display name (`identity/name/displayName`), then, after the two
 *   version delimiters that precede the Lync 2010 schema extensions (as in the MS example),
 *   `displayADPhoto` false (the picture is not an Active Directory one) and `photo` with the
 *   avatar URL and its mandatory hash.
 * When the SUBSCRIBE carried a categoryList, only the categories it named are sent.
 *
 * Unknown renders no category at all: `<categories uri="…"/>`. With no `state` instance the
 * SfB client has no availability for the contact and shows "Presence unknown", the same as
 * for a contact whose server publishes nothing to this watcher ([MS-PRES]: a watcher receives
 * only the instances its container grants; an empty set is a valid answer) — which is what
 * DESIGN §2 asks for and what tells the user the address is wrong. [UNCONFIRMED: the exact
 * SfB wording for an empty category set was not seen in a trace.] The subscription stays
 * active, so a later configuration change can still make the contact Available.
 */
import type { PresenceDocument } from '../../../core/node/effect.js'
import type { AvatarSource } from './avatar-link.js'
import { avatarLink } from './avatar-link.js'
import { element, serializeXml } from './xml-writer.js'
import type { XmlMarkup } from './xml-writer.js'

export const categoriesContentType = 'application/msrtc-event-categories+xml'
export const categoriesNamespace = 'http://schemas.microsoft.com/2006/09/sip/categories'
export const stateNamespace = 'http://schemas.microsoft.com/2006/09/sip/state'
export const contactCardNamespace = 'http://schemas.microsoft.com/2006/09/sip/contactcard'
export const commonTypesNamespace = 'http://schemas.microsoft.com/2006/09/sip/commontypes'
const xsiNamespace = 'http://www.w3.org/2001/XMLSchema-instance'

/** PROTOCOLS 1.2: Available/Free. */
export const availableAvailability = 3500
/**
 * photoTypeEnumEx: `default`, `enterprise` (the AD picture) or `other`. A picture served from
 * a web address is not the enterprise one. [UNCONFIRMED which of default/other SfB prefers.]
 */
export const photoType = 'other'

/** The categories Parley publishes, in the order it writes them. */
export const publishedCategories = ['state', 'contactCard'] as const
export type PublishedCategory = (typeof publishedCategories)[number]

export interface CategoriesOptions {
  readonly avatars: AvatarSource
  /** The watcher's categoryList; absent: every published category. Compared case-insensitively. */
  readonly categories?: ReadonlyArray<string>
  /** `publishTime` of each instance (xs:dateTime, e.g. `2024-05-01T09:00:00.000Z`); absent: omitted. */
  readonly publishTime?: string
}

/** The published categories the watcher asked for, in Parley's order. */
export const requestedCategories = (asked: ReadonlyArray<string> | undefined): ReadonlyArray<PublishedCategory> => {
  if (asked === undefined) return publishedCategories
  const wanted = new Set(asked.map((c) => c.toLowerCase()))
  return publishedCategories.filter((c) => wanted.has(c.toLowerCase()))
}

const category = (name: PublishedCategory, publishTime: string | undefined, value: XmlMarkup): XmlMarkup =>
  element('category', [['name', name], ['instance', '0'], ['publishTime', publishTime]], [value])

const stateValue = (): XmlMarkup =>
  element('state', [['xmlns', stateNamespace], ['xmlns:xsi', xsiNamespace], ['xsi:type', 'aggregateState']], [
    element('availability', [], String(availableAvailability)),
  ])

const contactCardValue = (displayName: string, photo: { readonly uri: string; readonly hash: string }): XmlMarkup =>
  element('contactCard', [['xmlns', contactCardNamespace]], [
    element('identity', [], [element('name', [], [element('displayName', [], displayName)])]),
    element('delimiter', [['xmlns', commonTypesNamespace]]),
    element('delimiter', [['xmlns', commonTypesNamespace]]),
    element('displayADPhoto', [], 'false'),
    element('photo', [['type', photoType]], [element('uri', [], photo.uri), element('hash', [], photo.hash)]),
  ])

/** The document as markup, for a caller that embeds or inspects it. */
export const categoriesMarkup = (uri: string, document: PresenceDocument, options: CategoriesOptions): XmlMarkup => {
  const instances: XmlMarkup[] = []
  if (document._tag === 'Available') {
    for (const name of requestedCategories(options.categories)) {
      instances.push(
        name === 'state'
          ? category(name, options.publishTime, stateValue())
          : category(name, options.publishTime, contactCardValue(document.displayName, avatarLink(document.avatar, options.avatars))),
      )
    }
  }
  return element('categories', [['xmlns', categoriesNamespace], ['uri', uri]], instances)
}

/** The `application/msrtc-event-categories+xml` body for one presentity. */
export const renderCategoriesDocument = (uri: string, document: PresenceDocument, options: CategoriesOptions): string =>
  serializeXml(categoriesMarkup(uri, document, options))
