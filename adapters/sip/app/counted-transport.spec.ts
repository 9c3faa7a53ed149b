import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type { SipMessageSeen } from '../../node/metrics-sink.js'
import type { Flow, InboundEvent, SipTransport } from '../transport/transport-types.js'
import { countedTransport, readMessageHead, readOutgoing } from './counted-transport.js'

void test('a head is read as a request by method, or a response by status and CSeq method; unknown methods are "other"', () => {
  assert.deepEqual(readMessageHead('in', 'INVITE sip:meet.bob@example.com SIP/2.0\r\nCSeq: 1 INVITE'), { _tag: 'Request', direction: 'in', method: 'INVITE' })
  assert.deepEqual(readMessageHead('out', 'SIP/2.0 486 Busy Here\r\nVia: x\r\ncseq:  7   bye'), { _tag: 'Response', direction: 'out', method: 'BYE', status: 486 })
  assert.deepEqual(readMessageHead('in', 'FROBNICATE sip:x SIP/2.0'), { _tag: 'Request', direction: 'in', method: 'other' })
  assert.deepEqual(readMessageHead('in', 'SIP/2.0 200 OK'), { _tag: 'Response', direction: 'in', method: 'other', status: 200 })
  assert.equal(readMessageHead('in', 'SIP/2.0 2x0 OK'), undefined)
  assert.equal(readMessageHead('in', ''), undefined)
})

void test('every message in and out is counted and passed through unchanged; keep-alives are not messages', async () => {
  const flow: Flow = { protocol: 'udp', local: { host: '127.0.0.1', port: 5060 }, remote: { host: '127.0.0.1', port: 5070 } }
  let deliver: (event: InboundEvent) => void = () => undefined
  const sent: Buffer[] = []
  const inner: SipTransport = {
    listening: () => new Map(),
    send: async (_target, bytes) => {
      sent.push(bytes)
      return E.right(flow)
    },
    onInbound: (d) => {
      deliver = d
    },
    close: async () => undefined,
  }
  const seen: SipMessageSeen[] = []
  const received: InboundEvent[] = []
  const counted = countedTransport(inner, { observed: () => undefined, notifySent: () => undefined, sipMessage: (m) => seen.push(m) })
  counted.onInbound((event) => received.push(event))
  const event: InboundEvent = { _tag: 'Message', flow, head: 'OPTIONS sip:parley SIP/2.0\r\nCSeq: 1 OPTIONS', body: Buffer.alloc(0) }
  deliver(event)
  const answer = Buffer.from('SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n')
  await counted.send({ _tag: 'Flow', flow }, answer)
  await counted.send({ _tag: 'Flow', flow }, Buffer.from('\r\n\r\n'))
  assert.deepEqual(received, [event])
  assert.deepEqual(sent, [answer, Buffer.from('\r\n\r\n')])
  assert.deepEqual(seen, [
    { _tag: 'Request', direction: 'in', method: 'OPTIONS' },
    { _tag: 'Response', direction: 'out', method: 'OPTIONS', status: 200 },
  ])
})

void test('outgoing bytes are read as the whole head would be', () => {
  const message = (text: string) => Buffer.from(`${text}\r\nContent-Length: 0\r\n\r\n`)
  assert.deepEqual(readOutgoing(message('NOTIFY sip:w@127.0.0.1 SIP/2.0\r\nCSeq: 2 NOTIFY')), { _tag: 'Request', direction: 'out', method: 'NOTIFY' })
  assert.deepEqual(readOutgoing(message('SIP/2.0 180 Ringing\r\nVia: x\r\nCSeq: 1 INVITE')), { _tag: 'Response', direction: 'out', method: 'INVITE', status: 180 })
  assert.deepEqual(readOutgoing(message('SIP/2.0 200 OK\r\ncseq: 3 subscribe')), { _tag: 'Response', direction: 'out', method: 'SUBSCRIBE', status: 200 })
  assert.deepEqual(readOutgoing(message('SUBSCRIBE sip:x SIP/2.0')), { _tag: 'Request', direction: 'out', method: 'SUBSCRIBE' })
})
