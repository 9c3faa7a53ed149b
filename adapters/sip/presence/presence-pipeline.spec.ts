/**
 * From a real-shaped SUBSCRIBE to the body Parley answers with, through the core's presence
 * decision on the demo configuration — and the exact wire text for meet.alice, pinned so that
 * a change to what SfB and SIP watchers receive is always a visible, deliberate one.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { presenceFor } from '../../../core/presence/presence-document.js'
import { demoPresenceConfig } from '../../../core/presence/presence-test-config.js'
import type { AvatarSource } from './avatar-link.js'
import { renderBatchedAnswer } from './batched-answer.js'
import { renderCategoriesDocument } from './categories-document.js'
import { renderPidfDocument } from './pidf-document.js'
import { chooseFormat } from './presence-format.js'
import { rfc3856Headers, sfbBatchedBody, sfbBatchedHeaders } from './presence-fixtures.js'
import { parseBatchSubscription, subscribedResources } from './subscription-body.js'
import { attribute, childElements, readXml, textOf } from './xml-reader.js'
import type { XmlElement } from './xml-reader.js'

const avatars: AvatarSource = { baseUrl: 'http://192.0.2.10:8080', productLogoHash: 'dd90ba47a84f7cfb41d0e9cf6fed420e074d1434' }
const descend = (e: XmlElement | undefined, ...names: ReadonlyArray<string>): XmlElement | undefined =>
  names.reduce<XmlElement | undefined>((at, name) => (at === undefined ? undefined : childElements(at).find((c) => c.name === name)), e)
const crlf = (lines: ReadonlyArray<string>): string => lines.join('\r\n') + '\r\n'

void describe('presence from SUBSCRIBE to answer', () => {
  void it('an SfB batched SUBSCRIBE for a VMR, a gateway contact and a typo gets one multipart answer', () => {
    const batch = parseBatchSubscription(sfbBatchedBody)
    assert.ok(E.isRight(batch))
    const format = chooseFormat(sfbBatchedHeaders.accept, sfbBatchedHeaders.contentType)
    assert.deepEqual(format, E.right({ document: 'msrtc-categories', batched: true }))
    const resources = subscribedResources(batch.right).map((r) => ({ ...r, document: presenceFor(demoPresenceConfig, r.uri) }))
    const answer = renderBatchedAnswer({
      listUri: batch.right.watcher ?? '',
      version: 0,
      fullState: true,
      resources,
      partFormat: 'msrtc-categories',
      boundary: 'b1a2c3',
      avatars,
    })
    assert.ok(E.isRight(answer))
    const documents = answer.right.body
      .split('--b1a2c3')
      .slice(2, -1)
      .map((part) => readXml(part.slice(part.indexOf('\r\n\r\n') + 4)))
    const summary = documents.map((d) => {
      assert.ok(E.isRight(d))
      const card = childElements(d.right).find((c) => attribute(c, 'name') === 'contactCard')
      const displayName = descend(card, 'contactCard', 'identity', 'name', 'displayName')
      const name = displayName === undefined ? undefined : textOf(displayName)
      return [attribute(d.right, 'uri'), childElements(d.right).map((c) => attribute(c, 'name')), name]
    })
    assert.deepEqual(summary, [
      ['sip:meet.alice@example.com', ['state', 'contactCard'], "Alice's meeting room"],
      ['sip:room1@rooms.example.com', ['state', 'contactCard'], 'room1'],
      ['sip:nobody@example.com', [], undefined],
    ])
  })

  void it('a standard SIP watcher of meet.alice gets PIDF', () => {
    assert.deepEqual(chooseFormat(rfc3856Headers.accept, rfc3856Headers.contentType), E.right({ document: 'pidf', batched: false }))
  })

  void it('the exact msrtc-event-categories document for meet.alice', () => {
    const uri = 'sip:meet.alice@example.com'
    assert.equal(
      renderCategoriesDocument(uri, presenceFor(demoPresenceConfig, uri), { avatars }),
      crlf([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:meet.alice@example.com">',
        '  <category name="state" instance="0">',
        '    <state xmlns="http://schemas.microsoft.com/2006/09/sip/state" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="aggregateState">',
        '      <availability>3500</availability>',
        '    </state>',
        '  </category>',
        '  <category name="contactCard" instance="0">',
        '    <contactCard xmlns="http://schemas.microsoft.com/2006/09/sip/contactcard">',
        '      <identity>',
        '        <name>',
        "          <displayName>Alice's meeting room</displayName>",
        '        </name>',
        '      </identity>',
        '      <delimiter xmlns="http://schemas.microsoft.com/2006/09/sip/commontypes"/>',
        '      <delimiter xmlns="http://schemas.microsoft.com/2006/09/sip/commontypes"/>',
        '      <displayADPhoto>false</displayADPhoto>',
        '      <photo type="other">',
        '        <uri>http://192.0.2.10:8080/avatar/default.png</uri>',
        '        <hash>dd90ba47a84f7cfb41d0e9cf6fed420e074d1434</hash>',
        '      </photo>',
        '    </contactCard>',
        '  </category>',
        '</categories>',
      ]),
    )
  })

  void it('the exact PIDF document for meet.alice, and for an unknown address', () => {
    assert.equal(
      renderPidfDocument('sip:meet.alice@example.com', presenceFor(demoPresenceConfig, 'sip:meet.alice@example.com'), avatars),
      crlf([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid" entity="sip:meet.alice@example.com">',
        '  <tuple id="t1">',
        '    <status>',
        '      <basic>open</basic>',
        '    </status>',
        '    <contact>sip:meet.alice@example.com</contact>',
        '  </tuple>',
        '  <dm:person id="p1">',
        "    <c:display-name>Alice's meeting room</c:display-name>",
        '    <c:icon>http://192.0.2.10:8080/avatar/default.png</c:icon>',
        '  </dm:person>',
        '</presence>',
      ]),
    )
    assert.equal(
      renderPidfDocument('sip:nobody@example.com', presenceFor(demoPresenceConfig, 'sip:nobody@example.com'), avatars),
      crlf(['<?xml version="1.0" encoding="UTF-8"?>', '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:nobody@example.com"/>']),
    )
  })

  void it('the exact batched answer (RLMI part) for meet.alice', () => {
    const uri = 'sip:meet.alice@example.com'
    const answer = renderBatchedAnswer({
      listUri: 'sip:bob@example.com',
      version: 0,
      fullState: true,
      resources: [{ uri, document: presenceFor(demoPresenceConfig, uri) }],
      partFormat: 'msrtc-categories',
      boundary: '50UBfW7LSCVLtggUPe5z',
      avatars,
    })
    assert.ok(E.isRight(answer))
    assert.equal(
      answer.right.contentType,
      'multipart/related; type="application/rlmi+xml"; start="list.50UBfW7LSCVLtggUPe5z@parley"; boundary="50UBfW7LSCVLtggUPe5z"',
    )
    const listPart = crlf([
      '--50UBfW7LSCVLtggUPe5z',
      'Content-Transfer-Encoding: binary',
      'Content-ID: list.50UBfW7LSCVLtggUPe5z@parley',
      'Content-Type: application/rlmi+xml',
      '',
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:bob@example.com" version="0" fullState="true">',
      '  <resource uri="sip:meet.alice@example.com">',
      '    <instance id="0" state="active" cid="r0.50UBfW7LSCVLtggUPe5z@parley"/>',
      '  </resource>',
      '</list>',
      '',
      '--50UBfW7LSCVLtggUPe5z',
      'Content-Transfer-Encoding: binary',
      'Content-ID: r0.50UBfW7LSCVLtggUPe5z@parley',
      'Content-Type: application/msrtc-event-categories+xml',
      '',
    ])
    assert.ok(answer.right.body.startsWith(listPart), answer.right.body)
    assert.ok(answer.right.body.endsWith('</categories>\r\n\r\n--50UBfW7LSCVLtggUPe5z--\r\n'))
  })
})
