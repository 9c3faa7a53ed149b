/**
 * Live presence subscriptions per source on the live SIP service (issue 9: "SUBSCRIBE rate and
 * count per source"), beside the rate limit of subscribe-rate.ts: an untrusted address holds at
 * most `maxPerUntrustedSource` watched resources (adapters/sip/app/presence-subscriptions.ts);
 * beyond it a new SUBSCRIBE gets 503 with Retry-After, and a place comes back when one of its
 * subscriptions ends. 503 rather than 403: the refusal is about how many subscriptions that
 * address holds now, which changes as they expire or are ended, so a retry later may succeed
 * (RFC 3261 §21.5.4, Retry-After §20.33); a 403 says the same request would be refused again
 * (§21.4.4, "the request SHOULD NOT be repeated"), and RFC 6665 defines no status of its own for
 * it. Another address is not affected, and a trusted peer (an SfB pool subscribing for all its
 * users, DESIGN §2, §3) is exempt. Each peer is its own loopback address (127.0.0.0/8).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { demoPresenceConfig } from '../../../core/presence/presence-test-config.js'
import { headerOf, rawRequest, RawUdpPeer, statusOf } from '../../node/testing/raw-sip-socket.js'
import { eventually } from '../../node/testing/running-node.js'
import { loopbackSipService } from '../app/testing/loopback-service.js'



const trustedPeer = '127.0.0.2'
const config = { ...demoPresenceConfig, source: { ...demoPresenceConfig.source, global: { ...demoPresenceConfig.source.global, trustedPeers: [trustedPeer] } } }
const cap = 3

const withService = async (use: (udpPort: number) => Promise<void>): Promise<void> => {
  const service = loopbackSipService({
    config,
    // A brief subscription may be asked for, so that one ends within the spec.
    subscriptionLimits: { maxPerUntrustedSource: cap, minExpiresS: 1 },
  })
  const ports = await service.start({ http: 8080, avatarBaseUrl: 'http://127.0.0.1:8080' })
  try {
    await use(ports.udp)
  } finally {
    await service.stop()
  }
}

/** One SUBSCRIBE from `peer`: its final status and Retry-After. */
const subscribe = async (peer: RawUdpPeer, port: number, expiresS = 600): Promise<{ status: number | undefined; retryAfter: string | undefined }> => {
  const request = rawRequest({ method: 'SUBSCRIBE', uri: 'sip:meet.alice@example.com', viaPort: peer.port, headers: ['Event: presence', 'Accept: application/pidf+xml', `Expires: ${expiresS}`] })
  await peer.send(request.text, port)
  const final = await peer.finalFor(request.callId)
  return { status: statusOf(final), retryAfter: headerOf(final, 'Retry-After') }
}

void describe('live subscriptions per source on the SIP service', () => {
  void it(`holds an untrusted source to ${cap}, 503 with Retry-After beyond; another source and a trusted peer are not held; an ended subscription frees a place`, () =>
    withService(async (port) => {
      const [mallory, other, pool] = await Promise.all([RawUdpPeer.open('127.0.0.1'), RawUdpPeer.open('127.0.0.3'), RawUdpPeer.open(trustedPeer)])
      try {
        // One brief subscription (it expires after 1 s), then long ones up to the cap.
        assert.equal((await subscribe(mallory, port, 1)).status, 200)
        for (let i = 1; i < cap; i++) assert.equal((await subscribe(mallory, port)).status, 200)
        const over = await subscribe(mallory, port)
        assert.equal(over.status, 503)
        assert.ok(Number(over.retryAfter) >= 1, `Retry-After ${over.retryAfter}`)

        for (let i = 0; i < cap; i++) assert.equal((await subscribe(other, port)).status, 200, 'another address has its own count')
        for (let i = 0; i < 3 * cap; i++) assert.equal((await subscribe(pool, port)).status, 200, 'a trusted peer is not held to the per-source cap')

        // The brief one has expired (NOTIFY terminated, which nobody answers): a place is free.
        await eventually(async () => assert.equal((await subscribe(mallory, port)).status, 200), 4_000)
        assert.equal((await subscribe(mallory, port)).status, 503, 'and only the one')
      } finally {
        await Promise.all([mallory.close(), other.close(), pool.close()])
      }
    }))
})
