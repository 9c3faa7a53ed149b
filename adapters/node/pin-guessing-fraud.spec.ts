/**
 * PIN guessing against a running node (issue 9, DESIGN §6 `pin_lockout`): a caller who dials
 * wrong PINs call after call is locked out, its next call refused with 403; the lockout is
 * counted in /metrics; the VMR's Host, calling as someone else, still joins. The node runs on
 * loopback, which the default `trusted_peers` lists: lockouts there are per asserted caller
 * (core/lockout/), which is exactly what keeps the Host's call apart from the guesser's.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Dialog } from '../sip/stack/stack-types.js'
import { TestSipClient } from './testing/sip-client.js'
import { capturedLog, configurationV1, eventually, withRunningNode } from './testing/running-node.js'

const log = capturedLog()

void test('wrong PINs from one caller lock it out (403, counted, logged at warn); the Host still joins', () =>
  withRunningNode(async ({ node, http, metrics }) => {
    const patched = await http(`${configurationV1}global/1/`, { method: 'PATCH', body: JSON.stringify({ pin_lockout: { failures: 3, window_s: 60, block_s: 300 } }) })
    assert.equal(patched.status, 202)
    const sip = await TestSipClient.open(node.ready.sip?.udp ?? 0)
    try {
      for (let i = 0; i < 3; i++) {
        const guess = await sip.call(`meet.alice**99${i}9@example.com`, 'Mallory Guess')
        assert.equal(guess._tag, 'Answered', 'a wrong dialled PIN is one attempt; the prompt follows')
        if (guess._tag === 'Answered') await guess.dialog.bye()
      }
      const locked = await sip.call('meet.alice**1234@example.com', 'Mallory Guess')
      assert.deepEqual(locked, { _tag: 'Failed', status: 403 }, 'locked out, even with the right PIN')
      const host = await sip.call('meet.alice**1234@example.com', 'Alice Host')
      assert.equal(host._tag, 'Answered', 'the Host, another caller, is not locked out')
      if (host._tag === 'Answered') await host.dialog.bye()
      await eventually(async () => {
        const m = await metrics()
        assert.equal(m.get('parley_pin_failures_total'), 3)
        assert.equal(m.get('parley_pin_lockouts_total'), 1)
        assert.equal(m.get('parley_calls_refused_locked_out_total'), 1)
      })
      const warned = log.lines().filter((l) => l['msg'] === 'source locked out for wrong PINs')
      assert.equal(warned.length, 1)
      assert.match(String((warned[0]?.['observation'] as { key?: string } | undefined)?.key), /^127\.0\.0\.1 for sip:mallory/)
    } finally {
      await sip.close()
    }
  }, { PARLEY_LOG_LEVEL: 'warn' }, log.destination))

/** One digit as SIP INFO (application/dtmf-relay, the form SIP room systems send). */
const typeDigits = async (dialog: Dialog, digits: string): Promise<void> => {
  for (const digit of digits) await dialog.request({ method: 'INFO', body: { contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=160\r\n` } })
}

void test('parallel guessing is capped at the lockout count: calls opened first are ended when the block starts; the Host at the prompt stays', () =>
  withRunningNode(async ({ node, http, metrics }) => {
    const failures = 3
    const patched = await http(`${configurationV1}global/1/`, { method: 'PATCH', body: JSON.stringify({ pin_lockout: { failures, window_s: 60, block_s: 300 } }) })
    assert.equal(patched.status, 202)
    const sip = await TestSipClient.open(node.ready.sip?.udp ?? 0)
    try {
      // Eight calls at the PIN prompt before any wrong PIN: three attempts each would be 24 guesses.
      const ended = new Set<number>()
      const guessers: Dialog[] = []
      for (let i = 0; i < 8; i++) {
        const call = await sip.call('meet.alice@example.com', 'Mallory Parallel')
        assert.equal(call._tag, 'Answered')
        if (call._tag !== 'Answered') return
        call.dialog.setHandler({ onRequest: (request) => request.respond({ status: 200 }), onTerminated: () => ended.add(i) })
        guessers.push(call.dialog)
      }
      const host = await sip.call('meet.alice@example.com', 'Alice Host')
      assert.equal(host._tag, 'Answered')
      if (host._tag !== 'Answered') return
      let hostEnded = false
      host.dialog.setHandler({ onRequest: (request) => request.respond({ status: 200 }), onTerminated: () => (hostEnded = true) })
      for (let round = 0; round < 3; round++) for (const [i, dialog] of guessers.entries()) if (!ended.has(i)) await typeDigits(dialog, `90${round}${i}#`)
      await eventually(async () => {
        const m = await metrics()
        assert.equal(m.get('parley_pin_failures_total'), failures, `${failures} of 24 possible guesses judged`)
        assert.equal(m.get('parley_pin_lockouts_total'), 1)
      })
      // The farewell (invalid-PIN screen and sound, 4 s), then BYE from the node on every one.
      await eventually(async () => assert.equal(ended.size, guessers.length), 8_000)
      await typeDigits(host.dialog, '1234#')
      assert.equal(hostEnded, false, "the Host's call, another caller, keeps its prompt and joins")
      const m = await metrics()
      assert.equal(m.get('parley_pin_failures_total'), failures)
      await host.dialog.bye()
    } finally {
      await sip.close()
    }
  }))
