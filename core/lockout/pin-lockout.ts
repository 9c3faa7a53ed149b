/**
 * PIN lockout (DESIGN §6 `global.pin_lockout`, issue 9): wrong PINs from one source are counted
 * over a sliding window, and a source that reaches `failures` within `window_s` has its new
 * calls refused for `block_s`. Three wrong PINs already end one call (DESIGN §2); this bounds
 * how fast a source can guess across many calls.
 *
 * Whom a lockout names (its key) matters as much as when it starts:
 * - A call from an untrusted source is keyed by its network address alone: the caller's From is
 *   the attacker's to choose, so it cannot be part of the key.
 * - A call relayed by a trusted peer (an SfB Front End pool or Edge, DESIGN §2, §3) carries an
 *   asserted identity that the peer authenticated; every SfB user arrives from the same pool
 *   address, so keying by that address would let one guesser lock every SfB user out. Such a
 *   call is keyed by the peer and the asserted caller.
 * A lockout therefore never refuses a call from another key: the VMR's real Hosts, calling from
 * their own addresses (or as themselves through the pool), are never locked out by a guesser.
 *
 * Time comes from the inputs; the table holds no clock. It is a pure aggregate the router keeps
 * beside the others (core/node/router.ts).
 */
import type { PinLockout } from '../config/model.js'
import type { LegId, Millis } from '../model/ids.js'
import { PersistentMap } from '../node/persistent-map.js'

/** One key's recent wrong PINs (oldest first, at most `failures` of them) and its block, if any. */
export interface SourceRecord {
  readonly failures: ReadonlyArray<Millis>
  readonly blockedUntil: Millis | undefined
}

export interface LockoutTable {
  readonly sources: PersistentMap<SourceRecord>
  /** Lockout keys of legs relayed by a trusted peer, whose key is not their bare source. */
  readonly peerLegs: PersistentMap<string>
  /** Size at which stale records are next swept (amortised: at least twice what a sweep keeps). */
  readonly sweepAt: number
  readonly peerSweepAt: number
}

const minSweepAt = 1024

export const emptyLockoutTable: LockoutTable = {
  sources: PersistentMap.empty(),
  peerLegs: PersistentMap.empty(),
  sweepAt: minSweepAt,
  peerSweepAt: minSweepAt,
}

/** What a call offer tells the lockout about who is calling. */
export interface LockoutCaller {
  /** The network address (no port), as CallOffered carries it. */
  readonly source: string
  /** Whether `source` is a configured trusted peer whose asserted identity named the caller. */
  readonly trusted: boolean
  readonly callerUri: string
}

export const lockoutKey = (caller: LockoutCaller): string =>
  caller.trusted ? `${caller.source} for ${caller.callerUri.toLowerCase()}` : caller.source

/** `block_s` of 0 turns the lockout off (DESIGN §6 allows it; the codec accepts 0). */
const enabled = (settings: PinLockout): boolean => settings.blockS > 0 && settings.failures > 0

/** The end of `key`'s block at `at`, or undefined when it may call. */
export const blockedUntil = (table: LockoutTable, key: string, at: Millis): Millis | undefined => {
  const until = table.sources.get(key)?.blockedUntil
  return until !== undefined && at < until ? until : undefined
}

export interface FailureRecorded {
  readonly table: LockoutTable
  /** Set when this failure started a block: its end. */
  readonly lockedUntil?: Millis
}

const isStale = (record: SourceRecord, at: Millis, windowMs: number): boolean =>
  (record.blockedUntil === undefined || at >= record.blockedUntil) && record.failures.every((t) => at - t >= windowMs)

/**
 * One wrong PIN for `key` at `at`. Failures older than the window are forgotten; reaching
 * `failures` within it starts a block of `block_s` and clears the count. Failures during a
 * block (calls already at their prompt when it started) neither extend nor repeat it.
 */
export const recordFailure = (table: LockoutTable, key: string, at: Millis, settings: PinLockout): FailureRecorded => {
  if (!enabled(settings)) return { table }
  const windowMs = settings.windowS * 1000
  const previous = table.sources.get(key)
  if (previous !== undefined && previous.blockedUntil !== undefined && at < previous.blockedUntil) return { table }
  const recent = (previous?.failures ?? []).filter((t) => at - t < windowMs)
  const failures = [...recent, at].slice(-settings.failures)
  const lockedUntil = failures.length >= settings.failures ? at + settings.blockS * 1000 : undefined
  const record: SourceRecord = lockedUntil === undefined ? { failures, blockedUntil: undefined } : { failures: [], blockedUntil: lockedUntil }
  const next = sweep({ ...table, sources: table.sources.set(key, record) }, at, windowMs)
  return lockedUntil === undefined ? { table: next } : { table: next, lockedUntil }
}

/**
 * Forgets records that can no longer matter, once the table has doubled since the last sweep:
 * a scanner trying PINs from many addresses costs memory for its window and block, not forever.
 */
const sweep = (table: LockoutTable, at: Millis, windowMs: number): LockoutTable => {
  if (table.sources.size < table.sweepAt) return table
  let sources = table.sources
  for (const [key, record] of table.sources.entries()) if (isStale(record, at, windowMs)) sources = sources.delete(key)
  return { ...table, sources, sweepAt: Math.max(minSweepAt, 2 * sources.size) }
}

/** Remembers the key of a leg relayed by a trusted peer, until the leg is gone (`isLive`). */
export const rememberPeerLeg = (table: LockoutTable, leg: LegId, key: string, isLive: (leg: LegId) => boolean): LockoutTable => {
  const peerLegs = table.peerLegs.set(leg, key)
  if (peerLegs.size < table.peerSweepAt) return { ...table, peerLegs }
  let kept = peerLegs
  for (const known of peerLegs.keys()) if (known !== leg && !isLive(known as LegId)) kept = kept.delete(known)
  return { ...table, peerLegs: kept, peerSweepAt: Math.max(minSweepAt, 2 * kept.size) }
}

/** The key a wrong PIN on `leg` from `source` counts against. */
export const keyOfFailure = (table: LockoutTable, leg: LegId, source: string): string => table.peerLegs.get(leg) ?? source
