/**
 * Identifiers the core is handed by the world (CONVENTIONS 4: ids come in as inputs).
 * Branded so that a leg id can never be passed where a conference id is expected.
 */
declare const brand: unique symbol
export type Branded<A, B extends string> = A & { readonly [brand]: B }

/** One signalling leg: an incoming call, a dial-out, an IM session. */
export type LegId = Branded<string, 'LegId'>
/** A VMR (Pexip `conference`), keyed by its configuration id. */
export type ConferenceId = Branded<string, 'ConferenceId'>
/** One presence subscription (one SUBSCRIBE dialog, or one resource of a batched one). */
export type SubscriptionId = Branded<string, 'SubscriptionId'>
/** A timer the core asked for; its text names the aggregate that owns it (see node/timer-key). */
export type TimerId = Branded<string, 'TimerId'>

/**
 * The same string, interned. Leg ids are compared on every step (rosters, the speaker order,
 * each viewer's tiles): V8 compares two interned strings by reference, others of equal length
 * character by character, which measured a quarter of a step's instructions (bench/profile-step.ts).
 * Property keys are always interned, so an object's own key is the interned copy. Called once per
 * leg where the id is minted; an input then carries that same string.
 */
const interned = (s: string): string => Object.keys({ [s]: 0 })[0] ?? s

export const LegId = (s: string): LegId => interned(s) as LegId
export const ConferenceId = (s: string): ConferenceId => s as ConferenceId
export const SubscriptionId = (s: string): SubscriptionId => s as SubscriptionId
export const TimerId = (s: string): TimerId => s as TimerId

/** Milliseconds on the node's clock. Every input carries one; the core never reads a clock. */
export type Millis = number
