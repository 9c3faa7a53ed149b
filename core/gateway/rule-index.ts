/**
 * Buckets gateway rules by the literal text their `match_string` requires (see
 * pattern-literals.ts), so that a lookup tries a handful of candidate rules instead of every
 * regex (DESIGN §1: a lookup never scans the configuration). A rule is identified here by its
 * rank, its place in priority order; every list of ranks is ascending.
 *
 * Each alternative of a pattern is bucketed by one key, whichever of its keys is shared by
 * fewer rules, so that a thousand numeric rules on one domain are told apart by their digit
 * prefixes and a thousand per-domain rules by their domains:
 * - `domain`: a required suffix that holds `@` is keyed by its text from the last `@` on; an
 *   alias that matches ends with it, so its own text from its last `@` is exactly that key.
 * - `suffix`: a required suffix without `@`; a lookup tries the alias's tail at each length.
 * - `prefix`: a required prefix; a lookup tries the alias's head at each length.
 * A rule with an alternative that requires nothing is `unanchored`: every lookup tries it.
 */
import type { RequiredLiterals } from './pattern-literals.js'

type KeyKind = 'domain' | 'suffix' | 'prefix'

interface Key {
  readonly kind: KeyKind
  readonly text: string
}

export interface RuleIndex {
  readonly byDomain: ReadonlyMap<string, ReadonlyArray<number>>
  readonly bySuffix: ReadonlyMap<string, ReadonlyArray<number>>
  /** Distinct key lengths in `bySuffix`, ascending. */
  readonly suffixLengths: ReadonlyArray<number>
  readonly byPrefix: ReadonlyMap<string, ReadonlyArray<number>>
  /** Distinct key lengths in `byPrefix`, ascending. */
  readonly prefixLengths: ReadonlyArray<number>
  readonly unanchored: ReadonlyArray<number>
}

export interface IndexEntry {
  readonly rank: number
  /** Per top-level alternative; `undefined` when the pattern could not be read. */
  readonly literals: ReadonlyArray<RequiredLiterals> | undefined
}

const keysOf = ({ prefix, suffix }: RequiredLiterals): ReadonlyArray<Key> => {
  const keys: Key[] = []
  const at = suffix.lastIndexOf('@')
  if (at >= 0) keys.push({ kind: 'domain', text: suffix.slice(at) })
  else if (suffix !== '') keys.push({ kind: 'suffix', text: suffix })
  if (prefix !== '') keys.push({ kind: 'prefix', text: prefix })
  return keys
}

const keyId = (k: Key): string => `${k.kind}:${k.text}`

const addTo = (map: Map<string, number[]>, key: string, rank: number): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [rank])
  else if (list[list.length - 1] !== rank) list.push(rank)
}

const lengthsOf = (map: ReadonlyMap<string, unknown>): ReadonlyArray<number> =>
  [...new Set([...map.keys()].map((k) => k.length))].sort((a, b) => a - b)

/** Entries must come in ascending rank order. */
export const buildRuleIndex = (entries: ReadonlyArray<IndexEntry>): RuleIndex => {
  const keyed = entries.map((e) => ({
    rank: e.rank,
    alternatives: e.literals?.map(keysOf),
  }))
  const population = new Map<string, number>()
  for (const e of keyed)
    for (const keys of e.alternatives ?? []) for (const k of keys) population.set(keyId(k), (population.get(keyId(k)) ?? 0) + 1)

  const maps: Record<KeyKind, Map<string, number[]>> = { domain: new Map(), suffix: new Map(), prefix: new Map() }
  const unanchored: number[] = []
  for (const e of keyed) {
    const alternatives = e.alternatives
    if (alternatives === undefined || alternatives.some((keys) => keys.length === 0)) {
      unanchored.push(e.rank)
      continue
    }
    for (const keys of alternatives) {
      const best = keys.reduce((a, b) => ((population.get(keyId(b)) ?? 0) < (population.get(keyId(a)) ?? 0) ? b : a))
      addTo(maps[best.kind], best.text, e.rank)
    }
  }
  return {
    byDomain: maps.domain,
    bySuffix: maps.suffix,
    suffixLengths: lengthsOf(maps.suffix),
    byPrefix: maps.prefix,
    prefixLengths: lengthsOf(maps.prefix),
    unanchored,
  }
}

/**
 * The rank lists an alias must be checked against: every rule that can match it is in one of
 * them (a rule may be in several, once per alternative). The unanchored list comes last.
 */
export const candidateLists = (index: RuleIndex, alias: string): ReadonlyArray<ReadonlyArray<number>> => {
  const lists: Array<ReadonlyArray<number>> = []
  const at = alias.lastIndexOf('@')
  if (at >= 0) {
    const list = index.byDomain.get(alias.slice(at))
    if (list !== undefined) lists.push(list)
  }
  for (const length of index.suffixLengths) {
    if (length > alias.length) break
    const list = index.bySuffix.get(alias.slice(alias.length - length))
    if (list !== undefined) lists.push(list)
  }
  for (const length of index.prefixLengths) {
    if (length > alias.length) break
    const list = index.byPrefix.get(alias.slice(0, length))
    if (list !== undefined) lists.push(list)
  }
  if (index.unanchored.length > 0) lists.push(index.unanchored)
  return lists
}

/**
 * Walks several ascending rank lists as one ascending sequence without repeats, stopping as soon
 * as `visit` returns a value (the first match by priority ends the lookup).
 */
export const firstInRankOrder = <A>(lists: ReadonlyArray<ReadonlyArray<number>>, visit: (rank: number) => A | undefined): A | undefined => {
  if (lists.length === 1) {
    for (const rank of lists[0] ?? []) {
      const found = visit(rank)
      if (found !== undefined) return found
    }
    return undefined
  }
  const cursors = lists.map(() => 0)
  let last = -1
  for (;;) {
    let next = Infinity
    let from = -1
    for (let i = 0; i < lists.length; i++) {
      const rank = lists[i]?.[cursors[i] ?? 0]
      if (rank !== undefined && rank < next) {
        next = rank
        from = i
      }
    }
    if (from < 0) return undefined
    cursors[from] = (cursors[from] ?? 0) + 1
    if (next === last) continue
    last = next
    const found = visit(next)
    if (found !== undefined) return found
  }
}
