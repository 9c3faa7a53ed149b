/**
 * Dialogs (RFC 3261 §12-15, RFC 6665): a SUBSCRIBE dialog carrying our NOTIFYs, in-dialog
 * requests routed to their dialog both ways, re-INVITE with ACK and glare, BYE, and an SfB-style
 * dialog over TLS whose requests follow the Record-Route and reuse the connection.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { VirtualClock } from '../../../core/ports/fakes/virtual-clock.js'
import { FakeNetwork } from '../transport/fake-network.js'
import { header } from './message-writer.js'
import { SipStack } from './sip-stack.js'
import type { Dialog, DialogEnd, ServerRequest } from './stack-types.js'
import { RawPeer, settle } from './testing/raw-peer.js'

void test('a SUBSCRIBE accepted with 200 creates a dialog; our NOTIFYs follow the route set and reach the subscriber', async () => {
  const network = new FakeNetwork()
  const stack = new SipStack({ transport: network.endpoint('192.0.2.10', { udp: 5060 }), clock: new VirtualClock(0), publicHost: 'parley.example.com' })
  const peer = RawPeer.on(network, '192.0.2.20', 5060)
  let dialog: Dialog | undefined
  stack.onRequest((r) => {
    const accepted = r.respond({ status: 200, headers: [header('Expires', '3600')] })
    if (E.isRight(accepted)) dialog = accepted.right
  })
  peer.send('udp', { host: '192.0.2.10', port: 5060 }, [
    'SUBSCRIBE sip:meet.alice@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKs1',
    'Record-Route: <sip:192.0.2.20:5060;lr;ms-route-sig=abc>',
    'From: <sip:watcher@example.com>;tag=w1;epid=e1',
    'To: <sip:meet.alice@example.com>',
    'Call-ID: sub-call',
    'CSeq: 5 SUBSCRIBE',
    'Contact: <sip:watcher@192.0.2.99:5062>',
    'Event: presence',
    'Expires: 3600',
  ])
  await settle(network)
  const ok = peer.lastResponse()
  assert.equal(ok.status, 200)
  assert.equal(ok.getHeader('Record-Route'), '<sip:192.0.2.20:5060;lr;ms-route-sig=abc>')
  assert.equal(ok.getHeader('Contact'), '<sip:parley.example.com:5060>')
  assert.ok(dialog !== undefined)
  assert.equal(dialog.usage, 'subscription')
  assert.equal(dialog.state, 'confirmed')

  const notified = dialog.request({
    method: 'NOTIFY',
    headers: [header('Event', 'presence'), header('Subscription-State', 'active;expires=3600')],
    body: { contentType: 'application/pidf+xml', content: '<presence/>' },
  })
  await settle(network)
  const notify = peer.requests().at(-1)
  assert.ok(notify !== undefined)
  assert.equal(notify.method, 'NOTIFY')
  assert.equal(notify.requestUri, 'sip:watcher@192.0.2.99:5062', 'Request-URI is the remote target')
  assert.equal(notify.getHeader('Route'), '<sip:192.0.2.20:5060;lr;ms-route-sig=abc>')
  assert.equal(notify.fromTag, ok.toTag)
  assert.equal(notify.toTag, 'w1')
  assert.equal(notify.getHeader('To'), '<sip:watcher@example.com>;tag=w1;epid=e1')
  assert.equal(notify.callId, 'sub-call')
  assert.equal(notify.cseq, 1)
  assert.equal(notify.getHeader('Contact'), '<sip:parley.example.com:5060>')
  assert.equal(notify.body, '<presence/>')
  peer.answer(notify, 200)
  await settle(network)
  const result = await notified
  assert.ok(E.isRight(result) && result.right.status === 200)

  // The subscriber is gone: 481 ends the dialog (RFC 5057 §5.2).
  const ends: DialogEnd[] = []
  dialog.setHandler({ onTerminated: (end) => ends.push(end) })
  const second = dialog.request({ method: 'NOTIFY', headers: [header('Event', 'presence'), header('Subscription-State', 'active')] })
  await settle(network)
  const notify2 = peer.requests().at(-1)
  assert.ok(notify2 !== undefined)
  assert.equal(notify2.cseq, 2)
  peer.answer(notify2, 481)
  await settle(network)
  const failed = await second
  assert.ok(E.isLeft(failed) && failed.left._tag === 'Rejected')
  assert.deepEqual(ends.map((e) => e._tag), ['RemoteGone'])
  assert.equal(dialog.state, 'terminated')
  assert.equal(stack.counts.dialogs, 0)
})

const twoStacks = () => {
  const network = new FakeNetwork()
  const clock = new VirtualClock(0)
  const caller = new SipStack({ transport: network.endpoint('192.0.2.1', { udp: 5060, tcp: 5060 }), clock, publicHost: '192.0.2.1' })
  const room = new SipStack({ transport: network.endpoint('192.0.2.2', { udp: 5060, tcp: 5060 }), clock, publicHost: '192.0.2.2' })
  return { network, clock, caller, room }
}

const establish = async (transport: 'udp' | 'tcp' = 'udp') => {
  const setup = twoStacks()
  const { network, caller, room } = setup
  const roomSide: { dialog?: Dialog; requests: ServerRequest[]; acks: number; ends: string[] } = { requests: [], acks: 0, ends: [] }
  room.onRequest((r) => {
    const answered = r.respond({ status: 200, body: { contentType: 'application/sdp', content: 'v=0\r\n' } })
    if (E.isLeft(answered) || answered.right === undefined) return
    roomSide.dialog = answered.right
    answered.right.setHandler({
      onRequest: (req) => {
        roomSide.requests.push(req)
        req.respond({ status: 200 })
      },
      onAck: () => roomSide.acks++,
      onTerminated: (end) => roomSide.ends.push(end._tag),
    })
  })
  let callerDialog: Dialog | undefined
  caller.invite(
    { requestUri: `sip:meet.alice@192.0.2.2${transport === 'tcp' ? ';transport=tcp' : ''}`, from: '<sip:bob@192.0.2.1>', to: '<sip:meet.alice@example.com>' },
    { onAnswered: (_r, d) => (callerDialog = d), onFailed: (f) => assert.fail(f._tag) },
  )
  await settle(network)
  assert.ok(callerDialog !== undefined && roomSide.dialog !== undefined)
  return { ...setup, callerDialog, roomSide }
}

void test('in-dialog INFO and MESSAGE reach the dialog handler; BYE ends the dialog on both sides', async () => {
  const { network, caller, room, callerDialog, roomSide } = await establish()
  assert.equal(roomSide.acks, 1)
  const info = callerDialog.request({ method: 'INFO', body: { contentType: 'application/dtmf-relay', content: 'Signal=5\r\nDuration=160\r\n' } })
  const message = callerDialog.request({ method: 'MESSAGE', body: { contentType: 'text/plain', content: 'hi' } })
  await settle(network)
  assert.ok(E.isRight(await info) && E.isRight(await message))
  assert.deepEqual(roomSide.requests.map((r) => `${r.request.method} ${r.request.body}`), ['INFO Signal=5\r\nDuration=160\r\n', 'MESSAGE hi'])
  assert.equal(roomSide.requests[0]?.dialog, roomSide.dialog)
  const bye = callerDialog.bye()
  assert.equal(callerDialog.state, 'terminated')
  await settle(network)
  assert.ok(E.isRight(await bye))
  assert.deepEqual(roomSide.ends, ['ByeReceived'])
  assert.equal(caller.counts.dialogs + room.counts.dialogs, 0)
})

void test('a re-INVITE is answered by the other side and ACKed by the stack; the room can send one too', async () => {
  const { network, callerDialog, roomSide } = await establish('tcp')
  const reinvite = callerDialog.reinvite({ body: { contentType: 'application/sdp', content: 'v=0\r\ns=hold\r\n' } })
  await settle(network)
  const answered = await reinvite
  assert.ok(E.isRight(answered) && answered.right.status === 200)
  assert.deepEqual(roomSide.requests.map((r) => r.request.method), ['INVITE'])
  assert.equal(roomSide.acks, 2)
  const roomDialog = roomSide.dialog
  assert.ok(roomDialog !== undefined)
  const callerSeen: string[] = []
  callerDialog.setHandler({ onRequest: (r) => (callerSeen.push(r.request.method), r.respond({ status: 200 })) })
  const back = roomDialog.reinvite({})
  await settle(network)
  assert.ok(E.isRight(await back))
  assert.deepEqual(callerSeen, ['INVITE'])
  // Over TCP, in-dialog requests went back on the connection the dialog was made on.
  assert.ok(network.sent.filter((p) => p.text.startsWith('INVITE ')).every((p) => p.connectionId !== undefined))
})

void test('re-INVITE glare: both sides get 491 (RFC 3261 §14.1)', async () => {
  const { network, callerDialog, roomSide } = await establish()
  const roomDialog = roomSide.dialog
  assert.ok(roomDialog !== undefined)
  callerDialog.setHandler({ onRequest: (r) => r.respond({ status: 200 }) })
  const fromCaller = callerDialog.reinvite({})
  const fromRoom = roomDialog.reinvite({})
  assert.deepEqual(await callerDialog.reinvite({}), E.left({ _tag: 'InviteInProgress' }))
  await settle(network)
  const [a, b] = [await fromCaller, await fromRoom]
  assert.ok(E.isLeft(a) && a.left._tag === 'Rejected' && a.left.response.status === 491)
  assert.ok(E.isLeft(b) && b.left._tag === 'Rejected' && b.left.response.status === 491)
  assert.deepEqual(roomSide.requests, [])
})

void test('an SfB-style INVITE over TLS: the dialog keeps the Record-Route and our BYE goes back on the same connection', async () => {
  const network = new FakeNetwork()
  const stack = new SipStack({ transport: network.endpoint('192.0.2.10', { tls: 5061 }), clock: new VirtualClock(0), publicHost: 'parley.example.com' })
  const fe = RawPeer.on(network, '10.1.1.5', 5061, 'tls')
  let dialog: Dialog | undefined
  let flowProtocol = ''
  stack.onRequest((r) => {
    flowProtocol = r.flow.protocol
    r.respond({ status: 180 })
    const answered = r.respond({ status: 200, contact: '<sip:meet.alice@parley.example.com:5061;transport=tls>' })
    if (E.isRight(answered)) dialog = answered.right
  })
  fe.send('tls', { host: '192.0.2.10', port: 5061 }, [
    'INVITE sip:meet.alice@example.com SIP/2.0',
    'Via: SIP/2.0/TLS 10.1.1.5:5061;branch=z9hG4bKfe1;ms-received-port=5061;ms-received-cid=2A3B00',
    'Record-Route: <sip:fe01.contoso.com:5061;transport=tls;opaque=state:T;lr;ms-route-sig=gaQs>',
    'f: "Bob" <sip:bob@contoso.com>;tag=b1;epid=3c4a',
    't: <sip:meet.alice@example.com>',
    'i: sfb-call-1',
    'CSeq: 1 INVITE',
    'm: <sip:bob@contoso.com;opaque=user:epid:Zt9TuEcJq1mF2Z5dYWaSqw;gruu>',
    'Ms-Conversation-ID: AdQ2kpE4Qjd/ZY1eTl+8Rw==',
    'k: ms-dialog-route-set-update',
    'c: application/sdp',
  ], 'v=0\r\n')
  await settle(network)
  assert.equal(flowProtocol, 'tls')
  // Answered at once: no 100 Trying (RFC 3261 §17.2.1).
  const [ringing, ok] = fe.responses()
  assert.deepEqual([ringing?.status, ok?.status, fe.responses().length], [180, 200, 2])
  assert.equal(ringing?.toTag, ok?.toTag, 'one To tag for every response')
  // The FE's address is its sent-by host: no received parameter; its ms-* parameters are echoed.
  assert.equal(ok?.getHeaders('Via')[0], 'SIP/2.0/TLS 10.1.1.5:5061;branch=z9hG4bKfe1;ms-received-port=5061;ms-received-cid=2A3B00')
  assert.equal(ok?.getHeader('Contact'), '<sip:meet.alice@parley.example.com:5061;transport=tls>')
  assert.ok(dialog !== undefined && ok !== undefined)
  fe.reply([
    'ACK sip:meet.alice@parley.example.com:5061;transport=tls SIP/2.0',
    'Via: SIP/2.0/TLS 10.1.1.5:5061;branch=z9hG4bKfe2',
    'f: "Bob" <sip:bob@contoso.com>;tag=b1;epid=3c4a',
    `t: ${ok.getHeader('To') ?? ''}`,
    'i: sfb-call-1',
    'CSeq: 1 ACK',
  ])
  await settle(network)
  void dialog.bye()
  await settle(network)
  const bye = fe.requests().at(-1)
  assert.ok(bye !== undefined)
  assert.equal(bye.method, 'BYE')
  assert.equal(bye.requestUri, 'sip:bob@contoso.com;opaque=user:epid:Zt9TuEcJq1mF2Z5dYWaSqw;gruu')
  assert.equal(bye.getHeader('Route'), '<sip:fe01.contoso.com:5061;transport=tls;opaque=state:T;lr;ms-route-sig=gaQs>')
  assert.match(bye.topVia.text, /^SIP\/2\.0\/TLS parley\.example\.com:5061;branch=z9hG4bK/)
  const connections = new Set(fe.received.map((r) => r.flow.connectionId))
  assert.equal(connections.size, 1, 'responses and the BYE used the FE\'s connection')
})

void test('closing the stack ends pending requests, INVITEs and dialogs with StackClosed, sending nothing', async () => {
  const { network, caller, callerDialog, roomSide } = await establish()
  const ends: string[] = []
  callerDialog.setHandler({ onTerminated: (end) => ends.push(end._tag) })
  network.drop(() => true, 100)
  const pendingMessage = caller.request({ method: 'MESSAGE', requestUri: 'sip:x@192.0.2.2', from: '<sip:bob@192.0.2.1>', to: '<sip:x@192.0.2.2>' })
  const failures: string[] = []
  caller.invite({ requestUri: 'sip:y@192.0.2.2', from: '<sip:bob@192.0.2.1>', to: '<sip:y@192.0.2.2>' }, { onAnswered: () => failures.push('answered'), onFailed: (f) => failures.push(f._tag) })
  const sentBefore = network.sent.length
  caller.close()
  assert.deepEqual(await pendingMessage, E.left({ _tag: 'StackClosed' }))
  assert.deepEqual(failures, ['StackClosed'])
  assert.deepEqual(ends, ['StackClosed'])
  assert.equal(network.sent.length, sentBefore)
  assert.deepEqual(caller.counts, { serverTransactions: 0, clientTransactions: 0, dialogs: 0 })
  assert.deepEqual(roomSide.ends, [])
})

void test('a dialog we made over TCP keeps using that connection even when the far Contact names no transport', async () => {
  const network = new FakeNetwork()
  const stack = new SipStack({ transport: network.endpoint('192.0.2.10', { udp: 5060, tcp: 5060 }), clock: new VirtualClock(0), publicHost: '192.0.2.10' })
  const endpoint = RawPeer.on(network, '192.0.2.30', 5060, 'tcp')
  let dialog: Dialog | undefined
  stack.invite({ requestUri: 'sip:room@192.0.2.30;transport=tcp', from: '<sip:meet.alice@example.com>', to: '<sip:room@192.0.2.30>' }, { onAnswered: (_r, d) => (dialog = d), onFailed: (f) => assert.fail(f._tag) })
  await settle(network)
  const invite = endpoint.requests()[0]
  assert.ok(invite !== undefined)
  endpoint.answer(invite, 200, ['Contact: <sip:room@192.0.2.30:5060>'], 'ep1')
  await settle(network)
  assert.ok(dialog !== undefined)
  void dialog.bye()
  await settle(network)
  assert.deepEqual(endpoint.requests().map((r) => `${r.method} ${r.topVia.transport}`), ['INVITE TCP', 'ACK TCP', 'BYE TCP'])
  assert.equal(new Set(endpoint.received.map((r) => r.flow.connectionId)).size, 1)
})
