/**
 * Overload on a running node (issue 9): the event loop is kept late on every tick (here by a
 * task that blocks it 400 ms at a time, as sustained work beyond capacity would), which puts the
 * node over its lag bound (a median of 300 ms over a second). While over it, every new INVITE
 * and SUBSCRIBE is answered 503 with Retry-After; the call already up takes a re-INVITE as ever,
 * OPTIONS is answered, /healthz answers; once the lag is gone, new calls are taken again.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withRunningNode } from './testing/running-node.js'
import { headerOf, rawRequest, RawUdpPeer, statusOf } from './testing/raw-sip-socket.js'
import { roomSystemOffer } from './testing/sip-client.js'

/** Audio and video: an audio-only call would get Parley's own re-INVITE adding video (RFC 3264 §8), crossing ours (491). */
const minimalOffer = roomSystemOffer

/** Blocks this process's event loop, and so the node's, for `ms`. */
const holdEventLoop = (ms: number): void => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    // On purpose: this is the overload.
  }
}

const newCallsDuringOverload = 20

void test('over the lag bound: new INVITEs and SUBSCRIBEs get 503 + Retry-After; the call in progress, OPTIONS and /healthz go on', () =>
  withRunningNode(async ({ node }) => {
    const peer = await RawUdpPeer.open()
    const nodePort = node.ready.sip?.udp ?? 0
    const bob = 'sip:meet.bob@example.com'
    const finalStatus = async (text: string, callId: string, cseq: string): Promise<number> => {
      await peer.send(text, nodePort)
      const r = await peer.next((m) => headerOf(m, '(?:Call-ID|i)') === callId && headerOf(m, 'CSeq') === cseq && (statusOf(m) ?? 0) >= 200)
      return statusOf(r) ?? 0
    }
    try {
      // A call up before the overload.
      const call = rawRequest({ method: 'INVITE', uri: bob, viaPort: peer.port, body: minimalOffer })
      await peer.send(call.text, nodePort)
      const ok = await peer.finalFor(call.callId)
      assert.equal(statusOf(ok), 200)
      const inDialog = (method: string, cseq: number, body = ''): string =>
        rawRequest({ method, uri: bob, viaPort: peer.port, callId: call.callId, cseq, body })
          .text.replace(/^From: .*$/m, `From: ${headerOf(ok, '(?:From|f)') ?? ''}`)
          .replace(/^To: .*$/m, `To: ${headerOf(ok, '(?:To|t)') ?? ''}`)
      await peer.send(inDialog('ACK', 1), nodePort)

      const hog = setInterval(() => holdEventLoop(400), 5)
      // The lag bound is a median over a second: let the window fill with late ticks.
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      const attempts = Array.from({ length: newCallsDuringOverload }, () => rawRequest({ method: 'INVITE', uri: bob, viaPort: peer.port, body: minimalOffer }))
      const subscribe = rawRequest({ method: 'SUBSCRIBE', uri: bob, viaPort: peer.port, headers: ['Event: presence', 'Accept: application/pidf+xml', 'Expires: 60'] })
      const options = rawRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', viaPort: peer.port })
      const [statuses, subscribed, reinvited, optioned, health] = await Promise.all([
        Promise.all(attempts.map((a) => finalStatus(a.text, a.callId, '1 INVITE'))),
        finalStatus(subscribe.text, subscribe.callId, '1 SUBSCRIBE'),
        finalStatus(inDialog('INVITE', 2, minimalOffer), call.callId, '2 INVITE'),
        finalStatus(options.text, options.callId, '1 OPTIONS'),
        fetch(`http://127.0.0.1:${node.ready.http}/healthz`).then((r) => r.status),
      ])
      clearInterval(hog)
      assert.deepEqual(statuses, attempts.map(() => 503), 'every new call refused while over the bound')
      assert.equal(subscribed, 503)
      assert.equal(reinvited, 200, 'the call in progress takes its re-INVITE')
      assert.equal(optioned, 200)
      assert.equal(health, 200)
      const refusal = peer.received.find((m) => statusOf(m) === 503) ?? ''
      assert.equal(headerOf(refusal, 'Retry-After'), '5')
      await peer.send(inDialog('ACK', 2), nodePort)

      // The lag window passes: new calls are taken again.
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      const after = rawRequest({ method: 'INVITE', uri: bob, viaPort: peer.port, body: minimalOffer })
      assert.equal(await finalStatus(after.text, after.callId, '1 INVITE'), 200)
      assert.equal(await finalStatus(inDialog('BYE', 3), call.callId, '3 BYE'), 200, 'the first call was up all along')
    } finally {
      await peer.close()
    }
  }))
