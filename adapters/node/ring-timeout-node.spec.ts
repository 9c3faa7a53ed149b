/**
 * The ring timeout against a running node (global `ring_timeout_s`): a caller goes through a
 * gateway rule to a callee that rings (180) and never answers. When the timeout expires the node
 * cancels the outgoing leg (CANCEL with the INVITE's branch and CSeq number, RFC 3261 §9.1),
 * acknowledges the callee's 487 (§17.1.1.3), and refuses the caller 480.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { configurationV1, withRunningNode } from './testing/running-node.js'
import { headerOf, minimalOffer, rawRequest, RawUdpPeer, statusOf } from './testing/raw-sip-socket.js'

/** A response to `request` as a UAS writes one (RFC 3261 §8.2.6.2): its Vias, From, Call-ID, CSeq; To with our tag. */
const responseTo = (request: string, status: number, reason: string, toTag: string): string => {
  const lines = request.split('\r\n')
  const vias = lines.filter((l) => /^(?:Via|v)\s*:/i.test(l))
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...vias,
    `From: ${headerOf(request, '(?:From|f)') ?? ''}`,
    `To: ${headerOf(request, '(?:To|t)') ?? ''};tag=${toTag}`,
    `Call-ID: ${headerOf(request, '(?:Call-ID|i)') ?? ''}`,
    `CSeq: ${headerOf(request, 'CSeq') ?? ''}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
}

const branchOf = (request: string): string | undefined => /;branch=([^;,\s]+)/.exec(headerOf(request, '(?:Via|v)') ?? '')?.[1]

void describe('ring timeout against a running node', () => {
  void it('a callee that only rings is cancelled when ring_timeout_s expires, and the caller is refused 480', () =>
    withRunningNode(async (t) => {
      const caller = await RawUdpPeer.open()
      const callee = await RawUdpPeer.open()
      const nodePort = t.node.ready.sip?.udp ?? 0
      try {
        const patched = await t.http(`${configurationV1}global/1/`, { method: 'PATCH', body: JSON.stringify({ ring_timeout_s: 1 }) })
        assert.equal(patched.status, 202, await patched.text())
        const rule = await t.http(`${configurationV1}gateway_routing_rule/`, {
          method: 'POST',
          body: JSON.stringify({ name: 'to the callee', priority: 5, match_string: 'callee@.+', outgoing_protocol: 'sip', sip_proxy: `127.0.0.1:${callee.port}` }),
        })
        assert.equal(rule.status, 201, await rule.text())

        const call = rawRequest({ method: 'INVITE', uri: 'sip:callee@example.com', from: '"Ann" <sip:ann@example.com>', viaPort: caller.port, body: minimalOffer })
        const placedAt = Date.now()
        await caller.send(call.text, nodePort)
        const invite = await callee.next((m) => m.startsWith('INVITE '))
        await callee.send(responseTo(invite, 180, 'Ringing', 'callee1'), nodePort)
        assert.equal(statusOf(await caller.next((m) => statusOf(m) === 180 && headerOf(m, '(?:Call-ID|i)') === call.callId)), 180)

        const cancel = await callee.next((m) => m.startsWith('CANCEL '), 5_000)
        const rangFor = Date.now() - placedAt
        assert.ok(rangFor >= 900, `cancelled after ${rangFor} ms, before the 1 s ring timeout`)
        assert.equal(headerOf(cancel, '(?:Call-ID|i)'), headerOf(invite, '(?:Call-ID|i)'))
        assert.equal(branchOf(cancel), branchOf(invite), 'CANCEL has the branch of the INVITE it cancels (RFC 3261 §9.1)')
        assert.equal(headerOf(cancel, 'CSeq'), headerOf(invite, 'CSeq')?.replace('INVITE', 'CANCEL'))
        assert.equal(cancel.split('\r\n')[0], invite.split('\r\n')[0]?.replace('INVITE', 'CANCEL'))

        await callee.send(responseTo(cancel, 200, 'OK', 'callee1'), nodePort)
        await callee.send(responseTo(invite, 487, 'Request Terminated', 'callee1'), nodePort)
        const ack = await callee.next((m) => m.startsWith('ACK '))
        assert.equal(branchOf(ack), branchOf(invite), 'the ACK of a non-2xx final response is in the INVITE transaction (RFC 3261 §17.1.1.3)')

        const refused = await caller.finalFor(call.callId, 3_000)
        assert.equal(statusOf(refused), 480, refused.split('\r\n')[0])
        assert.equal(callee.received.filter((m) => m.startsWith('INVITE ')).length, 1, 'dialled once')
      } finally {
        await caller.close()
        await callee.close()
      }
    }))
})
