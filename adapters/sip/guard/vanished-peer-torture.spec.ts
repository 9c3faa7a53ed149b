/**
 * A peer that vanishes mid-dialog (issue 9), against the live SIP service on loopback with the
 * SIP timers scaled down (T1 = 20 ms, so 64*T1 = 1.28 s): the stack's timers clean up and the
 * core forgets the leg.
 * - Timer H (RFC 3261 §17.2.1): a caller is answered 200 and never ACKs: the node stops
 *   retransmitting, sends BYE (§13.3.1.4) and the call is gone from the core.
 * - Timer F (§17.1.2.2): that BYE is never answered either: its retransmissions stop.
 * - Timer B (§17.1.1.2): a gateway call's far end never answers the INVITE: the dial-out fails
 *   after 64*T1, the caller gets a final error, and both legs are gone.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sequentialIds } from '../../../core/ports/fakes/recording-ports.js'
import { makeConfig, makeRule, makeVmr } from '../../../core/node/node-harness.js'
import { eventually } from '../../node/testing/running-node.js'
import { headerOf, rawRequest, RawUdpPeer, statusOf } from '../../node/testing/raw-sip-socket.js'
import { roomSystemOffer } from '../../node/testing/sip-client.js'
import type { LiveSipService } from '../app/sip-service.js'
import { loopbackSipService } from '../app/testing/loopback-service.js'

const T1 = 20

const withService = async (blackHolePort: number, use: (service: LiveSipService, udpPort: number) => Promise<void>): Promise<void> => {
  const config = makeConfig({
    vmrs: [makeVmr('1', { aliases: ['meet.bob@example.com'] })],
    rules: [makeRule('1', '.+@blackhole\\.example', { sipProxy: `127.0.0.1:${blackHolePort}` })],
  })
  const service = loopbackSipService({
    config,
    ids: sequentialIds('v-'),
    sipTimers: { T1, T2: 4 * T1, T4: 5 * T1, timerDUnreliable: 64 * T1 },
  })
  const ports = await service.start({ http: 8080, avatarBaseUrl: 'http://127.0.0.1:8080' })
  try {
    await use(service, ports.udp)
  } finally {
    await service.stop()
  }
}

const legs = (service: LiveSipService): number => service.runtime?.nodeState.calls.size ?? -1

void describe('a peer that vanishes mid-dialog', () => {
  void it('Timer H then Timer F: answered and never ACKed, the call is hung up and forgotten, and the unanswered BYE is given up', async () => {
    const caller = await RawUdpPeer.open()
    try {
      await withService(1, async (service, port) => {
        const call = rawRequest({ method: 'INVITE', uri: 'sip:meet.bob@example.com', viaPort: caller.port, body: roomSystemOffer })
        await caller.send(call.text, port)
        assert.equal(statusOf(await caller.finalFor(call.callId)), 200)
        assert.equal(legs(service), 1)
        // The caller is gone: no ACK, no answer to anything.
        const bye = await caller.next((m) => m.startsWith('BYE ') && headerOf(m, '(?:Call-ID|i)') === call.callId, 64 * T1 + 2_000)
        assert.ok(bye.length > 0)
        await eventually(async () => assert.equal(legs(service), 0, 'the core forgot the leg'))
        const byes = (): number => caller.received.filter((m) => m.startsWith('BYE ')).length
        await new Promise((resolve) => setTimeout(resolve, 64 * T1 + 500))
        const settled = byes()
        await new Promise((resolve) => setTimeout(resolve, 8 * T1 * 4))
        assert.equal(byes(), settled, 'Timer F: the BYE is no longer retransmitted')
        assert.ok(settled > 1, 'the BYE was retransmitted before it was given up')
      })
    } finally {
      await caller.close()
    }
  })

  void it('Timer B: a gateway call whose far end never answers fails after 64*T1; the caller gets a final error and both legs are gone', async () => {
    const caller = await RawUdpPeer.open()
    const blackHole = await RawUdpPeer.open()
    try {
      await withService(blackHole.port, async (service, port) => {
        const call = rawRequest({ method: 'INVITE', uri: 'sip:far@blackhole.example', viaPort: caller.port, body: roomSystemOffer })
        const started = Date.now()
        await caller.send(call.text, port)
        await blackHole.next((m) => m.startsWith('INVITE '))
        const final = await caller.finalFor(call.callId, 64 * T1 + 3_000)
        assert.ok((statusOf(final) ?? 0) >= 400, `a final error, got ${statusOf(final)}`)
        assert.ok(Date.now() - started >= 64 * T1 - 50, 'not before Timer B')
        assert.ok(blackHole.received.filter((m) => m.startsWith('INVITE ')).length > 1, 'the INVITE was retransmitted (Timer A) first')
        await eventually(async () => assert.equal(legs(service), 0))
      })
    } finally {
      await caller.close()
      await blackHole.close()
    }
  })
})
