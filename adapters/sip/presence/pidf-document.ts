/**
 * `application/pidf+xml` (RFC 3863) for standard SIP watchers (RFC 3856; PROTOCOLS 2.1), with
 * the contact's name and picture as CIPID (RFC 4482) `display-name` and `icon`, placed in an
 * RFC 4479 `<dm:person>` element as in RFC 4482's own example.
 *
 * Available: one tuple, `<basic>open</basic>` ("ready to accept communication", RFC 3863
 * §4.1.4) with the address as its `<contact>`.
 * Unknown: a `<presence>` with no tuple and no person at all — the schema allows zero tuples,
 * and "no presence information" is exactly what DESIGN §2 says Parley has for such an address.
 * `closed` would instead claim to know that the contact is unreachable, and a 404 would end the
 * subscription so that a later configuration change could not reach the watcher.
 */
import type { PresenceDocument } from '../../../core/node/effect.js'
import type { AvatarSource } from './avatar-link.js'
import { avatarLink } from './avatar-link.js'
import { element, serializeXml } from './xml-writer.js'

export const pidfContentType = 'application/pidf+xml'
export const pidfNamespace = 'urn:ietf:params:xml:ns:pidf'
export const dataModelNamespace = 'urn:ietf:params:xml:ns:pidf:data-model'
export const cipidNamespace = 'urn:ietf:params:xml:ns:pidf:cipid'

/** The PIDF body for one presentity; `uri` is the address the watcher subscribed to. */
export const renderPidfDocument = (uri: string, document: PresenceDocument, avatars: AvatarSource): string => {
  if (document._tag === 'Unknown') return serializeXml(element('presence', [['xmlns', pidfNamespace], ['entity', uri]]))
  const icon = avatarLink(document.avatar, avatars)
  return serializeXml(
    element('presence', [['xmlns', pidfNamespace], ['xmlns:dm', dataModelNamespace], ['xmlns:c', cipidNamespace], ['entity', uri]], [
      element('tuple', [['id', 't1']], [element('status', [], [element('basic', [], 'open')]), element('contact', [], uri)]),
      element('dm:person', [['id', 'p1']], [element('c:display-name', [], document.displayName), element('c:icon', [], icon.uri)]),
    ]),
  )
}
