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

export const timerId = (owner: TimerOwner, name: string): TimerId =>
  TimerId(`${prefixes[owner._tag]}:${encodeURIComponent(ownerKey(owner))}:${name}`)

export const legTimer = (leg: LegId, name: string): TimerId => timerId({ _tag: 'Leg', leg }, name)
export const conferenceTimer = (conference: ConferenceId, name: string): TimerId =>
  timerId({ _tag: 'Conference', conference }, name)

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
