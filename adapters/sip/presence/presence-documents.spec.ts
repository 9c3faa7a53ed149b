import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { ConferenceId } from '../../../core/model/ids.js'
import type { PresenceDocument } from '../../../core/node/effect.js'
import { avatarLink } from './avatar-link.js'
import type { AvatarSource } from './avatar-link.js'
import { renderBatchedAnswer } from './batched-answer.js'
import type { BatchedAnswer } from './batched-answer.js'
import { categoriesNamespace, contactCardNamespace, renderCategoriesDocument, requestedCategories, stateNamespace } from './categories-document.js'
import { cipidNamespace, pidfNamespace, renderPidfDocument } from './pidf-document.js'
import { attribute, childElements, readXml, textOf } from './xml-reader.js'
import { toXmlChars } from './xml-writer.js'
import type { XmlElement } from './xml-reader.js'

const avatars: AvatarSource = { baseUrl: 'http://192.0.2.10:8080/', productLogoHash: '0b1e2c3d4e5f60718293a4b5c6d7e8f901234567' }
const alice: PresenceDocument = { _tag: 'Available', displayName: "Alice's meeting room", avatar: { _tag: 'ProductLogo' } }
const board: PresenceDocument = {
  _tag: 'Available',
  displayName: 'Board <room> & "friends"',
  avatar: { _tag: 'ConferenceAvatar', conference: ConferenceId('7'), hash: 'c0ffee' },
}
const unknown: PresenceDocument = { _tag: 'Unknown' }

const xml = (s: string): XmlElement => {
  const r = readXml(s)
  if (E.isLeft(r)) assert.fail(`not well-formed: ${r.left.reason} at ${r.left.offset} (${r.left.detail})\n${s}`)
  return r.right
}
const child = (e: XmlElement | undefined, name: string): XmlElement | undefined => (e === undefined ? undefined : childElements(e).find((c) => c.name === name))
const path = (e: XmlElement, ...names: ReadonlyArray<string>): XmlElement | undefined => names.reduce<XmlElement | undefined>(child, e)

void describe('avatarLink', () => {
  void it('points at /avatar/<conference id>.png with the image hash, or /avatar/default.png with the logo hash', () => {
    assert.deepEqual(avatarLink({ _tag: 'ProductLogo' }, avatars), { uri: 'http://192.0.2.10:8080/avatar/default.png', hash: avatars.productLogoHash })
    assert.deepEqual(avatarLink({ _tag: 'ConferenceAvatar', conference: ConferenceId('a b/7'), hash: 'h' }, { ...avatars, baseUrl: 'https://vmr.example.com' }), {
      uri: 'https://vmr.example.com/avatar/a%20b%2F7.png',
      hash: 'h',
    })
  })
})

void describe('msrtc-event-categories document', () => {
  void it('an Available contact: state 3500 (aggregateState) and a contactCard with name, displayADPhoto and photo uri/hash', () => {
    const root = xml(renderCategoriesDocument('sip:meet.alice@example.com', alice, { avatars, publishTime: '2024-05-01T09:00:00.000Z' }))
    assert.equal(root.name, 'categories')
    assert.equal(root.namespace, categoriesNamespace)
    assert.equal(attribute(root, 'uri'), 'sip:meet.alice@example.com')
    const [state, card] = childElements(root)
    assert.deepEqual([attribute(state!, 'name'), attribute(state!, 'instance'), attribute(state!, 'publishTime')], ['state', '0', '2024-05-01T09:00:00.000Z'])
    const stateValue = child(state, 'state')!
    assert.equal(stateValue.namespace, stateNamespace)
    assert.deepEqual(stateValue.attributes.find((a) => a.name === 'type'), {
      name: 'type',
      namespace: 'http://www.w3.org/2001/XMLSchema-instance',
      value: 'aggregateState',
    })
    assert.equal(textOf(child(stateValue, 'availability')!), '3500')
    assert.equal(attribute(card!, 'name'), 'contactCard')
    const contactCard = child(card, 'contactCard')!
    assert.equal(contactCard.namespace, contactCardNamespace)
    assert.equal(textOf(path(contactCard, 'identity', 'name', 'displayName')!), "Alice's meeting room")
    assert.equal(textOf(child(contactCard, 'displayADPhoto')!), 'false')
    assert.equal(textOf(path(contactCard, 'photo', 'uri')!), 'http://192.0.2.10:8080/avatar/default.png')
    assert.equal(textOf(path(contactCard, 'photo', 'hash')!), avatars.productLogoHash)
  })

  void it("only the categories the watcher's categoryList named", () => {
    const onlyState = xml(renderCategoriesDocument('sip:meet.alice@example.com', alice, { avatars, categories: ['note', 'state'] }))
    assert.deepEqual(childElements(onlyState).map((c) => attribute(c, 'name')), ['state'])
    assert.equal(attribute(childElements(onlyState)[0]!, 'publishTime'), undefined)
    const both = xml(renderCategoriesDocument('sip:meet.alice@example.com', alice, { avatars, categories: ['calendarData', 'CONTACTCARD', 'note', 'state'] }))
    assert.deepEqual(childElements(both).map((c) => attribute(c, 'name')), ['state', 'contactCard'])
    const none = xml(renderCategoriesDocument('sip:meet.alice@example.com', alice, { avatars, categories: ['calendarData'] }))
    assert.deepEqual(childElements(none), [])
    assert.deepEqual(requestedCategories(undefined), ['state', 'contactCard'])
  })

  void it('Unknown publishes no category; the picture of a VMR avatar and awkward names survive', () => {
    const root = xml(renderCategoriesDocument('sip:nobody@example.com', unknown, { avatars }))
    assert.equal(attribute(root, 'uri'), 'sip:nobody@example.com')
    assert.deepEqual(root.children, [])
    const b = xml(renderCategoriesDocument('sip:board@example.com;x="<&>"', board, { avatars }))
    assert.equal(attribute(b, 'uri'), 'sip:board@example.com;x="<&>"')
    const card = child(childElements(b).find((c) => attribute(c, 'name') === 'contactCard'), 'contactCard')!
    assert.equal(textOf(path(card, 'identity', 'name', 'displayName')!), 'Board <room> & "friends"')
    assert.equal(textOf(path(card, 'photo', 'uri')!), 'http://192.0.2.10:8080/avatar/7.png')
    assert.equal(textOf(path(card, 'photo', 'hash')!), 'c0ffee')
  })
})

void describe('PIDF document', () => {
  void it('Available: basic open, contact, and CIPID display-name and icon in a person element', () => {
    const root = xml(renderPidfDocument('sip:meet.alice@example.com', alice, avatars))
    assert.equal(root.name, 'presence')
    assert.equal(root.namespace, pidfNamespace)
    assert.equal(attribute(root, 'entity'), 'sip:meet.alice@example.com')
    assert.equal(textOf(path(root, 'tuple', 'status', 'basic')!), 'open')
    assert.equal(textOf(path(root, 'tuple', 'contact')!), 'sip:meet.alice@example.com')
    const person = child(root, 'person')!
    assert.equal(person.namespace, 'urn:ietf:params:xml:ns:pidf:data-model')
    const name = child(person, 'display-name')!
    assert.equal(name.namespace, cipidNamespace)
    assert.equal(textOf(name), "Alice's meeting room")
    assert.equal(textOf(child(person, 'icon')!), 'http://192.0.2.10:8080/avatar/default.png')
  })

  void it('Unknown: a presence document without tuples (no information), not closed', () => {
    const root = xml(renderPidfDocument('sip:nobody@example.com', unknown, avatars))
    assert.equal(attribute(root, 'entity'), 'sip:nobody@example.com')
    assert.deepEqual(root.children, [])
  })
})

interface Part {
  readonly headers: ReadonlyMap<string, string>
  readonly body: string
}
/** A strict reading of an RFC 2046 multipart body, to check what renderBatchedAnswer writes. */
const multipartParts = (body: string, boundary: string): ReadonlyArray<Part> => {
  const delimiter = `--${boundary}`
  assert.ok(body.startsWith(`${delimiter}\r\n`), 'starts with the first delimiter')
  assert.ok(body.endsWith(`\r\n${delimiter}--\r\n`), 'ends with the close delimiter')
  const inner = body.slice(delimiter.length + 2, body.length - (delimiter.length + 6))
  return inner.split(`\r\n${delimiter}\r\n`).map((raw) => {
    const split = raw.indexOf('\r\n\r\n')
    assert.ok(split > 0, 'headers, a blank line, a body')
    const headers = new Map(
      raw
        .slice(0, split)
        .split('\r\n')
        .map((line) => {
          const colon = line.indexOf(':')
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const
        }),
    )
    return { headers, body: raw.slice(split + 4) }
  })
}
const bare = (id: string): string => id.replace(/^<(.*)>$/, '$1')
const contentTypeParameter = (contentType: string, name: string): string | undefined =>
  contentType.match(new RegExp(`;\\s*${name}="([^"]*)"`))?.[1]

void describe('batched answer (multipart/related + RLMI)', () => {
  const batch: BatchedAnswer = {
    listUri: 'sip:bob@example.com',
    version: 0,
    fullState: true,
    resources: [
      { uri: 'sip:meet.alice@example.com', document: alice, categories: ['calendarData', 'contactCard', 'note', 'state'] },
      { uri: 'sip:room1@rooms.example.com', document: { _tag: 'Available', displayName: 'room1', avatar: { _tag: 'ProductLogo' } } },
      { uri: 'sip:nobody@example.com', document: unknown },
    ],
    partFormat: 'msrtc-categories',
    boundary: '50UBfW7LSCVLtggUPe5z',
    avatars,
  }

  const check = (answer: BatchedAnswer): ReadonlyArray<XmlElement> => {
    const rendered = renderBatchedAnswer(answer)
    assert.ok(E.isRight(rendered), JSON.stringify(rendered))
    const { contentType, body } = rendered.right
    assert.match(contentType, /^multipart\/related; type="application\/rlmi\+xml"; start="[^"]+"; boundary="[^"]+"$/)
    assert.equal(contentTypeParameter(contentType, 'boundary'), answer.boundary)
    const parts = multipartParts(body, answer.boundary)
    assert.equal(parts.length, answer.resources.length + 1)
    const [listPart, ...resourceParts] = parts
    assert.equal(listPart?.headers.get('content-id'), contentTypeParameter(contentType, 'start'))
    assert.match(listPart?.headers.get('content-type') ?? '', /^application\/rlmi\+xml/)
    const list = xml(listPart!.body)
    assert.equal(list.namespace, 'urn:ietf:params:xml:ns:rlmi')
    assert.deepEqual([attribute(list, 'uri'), attribute(list, 'version'), attribute(list, 'fullState')], [answer.listUri, String(answer.version), String(answer.fullState)])
    const resources = childElements(list)
    // Characters XML cannot carry are dropped by the writer (xml-writer.ts), never sent raw.
    assert.deepEqual(resources.map((r) => attribute(r, 'uri')), answer.resources.map((r) => toXmlChars(r.uri)))
    return resources.map((r, i) => {
      const instance = child(r, 'instance')!
      assert.equal(attribute(instance, 'state'), 'active')
      const part = resourceParts.find((p) => bare(p.headers.get('content-id') ?? '') === attribute(instance, 'cid'))
      assert.ok(part !== undefined, `a part for cid ${attribute(instance, 'cid')}`)
      assert.equal(part, resourceParts[i], 'parts in list order')
      assert.equal(part.headers.get('content-transfer-encoding'), 'binary')
      return xml(part.body)
    })
  }

  void it('SfB: one msrtc part per resource, Content-IDs bare as Microsoft sends them, cids matching', () => {
    const docs = check(batch)
    assert.deepEqual(docs.map((d) => [d.name, attribute(d, 'uri'), childElements(d).length]), [
      ['categories', 'sip:meet.alice@example.com', 2],
      ['categories', 'sip:room1@rooms.example.com', 2],
      ['categories', 'sip:nobody@example.com', 0],
    ])
    const rendered = renderBatchedAnswer(batch)
    assert.ok(E.isRight(rendered))
    assert.ok(!rendered.right.body.includes('Content-ID: <'))
    assert.match(rendered.right.body, /Content-Type: application\/msrtc-event-categories\+xml\r\n/)
  })

  void it('standard RLS watchers: PIDF parts, bracketed Content-IDs (RFC 2392)', () => {
    const docs = check({ ...batch, partFormat: 'pidf', version: 3, fullState: false })
    assert.deepEqual(docs.map((d) => [d.name, attribute(d, 'entity')]), batch.resources.map((r) => ['presence', r.uri]))
    const rendered = renderBatchedAnswer({ ...batch, partFormat: 'pidf' })
    assert.ok(E.isRight(rendered))
    assert.match(rendered.right.body, /Content-ID: <[^>]+>\r\n/)
    assert.match(rendered.right.contentType, /start="<[^>]+>"/)
  })

  void it('refuses a bad boundary, a boundary found in a part, a bad version', () => {
    assert.deepEqual(renderBatchedAnswer({ ...batch, boundary: 'has space' }), E.left({ _tag: 'InvalidBoundary', boundary: 'has space' }))
    assert.deepEqual(renderBatchedAnswer({ ...batch, boundary: 'x'.repeat(71) })._tag, 'Left')
    const clash = renderBatchedAnswer({ ...batch, boundary: 'Alice', resources: [{ uri: 'sip:a@b', document: { ...alice, displayName: 'x --Alice y' } }] })
    assert.deepEqual(clash, E.left({ _tag: 'BoundaryInBody', boundary: 'Alice' }))
    assert.deepEqual(renderBatchedAnswer({ ...batch, version: -1 }), E.left({ _tag: 'InvalidVersion', version: -1 }))
  })

  void it('is well-formed for any names, addresses and documents', () => {
    const document: fc.Arbitrary<PresenceDocument> = fc.oneof(
      fc.constant(unknown),
      fc.record({
        _tag: fc.constant('Available' as const),
        displayName: fc.string({ unit: 'binary', maxLength: 30 }),
        avatar: fc.oneof(
          fc.constant({ _tag: 'ProductLogo' as const }),
          fc.record({ _tag: fc.constant('ConferenceAvatar' as const), conference: fc.string({ maxLength: 8 }).map(ConferenceId), hash: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 40 }) }),
        ),
      }),
    )
    const resource = fc.record({ uri: fc.string({ unit: 'binary', maxLength: 30 }), document })
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 5 }), fc.constantFrom('msrtc-categories' as const, 'pidf' as const), (resources, partFormat) => {
        const answer: BatchedAnswer = { ...batch, resources, partFormat, boundary: 'b0undary.with-chars_(ok)' }
        const rendered = renderBatchedAnswer(answer)
        if (E.isLeft(rendered)) {
          assert.equal(rendered.left._tag, 'BoundaryInBody')
          return
        }
        check(answer)
        for (const r of resources) {
          xml(renderCategoriesDocument(r.uri, r.document, { avatars }))
          xml(renderPidfDocument(r.uri, r.document, avatars))
        }
      }),
      { numRuns: 300 },
    )
  })
})
