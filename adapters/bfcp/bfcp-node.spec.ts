/**
 * Through a running node (real SIP and BFCP on loopback): a SIP room system whose offer carries
 * a content stream and a BFCP line — RFC 8856 over UDP, or RFC 4583 over TCP with the
 * `m-stream:` spelling — gets the BFCP line answered (Parley the server, its port, ids and the
 * floor bound to the content label), and its floor request on those ids is granted.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { systemClock } from '../node/system-clock.js'
import { configurationV1, withRunningNode } from '../node/testing/running-node.js'
import { SipStack } from '../sip/stack/sip-stack.js'
import type { Dialog } from '../sip/stack/stack-types.js'
import { NodeSipTransport } from '../sip/transport/node-sip-transport.js'
import { BfcpClient, requestStatusIn } from './testing/bfcp-client.js'
import { answeredBfcp as bfcpOf, rfc4583TcpOffer as rfc4583Tcp, rfc8856UdpOffer as rfc8856Udp } from './testing/room-system-offer.js'

const call = async (nodePort: number, offer: string): Promise<{ readonly answer: string; readonly dialog: Dialog; readonly close: () => Promise<void> }> => {
  const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: 0 } })
  if (E.isLeft(opened)) assert.fail(`no SIP socket: ${opened.left._tag}`)
  const stack = new SipStack({ transport: opened.right, clock: systemClock, publicHost: '127.0.0.1' })
  stack.onRequest((incoming) => void incoming.respond({ status: 481 }))
  const close = async (): Promise<void> => {
    stack.close()
    await opened.right.close()
  }
  const outcome = await new Promise<{ readonly answer: string; readonly dialog: Dialog } | { readonly status: number }>((resolve) =>
    stack.invite(
      {
        requestUri: 'sip:meet.carol@example.com',
        from: '"Room system" <sip:room@127.0.0.1>',
        to: '<sip:meet.carol@example.com>',
        body: { contentType: 'application/sdp', content: offer },
        destination: { protocol: 'udp', host: '127.0.0.1', port: nodePort },
      },
      {
        onAnswered: (response, dialog) => resolve({ answer: response.bodyBytes.toString('utf8'), dialog }),
        onFailed: (failure) => resolve({ status: failure._tag === 'Rejected' ? failure.response.status : 0 }),
      },
    ),
  )
  if ('status' in outcome) {
    await close()
    assert.fail(`the call was not answered (${outcome.status})`)
  }
  return { ...outcome, close }
}

void test('a SIP room system offering BFCP gets it answered, and its floor requests are granted (UDP RFC 8856, TCP RFC 4583)', () =>
  withRunningNode(
    async ({ node, http }) => {
      const created = await http(`${configurationV1}conference/`, { method: 'POST', body: JSON.stringify({ name: "Carol's room", aliases: [{ alias: 'meet.carol@example.com' }] }) })
      assert.equal(created.status, 201)
      const sipPort = node.ready.sip?.udp ?? assert.fail('no SIP port')

      const overUdp = await call(sipPort, rfc8856Udp)
      const udp = bfcpOf(overUdp.answer)
      assert.equal(udp.protocol, 'UDP/BFCP')
      assert.ok(udp.port > 0)
      for (const line of ['a=floorctrl:s-only', 'a=floorid:1 mstrm:3', 'a=bfcpver:2']) assert.ok(udp.lines.includes(line), `${line} in\n${udp.lines.join('\n')}`)
      assert.match(overUdp.answer, /m=video [1-9]\d* RTP\/AVP 96\r\n(?:a=[^\r]*\r\n)*?a=label:3/)

      const overTcp = await call(sipPort, rfc4583Tcp)
      const tcp = bfcpOf(overTcp.answer)
      assert.equal(tcp.protocol, 'TCP/BFCP')
      assert.ok(tcp.lines.includes('a=setup:passive'), 'the offerer is active: Parley listens')
      assert.notEqual(tcp.conferenceId, udp.conferenceId, 'each leg is its own BFCP user')

      const first = await BfcpClient.udp('127.0.0.1', udp.port, udp)
      const second = await BfcpClient.tcp('127.0.0.1', tcp.port, tcp)
      try {
        assert.equal((await first.hello()).primitive, 'HelloAck')
        assert.equal(requestStatusIn(await first.requestFloor()), 'Pending')
        await first.statusUpdate('Granted')
        assert.equal(requestStatusIn(await second.requestFloor()), 'Pending')
        await second.statusUpdate('Granted')
        await first.statusUpdate('Revoked')
        // The presenter hangs up: the one still in the room hears the floor is free.
        await overTcp.dialog.bye()
        await first.floorStatus(false)
      } finally {
        first.close()
        second.close()
        await overUdp.close()
        await overTcp.close()
      }
    },
    { PARLEY_MEDIA: 'loopback' },
  ))
