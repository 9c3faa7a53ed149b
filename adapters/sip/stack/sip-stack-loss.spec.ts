/**
 * Two stacks over a lossy fake UDP network and a virtual clock (CONVENTIONS 10; no sleeps):
 * RFC 3261 retransmission recovers lost, duplicated and reordered packets, and the transaction
 * user sees every request exactly once.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { VirtualClock } from '../../../core/ports/fakes/virtual-clock.js'
import { FakeNetwork, type FakePacket } from '../transport/fake-network.js'
import { SipStack } from './sip-stack.js'
import type { Dialog, InviteEvents, RequestFailure, ServerRequest } from './stack-types.js'
import { settle } from './testing/raw-peer.js'

const twoStacks = () => {
  const network = new FakeNetwork()
  const clock = new VirtualClock(0)
  const alice = new SipStack({ transport: network.endpoint('192.0.2.1', { udp: 5060 }), clock, publicHost: '192.0.2.1' })
  const room = new SipStack({ transport: network.endpoint('192.0.2.2', { udp: 5060 }), clock, publicHost: '192.0.2.2' })
  return { network, clock, alice, room }
}

const firstLine = (p: FakePacket): string => p.text.slice(0, p.text.indexOf('\r\n'))
const isRequest = (method: string) => (p: FakePacket): boolean => p.text.startsWith(`${method} `)
const isResponse = (status: number, method: string) => (p: FakePacket): boolean => p.text.startsWith(`SIP/2.0 ${status} `) && new RegExp(`^CSeq: \\d+ ${method}\\r?$`, 'm').test(p.text)

const inviteSpec = { requestUri: 'sip:meet.alice@192.0.2.2', from: '"Alice" <sip:alice@192.0.2.1>', to: '<sip:meet.alice@example.com>' }

const recordInvite = () => {
  const outcome: string[] = []
  let dialog: Dialog | undefined
  const events: InviteEvents = {
    onProgress: (r) => outcome.push(`progress ${r.status}`),
    onAnswered: (r, d) => {
      dialog = d
      outcome.push(`answered ${r.status}`)
    },
    onFailed: (f: RequestFailure) => outcome.push(`failed ${f._tag}${f._tag === 'Rejected' ? ` ${f.response.status}` : ''}`),
  }
  return { outcome, events, dialog: () => dialog }
}

void test('a lost INVITE is retransmitted by Timer A and the call is answered', async () => {
  const { network, clock, alice, room } = twoStacks()
  const seen: ServerRequest[] = []
  room.onRequest((r) => {
    seen.push(r)
    r.respond({ status: 200, body: { contentType: 'application/sdp', content: 'v=0\r\n' } })
  })
  network.drop(isRequest('INVITE'))
  const call = recordInvite()
  alice.invite(inviteSpec, call.events)
  await settle(network)
  assert.deepEqual(call.outcome, [])
  clock.advance(500)
  await settle(network)
  assert.deepEqual(call.outcome, ['answered 200'])
  assert.equal(seen.length, 1)
  assert.deepEqual(network.sent.filter(isRequest('INVITE')).length, 2)
})

void test('a lost 200 OK is retransmitted until the ACK arrives, and a lost ACK brings another 200', async () => {
  const { network, clock, alice, room } = twoStacks()
  const acks: string[] = []
  room.onRequest((r) => {
    const dialog = r.respond({ status: 200 })
    assert.ok(E.isRight(dialog) && dialog.right !== undefined)
    dialog.right.setHandler({ onAck: (ack) => acks.push(ack.method) })
  })
  network.drop(isResponse(200, 'INVITE'))
  network.drop(isRequest('ACK'))
  const call = recordInvite()
  alice.invite(inviteSpec, call.events)
  await settle(network)
  clock.advance(500) // 2xx retransmission 1 → answered, ACK lost
  await settle(network)
  assert.deepEqual(call.outcome, ['answered 200'])
  assert.deepEqual(acks, [])
  clock.advance(1000) // 2xx retransmission 2 → the same ACK again
  await settle(network)
  assert.deepEqual(acks, ['ACK'])
  clock.advance(40_000)
  await settle(network)
  assert.equal(network.sent.filter(isResponse(200, 'INVITE')).length, 3)
  const sentAcks = network.sent.filter(isRequest('ACK'))
  assert.equal(sentAcks.length, 2)
  assert.equal(sentAcks[0]?.text, sentAcks[1]?.text, 'the ACK is resent as it was')
  assert.equal(call.dialog()?.state, 'confirmed')
  assert.deepEqual(room.counts, { serverTransactions: 0, clientTransactions: 0, dialogs: 1 })
})

void test('duplicated and reordered packets: one request to the TU, the call still answered', async () => {
  const { network, alice, room } = twoStacks()
  const seen: string[] = []
  room.onRequest((r) => {
    seen.push(r.request.method)
    r.respond({ status: 180 })
    r.respond({ status: 200 })
  })
  network.duplicate(isRequest('INVITE'))
  network.hold(isResponse(180, 'INVITE')) // the 180 overtaken by the 200
  const call = recordInvite()
  alice.invite(inviteSpec, call.events)
  await settle(network)
  assert.deepEqual(seen, ['INVITE'])
  assert.deepEqual(call.outcome, ['answered 200'])
  const responses = network.delivered.map(firstLine).filter((l) => l.startsWith('SIP/2.0'))
  // Answered at once, so no 100 Trying (RFC 3261 §17.2.1); the duplicate found the transaction Accepted.
  assert.deepEqual(responses, ['SIP/2.0 200 OK', 'SIP/2.0 180 Ringing'])
  // The duplicate INVITE was absorbed by the transaction, never shown to the TU.
  assert.deepEqual(network.delivered.filter(isRequest('INVITE')).length, 2)
})

void test('an INVITE to a peer that never answers fails after Timer B (64*T1), sent 7 times', async () => {
  const { network, clock, alice } = twoStacks()
  network.drop(isRequest('INVITE'), 100)
  const call = recordInvite()
  alice.invite(inviteSpec, call.events)
  for (let t = 0; t < 40; t++) {
    clock.advance(1000)
    await settle(network)
  }
  assert.deepEqual(call.outcome, ['failed Timeout'])
  assert.equal(network.sent.filter(isRequest('INVITE')).length, 7)
  assert.deepEqual(alice.counts, { serverTransactions: 0, clientTransactions: 0, dialogs: 0 })
})

void test('a MESSAGE gets through any loss of up to six packets and duplication of three, reaching the TU exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: 14 }), { maxLength: 6 }), fc.uniqueArray(fc.integer({ min: 1, max: 14 }), { maxLength: 3 }), async (lost, doubled) => {
      const { network, clock, alice, room } = twoStacks()
      let index = 0
      network.setPolicy(() => {
        index++
        return lost.includes(index) ? 'drop' : doubled.includes(index) ? 'duplicate' : 'pass'
      })
      const delivered: string[] = []
      room.onRequest((r) => {
        delivered.push(r.request.body)
        r.respond({ status: 200 })
      })
      const result = alice.request({ ...inviteSpec, method: 'MESSAGE', body: { contentType: 'text/plain', content: 'hello' } })
      for (let t = 0; t < 40; t++) {
        await settle(network)
        clock.advance(1000)
      }
      const outcome = await result
      assert.ok(E.isRight(outcome), JSON.stringify(E.isLeft(outcome) ? outcome.left._tag : ''))
      assert.deepEqual(delivered, ['hello'])
    }),
    { numRuns: 60 },
  )
})

void test('CANCEL waits for a provisional response, then ends the INVITE with 487', async () => {
  const { network, clock, alice, room } = twoStacks()
  const cancelled: string[] = []
  room.onRequest((r) => r.onCancel(() => cancelled.push(r.request.callId)))
  network.drop(isResponse(100, 'INVITE'))
  const call = recordInvite()
  const handle = alice.invite(inviteSpec, call.events)
  await settle(network)
  handle.cancel()
  await settle(network)
  assert.equal(network.sent.filter(isRequest('CANCEL')).length, 0, 'no CANCEL before a provisional (RFC 3261 §9.1)')
  clock.advance(500) // the INVITE is retransmitted; the 100 comes back; now the CANCEL goes
  await settle(network)
  assert.deepEqual(network.delivered.map(firstLine).filter((l) => !l.startsWith('INVITE')), [
    'SIP/2.0 100 Trying',
    'CANCEL sip:meet.alice@192.0.2.2 SIP/2.0',
    'SIP/2.0 200 OK',
    'SIP/2.0 487 Request Terminated',
    'ACK sip:meet.alice@192.0.2.2 SIP/2.0',
  ])
  // No progress is reported once cancel() was called.
  assert.deepEqual(call.outcome, ['failed Cancelled'])
  assert.deepEqual(cancelled, [handle.callId])
})

void test('a 200 OK that crosses the CANCEL is ACKed and ended with BYE; the outcome stays Cancelled', async () => {
  const { network, alice, room } = twoStacks()
  const ends: string[] = []
  room.onRequest((r) => {
    // The 180 lets the caller send its CANCEL (RFC 3261 §9.1), which then crosses the 200.
    r.respond({ status: 180 })
    const dialog = r.respond({ status: 200 })
    if (E.isRight(dialog)) dialog.right?.setHandler({ onTerminated: (end) => ends.push(end._tag) })
  })
  const call = recordInvite()
  alice.invite(inviteSpec, call.events).cancel()
  await settle(network)
  assert.deepEqual(call.outcome, ['failed Cancelled'])
  const methods = network.delivered.map(firstLine).filter((l) => !l.startsWith('SIP/2.0'))
  assert.deepEqual(methods.map((l) => l.split(' ')[0]), ['INVITE', 'CANCEL', 'ACK', 'BYE'])
  assert.deepEqual(ends, ['ByeReceived'])
  assert.equal(alice.counts.dialogs, 0)
  assert.equal(room.counts.dialogs, 0)
})

void test('a 2xx never acknowledged ends the dialog with BYE after 64*T1 (RFC 3261 §13.3.1.4)', async () => {
  const { network, clock, alice, room } = twoStacks()
  const ends: string[] = []
  room.onRequest((r) => {
    const dialog = r.respond({ status: 200 })
    if (E.isRight(dialog)) dialog.right?.setHandler({ onTerminated: (end) => ends.push(end._tag) })
  })
  network.drop(isRequest('ACK'), 100)
  alice.invite(inviteSpec, recordInvite().events)
  for (let t = 0; t < 40; t++) {
    clock.advance(1000)
    await settle(network)
  }
  assert.deepEqual(ends, ['AckTimeout'])
  assert.equal(network.sent.filter(isRequest('BYE')).length, 1)
  assert.equal(network.sent.filter(isResponse(200, 'INVITE')).length, 11)
})
