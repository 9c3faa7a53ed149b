import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { parseBatchSubscription, subscribedResources } from './subscription-body.js'
import type { BatchSubscription, SubscriptionBodyError } from './subscription-body.js'
import { adrlBody, prefixedBatchedBody, sfbBatchedBody, sipeSingleBody } from './presence-fixtures.js'

const parsed = (body: string): BatchSubscription => {
  const r = parseBatchSubscription(body)
  if (E.isLeft(r)) assert.fail(JSON.stringify(r.left))
  return r.right
}
const refused = (body: string): SubscriptionBodyError => {
  const r = parseBatchSubscription(body)
  assert.ok(E.isLeft(r), 'expected a refusal')
  return r.left
}

void describe('parseBatchSubscription', () => {
  void it('reads the SfB batched subscription: watcher, action, resources, categories', () => {
    assert.deepEqual(parsed(sfbBatchedBody), {
      format: 'msrtc-adrl-categorylist',
      watcher: 'sip:bob@example.com',
      actions: [
        {
          operation: 'subscribe',
          name: 'subscribe',
          id: '63792024',
          resources: ['sip:meet.alice@example.com', 'sip:room1@rooms.example.com', 'sip:nobody@example.com'],
          categories: ['calendarData', 'contactCard', 'note', 'services', 'sourcenetwork', 'state'],
        },
      ],
    })
  })

  void it("reads pidgin-sipe's single-contact form", () => {
    const batch = parsed(sipeSingleBody)
    assert.deepEqual(subscribedResources(batch), [{ uri: 'sip:meet.alice@example.com', categories: ['note', 'state'] }])
  })

  void it('does not care about prefixes, quotes, attribute order or spacing', () => {
    assert.deepEqual(subscribedResources(parsed(prefixedBatchedBody)), [
      { uri: 'sip:meet.alice@example.com', categories: ['state', 'contactCard'] },
    ])
  })

  void it('reads the older adrl form (create/add subscribe, delete unsubscribes) with no category list', () => {
    const batch = parsed(adrlBody)
    assert.equal(batch.format, 'adrl')
    assert.equal(batch.watcher, 'sip:bob@example.com')
    assert.deepEqual(subscribedResources(batch), [{ uri: 'sip:meet.alice@example.com' }, { uri: 'sip:meet.bob@example.com' }])
    const edited = parsed(
      '<adhoclist uri="sip:bob@example.com"><add><resource uri="sip:a@x"/></add><delete><resource uri="sip:meet.bob@example.com"/></delete><note/></adhoclist>',
    )
    assert.deepEqual(
      edited.actions.map((a) => [a.operation, a.name, a.resources]),
      [
        ['subscribe', 'add', ['sip:a@x']],
        ['unsubscribe', 'delete', ['sip:meet.bob@example.com']],
      ],
    )
  })

  void it('subscribedResources keeps the last word per address and drops duplicates', () => {
    const batch = parsed(
      '<batchSub uri="sip:w@x"><action name="subscribe"><adhocList><resource uri="sip:a@x"/><resource uri="sip:b@x"/><resource uri="sip:a@x"/></adhocList></action>' +
        '<action name="unsubscribe"><adhocList><resource uri="sip:b@x"/></adhocList></action></batchSub>',
    )
    assert.deepEqual(subscribedResources(batch), [{ uri: 'sip:a@x' }])
  })

  void it('names what is wrong, never throws', () => {
    assert.equal(refused('<batchSub><action name="subscribe"><adhocList><resource/></adhocList></action></batchSub>')._tag, 'MissingAttribute')
    assert.deepEqual(refused('<batchSub><action name="subscribe"><categoryList><category/></categoryList></action></batchSub>'), {
      _tag: 'MissingAttribute',
      element: 'category',
      attribute: 'name',
    })
    assert.deepEqual(refused('<batchSub><action name="poll"/></batchSub>'), { _tag: 'UnknownAction', name: 'poll' })
    assert.deepEqual(refused('<presence xmlns="urn:ietf:params:xml:ns:pidf"/>'), {
      _tag: 'UnexpectedRoot',
      name: 'presence',
      namespace: 'urn:ietf:params:xml:ns:pidf',
    })
    const malformed = refused(sfbBatchedBody.slice(0, -5))
    assert.equal(malformed._tag, 'MalformedXml')
    const doctype = refused('<!DOCTYPE batchSub [<!ENTITY x SYSTEM "file:///etc/passwd">]><batchSub uri="&x;"/>')
    assert.ok(doctype._tag === 'MalformedXml' && doctype.error.reason === 'doctype-forbidden')
  })

  const valid = [sfbBatchedBody, sipeSingleBody, prefixedBatchedBody, adrlBody]

  void it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const r = parseBatchSubscription(s)
        assert.ok(E.isLeft(r) || E.isRight(r))
      }),
      { numRuns: 2000 },
    )
  })

  void it('never throws on mutated valid bodies, and what it accepts is well-shaped', () => {
    const mutation: fc.Arbitrary<{ readonly kind: 'delete' | 'insert' | 'duplicate'; readonly at: number; readonly length?: number; readonly text?: string }> = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('<', '>', '"', '&', '/>', '</action>', '<!DOCTYPE x>', '&amp;', 'xmlns:p="u"', 'p:')) }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 60 }) }),
    )
    type Mutation = { readonly kind: 'delete' | 'insert' | 'duplicate'; readonly at: number; readonly length?: number; readonly text?: string }
    const mutate = (body: string, ms: ReadonlyArray<Mutation>): string =>
      ms.reduce((b, m) => {
        const at = b.length === 0 ? 0 : m.at % b.length
        if (m.kind === 'delete') return b.slice(0, at) + b.slice(at + (m.length ?? 1))
        if (m.kind === 'insert') return b.slice(0, at) + (m.text ?? '') + b.slice(at)
        return b.slice(0, at) + b.slice(at, at + (m.length ?? 1)) + b.slice(at)
      }, body)
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.array(mutation, { minLength: 1, maxLength: 4 }), (body, ms) => {
        const r = parseBatchSubscription(mutate(body, ms))
        if (E.isRight(r)) {
          for (const a of r.right.actions) {
            assert.ok(a.operation === 'subscribe' || a.operation === 'unsubscribe')
            for (const uri of a.resources) assert.ok(uri.length > 0 && uri === uri.trim())
          }
        } else {
          assert.match(r.left._tag, /^(MalformedXml|UnexpectedRoot|MissingAttribute|UnknownAction)$/)
        }
      }),
      { numRuns: 3000 },
    )
  })
})
