/**
 * A persistent (immutable, structurally shared) map from string keys to values: a compressed
 * hash-array mapped prefix trie (CHAMP: Steindorfer and Vinju, "Optimizing Hash-Array Mapped
 * Tries for Fast and Lean Immutable JVM Collections", OOPSLA 2015, after Bagwell's HAMT).
 * `set` and `delete` copy one path of at most eight 16-way nodes and share the rest, so a step
 * that touches one aggregate costs O(log16 n) however many calls and conferences the node
 * holds (DESIGN §1: a step costs the size of one aggregate, not of the node). A `ReadonlyMap`
 * copied per step would cost O(n) instead.
 *
 * Each trie node is one array, `[dataMap, nodeMap, key0, value0, key1, value1, …, child0, child1, …]`:
 * entries sit inline in their parent (no leaf objects), and the two bitmaps say which of the 16
 * hash fragments hold an entry and which a child node. An update therefore allocates one array
 * per level, and a lookup follows one array per level. Bitmaps of 16 bits stay small integers
 * (V8 Smis), so the array holds no boxed numbers. Deletion keeps the trie canonical: a child left
 * with a single entry is pulled up into its parent.
 *
 * Keys here are leg, conference and gateway ids that the node itself mints or reads from its
 * configuration, so hash flooding by callers is not a concern; equal hashes are still handled
 * (collision nodes below the last level), only slower.
 */

/** 16-way nodes: 4 hash bits per level; 32-bit hashes are used up after eight levels. */
const bitsPerLevel = 4
const levelMask = 0xf
const hashBits = 32

/** Slots before the entries: the data bitmap and the node bitmap. */
const header = 2

/**
 * One trie node (see above). Typed loosely because its slots hold bitmaps, keys, values and
 * child nodes by position; only this module reads it.
 */
type TrieNode = ReadonlyArray<unknown>

/** Below the last level: keys whose whole 32-bit hashes are equal, as `[key0, value0, key1, value1, …]`. */
type CollisionNode = ReadonlyArray<unknown>

/** FNV-1a over UTF-16 code units: cheap, and spreads sequential ids (`leg-1`, `leg-2`) well. */
export const fnv1a = (key: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const popcount = (x: number): number => {
  let v = x - ((x >>> 1) & 0x5555)
  v = (v & 0x3333) + ((v >>> 2) & 0x3333)
  v = (v + (v >>> 4)) & 0x0f0f
  return (v + (v >>> 8)) & 0x1f
}

const bitOf = (hash: number, shift: number): number => 1 << ((hash >>> shift) & levelMask)

const dataMapOf = (node: TrieNode): number => node[0] as number
const nodeMapOf = (node: TrieNode): number => node[1] as number
/** Index of the key of the entry at `bit` (its value follows it). */
const dataIndex = (dataMap: number, bit: number): number => header + 2 * popcount(dataMap & (bit - 1))
/** Index of the child at `bit`. */
const nodeIndex = (dataMap: number, nodeMap: number, bit: number): number =>
  header + 2 * popcount(dataMap) + popcount(nodeMap & (bit - 1))

const emptyNode: TrieNode = [0, 0]

const replaced = (node: ReadonlyArray<unknown>, i: number, x: unknown): unknown[] => {
  const out = node.slice()
  out[i] = x
  return out
}

/** A node holding two entries whose keys differ, at `shift` (a chain of nodes while their fragments agree). */
const pairNode = (k1: string, v1: unknown, h1: number, k2: string, v2: unknown, h2: number, shift: number): TrieNode => {
  if (shift >= hashBits) return [k1, v1, k2, v2]
  const b1 = bitOf(h1, shift)
  const b2 = bitOf(h2, shift)
  if (b1 === b2) return [0, b1, pairNode(k1, v1, h1, k2, v2, h2, shift + bitsPerLevel)]
  return b1 < b2 ? [b1 | b2, 0, k1, v1, k2, v2] : [b1 | b2, 0, k2, v2, k1, v1]
}

/**
 * Counts what the last `setIn` added (0 or 1 entry): read by `set` right after the call. Updates
 * run to completion one at a time (no callbacks run inside them), so one counter serves all.
 */
let added = 0

const setInCollision = (node: CollisionNode, key: string, value: unknown): CollisionNode => {
  for (let i = 0; i < node.length; i += 2) {
    if (node[i] !== key) continue
    return node[i + 1] === value ? node : replaced(node, i + 1, value)
  }
  added = 1
  return [...node, key, value]
}

const setIn = (node: TrieNode, key: string, value: unknown, hash: number, shift: number, hashOf: (k: string) => number): TrieNode => {
  if (shift >= hashBits) return setInCollision(node, key, value)
  const bit = bitOf(hash, shift)
  const dataMap = dataMapOf(node)
  const nodeMap = nodeMapOf(node)
  if ((dataMap & bit) !== 0) {
    const i = dataIndex(dataMap, bit)
    const existing = node[i] as string
    if (existing === key) return node[i + 1] === value ? node : replaced(node, i + 1, value)
    // Another key shares this fragment: both move down into a new child.
    added = 1
    const child = pairNode(existing, node[i + 1], hashOf(existing), key, value, hash, shift + bitsPerLevel)
    const at = nodeIndex(dataMap & ~bit, nodeMap, bit) + 2
    const out: unknown[] = [dataMap & ~bit, nodeMap | bit]
    for (let j = header; j < i; j++) out.push(node[j])
    for (let j = i + 2; j < at; j++) out.push(node[j])
    out.push(child)
    for (let j = at; j < node.length; j++) out.push(node[j])
    return out
  }
  if ((nodeMap & bit) !== 0) {
    const i = nodeIndex(dataMap, nodeMap, bit)
    const child = node[i] as TrieNode
    const next = setIn(child, key, value, hash, shift + bitsPerLevel, hashOf)
    return next === child ? node : replaced(node, i, next)
  }
  added = 1
  const i = dataIndex(dataMap, bit)
  const out: unknown[] = [dataMap | bit, nodeMap]
  for (let j = header; j < i; j++) out.push(node[j])
  out.push(key, value)
  for (let j = i; j < node.length; j++) out.push(node[j])
  return out
}

/** A node left with exactly one entry and no child, which its parent takes in instead. */
const loneEntry = (node: TrieNode, shift: number): boolean =>
  shift >= hashBits ? node.length === 2 : nodeMapOf(node) === 0 && popcount(dataMapOf(node)) === 1

/** `node` without `key`: the same node when absent. */
const deleteIn = (node: TrieNode, key: string, hash: number, shift: number): TrieNode => {
  if (shift >= hashBits) {
    for (let i = 0; i < node.length; i += 2) if (node[i] === key) return node.toSpliced(i, 2)
    return node
  }
  const bit = bitOf(hash, shift)
  const dataMap = dataMapOf(node)
  const nodeMap = nodeMapOf(node)
  if ((dataMap & bit) !== 0) {
    const i = dataIndex(dataMap, bit)
    if (node[i] !== key) return node
    const out = node.toSpliced(i, 2)
    out[0] = dataMap & ~bit
    return out
  }
  if ((nodeMap & bit) === 0) return node
  const i = nodeIndex(dataMap, nodeMap, bit)
  const child = node[i] as TrieNode
  const next = deleteIn(child, key, hash, shift + bitsPerLevel)
  if (next === child) return node
  if (!loneEntry(next, shift + bitsPerLevel)) return replaced(node, i, next)
  // Canonical form: the child's last entry moves up here, in its data position.
  const k = shift + bitsPerLevel >= hashBits ? next[0] : next[header]
  const v = shift + bitsPerLevel >= hashBits ? next[1] : next[header + 1]
  const at = dataIndex(dataMap, bit)
  const out: unknown[] = [dataMap | bit, nodeMap & ~bit]
  for (let j = header; j < at; j++) out.push(node[j])
  out.push(k, v)
  for (let j = at; j < i; j++) out.push(node[j])
  for (let j = i + 1; j < node.length; j++) out.push(node[j])
  return out
}

function* entriesOf(node: TrieNode, shift: number): Generator<readonly [string, unknown]> {
  if (shift >= hashBits) {
    for (let i = 0; i < node.length; i += 2) yield [node[i] as string, node[i + 1]]
    return
  }
  const entries = header + 2 * popcount(dataMapOf(node))
  for (let i = header; i < entries; i += 2) yield [node[i] as string, node[i + 1]]
  for (let i = entries; i < node.length; i++) yield* entriesOf(node[i] as TrieNode, shift + bitsPerLevel)
}

/**
 * The last two keys hashed, with their hashes: a step reads an aggregate and then writes it back
 * under the same key (and the router alternates between two maps, legs and conferences), so the
 * write finds the key's hash here instead of walking its characters again. Ids are interned
 * (core/model/ids.ts), so the key comparison is usually by reference. Pure: a hash function's
 * answer for a key never changes.
 */
let lastKey: string | undefined
let lastHash = 0
let lastHashOf: ((key: string) => number) | undefined
let otherKey: string | undefined
let otherHash = 0
let otherHashOf: ((key: string) => number) | undefined

const hashWith = (hashOf: (key: string) => number, key: string): number => {
  if (key === lastKey && hashOf === lastHashOf) return lastHash
  if (key === otherKey && hashOf === otherHashOf) {
    otherKey = lastKey
    otherHashOf = lastHashOf
    const h = otherHash
    otherHash = lastHash
    lastKey = key
    lastHashOf = hashOf
    lastHash = h
    return h
  }
  const h = hashOf(key)
  otherKey = lastKey
  otherHashOf = lastHashOf
  otherHash = lastHash
  lastKey = key
  lastHashOf = hashOf
  lastHash = h
  return h
}

export class PersistentMap<V> {
  private constructor(
    private readonly root: TrieNode,
    readonly size: number,
    private readonly hash: (key: string) => number,
  ) {}

  /** An empty map; `hash` is replaceable so that tests can force collisions. */
  static empty<V>(hash: (key: string) => number = fnv1a): PersistentMap<V> {
    return new PersistentMap<V>(emptyNode, 0, hash)
  }

  static of<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let m = PersistentMap.empty<V>()
    for (const [k, v] of entries) m = m.set(k, v)
    return m
  }

  get(key: string): V | undefined {
    const hash = hashWith(this.hash, key)
    let node = this.root
    for (let shift = 0; shift < hashBits; shift += bitsPerLevel) {
      const bit = bitOf(hash, shift)
      const dataMap = dataMapOf(node)
      if ((dataMap & bit) !== 0) {
        const i = dataIndex(dataMap, bit)
        return node[i] === key ? (node[i + 1] as V) : undefined
      }
      const nodeMap = nodeMapOf(node)
      if ((nodeMap & bit) === 0) return undefined
      node = node[nodeIndex(dataMap, nodeMap, bit)] as TrieNode
    }
    for (let i = 0; i < node.length; i += 2) if (node[i] === key) return node[i + 1] as V
    return undefined
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  set(key: string, value: V): PersistentMap<V> {
    added = 0
    const root = setIn(this.root, key, value, hashWith(this.hash, key), 0, this.hash)
    return root === this.root ? this : new PersistentMap(root, this.size + added, this.hash)
  }

  delete(key: string): PersistentMap<V> {
    const root = deleteIn(this.root, key, hashWith(this.hash, key), 0)
    return root === this.root ? this : new PersistentMap(root, this.size - 1, this.hash)
  }

  /** `set` when `value` is defined, else `delete`: the shape aggregates' steps return. */
  put(key: string, value: V | undefined): PersistentMap<V> {
    return value === undefined ? this.delete(key) : this.set(key, value)
  }

  *entries(): Generator<readonly [string, V]> {
    yield* entriesOf(this.root, 0) as Generator<readonly [string, V]>
  }

  *values(): Generator<V> {
    for (const [, v] of entriesOf(this.root, 0)) yield v as V
  }

  *keys(): Generator<string> {
    for (const [k] of entriesOf(this.root, 0)) yield k
  }
}
