/**
 * Timer ids name the aggregate that owns them, so that the router can hand a TimerFired to its
 * owner with one map lookup (DESIGN §1): `leg:<leg>:pin-digit`, `conf:<conference>:guests-only`,
 * `conf:<conference>:host-wait:<leg>`. The owner's id is percent-encoded (no `:` left in it), so
 * an id that itself contains `:` or `%` cannot be confused with another; the name after the
 * second `:` is the owner's own business and may contain anything.
 */
import type { ConferenceId, LegId } from '../model/ids.js'
import { ConferenceId as conferenceId, LegId as legId, TimerId } from '../model/ids.js'

export type TimerOwner =
  | { readonly _tag: 'Leg'; readonly leg: LegId }
  | { readonly _tag: 'Conference'; readonly conference: ConferenceId }
  /** A Presence resource, keyed by the normalized watched address. */
  | { readonly _tag: 'Presence'; readonly address: string }

export interface ParsedTimer {
  readonly owner: TimerOwner
  readonly name: string
}

const prefixes = { Leg: 'leg', Conference: 'conf', Presence: 'presence' } as const

const ownerKey = (owner: TimerOwner): string => {
  switch (owner._tag) {
    case 'Leg':
      return owner.leg
    case 'Conference':
      return owner.conference
    case 'Presence':
      return owner.address
  }
}

/**
 * Whether `encodeURIComponent` would leave `key` as it is: only letters, digits and `-_.~` (a
 * subset of what it leaves unescaped, RFC 3986 §2.3). Leg and conference ids nearly always are;
 * the check costs a fraction of the runtime call it spares on every timer started or cancelled
 * (bench/step.bench.ts).
 */
const isUnreserved = (key: string): boolean => {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    const alphanumeric = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)
    if (!alphanumeric && c !== 0x2d && c !== 0x5f && c !== 0x2e && c !== 0x7e) return false
  }
  return true
}

const encodeKey = (key: string): string => (isUnreserved(key) ? key : encodeURIComponent(key))

export const timerId = (owner: TimerOwner, name: string): TimerId =>
  TimerId(`${prefixes[owner._tag]}:${encodeKey(ownerKey(owner))}:${name}`)

export const legTimer = (leg: LegId, name: string): TimerId => TimerId(`${prefixes.Leg}:${encodeKey(leg)}:${name}`)
export const conferenceTimer = (conference: ConferenceId, name: string): TimerId =>
  TimerId(`${prefixes.Conference}:${encodeKey(conference)}:${name}`)

const decode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

/** The owner and name of a timer id this module made; `undefined` for anything else. */
export const parseTimerId = (id: TimerId): ParsedTimer | undefined => {
  const first = id.indexOf(':')
  if (first === -1) return undefined
  const second = id.indexOf(':', first + 1)
  if (second === -1) return undefined
  const key = decode(id.slice(first + 1, second))
  if (key === undefined) return undefined
  const name = id.slice(second + 1)
  switch (id.slice(0, first)) {
    case prefixes.Leg:
      return { owner: { _tag: 'Leg', leg: legId(key) }, name }
    case prefixes.Conference:
      return { owner: { _tag: 'Conference', conference: conferenceId(key) }, name }
    case prefixes.Presence:
      return { owner: { _tag: 'Presence', address: key }, name }
    default:
      return undefined
  }
}
