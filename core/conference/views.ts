/**
 * What each participant's screen shows (DESIGN §2 "Calls, media and content"): the first one
 * sees itself until someone joins; then the VMR's layout for its role, ordered by active
 * speaker; while someone presents, the content with the active speaker small, named for SfB
 * receivers as the VMR ("<VMR name> is presenting") and for others as the presenter. Legs that
 * receive no video are shown NoVideo (their client shows the VMR's contact picture).
 *
 * Views are recomputed after every change, but a view is only built (and shown) where it
 * differs from what the participant already sees: a speaker change in a large room allocates
 * nothing for the screens it does not change.
 */
import type { Layout } from '../model/call.js'
import type { LegId } from '../model/ids.js'
import type { View } from '../node/effect.js'
import type { Out } from '../node/outcome.js'
import type { ConferenceState, Participant } from './conference-state.js'
import { participantOn, patchConference } from './conference-state.js'

/** Tiles each layout shows (PROTOCOLS 3.7): more participants than this are not sent. */
export const layoutCapacity: Readonly<Record<Layout, number>> = {
  one_main_zero_pips: 1,
  one_main_seven_pips: 8,
  one_main_twentyone_pips: 22,
  two_mains_twentyone_pips: 23,
  four_mains_zero_pips: 4,
  nine_mains_zero_pips: 9,
  sixteen_mains_zero_pips: 16,
  twentyfive_mains_zero_pips: 25,
  five_mains_seven_pips: 12,
}

const noVideo: View = { _tag: 'NoVideo' }
const selfView: View = { _tag: 'SelfView' }

/** The first `capacity` legs of `order` other than `viewer`. */
const othersInOrder = (order: ReadonlyArray<LegId>, viewer: LegId, capacity: number): LegId[] => {
  const out: LegId[] = []
  for (let i = 0; i < order.length && out.length < capacity; i++) if (order[i] !== viewer) out.push(order[i]!)
  return out
}

/** Whether `shown` already is the layout `othersInOrder` would give. */
const showsComposed = (shown: View | undefined, layout: Layout, order: ReadonlyArray<LegId>, viewer: LegId, capacity: number): boolean => {
  if (shown === undefined || shown._tag !== 'Composed' || shown.layout !== layout) return false
  const tiles = shown.participants
  let j = 0
  for (let i = 0; i < order.length && j < capacity; i++) {
    const leg = order[i]
    if (leg === viewer) continue
    if (tiles[j] !== leg) return false
    j++
  }
  return j === tiles.length
}

const firstOtherSpeaker = (order: ReadonlyArray<LegId>, viewer: LegId): LegId | undefined => {
  for (const leg of order) if (leg !== viewer) return leg
  return undefined
}

/** The participant's new view, or `undefined` when it has no screen of ours or it is unchanged. */
const changedView = (c: ConferenceState, p: Participant, shown: View | undefined, presenter: Participant | undefined): View | undefined => {
  if (p.chatOnly || p.waiting) return undefined
  if (!p.media.receivesVideo) return shown?._tag === 'NoVideo' ? undefined : noVideo
  if (presenter !== undefined && presenter.leg !== p.leg) {
    const name = p.protocol === 'mssip' ? c.vmr.name : presenter.party.displayName
    const speaker = firstOtherSpeaker(c.order, p.leg)
    if (shown?._tag === 'Content' && shown.presenter === name && shown.speaker === speaker) return undefined
    return speaker === undefined ? { _tag: 'Content', presenter: name } : { _tag: 'Content', presenter: name, speaker }
  }
  if (c.order.length <= 1 && p.media.sendsVideo) return shown?._tag === 'SelfView' ? undefined : selfView
  const layout = p.role === 'host' ? c.vmr.hostView : c.vmr.guestView
  const capacity = layoutCapacity[layout]
  if (showsComposed(shown, layout, c.order, p.leg, capacity)) return undefined
  return { _tag: 'Composed', layout, participants: othersInOrder(c.order, p.leg, capacity) }
}

/** Shows every joined participant its view where it changed. */
export const refreshViews = (c: ConferenceState, out: Out): ConferenceState => {
  const presenter = c.presenter === undefined ? undefined : participantOn(c, c.presenter)
  const participants = c.participants
  let screens: Array<View | undefined> | undefined
  for (let i = 0; i < participants.length; i++) {
    const p = participants[i]!
    const view = changedView(c, p, c.screens[i], presenter)
    if (view === undefined) continue
    out.emit({ _tag: 'Show', leg: p.leg, view })
    screens ??= c.screens.slice()
    screens[i] = view
  }
  return screens === undefined ? c : patchConference(c, { screens })
}
