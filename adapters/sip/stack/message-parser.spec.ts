import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { NameAddrHeader } from 'sip.js/lib/grammar/name-addr-header.js'
import { header, serialize } from './message-writer.js'
import { parseMessage } from './message-parser.js'
import { createParseMemo } from './parse-memo.js'
import { SipRequest, SipResponse } from './sip-message.js'

const memo = createParseMemo(256)

/** Splits raw text the way the transport does: head before the blank line, body bytes after. */
const parse = (raw: string) => {
  const bytes = Buffer.from(raw, 'utf8')
  const at = bytes.indexOf('\r\n\r\n')
  return parseMessage(bytes.toString('utf8', 0, at), bytes.subarray(at + 4), memo)
}

const request = (raw: string): SipRequest => {
  const parsed = parse(raw)
  if (E.isLeft(parsed)) assert.fail(`did not parse: ${JSON.stringify(parsed.left.problem)}`)
  assert.ok(parsed.right instanceof SipRequest)
  return parsed.right
}

const sdp = 'v=0\r\no=- 0 0 IN IP4 192.0.2.7\r\ns=session\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0 101\r\na=x-ssrc-range:1-100\r\n'
const multipart =
  '--boundary\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n\r\n' +
  '--boundary\r\nContent-Type: application/sdp\r\nContent-Length: ' + Buffer.byteLength(sdp) + '\r\n\r\n' + sdp + '\r\n--boundary--\r\n'

/** An INVITE as SfB sends it through a Front End (PROTOCOLS 1.7, DESIGN §3). */
const sfbInvite = [
  'INVITE sip:meet.alice@example.com SIP/2.0',
  'Via: SIP/2.0/TLS 10.1.1.5:5061;branch=z9hG4bK5E4AF1C1.2C8F5E91;branched=FALSE;ms-internal-info="bq1AqyVr"',
  'v: SIP/2.0/TLS 10.1.1.20:50231;branch=z9hG4bKaa;ms-received-port=50231;ms-received-cid=2A3B00',
  'Max-Forwards: 69',
  'Record-Route: <sip:fe01.contoso.com:5061;transport=tls;opaque=state:T:F:Ci.R2a00;lr;ms-route-sig=gaQsN3GzzUNfJ>',
  'f: "Bob Example" <sip:bob@contoso.com>;tag=b1f3e2;epid=3c4a7d91f2',
  't: <sip:meet.alice@example.com>',
  'i: 9d0c4b7e6f1a2b3c4d5e6f708192a3b4',
  'CSeq: 1 INVITE',
  'm: <sip:bob@contoso.com;opaque=user:epid:Zt9TuEcJq1mF2Z5dYWaSqw;gruu>',
  'User-Agent: UCCAPI/16.0.4549.1000 OC/16.0.4549.1000 (Skype for Business)',
  'Ms-Conversation-ID: AdQ2kpE4Qjd/ZY1eTl+8Rw==',
  'ms-keep-alive: UAC;hop-hop=yes',
  'ms-text-format: text/plain; charset=UTF-8;ms-body=SGVsbG8=',
  'k: ms-dialog-route-set-update',
  'k: timer',
  'Supported:',
  'ms-subnet: 10.1.1.0',
  'Allow: INVITE, BYE, ACK, CANCEL, INFO, MESSAGE, UPDATE, REFER, NOTIFY, BENOTIFY, OPTIONS',
  'c: multipart/alternative;boundary="boundary"',
  `l: ${Buffer.byteLength(multipart)}`,
  '',
  multipart,
].join('\r\n')

void test('an SfB INVITE parses: compact forms, ms-* headers and Via params, epid, GRUU contact, multipart body', () => {
  const invite = request(sfbInvite)
  assert.equal(invite.method, 'INVITE')
  assert.equal(invite.ruri?.user, 'meet.alice')
  assert.equal(invite.callId, '9d0c4b7e6f1a2b3c4d5e6f708192a3b4')
  assert.equal(invite.cseq, 1)
  assert.equal(invite.fromTag, 'b1f3e2')
  assert.equal(invite.from.getParam('epid'), '3c4a7d91f2')
  assert.equal(invite.from.displayName, 'Bob Example')
  assert.equal(invite.toTag, '')
  assert.equal(invite.topVia.host, '10.1.1.5')
  assert.equal(invite.topVia.branch, 'z9hG4bK5E4AF1C1.2C8F5E91')
  assert.deepEqual(
    invite.getHeaders('Via').map((v) => v.split(';')[0]),
    ['SIP/2.0/TLS 10.1.1.5:5061', 'SIP/2.0/TLS 10.1.1.20:50231'],
  )
  assert.match(invite.getHeaders('Via')[1] ?? '', /ms-received-port=50231;ms-received-cid=2A3B00/)
  const contact = invite.parseHeader('Contact') as NameAddrHeader
  assert.equal(contact.uri.getParam('opaque'), 'user:epid:Zt9TuEcJq1mF2Z5dYWaSqw')
  assert.ok(contact.uri.hasParam('gruu'))
  const route = invite.parseHeader('Record-Route') as NameAddrHeader
  assert.equal(route.uri.getParam('ms-route-sig'), 'gaQsN3GzzUNfJ')
  assert.equal(invite.getHeader('Ms-Keep-Alive'), 'UAC;hop-hop=yes')
  assert.equal(invite.getHeader('ms-text-format'), 'text/plain; charset=UTF-8;ms-body=SGVsbG8=')
  assert.deepEqual(invite.getHeaders('Supported'), ['ms-dialog-route-set-update', 'timer', ''])
  assert.deepEqual(invite.parseHeader('Supported', 2), [])
  assert.equal(invite.getHeader('Content-Type'), 'multipart/alternative;boundary="boundary"')
  assert.equal(invite.bodyBytes.toString('utf8'), multipart)
  assert.equal(invite.body, multipart)
  // The headers in arrival order, names as written, for the dialect readers.
  assert.deepEqual(invite.headerList.slice(4, 6).map((h) => h.name), ['f', 't'])
  assert.equal(invite.headerList.length, 20)
})

void test('an SfB batched SUBSCRIBE parses with Require and an adrl body', () => {
  const body = '<adhocList xmlns="http://schemas.microsoft.com/2006/09/sip/adrl"><resource uri="sip:meet.alice@example.com"/></adhocList>'
  const raw = [
    'SUBSCRIBE sip:bob@contoso.com SIP/2.0',
    'Via: SIP/2.0/TLS 10.1.1.5:5061;branch=z9hG4bK1;ms-received-port=5061',
    'From: <sip:bob@contoso.com>;tag=aa;epid=01',
    'To: <sip:bob@contoso.com>',
    'Call-ID: sub-1',
    'CSeq: 1 SUBSCRIBE',
    'Contact: <sip:bob@contoso.com;opaque=user:epid:xx;gruu>',
    'Event: presence',
    'Accept: application/msrtc-event-categories+xml, application/xpidf+xml, text/xml+msrtc.pidf, application/pidf+xml, application/rlmi+xml, multipart/related',
    'Supported: com.microsoft.autoextend, ms-benotify, ms-piggyback-first-notify',
    'Require: adhoclist, categoryList',
    'Supported: eventlist',
    'Content-Type: application/msrtc-adrl-categorylist+xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')
  const sub = request(raw)
  assert.deepEqual(sub.parseHeader('Require'), ['adhoclist', 'categoryList'])
  assert.deepEqual(sub.parseHeader('Event'), { event: 'presence' })
  assert.equal(sub.body, body)
})

void test('a response parses, with its method from CSeq and a status line without a reason phrase', () => {
  const parsed = parse('SIP/2.0 180\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 7 INVITE\r\n\r\n')
  assert.ok(E.isRight(parsed) && parsed.right instanceof SipResponse)
  assert.equal(parsed.right.status, 180)
  assert.equal(parsed.right.method, 'INVITE')
  assert.equal(parsed.right.toTag, '2')
})

void test('a tel: Request-URI is kept as written', () => {
  const req = request('INVITE tel:+15551234 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:+15551234@b;user=phone>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n')
  assert.equal(req.requestUri, 'tel:+15551234')
  assert.equal(req.ruri, undefined)
})

void test('malformed requests fail with the problem and the header lines seen, never by throwing', () => {
  const base = ['Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: x', 'CSeq: 1 OPTIONS']
  const cases: Array<[string, string]> = [
    [['OPTIONS sip:c@d SIP/2.0', ...base.filter((l) => !l.startsWith('Call-ID'))].join('\r\n'), 'MissingHeader'],
    [['OPTIONS sip:c@d SIP/2.0', ...base.map((l) => (l.startsWith('From') ? 'From: not a uri <<' : l))].join('\r\n'), 'BadHeaderValue'],
    [['OPTIONS sip:c@d SIP/2.0', ...base.map((l) => (l.startsWith('CSeq') ? 'CSeq: 1 INVITE' : l))].join('\r\n'), 'CSeqMethodMismatch'],
    [['OPTIONS sip:c@d SIP/3.0', ...base].join('\r\n'), 'UnsupportedVersion'],
    [['OPTIONS sip:c@d SIP/2.0', 'no colon here', ...base].join('\r\n'), 'BadHeaderLine'],
    [['OPTIONS sip:[bad SIP/2.0', ...base].join('\r\n'), 'BadStartLine'],
  ]
  for (const [head, expected] of cases) {
    const parsed = parseMessage(head, Buffer.alloc(0), memo)
    assert.ok(E.isLeft(parsed), expected)
    assert.equal(parsed.left.problem._tag, expected)
    assert.equal(parsed.left.kind, 'request')
    assert.ok(parsed.left.headers.some((h) => h.name === 'Via'), 'the Via is kept for the 400')
  }
  const garbage = parseMessage('HELLO', Buffer.alloc(0), memo)
  assert.ok(E.isLeft(garbage) && garbage.left.kind === 'unknown')
})

void test('arbitrary bytes never make the parser throw', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom('Via: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK', 'f: <sip:a@b>;tag=', 't: <sips:x@[::1]>', 'CSeq: 99999999999 INVITE', 'i:', 'l: -1', 'm: *', 'Record-Route: <sip:a;lr>,'),
  )
  fc.assert(
    fc.property(fc.constantFrom('INVITE sip:a@b SIP/2.0', 'SIP/2.0 200 OK', 'BYE sips:x SIP/2.0', ''), fc.array(line, { maxLength: 12 }), fc.uint8Array({ maxLength: 30 }), (start, lines, body) => {
      const parsed = parseMessage([start, ...lines].join('\r\n'), Buffer.from(body), memo)
      if (E.isRight(parsed)) {
        assert.ok(parsed.right.callId !== undefined)
        // Lazy headers must not throw either.
        parsed.right.parseHeader('Contact')
        parsed.right.parseHeader('Record-Route')
      }
    }),
  )
})

void test('what the writer serialises, the parser reads back', () => {
  const token = fc.stringMatching(/^[a-zA-Z0-9]{1,12}$/)
  fc.assert(
    fc.property(
      fc.constantFrom('INVITE', 'MESSAGE', 'NOTIFY', 'INFO', 'BYE'),
      token,
      token,
      fc.nat({ max: 2 ** 31 - 1 }),
      fc.string({ maxLength: 80, unit: 'grapheme' }),
      fc.boolean(),
      (method, user, tag, cseq, content, compact) => {
        const bytes = serialize(`${method} sip:${user}@example.com SIP/2.0`, [
          header(compact ? 'v' : 'Via', `SIP/2.0/TCP 192.0.2.9:5060;branch=z9hG4bK${tag}`),
          header(compact ? 'f' : 'From', `"Ünïcode ${user}" <sip:${user}@example.com>;tag=${tag}`),
          header(compact ? 't' : 'To', `<sip:room@example.com>`),
          header(compact ? 'i' : 'Call-ID', `${tag}@192.0.2.9`),
          header('CSeq', `${cseq} ${method}`),
        ], { contentType: 'text/plain;charset=UTF-8', content })
        const at = bytes.indexOf('\r\n\r\n')
        const parsed = parseMessage(bytes.toString('utf8', 0, at), bytes.subarray(at + 4), memo)
        assert.ok(E.isRight(parsed) && parsed.right instanceof SipRequest)
        const req = parsed.right
        assert.equal(req.method, method)
        assert.equal(req.ruri?.user, user)
        assert.equal(req.fromTag, tag)
        assert.equal(req.from.displayName, `Ünïcode ${user}`)
        assert.equal(req.callId, `${tag}@192.0.2.9`)
        assert.equal(req.cseq, cseq)
        assert.equal(req.body, content)
        assert.equal(Number(req.getHeader('Content-Length')), Buffer.byteLength(content))
      },
    ),
  )
})
