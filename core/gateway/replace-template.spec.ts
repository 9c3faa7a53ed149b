import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { applyReplaceTemplate, parseReplaceTemplate } from './replace-template.js'

const parsed = (template: string) => {
  const r = parseReplaceTemplate(template)
  if (E.isLeft(r)) assert.fail(`${template}: ${r.left.message}`)
  return r.right
}

void describe('replace_string templates', () => {
  const groups = ['5512@dial.example.com', '5512', 'dial.example.com', undefined, 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve']

  const cases: ReadonlyArray<readonly [string, string, number]> = [
    ['\\1@sip.example.com', '5512@sip.example.com', 1],
    ['\\2/\\1', 'dial.example.com/5512', 2],
    ['sip-\\1-\\1', 'sip-5512-5512', 1],
    ['\\g<1>0@x', '55120@x', 1],
    ['\\12', 'twelve', 12],
    ['\\10', 'ten', 10],
    ['a\\\\b', 'a\\b', 0],
    ['\\3x', 'x', 3],
    ['plain@host', 'plain@host', 0],
    ['', '', 0],
    ['S4B.\\1;gruu', 'S4B.5512;gruu', 1],
    // `$1` is JavaScript's syntax, not Pexip's: plain text here.
    ['$1', '$1', 0],
  ]
  for (const [template, expected, highest] of cases) {
    void it(`${JSON.stringify(template)} gives ${JSON.stringify(expected)}`, () => {
      const t = parsed(template)
      assert.equal(applyReplaceTemplate(t, groups), expected)
      assert.equal(t.highestGroup, highest)
    })
  }

  const refused: ReadonlyArray<readonly [string, RegExp]> = [
    ['\\0', /numbered from 1/],
    ['\\g<0>', /numbered from 1/],
    ['x\\', /lone/],
    ['\\.com', /not a back-reference/],
    ['\\n', /not a back-reference/],
    ['\\g<a>', /not a back-reference/],
  ]
  for (const [template, message] of refused) {
    void it(`refuses ${JSON.stringify(template)}`, () => {
      const r = parseReplaceTemplate(template)
      assert.ok(E.isLeft(r))
      assert.match(r.left.message, message)
    })
  }

  void it('keeps text without backslashes as it is', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('\\')), (text) => {
        const t = parsed(text)
        assert.equal(applyReplaceTemplate(t, []), text)
        assert.equal(t.highestGroup, 0)
      }),
    )
  })

  void it('turns \\\\ into one backslash and a reference into its group', () => {
    const part = fc.oneof(
      fc.string().filter((s) => !s.includes('\\') && !/^[0-9]/.test(s)).map((s) => ({ source: s, out: s })),
      fc.constant({ source: '\\\\', out: '\\' }),
      fc.integer({ min: 1, max: 9 }).map((g) => ({ source: `\\g<${g}>`, out: `<${g}>` })),
    )
    fc.assert(
      fc.property(fc.array(part), (parts) => {
        const values = Array.from({ length: 10 }, (_, g) => `<${g}>`)
        assert.equal(applyReplaceTemplate(parsed(parts.map((p) => p.source).join('')), values), parts.map((p) => p.out).join(''))
      }),
    )
  })
})
