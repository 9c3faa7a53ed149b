/**
 * IPv6 torture messages after RFC 5118 sent to a running node over TCP and UDP (issue 9): the
 * valid ones are processed, the unbracketed IPv6 reference is refused with 400 (§4.2), and the
 * node answers OPTIONS after each. Over UDP a stateful answer goes to the IPv6 Via, out of reach
 * of this IPv4 test: there only the refusal (sent back to the source) and liveness are seen.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rfc5118Cases } from '../sip/guard/testing/rfc5118-cases.js'
import { tortureCallId } from '../sip/guard/testing/rfc4475-cases.js'
import { withRunningNode } from './testing/running-node.js'
import { headerOf, rawRequest, RawTcpPeer, RawUdpPeer, statusOf } from './testing/raw-sip-socket.js'

void test('RFC 5118 IPv6 messages: valid ones processed, an unbracketed IPv6 reference refused 400, OPTIONS answered after each (TCP and UDP)', () =>
  withRunningNode(async (t) => {
    const udp = await RawUdpPeer.open()
    try {
      for (const c of rfc5118Cases) {
        const callId = tortureCallId(c.bytes)
        const tcp = await RawTcpPeer.open(t.node.ready.sip?.tcp ?? 0)
        tcp.send(c.bytes)
        const status = statusOf(await tcp.finalFor(callId ?? '', 2_000))
        tcp.close()
        if (c.expect._tag === 'Refused') assert.ok(c.expect.statuses.includes(status ?? 0), `${c.section} ${c.name} over TCP: got ${status}`)
        else assert.ok(status !== undefined && status !== 400, `${c.section} ${c.name} over TCP: processed expected, got ${status}`)

        udp.received.length = 0
        await udp.send(c.bytes, t.node.ready.sip?.udp ?? 0)
        if (c.expect._tag === 'Refused') assert.equal(statusOf(await udp.finalFor(callId ?? '', 2_000)), 400, `${c.name} over UDP`)
        const options = rawRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', viaPort: udp.port })
        await udp.send(options.text, t.node.ready.sip?.udp ?? 0)
        assert.equal(statusOf(await udp.finalFor(options.callId)), 200)
        assert.ok(!udp.received.some((m) => statusOf(m) === 400 && headerOf(m, '(?:Call-ID|i)') === callId) || c.expect._tag === 'Refused', `${c.name} over UDP: not refused`)
      }
    } finally {
      await udp.close()
    }
  }))
