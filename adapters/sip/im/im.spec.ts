import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { decodeFirstMessage } from './first-message.js'
import { htmlToText } from './html-text.js'
import { buildMessageBody, decodeMessageBody } from './message-body.js'
import { rtfToText } from './rtf-text.js'
import { recogniseTyping } from './typing.js'

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')

// The HTML and RTF an SfB 2015 client sends for a one-line message (PROTOCOLS 1.3 trace shapes).
const sfbHtml = '<SPAN lang="en-us" style="color:#000000; font-family:Segoe UI; font-size:10pt;">hello room</SPAN>'
const sfbRtf =
  '{\\rtf1\\fbidis\\ansi\\ansicpg1251\\deff0\\nouicompat\\deflang1049{\\fonttbl{\\f0\\fnil\\fcharset0 Segoe UI;}{\\f1\\fnil Segoe UI;}}\r\n' +
  '{\\colortbl ;\\red0\\green0\\blue0;}\r\n{\\*\\generator Riched20 16.0.4405}\\viewkind4\\uc1 \r\n' +
  '\\pard\\cf1\\f0\\fs20\\lang1033 hello room\\f1\\lang1049\\par\r\n{\\*\\lyncflags<rtf=1>}}\r\n'

void test('the first message embedded in an SfB IM INVITE, plain text preferred', () => {
  const headers = [
    { name: 'ms-im-format', value: `text/html; charset=UTF-8; ms-body=${b64('<b>bold</b>')}` },
    { name: 'ms-text-format', value: `text/plain; charset=UTF-8; ms-body=${b64('hello room')}` },
    { name: 'ms-im-format', value: `text/rtf; charset=UTF-8; ms-body=${b64(sfbRtf)}` },
  ]
  assert.deepEqual(decodeFirstMessage(headers), E.right('hello room'))
})

void test('without plain text, HTML then RTF; broken alternatives are passed over', () => {
  assert.deepEqual(decodeFirstMessage([
    { name: 'ms-text-format', value: 'text/plain; charset=UTF-8; ms-body=***not base64***' },
    { name: 'ms-im-format', value: `text/rtf; charset=UTF-8; ms-body=${b64(sfbRtf)}` },
    { name: 'MS-IM-FORMAT', value: `text/html; charset=UTF-8; ms-body="${b64(sfbHtml)}"` },
  ]), E.right('hello room'))
  assert.deepEqual(decodeFirstMessage([{ name: 'ms-im-format', value: `text/rtf; charset=UTF-8; ms-body=${b64(sfbRtf)}` }]), E.right('hello room'))
  // pidgin-sipe adds an `msgr=` formatting blob before ms-body.
  assert.deepEqual(decodeFirstMessage([{ name: 'ms-text-format', value: `text/plain; charset=UTF-8;msgr=WAAtAE0A;ms-body=${b64('hi')}` }]), E.right('hi'))
})

void test('INVITEs without an embedded message, or with an unreadable one', () => {
  assert.deepEqual(decodeFirstMessage([{ name: 'Content-Type', value: 'application/sdp' }]), E.left({ _tag: 'NoEmbeddedMessage' }))
  assert.deepEqual(decodeFirstMessage([{ name: 'ms-text-format', value: 'text/plain; charset=UTF-8' }]), E.left({ _tag: 'NoEmbeddedMessage' }))
  const bad = decodeFirstMessage([{ name: 'ms-text-format', value: 'text/plain; ms-body=!!!' }])
  assert.ok(E.isLeft(bad) && bad.left._tag === 'MalformedImBody')
  assert.deepEqual(decodeFirstMessage([{ name: 'ms-text-format', value: `text/plain; ms-body=${b64('  ')}` }]), E.left({ _tag: 'EmptyMessage' }))
})

void test('MESSAGE bodies: plain, HTML, RTF, and multipart/alternative preferring plain', () => {
  assert.deepEqual(decodeMessageBody('text/plain; charset=UTF-8', '/call \\c\\1234'), E.right('/call \\c\\1234'))
  assert.deepEqual(decodeMessageBody('text/plain; charset=windows-1251', new Uint8Array([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2])), E.right('Привет'))
  assert.deepEqual(decodeMessageBody('text/html', sfbHtml), E.right('hello room'))
  assert.deepEqual(decodeMessageBody('text/rtf', sfbRtf), E.right('hello room'))
  const multipart = [
    '--XYZ',
    'Content-Type: text/html; charset=UTF-8',
    '',
    '<p>rich</p>',
    '--XYZ',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'plain wins',
    '--XYZ--',
  ].join('\r\n')
  assert.deepEqual(decodeMessageBody('multipart/alternative; boundary=XYZ', multipart), E.right('plain wins'))
  const htmlOnly = ['--XYZ', 'Content-Type: image/gif', '', 'GIF89a', '--XYZ', 'Content-Type: text/html', '', '<i>only html</i>', '--XYZ--'].join('\r\n')
  assert.deepEqual(decodeMessageBody('multipart/alternative; boundary=XYZ', htmlOnly), E.right('only html'))
})

void test('bodies that are not chat text', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['application/ms-imdn+xml', '<imdn/>', 'UnsupportedImContentType'],
    ['text/x-msmsgsinvite', 'Invitation-Command: INVITE', 'UnsupportedImContentType'],
    ['not a content type', 'hi', 'UnsupportedImContentType'],
    ['text/plain', '  \r\n ', 'EmptyMessage'],
    ['multipart/alternative', 'no boundary', 'MalformedImBody'],
    ['multipart/alternative; boundary=Q', '--Q\r\nContent-Type: image/gif\r\n\r\nGIF\r\n--Q--', 'UnsupportedImContentType'],
  ]
  for (const [ct, body, tag] of cases) {
    const decoded = decodeMessageBody(ct, body)
    assert.ok(E.isLeft(decoded) && decoded.left._tag === tag, `${ct}: ${JSON.stringify(decoded)}`)
  }
})

void test('HTML to text: line breaks, entities, hidden content, stray brackets', () => {
  assert.equal(htmlToText('<div>line one</div><div>line&nbsp;two &amp; <b>three</b></div>'), 'line one\nline two & three')
  assert.equal(htmlToText('a<br>b<BR/>c'), 'a\nb\nc')
  assert.equal(htmlToText('<style>p { color: red }</style><script>alert(1)</script>visible'), 'visible')
  assert.equal(htmlToText('1 < 2 &lt; 3 &#x1F600; &#128512; &#0; &bogus;'), '1 < 2 < 3 😀 😀 \ufffd &bogus;')
  assert.equal(htmlToText('<!-- note -->x<>y'), 'x<>y')
})

void test('RTF to text: code page bytes, Unicode escapes, fields keep their result', () => {
  assert.equal(rtfToText("{\\rtf1\\ansi\\ansicpg1251 \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2\\par}"), 'Привет')
  assert.equal(rtfToText('{\\rtf1\\uc1 caf\\u233?\\par na\\u239 ive}'), 'café\nnaïve')
  assert.equal(
    rtfToText('{\\rtf1 /call {\\field{\\*\\fldinst{HYPERLINK bob@example.com }}{\\fldrslt{bob@example.com\\ul0}}} now}'),
    '/call bob@example.com now',
  )
  assert.equal(rtfToText('{\\rtf1 braces \\{ and \\} and \\\\}'), 'braces { and } and \\')
})

void test('typing: SfB KeyboardActivity INFO and RFC 3994 isComposing', () => {
  const sfb = '<?xml version="1.0"?><KeyboardActivity><status status="type" /></KeyboardActivity>'
  assert.deepEqual(recogniseTyping('application/xml', sfb), E.right({ _tag: 'Typing', active: true }))
  assert.deepEqual(recogniseTyping('application/xml', '<KeyboardActivity><status status="idle"/></KeyboardActivity>'), E.right({ _tag: 'Typing', active: false }))
  const rfc3994 =
    '<?xml version="1.0" encoding="UTF-8"?>\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">\n  <state>active</state>\n  <contenttype>text/plain</contenttype>\n</isComposing>'
  assert.deepEqual(recogniseTyping('application/im-iscomposing+xml', rfc3994), E.right({ _tag: 'Typing', active: true }))
  assert.deepEqual(recogniseTyping('application/im-iscomposing+xml', '<ic:isComposing><ic:state>idle</ic:state></ic:isComposing>'), E.right({ _tag: 'Typing', active: false }))
  for (const [ct, body] of [['application/dtmf-relay', 'Signal=1'], ['application/xml', '<other/>'], ['application/xml', '<KeyboardActivity/>'], ['bad', '']] as const) {
    const r = recogniseTyping(ct, body)
    assert.ok(E.isLeft(r) && r.left._tag === 'NotTyping', ct)
  }
})

void test('what Parley sends reads back as the same text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => s.trim() !== '' && !s.includes('\r')), (text) => {
      const { contentType, body } = buildMessageBody(text)
      assert.equal(contentType, 'text/plain; charset=UTF-8')
      assert.deepEqual(decodeMessageBody(contentType, new TextEncoder().encode(body)), E.right(text.trim()))
    }),
  )
})

void test('no IM decoder throws on arbitrary input', () => {
  const contentTypes = ['text/plain', 'text/html', 'text/rtf', 'multipart/alternative; boundary=b', 'application/xml', 'application/im-iscomposing+xml']
  fc.assert(
    fc.property(fc.constantFrom(...contentTypes), fc.oneof(fc.string(), fc.uint8Array({ maxLength: 300 })), (ct, body) => {
      decodeMessageBody(ct, body)
      recogniseTyping(ct, body)
      if (typeof body === 'string') {
        htmlToText(body)
        rtfToText(body)
        decodeFirstMessage([{ name: 'ms-text-format', value: `${ct}; ms-body=${body}` }])
      }
    }),
    { numRuns: 500 },
  )
})

void test('HTML and RTF scanners stay linear on hostile input', () => {
  const hostile = ['<script>'.repeat(20000), '<'.repeat(100000), '{\\*'.repeat(30000), "\\'".repeat(50000), '&#'.repeat(50000)]
  for (const input of hostile) {
    const started = process.hrtime.bigint()
    htmlToText(input)
    rtfToText(input)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    assert.ok(ms < 1000, `${input.slice(0, 10)}… took ${ms} ms`)
  }
})
