/**
 * A persistent (immutable, structurally shared) map from string keys to values: a hash array
 * mapped trie (Bagwell, "Ideal Hash Trees", 2001). `set` and `delete` copy one path of at most
 * eight 16-way nodes and share the rest, so a step that touches one aggregate costs O(log16 n)
 * however many calls and conferences the node holds (DESIGN §1: a step costs the size of one
 * aggregate, not of the node). A `ReadonlyMap` copied per step would cost O(n) instead.
 *
 * Keys here are leg, conference and gateway ids that the node itself mints or reads from its
 * configuration, so hash flooding by callers is not a concern; equal hashes are still handled
 * (collision nodes), only slower.
 */

/**
 * 16-way nodes: a path copy per update moves half as many pointers as 32-way nodes for one
 * more level of depth, which measured as less garbage per step (bench/step.bench.ts).
 */
const bitsPerLevel = 4
const levelMask = 0xf
/** The hash is 32 bits: eight levels of 4 bits tell any two hashes apart. */
const maxShift = 28

interface Leaf<V> {
  readonly kind: 'leaf'
  readonly hash: number
  readonly key: string
  readonly value: V
}

interface Branch<V> {
  readonly kind: 'branch'
  /** Bit i set = a child for hash fragment i; children are stored densely in bit order. */
  readonly bitmap: number
  readonly children: ReadonlyArray<TrieNode<V>>
}

/** Two or more keys whose whole 32-bit hashes are equal. */
interface Collision<V> {
  readonly kind: 'collision'
  readonly hash: number
  readonly leaves: ReadonlyArray<Leaf<V>>
}

type TrieNode<V> = Leaf<V> | Branch<V> | Collision<V>

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
  let v = x - ((x >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

const fragment = (hash: number, shift: number): number => (hash >>> shift) & levelMask

const arrayReplace = <T>(xs: ReadonlyArray<T>, i: number, x: T): ReadonlyArray<T> => {
  const out = xs.slice()
  out[i] = x
  return out
}
const arrayInsert = <T>(xs: ReadonlyArray<T>, i: number, x: T): ReadonlyArray<T> => {
  const out = xs.slice(0, i)
  out.push(x)
  for (let j = i; j < xs.length; j++) out.push(xs[j]!)
  return out
}
const arrayRemove = <T>(xs: ReadonlyArray<T>, i: number): ReadonlyArray<T> => {
  const out = xs.slice(0, i)
  for (let j = i + 1; j < xs.length; j++) out.push(xs[j]!)
  return out
}

/** A branch (or collision) holding two leaves whose keys differ. */
const mergeLeaves = <V>(a: Leaf<V>, b: Leaf<V>, shift: number): TrieNode<V> => {
  if (a.hash === b.hash) return { kind: 'collision', hash: a.hash, leaves: [a, b] }
  const fa = fragment(a.hash, shift)
  const fb = fragment(b.hash, shift)
  if (fa === fb) return { kind: 'branch', bitmap: 1 << fa, children: [mergeLeaves(a, b, shift + bitsPerLevel)] }
  return { kind: 'branch', bitmap: (1 << fa) | (1 << fb), children: fa < fb ? [a, b] : [b, a] }
}

/** A node carrying `node` (a leaf or collision) one level down, so that `leaf` can sit beside it. */
const mergeWithCollision = <V>(collision: Collision<V>, leaf: Leaf<V>, shift: number): TrieNode<V> => {
  const fc = fragment(collision.hash, shift)
  const fl = fragment(leaf.hash, shift)
  if (fc === fl) return { kind: 'branch', bitmap: 1 << fc, children: [mergeWithCollision(collision, leaf, shift + bitsPerLevel)] }
  return { kind: 'branch', bitmap: (1 << fc) | (1 << fl), children: fc < fl ? [collision, leaf] : [leaf, collision] }
}

interface SetResult<V> {
  readonly node: TrieNode<V>
  readonly added: boolean
}

const setIn = <V>(node: TrieNode<V>, leaf: Leaf<V>, shift: number): SetResult<V> => {
  switch (node.kind) {
    case 'leaf':
      if (node.key === leaf.key) return { node: node.value === leaf.value ? node : leaf, added: false }
      return { node: mergeLeaves(node, leaf, shift), added: true }
    case 'collision': {
      if (node.hash !== leaf.hash) return { node: mergeWithCollision(node, leaf, shift), added: true }
      const i = node.leaves.findIndex((l) => l.key === leaf.key)
      if (i === -1) return { node: { kind: 'collision', hash: node.hash, leaves: [...node.leaves, leaf] }, added: true }
      return { node: { kind: 'collision', hash: node.hash, leaves: arrayReplace(node.leaves, i, leaf) }, added: false }
    }
    case 'branch': {
      if (shift > maxShift) throw new Error('persistent-map: hash trie deeper than 32 bits')
      const bit = 1 << fragment(leaf.hash, shift)
      const i = popcount(node.bitmap & (bit - 1))
      if ((node.bitmap & bit) === 0)
        return { node: { kind: 'branch', bitmap: node.bitmap | bit, children: arrayInsert(node.children, i, leaf) }, added: true }
      const child = node.children[i]!
      const r = setIn(child, leaf, shift + bitsPerLevel)
      if (r.node === child) return { node, added: false }
      return { node: { kind: 'branch', bitmap: node.bitmap, children: arrayReplace(node.children, i, r.node) }, added: r.added }
    }
  }
}

/** `node` without `key`: the same node when absent, `undefined` when nothing is left. */
const deleteIn = <V>(node: TrieNode<V>, hash: number, key: string, shift: number): TrieNode<V> | undefined => {
  switch (node.kind) {
    case 'leaf':
      return node.key === key ? undefined : node
    case 'collision': {
      if (node.hash !== hash) return node
      const i = node.leaves.findIndex((l) => l.key === key)
      if (i === -1) return node
      const leaves = arrayRemove(node.leaves, i)
      return leaves.length === 1 ? leaves[0]! : { kind: 'collision', hash, leaves }
    }
    case 'branch': {
      const bit = 1 << fragment(hash, shift)
      if ((node.bitmap & bit) === 0) return node
      const i = popcount(node.bitmap & (bit - 1))
      const child = node.children[i]!
      const next = deleteIn(child, hash, key, shift + bitsPerLevel)
      if (next === child) return node
      if (next === undefined) {
        if (node.children.length === 1) return undefined
        const children = arrayRemove(node.children, i)
        // A lone leaf or collision needs no branch above it: lookups compare keys, not depth.
        const only = children[0]!
        if (children.length === 1 && only.kind !== 'branch') return only
        return { kind: 'branch', bitmap: node.bitmap & ~bit, children }
      }
      if (node.children.length === 1 && next.kind !== 'branch') return next
      return { kind: 'branch', bitmap: node.bitmap, children: arrayReplace(node.children, i, next) }
    }
  }
}

function* leavesOf<V>(node: TrieNode<V>): Generator<Leaf<V>> {
  switch (node.kind) {
    case 'leaf':
      yield node
      return
    case 'collision':
      yield* node.leaves
      return
    case 'branch':
      for (const c of node.children) yield* leavesOf(c)
  }
}

export class PersistentMap<V> {
  private constructor(
    private readonly root: TrieNode<V> | undefined,
    readonly size: number,
    private readonly hash: (key: string) => number,
  ) {}

  /** An empty map; `hash` is replaceable so that tests can force collisions. */
  static empty<V>(hash: (key: string) => number = fnv1a): PersistentMap<V> {
    return new PersistentMap<V>(undefined, 0, hash)
  }

  static of<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let m = PersistentMap.empty<V>()
    for (const [k, v] of entries) m = m.set(k, v)
    return m
  }

  get(key: string): V | undefined {
    let node = this.root
    const hash = this.hash(key)
    let shift = 0
    while (node !== undefined) {
      switch (node.kind) {
        case 'leaf':
          return node.key === key ? node.value : undefined
        case 'collision': {
          if (node.hash !== hash) return undefined
          for (const l of node.leaves) if (l.key === key) return l.value
          return undefined
        }
        case 'branch': {
          const bit = 1 << fragment(hash, shift)
          if ((node.bitmap & bit) === 0) return undefined
          node = node.children[popcount(node.bitmap & (bit - 1))]
          shift += bitsPerLevel
        }
      }
    }
    return undefined
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  set(key: string, value: V): PersistentMap<V> {
    const leaf: Leaf<V> = { kind: 'leaf', hash: this.hash(key), key, value }
    if (this.root === undefined) return new PersistentMap(leaf, 1, this.hash)
    const r = setIn(this.root, leaf, 0)
    if (r.node === this.root) return this
    return new PersistentMap(r.node, r.added ? this.size + 1 : this.size, this.hash)
  }

  delete(key: string): PersistentMap<V> {
    if (this.root === undefined) return this
    const next = deleteIn(this.root, this.hash(key), key, 0)
    if (next === this.root) return this
    return new PersistentMap(next, this.size - 1, this.hash)
  }

  /** `set` when `value` is defined, else `delete`: the shape aggregates' steps return. */
  put(key: string, value: V | undefined): PersistentMap<V> {
    return value === undefined ? this.delete(key) : this.set(key, value)
  }

  *entries(): Generator<readonly [string, V]> {
    if (this.root === undefined) return
    for (const l of leavesOf(this.root)) yield [l.key, l.value]
  }

  *values(): Generator<V> {
    if (this.root === undefined) return
    for (const l of leavesOf(this.root)) yield l.value
  }

  *keys(): Generator<string> {
    if (this.root === undefined) return
    for (const l of leavesOf(this.root)) yield l.key
  }
}
