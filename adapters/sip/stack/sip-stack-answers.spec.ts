/**
 * What the stack answers on its own (RFC 3261 §8.2), checked from a hand-written peer: OPTIONS,
 * 400 for malformed requests (and it keeps answering), 405 for REFER, 501, 420, 481, 500 for an
 * out-of-order CSeq, 505; SfB's Require tags are accepted.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { VirtualClock } from '../../../core/ports/fakes/virtual-clock.js'
import { FakeNetwork } from '../transport/fake-network.js'
import { SipStack } from './sip-stack.js'
import type { ServerRequest } from './stack-types.js'
import { RawPeer, settle } from './testing/raw-peer.js'

const node = { host: '192.0.2.10', port: 5060 }

const setup = () => {
  const network = new FakeNetwork()
  const clock = new VirtualClock(0)
  const stack = new SipStack({ transport: network.endpoint(node.host, { udp: node.port }), clock, publicHost: node.host, userAgent: 'Parley test' })
  const seen: ServerRequest[] = []
  stack.onRequest((r) => seen.push(r))
  const peer = RawPeer.on(network, '192.0.2.20', 5060)
  return { network, clock, stack, seen, peer }
}

let branch = 0
const requestLines = (method: string, extra: ReadonlyArray<string> = [], toTag = ''): string[] => [
  `${method} sip:meet.alice@example.com SIP/2.0`,
  `Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKpeer${++branch};rport`,
  'Max-Forwards: 70',
  'From: "Peer" <sip:peer@192.0.2.20>;tag=peer1',
  `To: <sip:meet.alice@example.com>${toTag === '' ? '' : `;tag=${toTag}`}`,
  `Call-ID: call-${branch}@192.0.2.20`,
  `CSeq: 1 ${method}`,
  ...extra,
]

void test('OPTIONS is answered 200 with Allow, Accept and Supported, statelessly', async () => {
  const { network, stack, seen, peer } = setup()
  peer.send('udp', node, requestLines('OPTIONS'))
  await settle(network)
  const answer = peer.lastResponse()
  assert.equal(answer.status, 200)
  assert.deepEqual(answer.getHeader('Allow')?.split(', '), ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY'])
  assert.match(answer.getHeader('Accept') ?? '', /application\/sdp/)
  assert.match(answer.getHeader('Supported') ?? '', /categoryList/)
  assert.equal(answer.getHeader('Server'), 'Parley test')
  assert.notEqual(answer.toTag, '')
  // The top Via carries where the request came from (RFC 3581).
  assert.match(answer.getHeaders('Via')[0] ?? '', /;rport=5060;.*received=192\.0\.2\.20$/)
  assert.equal(seen.length, 0)
  assert.equal(stack.counts.serverTransactions, 0)
})

void test('a malformed request gets 400 with the reason, and the listener keeps answering OPTIONS', async () => {
  const { network, peer, seen } = setup()
  const noCallId = requestLines('INVITE').filter((l) => !l.startsWith('Call-ID'))
  peer.send('udp', node, noCallId)
  peer.send('udp', node, requestLines('MESSAGE').map((l) => (l.startsWith('CSeq') ? 'CSeq: one MESSAGE' : l)))
  peer.sendRaw('udp', node, 'INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKz\r\nContent-Length: 99\r\n\r\nshort')
  peer.sendRaw('udp', node, '\u0000\u0001garbage that is not SIP at all\r\n\r\n')
  peer.send('udp', node, requestLines('OPTIONS'))
  await settle(network)
  // Answers to malformed requests copy what was there, malformed or missing parts included,
  // so they are checked as text.
  assert.deepEqual(
    peer.unparsed.map((head) => head.split('\r\n')[0]),
    ['SIP/2.0 400 Missing Call-ID header', 'SIP/2.0 400 Malformed CSeq header', 'SIP/2.0 400 Body shorter than Content-Length'],
  )
  assert.match(peer.unparsed[0] ?? '', /\r\nReason: SIP ;cause=400 ;text="Missing Call-ID header"/)
  assert.match(peer.unparsed[0] ?? '', /\r\nCSeq: 1 INVITE/)
  assert.match(peer.unparsed[0] ?? '', /\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.20:5060;branch=z9hG4bKpeer\d+;rport\r\n/)
  assert.deepEqual(peer.responses().map((r) => `${r.status} ${r.method}`), ['200 OPTIONS'])
  assert.equal(seen.length, 0)
})

void test('REFER is refused with 405 and an Allow that omits REFER; an unknown method gets 501', async () => {
  const { network, peer } = setup()
  peer.send('udp', node, requestLines('REFER', ['Refer-To: <sip:x@example.com>']))
  peer.send('udp', node, requestLines('FROBNICATE'))
  await settle(network)
  const [refer, unknown] = peer.responses()
  assert.equal(refer?.status, 405)
  assert.ok(!(refer?.getHeader('Allow') ?? 'REFER').includes('REFER'))
  assert.ok((refer?.getHeader('Allow') ?? '').includes('INVITE'))
  assert.equal(unknown?.status, 501)
})

void test('an unsupported Require gets 420 with Unsupported; SfB presence tags are accepted', async () => {
  const { network, peer, seen } = setup()
  peer.send('udp', node, requestLines('INVITE', ['Contact: <sip:peer@192.0.2.20>', 'Require: 100rel, timer']))
  peer.send('udp', node, requestLines('SUBSCRIBE', ['Contact: <sip:peer@192.0.2.20>', 'Event: presence', 'Require: adhoclist, categoryList']))
  await settle(network)
  const bad = peer.responses()[0]
  assert.equal(bad?.status, 420)
  assert.equal(bad?.getHeader('Unsupported'), '100rel, timer')
  assert.deepEqual(seen.map((r) => r.request.method), ['SUBSCRIBE'])
})

void test('481 for requests in unknown dialogs, BYE outside a dialog and a CANCEL that matches nothing; stray ACKs are absorbed', async () => {
  const { network, peer, seen } = setup()
  peer.send('udp', node, requestLines('INFO', [], 'nosuchdialog'))
  peer.send('udp', node, requestLines('BYE'))
  peer.send('udp', node, requestLines('CANCEL'))
  peer.send('udp', node, requestLines('ACK', [], 'nosuchdialog'))
  await settle(network)
  assert.deepEqual(peer.responses().map((r) => `${r.status} ${r.method}`), ['481 INFO', '481 BYE', '481 CANCEL'])
  assert.equal(seen.length, 0)
})

void test('an INVITE without Contact is refused with 400; a SIP/3.0 request with 505', async () => {
  const { network, peer, seen } = setup()
  peer.send('udp', node, requestLines('INVITE'))
  peer.send('udp', node, requestLines('OPTIONS').map((l, i) => (i === 0 ? 'OPTIONS sip:meet.alice@example.com SIP/3.0' : l)))
  await settle(network)
  assert.deepEqual(peer.responses().map((r) => r.status), [400, 505])
  assert.equal(seen.length, 0)
})

void test('an RFC 2543 INVITE (no branch cookie, no From tag, no Contact, RFC 4475 §3.4.1) is taken; its dialog targets the From address', async () => {
  const { network, peer, seen } = setup()
  peer.send('udp', node, [
    'INVITE sip:meet.alice@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.20:5060',
    'From: <sip:+13035551111@192.0.2.20;user=phone>',
    'To: sip:meet.alice@example.com',
    'Call-ID: inv2543@192.0.2.20',
    'CSeq: 56 INVITE',
  ])
  await settle(network)
  const invite = seen[0]
  assert.ok(invite !== undefined, 'delivered to the handler, not refused 400')
  const answered = invite.respond({ status: 200 })
  assert.ok(E.isRight(answered) && answered.right !== undefined)
  assert.equal(answered.right.remoteTarget, 'sip:+13035551111@192.0.2.20;user=phone')
  await settle(network)
  assert.equal(peer.lastResponse().status, 200)
})

void test('an INVITE from a PSTN caller (tel: From and To, RFC 3261 §20.20, §20.39) is taken, not refused 400', async () => {
  const { network, peer, seen } = setup()
  peer.send('udp', node, requestLines('INVITE', ['Contact: <sip:+15551234567@192.0.2.20;user=phone>']).map((l) =>
    l.startsWith('From') ? 'From: "+1 555" <tel:+15551234567>;tag=gw1' : l.startsWith('To') ? 'To: <tel:+15557654321;phone-context=example.com>' : l,
  ))
  await settle(network)
  const invite = seen[0]
  assert.ok(invite !== undefined, 'delivered to the handler, not refused 400')
  assert.equal(invite.request.getHeader('From'), '"+1 555" <tel:+15551234567>;tag=gw1')
  const answered = invite.respond({ status: 200 })
  assert.ok(E.isRight(answered) && answered.right !== undefined)
  await settle(network)
  const ok = peer.lastResponse()
  assert.equal(ok.status, 200)
  assert.equal(ok.getHeader('From'), '"+1 555" <tel:+15551234567>;tag=gw1')
  assert.match(ok.getHeader('To') ?? '', /^<tel:\+15557654321;phone-context=example\.com>;tag=\w+$/)
  // Parley ends the call: its BYE goes to the Contact, with the parties as they were (RFC 3261 §12.2.1.1).
  const dialog = answered.right
  const ended = dialog.bye()
  await settle(network)
  const bye = peer.requests().find((r) => r.method === 'BYE')
  assert.ok(bye !== undefined)
  assert.equal(bye.requestUri, 'sip:+15551234567@192.0.2.20;user=phone')
  assert.equal(bye.getHeader('To'), '"+1 555" <tel:+15551234567>;tag=gw1')
  assert.equal(bye.from.uri.toString(), 'tel:+15557654321;phone-context=example.com')
  peer.answer(bye, 200)
  await settle(network)
  assert.ok(E.isRight(await ended))
})

void test('in a dialog: a lower CSeq gets 500, an OPTIONS gets 200, a request without a handler 501', async () => {
  const { network, peer, seen } = setup()
  peer.send('udp', node, requestLines('INVITE', ['Contact: <sip:peer@192.0.2.20>']).map((l) => (l.startsWith('CSeq') ? 'CSeq: 10 INVITE' : l)))
  await settle(network)
  const invite = seen[0]
  assert.ok(invite !== undefined)
  const answered = invite.respond({ status: 200 })
  assert.ok(E.isRight(answered) && answered.right !== undefined)
  const dialog = answered.right
  await settle(network)
  const ok = peer.lastResponse()
  const inDialog = (method: string, cseq: number): string[] =>
    requestLines(method, [], ok.toTag).map((l) => (l.startsWith('Call-ID') ? `Call-ID: ${invite.request.callId}` : l.startsWith('CSeq') ? `CSeq: ${cseq} ${method}` : l))
  peer.send('udp', node, inDialog('INFO', 9))
  peer.send('udp', node, inDialog('OPTIONS', 11))
  peer.send('udp', node, inDialog('INFO', 12))
  await settle(network)
  assert.deepEqual(peer.responses().slice(1).map((r) => `${r.status} ${r.method}`), ['500 INFO', '200 OPTIONS', '501 INFO'])
  assert.equal(dialog.state, 'confirmed')
})

void test('a stateless answer to a retransmitted request is identical, To tag included', async () => {
  const { network, peer } = setup()
  const lines = requestLines('REFER')
  peer.send('udp', node, lines)
  peer.send('udp', node, lines)
  await settle(network)
  const [first, second] = peer.responses()
  assert.equal(first?.toTag, second?.toTag)
})

void test('CANCEL (RFC 3261 §9.2): a ringing INVITE ends with 487; one already answered keeps its 2xx and the CANCEL still gets 200', async () => {
  const { network, clock, peer, seen } = setup()
  const invite = requestLines('INVITE', ['Contact: <sip:peer@192.0.2.20>'])
  const cancelOf = (lines: ReadonlyArray<string>): string[] =>
    lines.filter((l) => !l.startsWith('Contact')).map((l, i) => (i === 0 ? l.replace(/^INVITE/, 'CANCEL') : l.startsWith('CSeq') ? 'CSeq: 1 CANCEL' : l))
  peer.send('udp', node, invite)
  await settle(network)
  const ringing = seen[0]
  assert.ok(ringing !== undefined)
  let cancelled = 0
  ringing.onCancel(() => cancelled++)
  assert.deepEqual(peer.responses(), [], 'no 100 Trying while the TU may still answer within 200 ms')
  clock.advance(100)
  await settle(network)
  peer.send('udp', node, cancelOf(invite))
  await settle(network)
  assert.equal(cancelled, 1)
  assert.deepEqual(peer.responses().map((r) => `${r.status} ${r.method}`), ['100 INVITE', '200 CANCEL', '487 INVITE'])

  const answeredInvite = requestLines('INVITE', ['Contact: <sip:peer@192.0.2.20>'])
  peer.send('udp', node, answeredInvite)
  await settle(network)
  const answered = seen[1]
  assert.ok(answered !== undefined)
  answered.onCancel(() => cancelled++)
  assert.ok(E.isRight(answered.respond({ status: 200 })))
  peer.send('udp', node, cancelOf(answeredInvite))
  await settle(network)
  assert.equal(cancelled, 1, 'an answered INVITE is not affected by its CANCEL')
  assert.deepEqual(peer.responses().slice(3).map((r) => `${r.status} ${r.method}`), ['200 INVITE', '200 CANCEL'])
})
