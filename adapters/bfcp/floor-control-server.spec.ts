/**
 * RFC 8855 §6.2 reliability over UDP, on a virtual clock: the server's own messages are
 * retransmitted from T1, doubling, until acknowledged or given up; its responses are kept for
 * T2 and sent again, unchanged, for a retransmitted request, which is not acted on twice.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { ConferenceId, LegId } from '../../core/model/ids.js'
import type { Input } from '../../core/node/input.js'
import { VirtualClock } from '../../core/ports/fakes/virtual-clock.js'
import { decodeMessage, encodeMessage } from './bfcp-codec.js'
import type { Attribute, BfcpMessage, Primitive } from './bfcp-message.js'
import type { BfcpPeer } from './floor-control-server.js'
import { FloorControlServer } from './floor-control-server.js'
import { requestStatusIn } from './testing/bfcp-client.js'

const leg = LegId('room')

const setUp = () => {
  const clock = new VirtualClock(0)
  const server = new FloorControlServer({ clock, logger: pino({ level: 'silent' }) })
  const inputs: Input[] = []
  server.onInput((i) => inputs.push(i))
  const sent: Array<{ readonly at: number; readonly bytes: Uint8Array; readonly message: BfcpMessage }> = []
  const peer: BfcpPeer = {
    transport: 'udp',
    describe: '192.0.2.7:5070',
    send: (bytes) => {
      const decoded = decodeMessage(bytes)
      assert.ok(E.isRight(decoded))
      sent.push({ at: clock.now(), bytes, message: decoded.right })
    },
  }
  const ids = server.idsFor(leg)
  server.negotiated(leg, 'udp', peer)
  server.observe({ _tag: 'JoinMix', leg, conference: ConferenceId('1') })
  const from = (primitive: Primitive, transactionId: number, attributes: ReadonlyArray<Attribute> = [], responder = false): void =>
    server.receive(encodeMessage({ version: 2, responder, primitive, conferenceId: ids.conferenceId, transactionId, userId: ids.userId, attributes }), peer)
  return { clock, server, inputs, sent, from, ids }
}

void test('an unacknowledged Granted is sent again after 0.5, 1 and 2 s more, then given up', () => {
  const { clock, server, sent, from } = setUp()
  from('FloorRequest', 7, [{ type: 'FloorId', mandatory: true, value: 1 }])
  server.observe({ _tag: 'GrantFloor', leg })
  const granted = sent.filter((s) => s.message.primitive === 'FloorRequestStatus' && !s.message.responder)
  assert.equal(granted.length, 1)
  assert.equal(requestStatusIn(granted[0]!.message), 'Granted')
  clock.advance(30_000)
  const all = sent.filter((s) => s.message.primitive === 'FloorRequestStatus' && !s.message.responder)
  assert.deepEqual(all.map((s) => s.at), [0, 500, 1500, 3500])
  assert.ok(all.every((s) => Buffer.from(s.bytes).equals(Buffer.from(all[0]!.bytes))), 'a retransmission is the same message, same transaction')
})

void test('an acknowledged one is not sent again', () => {
  const { clock, server, sent, from } = setUp()
  from('FloorRequest', 7, [{ type: 'FloorId', mandatory: true, value: 1 }])
  server.observe({ _tag: 'GrantFloor', leg })
  const granted = sent.at(-1)!.message
  clock.advance(600)
  from('FloorRequestStatusAck', granted.transactionId, [], true)
  clock.advance(30_000)
  assert.deepEqual(
    sent.filter((s) => s.message.primitive === 'FloorRequestStatus' && !s.message.responder).map((s) => s.at),
    [0, 500],
  )
})

void test('a retransmitted request gets the same answer within T2 and is acted on once; after T2 it is a new request', () => {
  const { clock, inputs, sent, from } = setUp()
  from('FloorRequest', 9, [{ type: 'FloorId', mandatory: true, value: 1 }])
  clock.advance(3_000)
  from('FloorRequest', 9, [{ type: 'FloorId', mandatory: true, value: 1 }])
  assert.equal(sent.length, 2)
  assert.ok(Buffer.from(sent[0]!.bytes).equals(Buffer.from(sent[1]!.bytes)))
  assert.equal(sent[1]!.message.responder, true)
  assert.equal(requestStatusIn(sent[1]!.message), 'Pending')
  assert.deepEqual(inputs.map((i) => i._tag), ['ContentRequested'])
  clock.advance(8_000)
  from('FloorRequest', 9, [{ type: 'FloorId', mandatory: true, value: 1 }])
  // Not the kept answer: the request is read again, and one is already open (§13.1.2, error 8).
  assert.equal(sent.at(-1)!.message.primitive, 'Error')
  assert.deepEqual(inputs.map((i) => i._tag), ['ContentRequested'])
})

void test('a refused pending request is Denied; a release while pending is Cancelled', () => {
  const { server, sent, from, inputs } = setUp()
  from('FloorRequest', 1, [{ type: 'FloorId', mandatory: true, value: 1 }])
  server.observe({ _tag: 'RevokeFloor', leg })
  assert.equal(requestStatusIn(sent.at(-1)!.message), 'Denied')
  from('FloorRequest', 2, [{ type: 'FloorId', mandatory: true, value: 1 }])
  const pending = sent.at(-1)!.message
  const id = pending.attributes[0]?.type === 'FloorRequestInformation' ? pending.attributes[0].id : assert.fail('no FLOOR-REQUEST-INFORMATION')
  from('FloorRelease', 3, [{ type: 'FloorRequestId', mandatory: true, value: id }])
  assert.equal(requestStatusIn(sent.at(-1)!.message), 'Cancelled')
  assert.deepEqual(inputs.map((i) => i._tag), ['ContentRequested', 'ContentRequested', 'ContentReleased'])
})

void test('unreadable messages are answered with the Error their header allows', () => {
  const { server, sent, ids } = setUp()
  const peer: BfcpPeer = { transport: 'udp', describe: 'x', send: (bytes) => sent.push({ at: 0, bytes, message: (decodeMessage(bytes) as E.Right<BfcpMessage>).right }) }
  const header = [0, 0, 0, 0, ids.conferenceId >>> 24, (ids.conferenceId >> 16) & 0xff, (ids.conferenceId >> 8) & 0xff, ids.conferenceId & 0xff, 0, 4, 0, 1]
  server.receive(Uint8Array.from([0x40, 77, 0, 0, ...header.slice(4)]), peer)
  server.receive(Uint8Array.from([0x40, 1, 0, 5, ...header.slice(4)]), peer)
  server.receive(Uint8Array.from([0xa0, 1, 0, 0, ...header.slice(4)]), peer)
  server.receive(Uint8Array.of(1, 2, 3), peer)
  const codes = sent.map((s) => (s.message.attributes[0]?.type === 'ErrorCode' ? s.message.attributes[0].code : undefined))
  assert.deepEqual(codes, [3, 13, 12])
  assert.ok(sent.every((s) => s.message.transactionId === 4 && s.message.conferenceId === ids.conferenceId))
})

void test('a presenter whose TCP connection closes keeps the floor if it connects again in time, else releases it', () => {
  const clock = new VirtualClock(0)
  const server = new FloorControlServer({ clock, logger: pino({ level: 'silent' }) })
  const inputs: Input[] = []
  server.onInput((i) => inputs.push(i))
  const connection = (): BfcpPeer => ({ transport: 'tcp', describe: 'tcp', send: () => undefined, close: () => undefined })
  const ids = server.idsFor(leg)
  server.observe({ _tag: 'JoinMix', leg, conference: ConferenceId('1') })
  const send = (peer: BfcpPeer, primitive: Primitive, transactionId: number, attributes: ReadonlyArray<Attribute> = []): void =>
    server.receive(encodeMessage({ version: 1, responder: false, primitive, conferenceId: ids.conferenceId, transactionId, userId: ids.userId, attributes }), peer)
  const first = connection()
  send(first, 'FloorRequest', 1, [{ type: 'FloorId', mandatory: true, value: 1 }])
  server.observe({ _tag: 'GrantFloor', leg })
  server.peerClosed(first)
  clock.advance(4_000)
  const second = connection()
  send(second, 'Hello', 2)
  clock.advance(10_000)
  assert.deepEqual(inputs.map((i) => i._tag), ['ContentRequested'], 'a new connection within 5 s keeps the floor')
  server.peerClosed(second)
  clock.advance(4_999)
  assert.deepEqual(inputs.map((i) => i._tag), ['ContentRequested'])
  clock.advance(1)
  assert.deepEqual(inputs.map((i) => i._tag), ['ContentRequested', 'ContentReleased'])
})
