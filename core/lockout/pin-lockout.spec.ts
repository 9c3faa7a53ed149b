/**
 * The PIN lockout table (DESIGN §6 `pin_lockout`): when a key is blocked, for how long, and that
 * a key's block never touches another key.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { PinLockout } from '../config/model.js'
import type { LegId, Millis } from '../model/ids.js'
import type { LockoutTable } from './pin-lockout.js'
import { blockedUntil, emptyLockoutTable, keyOfFailure, lockoutKey, recordFailure, rememberPeerLeg } from './pin-lockout.js'

const settings: PinLockout = { failures: 3, windowS: 60, blockS: 300 }

const failAll = (times: ReadonlyArray<Millis>, key = '198.51.100.7', s: PinLockout = settings): { table: LockoutTable; started: Millis[] } => {
  let table = emptyLockoutTable
  const started: Millis[] = []
  for (const at of times) {
    const r = recordFailure(table, key, at, s)
    table = r.table
    if (r.lockedUntil !== undefined) started.push(r.lockedUntil)
  }
  return { table, started }
}

void describe('PIN lockout table', () => {
  void it('blocks a source at its Nth failure within the window, for block_s', () => {
    const { table, started } = failAll([0, 10_000, 20_000])
    assert.deepEqual(started, [320_000])
    assert.equal(blockedUntil(table, '198.51.100.7', 20_000), 320_000)
    assert.equal(blockedUntil(table, '198.51.100.7', 319_999), 320_000)
    assert.equal(blockedUntil(table, '198.51.100.7', 320_000), undefined)
  })

  void it('does not block below the count, nor for failures spread wider than the window', () => {
    assert.deepEqual(failAll([0, 10_000]).started, [])
    assert.deepEqual(failAll([0, 30_000, 60_000, 90_000, 120_000]).started, [])
    assert.equal(blockedUntil(failAll([0, 30_000, 60_000]).table, '198.51.100.7', 60_000), undefined)
  })

  void it('neither extends nor repeats a block for failures made during it, and counts afresh after', () => {
    const { started } = failAll([0, 1, 2, 100, 200, 300, 320_000, 320_001, 320_002])
    assert.deepEqual(started, [300_002, 620_002])
  })

  void it('is off when block_s is 0', () => {
    assert.deepEqual(failAll([0, 1, 2, 3, 4, 5], 'x', { failures: 3, windowS: 60, blockS: 0 }).started, [])
  })

  void it('keys a trusted peer by its asserted caller, anyone else by the address alone', () => {
    assert.equal(lockoutKey({ source: '10.0.0.5', trusted: false, callerUri: 'sip:anyone@x' }), '10.0.0.5')
    assert.equal(lockoutKey({ source: '10.0.0.5', trusted: true, callerUri: 'sip:Mallory@Contoso.com' }), '10.0.0.5 for sip:mallory@contoso.com')
    const table = rememberPeerLeg(emptyLockoutTable, 'l1' as LegId, '10.0.0.5 for sip:m@x', () => true)
    assert.equal(keyOfFailure(table, 'l1' as LegId, '10.0.0.5'), '10.0.0.5 for sip:m@x')
    assert.equal(keyOfFailure(table, 'l2' as LegId, '10.0.0.5'), '10.0.0.5')
  })

  void it('forgets peer legs that are gone once the table has doubled', () => {
    let table = emptyLockoutTable
    for (let i = 0; i < 5000; i++) table = rememberPeerLeg(table, `leg${i}` as LegId, `k${i}`, (leg) => leg === 'leg4999')
    assert.ok(table.peerLegs.size < 1100, `kept ${table.peerLegs.size}`)
    assert.equal(keyOfFailure(table, 'leg4999' as LegId, 'src'), 'k4999')
  })

  void it('sweeps records that can no longer matter: a scanner from many addresses costs bounded memory', () => {
    let table = emptyLockoutTable
    // One failure per address, each address seen once, a minute and more apart in total.
    for (let i = 0; i < 20_000; i++) table = recordFailure(table, `203.0.113.${i}`, i * 10, settings).table
    // At most twice the records still inside their window (6000 at 10 ms apart in 60 s), never all 20000.
    assert.ok(table.sources.size <= 2 * 6001, `kept ${table.sources.size}`)
  })

  void it('never blocks a key that made no failure, whatever the others did (property)', () => {
    const keys = ['192.0.2.1', '192.0.2.2', '10.0.0.5 for sip:a@x', '10.0.0.5 for sip:b@x']
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom(...keys.slice(1)), gap: fc.nat(120_000) }), { maxLength: 60 }),
        fc.record({ failures: fc.integer({ min: 1, max: 5 }), windowS: fc.integer({ min: 1, max: 120 }), blockS: fc.nat(600) }),
        (failures, s) => {
          let table = emptyLockoutTable
          let at = 0
          for (const f of failures) {
            at += f.gap
            table = recordFailure(table, f.key, at, s).table
            if (blockedUntil(table, '192.0.2.1', at) !== undefined) return false
          }
          return true
        },
      ),
    )
  })

  void it('agrees with a plain model of the rule: N failures in a window block for block_s (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b'), gap: fc.nat(90_000) }), { maxLength: 80 }),
        fc.record({ failures: fc.integer({ min: 1, max: 6 }), windowS: fc.integer({ min: 1, max: 120 }), blockS: fc.integer({ min: 1, max: 600 }) }),
        (failures, s) => {
          let table = emptyLockoutTable
          const model = new Map<string, { since: Millis[]; until: Millis }>()
          let at = 0
          for (const f of failures) {
            at += f.gap
            table = recordFailure(table, f.key, at, s).table
            const m = model.get(f.key) ?? { since: [], until: -1 }
            if (at >= m.until) {
              // Every failure since the last block that is still inside the window, this one included.
              const inWindow = [...m.since, at].filter((t) => at - t < s.windowS * 1000)
              if (inWindow.length >= s.failures) model.set(f.key, { since: [], until: at + s.blockS * 1000 })
              else model.set(f.key, { since: [...m.since, at], until: m.until })
            }
            for (const key of ['a', 'b']) {
              const until = model.get(key)?.until ?? -1
              if (blockedUntil(table, key, at) !== (at < until ? until : undefined)) return false
            }
          }
          return true
        },
      ),
    )
  })
})
