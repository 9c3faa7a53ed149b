/**
 * TCP limits on real loopback sockets (issue 9), with the limits made small so that each shows
 * within a second: a message trickled in byte by byte is cut off when it is not complete in time
 * even though bytes keep coming (slowloris); a quick message in pieces is not; an idle connection
 * is closed; one source cannot hold more than its share of connections; a message over the size
 * or header-count limit is refused and its connection closed.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { NodeSipTransport } from './node-sip-transport.js'
import type { TransportLimits } from './transport-limits.js'
import type { InboundEvent } from './transport-types.js'
import { RawTcpPeer } from '../../node/testing/raw-sip-socket.js'

const limits: Partial<TransportLimits> = { partialMessageMs: 300, idleConnectionMs: 800, maxConnectionsPerSource: 3, maxMessageBytes: 2048, maxHeaderCount: 20 }

const options = (extra: ReadonlyArray<string> = [], body = ''): string =>
  ['OPTIONS sip:node@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK1', 'From: <sip:a@x>;tag=1', 'To: <sip:node@127.0.0.1>', 'Call-ID: c', 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', ...extra, `Content-Length: ${body.length}`, '', body].join('\r\n')

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const withTransport = async (use: (port: number, events: InboundEvent[]) => Promise<void>): Promise<void> => {
  const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { tcp: 0 }, limits })
  if (E.isLeft(opened)) assert.fail(`no transport: ${opened.left._tag}`)
  const transport = opened.right
  const events: InboundEvent[] = []
  transport.onInbound((event) => events.push(event))
  try {
    await use(transport.listening().get('tcp')?.port ?? 0, events)
  } finally {
    await transport.close()
  }
}

void describe('TCP connection limits', () => {
  void it('closes a connection whose message trickles in slower than partialMessageMs, though bytes keep coming', () =>
    withTransport(async (port, events) => {
      const peer = await RawTcpPeer.open(port)
      const text = options()
      const started = Date.now()
      for (let i = 0; i < 12 && !peer.closed; i++) {
        peer.send(text.slice(i, i + 1))
        await sleep(60)
      }
      await peer.whenClosed(1_000)
      const after = Date.now() - started
      assert.ok(after >= 280 && after < 800, `closed after ${after} ms: by the partial-message bound, not the idle one`)
      assert.equal(events.length, 0)
    }))

  void it('keeps a connection whose messages arrive in pieces but complete in time, and delivers them', () =>
    withTransport(async (port, events) => {
      const peer = await RawTcpPeer.open(port)
      for (let round = 0; round < 4; round++) {
        const text = options()
        peer.send(text.slice(0, 40))
        await sleep(100)
        peer.send(text.slice(40))
        await sleep(100)
      }
      assert.equal(peer.closed, false)
      assert.equal(events.filter((e) => e._tag === 'Message').length, 4)
      peer.close()
    }))

  void it('closes an idle connection after idleConnectionMs', () =>
    withTransport(async (port) => {
      const peer = await RawTcpPeer.open(port)
      peer.send(options())
      const started = Date.now()
      await peer.whenClosed(2_000)
      assert.ok(Date.now() - started >= 700, 'not before the idle bound')
    }))

  void it('lets one source hold at most maxConnectionsPerSource connections, and another once one closes', () =>
    withTransport(async (port) => {
      const peers = await Promise.all(Array.from({ length: 5 }, () => RawTcpPeer.open(port)))
      await sleep(150)
      assert.deepEqual(peers.map((p) => p.closed).sort(), [false, false, false, true, true])
      const open = peers.filter((p) => !p.closed)
      open[0]?.close()
      await sleep(100)
      const again = await RawTcpPeer.open(port)
      await sleep(150)
      assert.equal(again.closed, false, 'a freed slot is usable')
      for (const p of [...peers, again]) p.close()
    }))

  void it('refuses a message over maxMessageBytes or maxHeaderCount and closes its connection', () =>
    withTransport(async (port, events) => {
      const big = await RawTcpPeer.open(port)
      big.send(options([], 'x'.repeat(4096)))
      await big.whenClosed(1_000)
      const many = await RawTcpPeer.open(port)
      many.send(options(Array.from({ length: 30 }, (_, i) => `X-H${i}: v`)))
      await many.whenClosed(1_000)
      assert.deepEqual(
        events.map((e) => (e._tag === 'Unframeable' ? e.problem._tag : e._tag)),
        ['MessageTooLarge', 'TooManyHeaders'],
      )
    }))
})
