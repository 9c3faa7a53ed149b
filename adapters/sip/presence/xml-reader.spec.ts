import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { attribute, childElements, readXml, textOf, xmlNamespace } from './xml-reader.js'
import type { XmlElement, XmlErrorReason, XmlNode } from './xml-reader.js'
import { element, escapeAttribute, escapeText, serializeXml, toXmlChars } from './xml-writer.js'
import type { XmlMarkup } from './xml-writer.js'

const read = (s: string): XmlElement => {
  const r = readXml(s)
  if (E.isLeft(r)) assert.fail(`${r.left.reason} at ${r.left.offset}: ${r.left.detail}`)
  return r.right
}
const refusal = (s: string): XmlErrorReason => {
  const r = readXml(s)
  assert.ok(E.isLeft(r), `expected ${JSON.stringify(s.slice(0, 60))} to be refused`)
  return r.left.reason
}

void describe('readXml', () => {
  void it('resolves default and prefixed namespaces; unprefixed attributes have none', () => {
    const root = read(
      '<?xml version="1.0"?>\n<b:batchSub xmlns:b="urn:b" xmlns="urn:d" b:x="1" uri="sip:w@x"><action name="subscribe"/><c:k xmlns:c="urn:c"/></b:batchSub>',
    )
    assert.equal(root.name, 'batchSub')
    assert.equal(root.namespace, 'urn:b')
    assert.deepEqual(root.attributes, [
      { name: 'x', namespace: 'urn:b', value: '1' },
      { name: 'uri', namespace: '', value: 'sip:w@x' },
    ])
    const [action, k] = childElements(root)
    assert.equal(action?.namespace, 'urn:d')
    assert.equal(attribute(action!, 'name'), 'subscribe')
    assert.equal(k?.name, 'k')
    assert.equal(k?.namespace, 'urn:c')
  })

  void it('an inner xmlns="" undeclares the default namespace; xml: is always bound', () => {
    const root = read('<adhoclist xmlns="urn:ietf:params:xml:ns:adrl"><create xmlns=""><resource xml:lang="en" uri="sip:a@b"/></create></adhoclist>')
    const create = childElements(root)[0]!
    assert.equal(create.namespace, '')
    assert.deepEqual(childElements(create)[0]?.attributes[0], { name: 'lang', namespace: xmlNamespace, value: 'en' })
  })

  void it('decodes the five entities, character references, CDATA; skips comments, PIs and a BOM', () => {
    const root = read('\ufeff<!-- hi --><?pi x?><a t="&lt;&amp;&quot;&apos;&gt;&#65;&#x1F600;">x&amp;y<![CDATA[<raw&>]]><!-- c --><?p?>z</a>')
    assert.equal(attribute(root, 't'), `<&"'>A\u{1F600}`)
    assert.equal(textOf(root), 'x&y<raw&>z')
  })

  void it('normalizes white space in attribute values (XML 1.0 §3.3.3) but not in text', () => {
    const root = read('<a v="x\ty\nz" w="&#9;&#10;">l1\nl2</a>')
    assert.equal(attribute(root, 'v'), 'x y z')
    assert.equal(attribute(root, 'w'), '\t\n')
    assert.equal(textOf(root), 'l1\nl2')
  })

  void it('accepts attribute order, quoting and spacing variants alike', () => {
    const a = read(`<r  uri = 'sip:a@b'\n  name="n" />`)
    const b = read(`<r name="n" uri="sip:a@b"></r>`)
    assert.equal(attribute(a, 'uri'), attribute(b, 'uri'))
    assert.equal(attribute(a, 'name'), attribute(b, 'name'))
  })

  const refusals: ReadonlyArray<readonly [string, XmlErrorReason]> = [
    ['<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>', 'doctype-forbidden'],
    ['<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', 'doctype-forbidden'],
    ['<r>&xxe;</r>', 'unknown-entity'],
    ['<r>a & b</r>', 'unknown-entity'],
    ['<r>&#0;</r>', 'unknown-entity'],
    ['<r>&#xD800;</r>', 'unknown-entity'],
    ['<r a="1" a="2"/>', 'duplicate-attribute'],
    ['<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>', 'duplicate-attribute'],
    ['<p:r/>', 'unbound-prefix'],
    ['<r p:a="1"/>', 'unbound-prefix'],
    ['<a><b></a></b>', 'mismatched-end-tag'],
    ['<a>', 'unexpected-end'],
    ['<a x="1', 'unexpected-end'],
    ['<a><!-- never closed', 'unexpected-end'],
    ['', 'no-root-element'],
    ['   <!-- only a comment -->', 'no-root-element'],
    ['<a/><b/>', 'content-after-root'],
    ['<a/>text', 'content-after-root'],
    ['text<a/>', 'malformed-markup'],
    ['<a x="<"/>', 'malformed-markup'],
    ['<a x=1/>', 'malformed-markup'],
    ['<a x="1"y="2"/>', 'malformed-markup'],
    ['</a>', 'malformed-markup'],
    ['<a>\u0001</a>', 'invalid-character'],
    ['<a>]]></a>', 'malformed-markup'],
    ['<1a/>', 'malformed-markup'],
  ]
  for (const [input, reason] of refusals) {
    void it(`refuses ${JSON.stringify(input.slice(0, 48))} as ${reason}`, () => {
      assert.equal(refusal(input), reason)
    })
  }

  void it('reports the offset of the problem', () => {
    const r = readXml('<a>\n  <b></c>\n</a>')
    assert.ok(E.isLeft(r))
    assert.equal(r.left.offset, 9)
  })

  void it('is bounded: size, depth and node count, without recursion', () => {
    assert.equal(refusal(`<a>${'x'.repeat(100)}</a>`.padEnd(2_000_000, ' ')), 'too-large')
    const deep = '<a>'.repeat(200_000) + '</a>'.repeat(200_000)
    assert.equal(refusal('<a>'.repeat(65) + '</a>'.repeat(65)), 'too-deep')
    assert.ok(E.isRight(readXml('<a>'.repeat(64) + '</a>'.repeat(64))))
    assert.equal(refusal(`<r>${'<x/>'.repeat(60_000)}</r>`), 'too-many-nodes')
    const deepResult = readXml(deep, { maxChars: 2_000_000, maxDepth: 1_000_000, maxNodes: 1_000_000 })
    assert.ok(E.isRight(deepResult), 'deep nesting within the limits parses without a stack overflow')
  })

  void it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const r = readXml(s)
        assert.ok(E.isLeft(r) || E.isRight(r))
      }),
      { numRuns: 2000 },
    )
    const alphabet = fc.constantFrom('<', '>', '/', '=', '"', "'", '&', ';', '#', 'x', ':', 'a', ' ', '!', '?', '-', '[', ']', 'CDATA', 'xmlns', 'DOCTYPE')
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }), (parts) => {
        const r = readXml(parts.join(''))
        assert.ok(E.isLeft(r) || E.isRight(r))
      }),
      { numRuns: 5000 },
    )
  })
})

/** The tree a reader should see for `m`: the writer's indentation adds white space between elements only. */
const expectedTree = (m: XmlMarkup, namespaceOf: (name: string) => string): unknown => ({
  name: m.name.includes(':') ? m.name.split(':')[1] : m.name,
  namespace: namespaceOf(m.name),
  attributes: m.attributes.filter((a) => a[1] !== undefined && !a[0].startsWith('xmlns')).map(([k, v]) => [k, toXmlChars(v ?? '')]),
  content:
    typeof m.content === 'string'
      ? toXmlChars(m.content) === '' ? [] : toXmlChars(m.content)
      : m.content.map((c) => expectedTree(c, namespaceOf)),
})
const actualTree = (e: XmlElement): unknown => {
  const elements = childElements(e)
  return {
    name: e.name,
    namespace: e.namespace,
    attributes: e.attributes.map((a) => [a.name, a.value]),
    content:
      elements.length > 0 || e.children.length === 0
        ? elements.map(actualTree)
        : e.children.map((n: XmlNode) => (n._tag === 'Text' ? n.text : '')).join(''),
  }
}

void describe('serializeXml', () => {
  void it('escapes what must be escaped in text and attributes', () => {
    assert.equal(escapeText(`a<b>&c"d'e\r`), `a&lt;b&gt;&amp;c"d'e&#13;`)
    assert.equal(escapeAttribute(`a<b>&c"d'e\t\n`), 'a&lt;b&gt;&amp;c&quot;d&apos;e&#9;&#10;')
    assert.equal(escapeText('bell\u0007 and \ufffe gone'), 'bell and  gone')
  })

  void it('round-trips through readXml: what is written is what is read', () => {
    const name = fc.constantFrom('a', 'b', 'list', 'resource', 'x-y', 'p:q')
    const value = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom(' ', '\r\n', '\t&<>"\''))
    const leaf = fc.record({ name, attributes: fc.uniqueArray(fc.tuple(fc.constantFrom('id', 'uri', 'state'), value), { selector: (a) => a[0], maxLength: 3 }), content: value })
    const tree: fc.Arbitrary<XmlMarkup> = fc.letrec<{ node: XmlMarkup }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.record({ name, attributes: fc.constant([]), content: fc.array(tie('node'), { maxLength: 4 }) }),
      ),
    })).node
    fc.assert(
      fc.property(tree, (t) => {
        const root = element('root', [['xmlns', 'urn:d'], ['xmlns:p', 'urn:p']], [t])
        const xml = serializeXml(root)
        const read = readXml(xml)
        assert.ok(E.isRight(read), xml)
        const ns = (n: string): string => (n.startsWith('p:') ? 'urn:p' : 'urn:d')
        assert.deepEqual(actualTree(read.right), expectedTree(root, ns))
      }),
      { numRuns: 500 },
    )
  })
})
