import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { RtpPortPool } from './rtp-port-pool.js'

/** Fake sockets: a port is bindable unless the "system" holds it. */
const system = (taken: ReadonlySet<number> = new Set()) => {
  const bound = new Set<number>()
  return {
    bound,
    bind: (port: number) => (taken.has(port) || bound.has(port) ? E.left('EADDRINUSE') : (bound.add(port), E.right(port))),
    close: (port: number) => {
      bound.delete(port)
    },
  }
}

void test('even RTP port with the RTCP port above it, inside the range, going round', () => {
  const s = system()
  const pool = new RtpPortPool({ min: 40001, max: 40008 }, s.bind, s.close)
  const ports = [pool.acquire(), pool.acquire(), pool.acquire()].map((p) => (E.isRight(p) ? p.right.port : -1))
  assert.deepEqual(ports, [40002, 40004, 40006])
  assert.deepEqual(pool.acquire(), E.left({ _tag: 'NoFreeRtpPort', min: 40001, max: 40008 }), '40008 has no RTCP port in range')
  assert.equal(s.bound.size, 6)
})

void test('ports someone else holds are skipped; a freed pair is reused only after the others', () => {
  const s = system(new Set([40003]))
  const pool = new RtpPortPool({ min: 40000, max: 40007 }, s.bind, s.close)
  const first = pool.acquire()
  assert.ok(E.isRight(first) && first.right.port === 40000)
  const second = pool.acquire()
  assert.ok(E.isRight(second) && second.right.port === 40004, 'the pair 40002/40003 is skipped')
  assert.ok(!s.bound.has(40002), 'the half-bound pair is closed')
  pool.release(first.right)
  const third = pool.acquire()
  assert.ok(E.isRight(third) && third.right.port === 40006, 'the search goes on from where it was')
  const fourth = pool.acquire()
  assert.ok(E.isRight(fourth) && fourth.right.port === 40000, 'then comes round to the freed pair')
})

void test('held pairs are distinct, in range, and all freed on release', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1024, max: 60000 }), fc.integer({ min: 2, max: 40 }), fc.array(fc.boolean(), { maxLength: 60 }), (min, width, ops) => {
      const s = system()
      const pool = new RtpPortPool({ min, max: min + width }, s.bind, s.close)
      const held: Array<{ port: number; rtp: number; rtcp: number }> = []
      for (const acquire of ops) {
        if (acquire) {
          const pair = pool.acquire()
          if (E.isRight(pair)) held.push(pair.right)
        } else if (held.length > 0) pool.release(held.shift()!)
      }
      const ports = held.map((h) => h.port)
      assert.equal(new Set(ports).size, ports.length)
      for (const p of ports) assert.ok(p % 2 === 0 && p >= min && p + 1 <= min + width)
      assert.equal(s.bound.size, 2 * held.length)
      for (const h of [...held]) pool.release(h)
      assert.equal(s.bound.size, 0)
      assert.equal(pool.inUse, 0)
    }),
  )
})
