/**
 * The SUBSCRIBE rate limit per source: a burst is let through, then the sustained rate; the
 * rest get 503 with Retry-After; other sources, trusted peers, refreshes in a dialog and other
 * methods are not touched.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type { ResponseSpec, ServerRequest } from '../stack/stack-types.js'
import { limitSubscribeRate } from './subscribe-rate.js'

const request = (method: string, host: string, inDialog = false): { incoming: ServerRequest; responses: ResponseSpec[] } => {
  const responses: ResponseSpec[] = []
  const incoming = {
    request: { method },
    flow: { protocol: 'udp', local: { host: '127.0.0.1', port: 5060 }, remote: { host, port: 5060 } },
    dialog: inDialog ? {} : undefined,
    respond: (spec: ResponseSpec) => {
      responses.push(spec)
      return E.right(undefined)
    },
    onCancel: () => undefined,
  } as unknown as ServerRequest
  return { incoming, responses }
}

void describe('SUBSCRIBE rate per source', () => {
  void it('lets a burst through, then the sustained rate, and answers the rest 503 with Retry-After', () => {
    let now = 0
    let routed = 0
    const limited = limitSubscribeRate({ rate: { perSecond: 2, burst: 5 }, isTrusted: (flow) => flow.remote.host === '10.0.0.5', now: () => now }, () => void routed++)
    const send = (method: string, host: string, inDialog = false): ReadonlyArray<ResponseSpec> => {
      const r = request(method, host, inDialog)
      limited(r.incoming)
      return r.responses
    }
    for (let i = 0; i < 5; i++) assert.deepEqual(send('SUBSCRIBE', '198.51.100.7'), [])
    const [refused] = send('SUBSCRIBE', '198.51.100.7')
    assert.equal(refused?.status, 503)
    assert.deepEqual(refused?.headers, [{ name: 'Retry-After', value: '1' }])
    assert.deepEqual(send('SUBSCRIBE', '198.51.100.7', true), [], 'a refresh in its dialog')
    assert.deepEqual(send('INVITE', '198.51.100.7'), [], 'calls are not subscriptions')
    assert.deepEqual(send('SUBSCRIBE', '192.0.2.1'), [], 'another source has its own bucket')
    for (let i = 0; i < 20; i++) assert.deepEqual(send('SUBSCRIBE', '10.0.0.5'), [], 'a trusted peer is not limited')
    now += 1_000
    assert.deepEqual(send('SUBSCRIBE', '198.51.100.7'), [])
    assert.deepEqual(send('SUBSCRIBE', '198.51.100.7'), [])
    assert.equal(send('SUBSCRIBE', '198.51.100.7')[0]?.status, 503, 'two a second')
    assert.equal(routed, 5 + 1 + 1 + 1 + 20 + 2)
  })

  void it('remembers a bounded number of sources', () => {
    let now = 0
    const limited = limitSubscribeRate({ rate: { perSecond: 1, burst: 1 }, isTrusted: () => false, now: () => now }, () => undefined)
    for (let i = 0; i < 25_000; i++) {
      now += 1_000
      limited(request('SUBSCRIBE', `203.0.${i >> 8}.${i & 255}`).incoming)
    }
    // Nothing observable beyond not failing; the map is swept whenever it reaches its bound.
    const r = request('SUBSCRIBE', '203.0.0.0')
    limited(r.incoming)
    assert.deepEqual(r.responses, [])
  })
})
