import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { acceptance, chooseFormat, parseAccept } from './presence-format.js'
import type { PresenceFormat } from './presence-format.js'
import { adrlHeaders, rfc3856Headers, sfbBatchedHeaders, sipeSingleHeaders } from './presence-fixtures.js'

const chosen = (accept: string | undefined, contentType: string | undefined): PresenceFormat => {
  const r = chooseFormat(accept, contentType)
  if (E.isLeft(r)) assert.fail(`not acceptable: ${accept}`)
  return r.right
}

void describe('chooseFormat', () => {
  void it('SfB batched categoryList subscription: msrtc documents, batched', () => {
    assert.deepEqual(chosen(sfbBatchedHeaders.accept, sfbBatchedHeaders.contentType), { document: 'msrtc-categories', batched: true })
  })

  void it("pidgin-sipe's categoryList subscription accepting PIDF too: msrtc, batched", () => {
    assert.deepEqual(chosen(sipeSingleHeaders.accept, sipeSingleHeaders.contentType), { document: 'msrtc-categories', batched: true })
  })

  void it('a standard RFC 3856 watcher: PIDF, single; also with no Accept at all (RFC 3856 default)', () => {
    assert.deepEqual(chosen(rfc3856Headers.accept, rfc3856Headers.contentType), { document: 'pidf', batched: false })
    assert.deepEqual(chosen(undefined, undefined), { document: 'pidf', batched: false })
    assert.deepEqual(chosen('  ', undefined), { document: 'pidf', batched: false })
  })

  void it('an SfB categoryList subscription without Accept: msrtc, batched', () => {
    assert.deepEqual(chosen(undefined, 'Application/MSRTC-ADRL-CategoryList+XML; charset=utf-8'), { document: 'msrtc-categories', batched: true })
  })

  void it('an SfB single-contact SUBSCRIBE without a body: the msrtc document alone', () => {
    assert.deepEqual(chosen('application/msrtc-event-categories+xml, application/rlmi+xml, multipart/related', undefined), {
      document: 'msrtc-categories',
      batched: false,
    })
  })

  void it('honours q-values over order and over the SfB preference', () => {
    assert.equal(chosen('application/msrtc-event-categories+xml;q=0.5, application/pidf+xml', undefined).document, 'pidf')
    assert.equal(chosen('application/pidf+xml;q=0.2, application/msrtc-event-categories+xml;q=0.9', undefined).document, 'msrtc-categories')
    assert.equal(
      chosen('application/msrtc-event-categories+xml;q=0.3, application/pidf+xml;q=0.4, application/rlmi+xml, multipart/related', sfbBatchedHeaders.contentType).document,
      'pidf',
    )
    assert.equal(chosen('application/msrtc-event-categories+xml;q=0, application/pidf+xml;q=0.1', sfbBatchedHeaders.contentType).document, 'pidf')
  })

  void it('ties: categoryList → msrtc; else the explicit type over a wildcard, then the first listed; a lone */* is PIDF', () => {
    assert.equal(chosen('application/pidf+xml, application/msrtc-event-categories+xml', sfbBatchedHeaders.contentType).document, 'msrtc-categories')
    assert.equal(chosen('application/pidf+xml, application/msrtc-event-categories+xml', undefined).document, 'pidf')
    assert.equal(chosen('application/msrtc-event-categories+xml, application/pidf+xml', undefined).document, 'msrtc-categories')
    assert.equal(chosen('*/*, application/pidf+xml', undefined).document, 'pidf')
    assert.equal(chosen('application/*, application/msrtc-event-categories+xml', undefined).document, 'msrtc-categories')
    assert.equal(chosen('*/*', undefined).document, 'pidf')
    assert.equal(chosen('*/*', sfbBatchedHeaders.contentType).document, 'msrtc-categories')
  })

  void it('batched only for a list subscription whose Accept allows multipart/related and rlmi', () => {
    assert.equal(chosen('application/msrtc-event-categories+xml', sfbBatchedHeaders.contentType).batched, false)
    assert.equal(chosen('application/msrtc-event-categories+xml, multipart/related;q=0, application/rlmi+xml', sfbBatchedHeaders.contentType).batched, false)
    assert.equal(chosen('application/msrtc-event-categories+xml, multipart/*, application/*', sfbBatchedHeaders.contentType).batched, true)
    assert.equal(chosen('application/pidf+xml, multipart/related, application/rlmi+xml', 'application/adrl+xml').batched, true)
  })

  void it('the LCS 2005 client accepts neither document: Not Acceptable, as does anything else that lists neither', () => {
    assert.deepEqual(chooseFormat(adrlHeaders.accept, adrlHeaders.contentType), E.left({ _tag: 'NotAcceptable', accept: adrlHeaders.accept }))
    assert.ok(E.isLeft(chooseFormat('application/xpidf+xml', undefined)))
    assert.ok(E.isLeft(chooseFormat('application/pidf+xml;q=0', undefined)))
    assert.ok(E.isLeft(chooseFormat('application/*;q=0, */*', undefined)))
  })

  void it('reads Accept leniently: spacing, case, parameters, quoted commas, bad q-values, junk entries', () => {
    const ranges = parseAccept(' Application/PIDF+XML ; level="1,2" ;Q=0.7 , junk, text/plain;q=nonsense, /x')
    assert.deepEqual(ranges.map((r) => [r.type, r.subtype, r.q]), [
      ['application', 'pidf+xml', 0.7],
      ['text', 'plain', 1],
    ])
    assert.equal(acceptance(ranges, 'application/pidf+xml').q, 0.7)
    assert.equal(acceptance(ranges, 'application/msrtc-event-categories+xml').q, 0)
    assert.equal(acceptance(parseAccept('application/*;q=0.4, application/pidf+xml;q=0'), 'application/pidf+xml').q, 0)
  })

  void it('never throws', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary', maxLength: 80 }), { nil: undefined }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (accept, contentType) => {
        const r = chooseFormat(accept, contentType)
        assert.ok(E.isLeft(r) || (r.right.document === 'pidf' || r.right.document === 'msrtc-categories'))
      }),
      { numRuns: 2000 },
    )
  })
})
