/**
 * A PSTN caller through a gateway (RFC 3261 §19.1, §20.20, §20.39; RFC 3966) against a running
 * node: its From is a tel: URI, as PSTN gateways and SfB send for a PSTN caller. The call is
 * answered 200, and the participant shows the caller's display name and number; RFC 4475's
 * unksm2 (non-SIP URIs in To and From of a REGISTER) is answered 405, not 400: Parley is no
 * registrar, and a parser must not fail on it (RFC 4475 §3.3.4).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eventually, withRunningNode } from './testing/running-node.js'
import { headerOf, minimalOffer, rawRequest, RawUdpPeer, statusOf, token } from './testing/raw-sip-socket.js'
import { rfc4475Cases, tortureBytes } from '../sip/guard/testing/rfc4475-cases.js'

type Json = Record<string, unknown>

/** An in-dialog request built from the INVITE's lines and the 200's To (RFC 3261 §12.2.1.1, §17.1.1.3 for ACK). */
const inDialog = (invite: string, ok: string, method: 'ACK' | 'BYE', cseq: number, viaPort: number): string =>
  [
    `${method} sip:meet.bob@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${viaPort};branch=z9hG4bK${token()};rport`,
    'Max-Forwards: 70',
    `From: ${headerOf(invite, 'From') ?? ''}`,
    `To: ${headerOf(ok, '(?:To|t)') ?? ''}`,
    `Call-ID: ${headerOf(invite, 'Call-ID') ?? ''}`,
    `CSeq: ${cseq} ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')

void describe('a caller with a tel: URI against a running node', () => {
  void it('"+1 555" <tel:+15551234567> calling meet.bob@example.com is answered 200 and shown with its number; unksm2 is answered 405, not 400', () =>
    withRunningNode(async (t) => {
      const caller = await RawUdpPeer.open()
      const nodePort = t.node.ready.sip?.udp ?? 0
      try {
        // From a trusted peer (loopback, DESIGN §6 default): the asserted bare number is the identity, the name is From's.
        const invite = rawRequest({
          method: 'INVITE',
          uri: 'sip:meet.bob@example.com',
          from: '"+1 555" <tel:+15551234567>',
          viaPort: caller.port,
          body: minimalOffer,
          headers: ['P-Asserted-Identity: <tel:+15551234567>'],
        })
        await caller.send(invite.text, nodePort)
        const ok = await caller.finalFor(invite.callId)
        assert.equal(statusOf(ok), 200, ok.split('\r\n')[0])
        await caller.send(inDialog(invite.text, ok, 'ACK', 1, caller.port), nodePort)
        await eventually(async () => {
          const participants = ((await (await t.http('/api/admin/status/v1/participant/')).json()) as { objects: Json[] }).objects
          const row = participants.find((p) => p['source_alias'] === 'tel:+15551234567')
          assert.ok(row !== undefined, JSON.stringify(participants))
          assert.equal(row['display_name'], '+1 555')
          assert.equal(row['conference'], "Bob's room")
        })
        await caller.send(inDialog(invite.text, ok, 'BYE', 2, caller.port), nodePort)
        await caller.next((m) => statusOf(m) === 200 && /^CSeq:\s*2 BYE/im.test(m))

        // RFC 4475 §3.3.4. Its Via names 192.0.2.21; the answer is seen when the sent-by is this socket.
        const unksm2 = rfc4475Cases.find((c) => c.file === 'unksm2')
        assert.ok(unksm2 !== undefined)
        await caller.send(tortureBytes(unksm2).toString('latin1').replace('192.0.2.21:5060', `127.0.0.1:${caller.port}`), nodePort)
        const answer = await caller.finalFor('unksm2.daksdj@hyphenated-host.example.com')
        assert.equal(statusOf(answer), 405, answer.split('\r\n')[0])
      } finally {
        await caller.close()
      }
    }))
})
