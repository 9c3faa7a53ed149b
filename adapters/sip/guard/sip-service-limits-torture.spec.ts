/**
 * The live SIP service on loopback with its guards' bounds made small (issue 9): a flood of
 * SUBSCRIBEs from one untrusted source is served up to its burst and then refused 503 with
 * Retry-After; beyond the server-transaction bound, new INVITEs get 503 while OPTIONS is still
 * answered. The whole assembly runs (transport, request guard, stack, overload and rate guards,
 * presence, core); only the bounds differ from a production node's. A datagram with more header
 * fields than the transport takes (256) is refused with 400.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { demoPresenceConfig } from '../../../core/presence/presence-test-config.js'
import { headerOf, minimalOffer, rawRequest, RawUdpPeer, statusOf } from '../../node/testing/raw-sip-socket.js'
import type { SipServiceDeps } from '../app/sip-service.js'
import { loopbackSipService } from '../app/testing/loopback-service.js'



// Loopback is no trusted peer here: the rate limit applies to it.
const config = { ...demoPresenceConfig, source: { ...demoPresenceConfig.source, global: { ...demoPresenceConfig.source.global, trustedPeers: [] } } }

const withService = async (bounds: Pick<SipServiceDeps, 'overload' | 'subscribeRate'>, use: (udpPort: number, peer: RawUdpPeer) => Promise<void>): Promise<void> => {
  const service = loopbackSipService({
    config,
    ...bounds,
  })
  const ports = await service.start({ http: 8080, avatarBaseUrl: 'http://127.0.0.1:8080' })
  const peer = await RawUdpPeer.open()
  try {
    await use(ports.udp, peer)
  } finally {
    await peer.close()
    await service.stop()
  }
}

const subscribe = (peer: RawUdpPeer) =>
  rawRequest({ method: 'SUBSCRIBE', uri: 'sip:meet.alice@example.com', viaPort: peer.port, headers: ['Event: presence', 'Accept: application/pidf+xml', 'Expires: 600'] })

void describe('SIP service guards on loopback', () => {
  void it('serves a SUBSCRIBE flood from one untrusted source up to its burst, then 503 with Retry-After', () =>
    withService({ subscribeRate: { perSecond: 1, burst: 10 } }, async (port, peer) => {
      const started = Date.now()
      const sent = Array.from({ length: 30 }, () => subscribe(peer))
      for (const s of sent) await peer.send(s.text, port)
      const finals = await Promise.all(sent.map((s) => peer.finalFor(s.callId, 5_000)))
      const elapsedS = (Date.now() - started) / 1000
      const served = finals.filter((f) => statusOf(f) === 200).length
      const refused = finals.filter((f) => statusOf(f) === 503)
      assert.ok(served >= 10 && served <= 10 + Math.ceil(elapsedS) + 1, `served ${served} in ${elapsedS} s`)
      assert.equal(served + refused.length, 30)
      assert.ok(refused.every((f) => Number(headerOf(f, 'Retry-After')) >= 1))
    }))

  void it('beyond the server-transaction bound refuses new INVITEs with 503 and still answers OPTIONS', () =>
    withService({ overload: { maxServerTransactions: 5, retryAfterS: 9 } }, async (port, peer) => {
      // Each out-of-dialog MESSAGE (refused 403) leaves a server transaction absorbing
      // retransmissions for 64*T1 (RFC 3261 §17.2.2): eight of them are over the bound of five.
      for (let i = 0; i < 8; i++) {
        const message = rawRequest({ method: 'MESSAGE', uri: 'sip:meet.bob@example.com', viaPort: peer.port, body: 'hi', contentType: 'text/plain' })
        await peer.send(message.text, port)
        assert.equal(statusOf(await peer.finalFor(message.callId)), 403)
      }
      const call = rawRequest({ method: 'INVITE', uri: 'sip:meet.bob@example.com', viaPort: peer.port, body: minimalOffer })
      await peer.send(call.text, port)
      const refused = await peer.finalFor(call.callId)
      assert.equal(statusOf(refused), 503)
      assert.equal(headerOf(refused, 'Retry-After'), '9')
      const sub = subscribe(peer)
      await peer.send(sub.text, port)
      assert.equal(statusOf(await peer.finalFor(sub.callId)), 503)
      const options = rawRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', viaPort: peer.port })
      await peer.send(options.text, port)
      assert.equal(statusOf(await peer.finalFor(options.callId)), 200, 'OPTIONS is still answered')
    }))

  void it('refuses a datagram with more header fields than the limit with 400, and answers OPTIONS after it', () =>
    withService({}, async (port, peer) => {
      const flood = rawRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', viaPort: peer.port, headers: Array.from({ length: 300 }, (_, i) => `X-Filler-${i}: ${i}`) })
      await peer.send(flood.text, port)
      assert.equal(statusOf(await peer.finalFor(flood.callId)), 400)
      const options = rawRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', viaPort: peer.port })
      await peer.send(options.text, port)
      assert.equal(statusOf(await peer.finalFor(options.callId)), 200)
    }))
})
