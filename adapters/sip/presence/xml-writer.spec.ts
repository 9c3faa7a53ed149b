import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { element, escapeAttribute, escapeText, serializeXml, toXmlChars } from './xml-writer.js'

// The escapers skip their replacements when nothing needs one; they must still answer what the
// whole chain of replacements answers, for any string.
const chainText = (s: string): string => toXmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
const chainAttribute = (s: string): string =>
  chainText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;')

const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '"', "'", '\t', '\n', '\r', '\u0001', '\ufffe', '\ud800', '\udc00', 'é', '😀') }),
)

void describe('XML writer', () => {
  void it('escapes text and attribute values exactly as the full chain of replacements does', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        assert.equal(escapeText(s), chainText(s))
        assert.equal(escapeAttribute(s), chainAttribute(s))
      }),
      { numRuns: 2000 },
    )
  })

  void it('writes elements two-space indented, CRLF after each line, text inline, empty elements closed', () => {
    const xml = serializeXml(
      element('presence', [['xmlns', 'urn:ietf:params:xml:ns:pidf'], ['skipped', undefined], ['entity', 'sip:a&b@example.com']], [
        element('tuple', [['id', 't1']], [element('status', [], [element('basic', [], 'open')]), element('note', [], '')]),
        element('display-name', [], 'Tom & "Jerry" <x>'),
      ]),
    )
    assert.equal(
      xml,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a&amp;b@example.com">',
        '  <tuple id="t1">',
        '    <status>',
        '      <basic>open</basic>',
        '    </status>',
        '    <note/>',
        '  </tuple>',
        '  <display-name>Tom &amp; "Jerry" &lt;x&gt;</display-name>',
        '</presence>',
        '',
      ].join('\r\n'),
    )
    assert.equal(serializeXml(element('a'), false), '<a/>\r\n')
  })
})
