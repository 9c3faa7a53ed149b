/**
 * A restart while calls are up (issue 9): stopping the node ends every call cleanly (a BYE to
 * each caller, answered), and the node started again on the same data dir has the configuration
 * the operator wrote before, and takes calls. About 12 s on 2 cores: two node starts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { configurationV1, startRunningNode, withDataDir } from './testing/running-node.js'
import { headerOf, rawRequest, RawUdpPeer, statusOf } from './testing/raw-sip-socket.js'
import { roomSystemOffer } from './testing/sip-client.js'

/** A caller that answers the node's BYE with 200, as a phone would. */
const answerByes = (peer: RawUdpPeer, nodePort: () => number): (() => void) => {
  const answered = new Set<string>()
  const timer = setInterval(() => {
    for (const m of peer.received) {
      if (!m.startsWith('BYE ') || answered.has(m)) continue
      answered.add(m)
      const copy = (name: string): string => `${name}: ${headerOf(m, name) ?? ''}`
      void peer.send(['SIP/2.0 200 OK', ...m.split('\r\n').filter((l) => /^Via:/i.test(l)), copy('From'), copy('To'), copy('Call-ID'), copy('CSeq'), 'Content-Length: 0', '', ''].join('\r\n'), nodePort())
    }
  }, 10)
  return () => clearInterval(timer)
}

void test('stopping with calls up sends each caller a BYE; the restarted node keeps the configuration and takes calls', () =>
  withDataDir(async (dir) => {
    const peer = await RawUdpPeer.open()
    try {
      const first = await startRunningNode(dir)
      const port = first.node.ready.sip?.udp ?? 0
      const created = await first.http(`${configurationV1}conference/`, { method: 'POST', body: JSON.stringify({ name: "Carol's room", aliases: [{ alias: 'meet.carol@example.com' }] }) })
      assert.equal(created.status, 201)
      let current = port
      const stopAnswering = answerByes(peer, () => current)
      const calls = ['meet.bob@example.com', 'meet.carol@example.com', 'meet.bob@example.com'].map((alias) => rawRequest({ method: 'INVITE', uri: `sip:${alias}`, viaPort: peer.port, body: roomSystemOffer }))
      for (const call of calls) {
        await peer.send(call.text, port)
        const ok = await peer.finalFor(call.callId)
        assert.equal(statusOf(ok), 200)
        await peer.send(
          rawRequest({ method: 'ACK', uri: `sip:x@127.0.0.1`, viaPort: peer.port, callId: call.callId }).text.replace(/^From: .*$/m, `From: ${headerOf(ok, 'From') ?? ''}`).replace(/^To: .*$/m, `To: ${headerOf(ok, 'To') ?? ''}`),
          port,
        )
      }
      const startedStop = Date.now()
      await first.node.stop()
      const byes = new Set(peer.received.filter((m) => m.startsWith('BYE ')).map((m) => headerOf(m, 'Call-ID')))
      assert.deepEqual([...byes].sort(), calls.map((c) => c.callId).sort(), 'every call ended with a BYE')
      assert.ok(Date.now() - startedStop < 2_000, 'the BYEs were answered: no wait for the grace period')

      const second = await startRunningNode(dir)
      current = second.node.ready.sip?.udp ?? 0
      try {
        const list = (await (await second.http(`${configurationV1}conference/`)).json()) as { objects: ReadonlyArray<{ readonly name: string }> }
        assert.deepEqual(list.objects.map((c) => c.name).sort(), ["Alice's meeting room", "Bob's room", "Carol's room"])
        const again = rawRequest({ method: 'INVITE', uri: 'sip:meet.carol@example.com', viaPort: peer.port, body: roomSystemOffer })
        await peer.send(again.text, second.node.ready.sip?.udp ?? 0)
        assert.equal(statusOf(await peer.finalFor(again.callId)), 200)
      } finally {
        await second.node.stop()
        stopAnswering()
      }
    } finally {
      await peer.close()
    }
  }))
