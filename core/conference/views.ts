/**
 * What each participant's screen shows (DESIGN §2 "Calls, media and content"): the first one
 * sees itself until someone joins; then the VMR's layout for its role, ordered by active
 * speaker; while someone presents, the content with the active speaker small, named for SfB
 * receivers as the VMR ("<VMR name> is presenting") and for others as the presenter. Legs that
 * receive no video are shown NoVideo (their client shows the VMR's contact picture).
 *
 * A composed view names the conference's speaker order itself (the media side leaves out the
 * viewer's own tile: `composedTiles`), so one view per layout serves the whole room: a join, a
 * leave or a speaker change costs one small Show per screen it changes, not a list per viewer
 * (O(n) rather than O(n²) in a room of n). A leg is shown a view only where what it sees differs
 * from what it was last shown.
 */
import type { Layout } from '../model/call.js'
import type { LegId } from '../model/ids.js'
import type { View } from '../node/effect.js'
import type { Out } from '../node/outcome.js'
import type { ConferenceState, Participant } from './conference-state.js'
import { participantOn, withScreens } from './conference-state.js'
import { sameTiles } from './tiles.js'

const noVideo: View = { _tag: 'NoVideo' }
const selfView: View = { _tag: 'SelfView' }

const firstOtherSpeaker = (order: ReadonlyArray<LegId>, viewer: LegId): LegId | undefined => {
  for (const leg of order) if (leg !== viewer) return leg
  return undefined
}

/** Whether `shown` already gives `viewer` the tiles `layout` over `order` gives. */
const showsComposed = (shown: View | undefined, layout: Layout, order: ReadonlyArray<LegId>, viewer: LegId): boolean =>
  shown !== undefined && shown._tag === 'Composed' && shown.layout === layout && sameTiles(layout, shown.participants, order, viewer)

/** The layout a participant is shown, or `undefined` when it sees something else (or nothing of ours). */
const composedLayout = (c: ConferenceState, p: Participant, presenter: Participant | undefined): Layout | undefined => {
  if (p.chatOnly || p.waiting || !p.media.receivesVideo) return undefined
  if (presenter !== undefined && presenter.leg !== p.leg) return undefined
  if (c.order.length <= 1 && p.media.sendsVideo) return undefined
  return p.role === 'host' ? c.vmr.hostView : c.vmr.guestView
}

/** The participant's new view when it is not composed; `undefined` when it has no screen of ours or it is unchanged. */
const changedOtherView = (c: ConferenceState, p: Participant, shown: View | undefined, presenter: Participant | undefined): View | undefined => {
  if (p.chatOnly || p.waiting) return undefined
  if (!p.media.receivesVideo) return shown?._tag === 'NoVideo' ? undefined : noVideo
  if (presenter !== undefined && presenter.leg !== p.leg) {
    const name = p.protocol === 'mssip' ? c.vmr.name : presenter.party.displayName
    const speaker = firstOtherSpeaker(c.order, p.leg)
    if (shown?._tag === 'Content' && shown.presenter === name && shown.speaker === speaker) return undefined
    return speaker === undefined ? { _tag: 'Content', presenter: name } : { _tag: 'Content', presenter: name, speaker }
  }
  return shown?._tag === 'SelfView' ? undefined : selfView
}

/** Shows every joined participant its view where it changed. */
export const refreshViews = (c: ConferenceState, out: Out): ConferenceState => {
  const presenter = c.presenter === undefined ? undefined : participantOn(c, c.presenter)
  const participants = c.participants
  // At most one composed view per layout for the whole room, built on first need.
  let hostComposed: View | undefined
  let guestComposed: View | undefined
  let screens: Array<View | undefined> | undefined
  for (let i = 0; i < participants.length; i++) {
    const p = participants[i]!
    const shown = c.screens[i]
    const layout = composedLayout(c, p, presenter)
    let view: View | undefined
    if (layout === undefined) view = changedOtherView(c, p, shown, presenter)
    else if (showsComposed(shown, layout, c.order, p.leg)) view = undefined
    else if (p.role === 'host') view = hostComposed ??= { _tag: 'Composed', layout, participants: c.order }
    else view = guestComposed ??= { _tag: 'Composed', layout, participants: c.order }
    if (view === undefined) continue
    out.emit({ _tag: 'Show', leg: p.leg, view })
    screens ??= c.screens.slice()
    screens[i] = view
  }
  return screens === undefined ? c : withScreens(c, screens)
}
