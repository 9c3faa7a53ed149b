/**
 * The four RFC 3261 §17 state machines against a virtual clock: exact retransmission times
 * (Timers A, E, G and the 2xx schedule of §13.3.1.4), timeouts (B, F, H, L) and clean-up
 * (D, I, J, K, M), unreliable versus reliable.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { VirtualClock } from '../../../../core/ports/fakes/virtual-clock.js'
import type { SendTarget } from '../../transport/transport-types.js'
import { parseMessage } from '../message-parser.js'
import { createParseMemo } from '../parse-memo.js'
import { SipResponse } from '../sip-message.js'
import { defaultSipTimerConfig } from '../sip-timers.js'
import { InviteClientTransaction, NonInviteClientTransaction } from './client-transaction.js'
import { InviteServerTransaction, NonInviteServerTransaction } from './server-transaction.js'
import type { TransactionContext } from './transaction-context.js'

const target: SendTarget = { _tag: 'Destination', protocol: 'udp', host: '192.0.2.2', port: 5060 }

const setup = () => {
  const clock = new VirtualClock(0)
  const sent: Array<{ at: number; text: string }> = []
  const context: TransactionContext = {
    clock,
    timers: defaultSipTimerConfig,
    logger: pino({ level: 'silent' }),
    send: (t, bytes) => {
      sent.push({ at: clock.now(), text: bytes.toString() })
      return Promise.resolve(E.right({ protocol: 'udp', local: { host: '192.0.2.1', port: 5060 }, remote: t._tag === 'Flow' ? t.flow.remote : { host: t.host, port: t.port } }))
    },
  }
  const events: string[] = []
  const clientUser = {
    onResponse: (r: SipResponse) => events.push(`response ${r.status}`),
    onTimeout: () => events.push('timeout'),
    onTransportError: () => events.push('transport error'),
    onTerminated: () => events.push('terminated'),
  }
  const serverUser = {
    onTerminated: () => events.push('terminated'),
    onAckTimeout: (outcome: 'success' | 'failure') => events.push(`ack timeout ${outcome}`),
    onTransportError: () => events.push('transport error'),
  }
  return { clock, sent, context, events, clientUser, serverUser }
}

const memo = createParseMemo(16)
const response = (status: number, method = 'INVITE'): SipResponse => {
  const head = `SIP/2.0 ${status} X\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKt\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: c\r\nCSeq: 1 ${method}`
  const parsed = parseMessage(head, Buffer.alloc(0), memo)
  assert.ok(E.isRight(parsed) && parsed.right instanceof SipResponse)
  return parsed.right
}

const request = Buffer.from('REQUEST')
const times = (sent: ReadonlyArray<{ at: number }>) => sent.map((s) => s.at)

void test('non-INVITE client over UDP: Timer E doubles up to T2, Timer F times out at 64*T1', () => {
  const { clock, sent, context, events, clientUser } = setup()
  new NonInviteClientTransaction(context, 'k', request, [target], false, clientUser).start()
  clock.advance(40_000)
  assert.deepEqual(times(sent), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
  assert.deepEqual(events, ['terminated', 'timeout'])
})

void test('non-INVITE client: after a provisional, Timer E fires every T2; a final response stops it and Timer K ends it', () => {
  const { clock, sent, context, events, clientUser } = setup()
  const tx = new NonInviteClientTransaction(context, 'k', request, [target], false, clientUser)
  tx.start()
  clock.advance(600)
  tx.receiveResponse(response(100, 'MESSAGE'))
  assert.equal(tx.state, 'Proceeding')
  clock.advance(9400) // to t=10000
  assert.deepEqual(times(sent), [0, 500, 1500, 5500, 9500])
  tx.receiveResponse(response(200, 'MESSAGE'))
  assert.equal(tx.state, 'Completed')
  tx.receiveResponse(response(200, 'MESSAGE')) // a retransmission is absorbed
  clock.advance(4999)
  assert.equal(tx.state, 'Completed')
  clock.advance(1)
  assert.equal(tx.state, 'Terminated')
  assert.equal(sent.length, 5)
  assert.deepEqual(events, ['response 100', 'response 200', 'terminated'])
})

void test('non-INVITE client over a reliable transport: one send, and Timer K is zero', () => {
  const { clock, sent, context, events, clientUser } = setup()
  const tx = new NonInviteClientTransaction(context, 'k', request, [target], true, clientUser)
  tx.start()
  clock.advance(20_000)
  tx.receiveResponse(response(404, 'MESSAGE'))
  assert.equal(sent.length, 1)
  assert.equal(tx.state, 'Terminated')
  assert.deepEqual(events, ['response 404', 'terminated'])
})

void test('INVITE client over UDP: Timer A doubles without a cap until Timer B times out at 64*T1', () => {
  const { clock, sent, context, events, clientUser } = setup()
  new InviteClientTransaction(context, 'k', request, [target], false, clientUser, () => Buffer.from('ACK')).start()
  clock.advance(40_000)
  assert.deepEqual(times(sent), [0, 500, 1500, 3500, 7500, 15500, 31500])
  assert.deepEqual(events, ['terminated', 'timeout'])
})

void test('INVITE client: a provisional stops Timer A and Timer B; a failure is ACKed, and ACKed again when repeated, until Timer D', () => {
  const { clock, sent, context, events, clientUser } = setup()
  const tx = new InviteClientTransaction(context, 'k', request, [target], false, clientUser, (r) => Buffer.from(`ACK for ${r.status}`))
  tx.start()
  clock.advance(700)
  tx.receiveResponse(response(180))
  clock.advance(60_000) // no Timer B in Proceeding
  assert.equal(tx.state, 'Proceeding')
  assert.deepEqual(times(sent), [0, 500])
  tx.receiveResponse(response(486))
  tx.receiveResponse(response(486))
  assert.deepEqual(sent.slice(2).map((s) => s.text), ['ACK for 486', 'ACK for 486'])
  clock.advance(31_999)
  assert.equal(tx.state, 'Completed')
  clock.advance(1)
  assert.equal(tx.state, 'Terminated')
  assert.deepEqual(events, ['response 180', 'response 486', 'terminated'])
})

void test('INVITE client: a 2xx moves to Accepted (RFC 6026), passing 2xx retransmissions up until Timer M', () => {
  const { clock, context, events, clientUser } = setup()
  const tx = new InviteClientTransaction(context, 'k', request, [target], false, clientUser, () => Buffer.from('ACK'))
  tx.start()
  tx.receiveResponse(response(200))
  tx.receiveResponse(response(200))
  tx.receiveResponse(response(486)) // nonsense after a 2xx: ignored
  assert.equal(tx.state, 'Accepted')
  clock.advance(32_000)
  assert.deepEqual(events, ['response 200', 'response 200', 'terminated'])
})

void test('non-INVITE server: retransmissions are absorbed while Trying and answered with the last response after', () => {
  const { clock, sent, context, events, serverUser } = setup()
  const tx = new NonInviteServerTransaction(context, 'k', [target], false, serverUser)
  tx.receiveRequest()
  assert.equal(sent.length, 0)
  assert.ok(E.isRight(tx.respond(200, Buffer.from('200'))))
  tx.receiveRequest()
  assert.deepEqual(sent.map((s) => s.text), ['200', '200'])
  assert.deepEqual(tx.respond(500, Buffer.from('500')), E.left({ _tag: 'AlreadyFinal' }))
  clock.advance(31_999)
  assert.equal(tx.state, 'Completed')
  clock.advance(1) // Timer J = 64*T1 on UDP
  assert.deepEqual(events, ['terminated'])
})

void test('INVITE server over UDP: a failure response is retransmitted by Timer G until the ACK; Timer I ends it', () => {
  const { clock, sent, context, events, serverUser } = setup()
  const tx = new InviteServerTransaction(context, 'k', [target], false, serverUser)
  tx.respond(100, Buffer.from('100'))
  tx.receiveRequest('INVITE')
  tx.respond(486, Buffer.from('486'))
  clock.advance(8000)
  assert.deepEqual(sent.map((s) => `${s.at} ${s.text}`), ['0 100', '0 100', '0 486', '500 486', '1500 486', '3500 486', '7500 486'])
  assert.equal(tx.receiveRequest('ACK'), 'absorbed')
  assert.equal(tx.state, 'Confirmed')
  clock.advance(4999)
  assert.equal(tx.state, 'Confirmed')
  clock.advance(1)
  assert.equal(tx.state, 'Terminated')
  assert.equal(sent.length, 7)
  assert.deepEqual(events, ['terminated'])
})

void test('INVITE server: a failure never acknowledged ends at Timer H', () => {
  const { clock, sent, context, events, serverUser } = setup()
  const tx = new InviteServerTransaction(context, 'k', [target], false, serverUser)
  tx.respond(603, Buffer.from('603'))
  clock.advance(40_000)
  assert.deepEqual(times(sent), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
  assert.deepEqual(events, ['ack timeout failure', 'terminated'])
})

void test('INVITE server: a 2xx is retransmitted (T1 doubling to T2) until the dialog sees the ACK; Timer L ends Accepted', () => {
  const { clock, sent, context, events, serverUser } = setup()
  const tx = new InviteServerTransaction(context, 'k', [target], false, serverUser)
  tx.respond(200, Buffer.from('200'))
  clock.advance(4000)
  assert.deepEqual(times(sent), [0, 500, 1500, 3500])
  assert.equal(tx.receiveRequest('INVITE'), 'absorbed') // RFC 6026: absorbed, not re-answered
  assert.equal(tx.awaitingAck, true)
  tx.ackReceived()
  clock.advance(40_000)
  assert.equal(sent.length, 4)
  assert.deepEqual(events, ['terminated'])
})

void test('INVITE server: a 2xx never acknowledged is reported at Timer L', () => {
  const { clock, sent, context, events, serverUser } = setup()
  const tx = new InviteServerTransaction(context, 'k', [target], false, serverUser)
  tx.respond(200, Buffer.from('200'))
  clock.advance(40_000)
  assert.deepEqual(times(sent), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
  assert.deepEqual(events, ['ack timeout success', 'terminated'])
})

void test('INVITE server over a reliable transport: no Timer G, and Timer I is zero', () => {
  const { clock, sent, context, events, serverUser } = setup()
  const tx = new InviteServerTransaction(context, 'k', [target], true, serverUser)
  tx.respond(486, Buffer.from('486'))
  clock.advance(10_000)
  assert.equal(sent.length, 1)
  tx.receiveRequest('ACK')
  assert.equal(tx.state, 'Terminated')
  assert.deepEqual(events, ['terminated'])
})

void test('a transport failure ends a client transaction and is reported', async () => {
  const { context, events, clientUser } = setup()
  const failing: TransactionContext = { ...context, send: () => Promise.resolve(E.left({ _tag: 'ConnectFailed', host: 'h', port: 1, reason: 'refused' })) }
  const tx = new NonInviteClientTransaction(failing, 'k', request, [target], true, clientUser)
  tx.start()
  await new Promise(setImmediate)
  assert.equal(tx.state, 'Terminated')
  assert.deepEqual(events, ['terminated', 'transport error'])
})

void test('INVITE server: 100 Trying only when the TU has not responded within the delay, or at once when the INVITE is retransmitted first (RFC 3261 §17.2.1)', () => {
  const late = setup()
  const slow = new InviteServerTransaction(late.context, 'k1', [target], false, late.serverUser)
  slow.tryingAfter(100, () => void slow.respond(100, Buffer.from('100')))
  late.clock.advance(99)
  assert.equal(late.sent.length, 0)
  late.clock.advance(1)
  assert.deepEqual(late.sent.map((s) => `${s.at} ${s.text}`), ['100 100'])

  const quick = setup()
  const fast = new InviteServerTransaction(quick.context, 'k2', [target], false, quick.serverUser)
  fast.tryingAfter(100, () => void fast.respond(100, Buffer.from('100')))
  quick.clock.advance(5)
  fast.respond(200, Buffer.from('200'))
  quick.clock.advance(1000)
  assert.deepEqual(quick.sent.map((s) => s.text), ['200', '200'], 'the 200 and its first retransmission; no 100')

  const retransmitted = setup()
  const waiting = new InviteServerTransaction(retransmitted.context, 'k3', [target], false, retransmitted.serverUser)
  waiting.tryingAfter(100, () => void waiting.respond(100, Buffer.from('100')))
  retransmitted.clock.advance(20)
  assert.equal(waiting.receiveRequest('INVITE'), 'absorbed')
  retransmitted.clock.advance(200)
  assert.deepEqual(retransmitted.sent.map((s) => `${s.at} ${s.text}`), ['20 100'])
})
