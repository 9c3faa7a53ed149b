/**
 * The overload guard (issue 9): over either bound, new INVITEs and SUBSCRIBEs get 503 with
 * Retry-After; anything else, and everything under the bounds, goes to the route.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type { ResponseSpec, ServerRequest } from '../stack/stack-types.js'
import { startLagProbe } from './event-loop-lag.js'
import { overloadNow, refuseWhenOverloaded } from './overload-guard.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const request = (method: string, inDialog = false): { incoming: ServerRequest; responses: ResponseSpec[] } => {
  const responses: ResponseSpec[] = []
  const incoming = {
    request: { method },
    flow: {},
    dialog: inDialog ? {} : undefined,
    respond: (spec: ResponseSpec) => {
      responses.push(spec)
      return E.right(undefined)
    },
    onCancel: () => undefined,
  } as unknown as ServerRequest
  return { incoming, responses }
}

const bounds = { maxLagMs: 100, maxServerTransactions: 10, retryAfterS: 7 }

void describe('overload guard', () => {
  void it('refuses new INVITEs and SUBSCRIBEs with 503 and Retry-After while over a bound, and routes the rest', () => {
    const readings = { lagMs: 0, transactions: 0 }
    const routed: string[] = []
    const guarded = refuseWhenOverloaded({ bounds, readings: { lagMs: () => readings.lagMs, serverTransactions: () => readings.transactions }, now: () => 0 }, (i) => void routed.push(i.request.method))
    const send = (method: string, inDialog = false): ReadonlyArray<ResponseSpec> => {
      const r = request(method, inDialog)
      guarded(r.incoming)
      return r.responses
    }
    assert.deepEqual(send('INVITE'), [])
    readings.transactions = 11
    for (const method of ['INVITE', 'SUBSCRIBE']) {
      const [refused] = send(method)
      assert.equal(refused?.status, 503)
      assert.deepEqual(refused?.headers, [{ name: 'Retry-After', value: '7' }])
    }
    assert.deepEqual(send('INVITE', true), [], 'a re-INVITE in a call goes on')
    assert.deepEqual(send('MESSAGE'), [])
    readings.transactions = 0
    readings.lagMs = 150
    assert.equal(send('INVITE')[0]?.status, 503)
    readings.lagMs = 20
    assert.deepEqual(send('SUBSCRIBE'), [])
    assert.deepEqual(routed, ['INVITE', 'INVITE', 'MESSAGE', 'SUBSCRIBE'])
  })

  void it('says which bound is exceeded', () => {
    assert.deepEqual(overloadNow(bounds, { lagMs: () => 0, serverTransactions: () => 11 }), { _tag: 'TooManyTransactions', transactions: 11, bound: 10 })
    assert.deepEqual(overloadNow(bounds, { lagMs: () => 250.4, serverTransactions: () => 0 }), { _tag: 'EventLoopLag', lagMs: 250, boundMs: 100 })
    assert.equal(overloadNow(bounds, { lagMs: () => 100, serverTransactions: () => 10 }), undefined)
  })

  void it('the lag probe sees a loop late on most ticks, not one long task, and forgets it after its window', async () => {
    const probe = startLagProbe({ sampleMs: 10, windowMs: 400 })
    const block = (ms: number): void => {
      const until = Date.now() + ms
      while (Date.now() < until) {
        // Blocking the loop on purpose: this is the load being measured.
      }
    }
    try {
      await sleep(60)
      assert.ok(probe.current() < 40, `idle lag ${probe.current()}`)
      block(150)
      await sleep(100)
      assert.ok(probe.current() < 40, `one long task is not overload: ${probe.current()}`)
      // Late on every tick: a task of 80 ms runs between any two.
      const hog = setInterval(() => block(80), 5)
      await sleep(500)
      const loaded = probe.current()
      clearInterval(hog)
      assert.ok(loaded >= 60, `lag under a hog ${loaded}`)
      await sleep(500)
      assert.ok(probe.current() < 40, `lag after the window ${probe.current()}`)
    } finally {
      probe.stop()
    }
  })
})
