/**
 * The lockout's two touch points with a node step (core/node/router.ts): a call offer from a
 * blocked key is refused before any aggregate sees it, and the step's PinFailed observations
 * are counted afterwards. Kept here so the router's hook stays a few lines.
 */
import type { PinLockout } from '../config/model.js'
import type { LegId, Millis } from '../model/ids.js'
import type { Effect } from '../node/effect.js'
import type { CallOffered } from '../node/input.js'
import type { LockoutTable } from './pin-lockout.js'
import { blockedUntil, emptyLockoutTable, keyOfFailure, lockoutKey, recordFailure, rememberPeerLeg } from './pin-lockout.js'

/** SIP 403 (RFC 3261 §21.4.4): understood, refused, and a retry now would be refused too. */
export const lockedOutStatus = 403
export const lockedOutReason = 'Too many wrong PINs from this source; try again later'

export type OfferVerdict =
  | { readonly _tag: 'Refused'; readonly effects: ReadonlyArray<Effect> }
  | { readonly _tag: 'Admitted'; readonly table: LockoutTable }

/**
 * Whether a call offer may go on. A refused one is answered here (Reject 403 and an observation
 * that logs and counts it); an admitted one relayed by a trusted peer has its key remembered so
 * that its wrong PINs count against that key.
 */
export const judgeOffer = (table: LockoutTable, offered: CallOffered, isLive: (leg: LegId) => boolean): OfferVerdict => {
  const trusted = offered.trusted === true
  const key = lockoutKey({ source: offered.source, trusted, callerUri: offered.caller.uri })
  const until = blockedUntil(table, key, offered.at)
  if (until !== undefined)
    return {
      _tag: 'Refused',
      effects: [
        { _tag: 'Reject', leg: offered.leg, status: lockedOutStatus, reason: lockedOutReason },
        { _tag: 'Observe', observation: { _tag: 'LockedOutCallRefused', leg: offered.leg, key, until } },
      ],
    }
  return { _tag: 'Admitted', table: trusted ? rememberPeerLeg(table, offered.leg, key, isLive) : table }
}

export interface FailuresCounted {
  readonly table: LockoutTable
  /** SourceLockedOut observations for the blocks these failures started. */
  readonly effects: ReadonlyArray<Effect>
  /** The keys of those blocks: their legs still able to guess are told (PinLockedOut, core/node/router.ts). */
  readonly locked: ReadonlyArray<string>
}

/** Counts the PinFailed observations among a step's effects; undefined when there are none. */
export const countFailures = (table: LockoutTable, effects: ReadonlyArray<Effect>, at: Millis, settings: PinLockout): FailuresCounted | undefined => {
  let counted: { table: LockoutTable; effects: Effect[]; locked: string[] } | undefined
  for (const effect of effects) {
    if (effect._tag !== 'Observe' || effect.observation._tag !== 'PinFailed') continue
    const current = counted?.table ?? table
    const key = keyOfFailure(current, effect.observation.leg, effect.observation.source)
    const recorded = recordFailure(current, key, at, settings)
    counted = { table: recorded.table, effects: counted?.effects ?? [], locked: counted?.locked ?? [] }
    if (recorded.lockedUntil !== undefined) {
      counted.effects.push({ _tag: 'Observe', observation: { _tag: 'SourceLockedOut', key, failures: settings.failures, until: recorded.lockedUntil } })
      counted.locked.push(key)
    }
  }
  return counted
}

/**
 * Whether a live leg from `source` belongs to one of the `locked` keys: its own address, or the
 * trusted peer and asserted caller it was admitted under (so that a guesser relayed by the SfB
 * pool never touches another pool user's calls).
 */
export const isLegOfKeys = (table: LockoutTable, locked: ReadonlyArray<string>, leg: LegId, source: string): boolean =>
  locked.includes(keyOfFailure(table, leg, source))

/**
 * A new `pin_lockout` policy counts afresh (choice): the counts and blocks were made under the
 * old one, and loosening the policy is how an operator lets a locked-out caller back in before
 * its block ends. Only an authenticated operator changes the configuration.
 */
export const lockoutUnderPolicy = (table: LockoutTable, previous: PinLockout, next: PinLockout): LockoutTable =>
  previous.failures === next.failures && previous.windowS === next.windowS && previous.blockS === next.blockS ? table : emptyLockoutTable
