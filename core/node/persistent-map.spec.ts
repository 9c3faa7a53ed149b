import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { PersistentMap, fnv1a } from './persistent-map.js'

type Op = { readonly kind: 'set'; readonly key: string; readonly value: number } | { readonly kind: 'delete'; readonly key: string }

const keyArb = fc.oneof(fc.constantFrom('a', 'b', 'leg-1', 'leg-2', ''), fc.string({ maxLength: 6 }))
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key: keyArb }),
)

const agreeWithMap = (hash: (k: string) => number, ops: ReadonlyArray<Op>): void => {
  let persistent = PersistentMap.empty<number>(hash)
  const model = new Map<string, number>()
  const snapshots: Array<{ readonly map: PersistentMap<number>; readonly model: Map<string, number> }> = []
  for (const op of ops) {
    if (op.kind === 'set') {
      persistent = persistent.set(op.key, op.value)
      model.set(op.key, op.value)
    } else {
      persistent = persistent.delete(op.key)
      model.delete(op.key)
    }
    snapshots.push({ map: persistent, model: new Map(model) })
  }
  // Every earlier version is unchanged by later updates (persistence), and equals the model.
  for (const s of snapshots) {
    assert.equal(s.map.size, s.model.size)
    for (const [k, v] of s.model) assert.equal(s.map.get(k), v)
    assert.deepEqual(new Map(s.map.entries()), s.model)
  }
}

void describe('PersistentMap', () => {
  void it('agrees with a Map after any sequence of sets and deletes, every version kept', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => agreeWithMap(fnv1a, ops)))
  })

  void it('agrees with a Map when every key has the same hash (collision nodes)', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => agreeWithMap(() => 7, ops)))
  })

  void it('agrees with a Map when hashes share long prefixes (deep branches)', () => {
    const hash = (k: string): number => (fnv1a(k) & 0x3) << 28
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => agreeWithMap(hash, ops)))
  })

  void it('keeps one canonical shape: after any updates, the trie is the one its keys alone would build', () => {
    // Deletion pulls lone entries up (CHAMP), so no path of empty or single-entry nodes is left.
    const shapeOf = (m: PersistentMap<number>): unknown => (m as unknown as { readonly root: unknown }).root
    const hash = (k: string): number => ((fnv1a(k) & 0x3) << 28) | (fnv1a(k) & 0xff)
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        let m = PersistentMap.empty<number>(hash)
        for (const op of ops) m = op.kind === 'set' ? m.set(op.key, op.value) : m.delete(op.key)
        const entries = [...m.entries()]
        // Keys of equal hashes share a collision node in the order they came: not a shape question.
        fc.pre(new Set(entries.map(([k]) => hash(k))).size === entries.length)
        let fresh = PersistentMap.empty<number>(hash)
        for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : 1))) fresh = fresh.set(k, v)
        assert.deepEqual(shapeOf(m), shapeOf(fresh))
      }),
    )
  })

  void it('holds many keys and deletes them all back to empty', () => {
    let m = PersistentMap.empty<number>()
    for (let i = 0; i < 5000; i++) m = m.set(`leg-${i}`, i)
    assert.equal(m.size, 5000)
    assert.equal(m.get('leg-4321'), 4321)
    for (let i = 0; i < 5000; i++) m = m.delete(`leg-${i}`)
    assert.equal(m.size, 0)
    assert.deepEqual([...m.entries()], [])
  })

  void it('returns itself when nothing changes', () => {
    const m = PersistentMap.of([['a', 1]])
    assert.equal(m.set('a', 1), m)
    assert.equal(m.delete('zzz'), m)
    assert.equal(m.put('b', undefined), m)
  })
})
