/**
 * PIN guessing against a running node (issue 9, DESIGN §6 `pin_lockout`): a caller who dials
 * wrong PINs call after call is locked out, its next call refused with 403; the lockout is
 * counted in /metrics; the VMR's Host, calling as someone else, still joins. The node runs on
 * loopback, which the default `trusted_peers` lists: lockouts there are per asserted caller
 * (core/lockout/), which is exactly what keeps the Host's call apart from the guesser's.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
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
