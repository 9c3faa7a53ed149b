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

/** The content view `p` is shown while `presenter` (another participant) presents; `undefined` when `shown` already is it. */
const changedContentView = (c: ConferenceState, p: Participant, shown: View | undefined, presenter: Participant): View | undefined => {
  const name = p.protocol === 'mssip' ? c.vmr.name : presenter.party.displayName
  const speaker = firstOtherSpeaker(c.order, p.leg)
  if (shown?._tag === 'Content' && shown.presenter === name && shown.speaker === speaker) return undefined
  return speaker === undefined ? { _tag: 'Content', presenter: name } : { _tag: 'Content', presenter: name, speaker }
}

/**
 * Shows every joined participant its view where it changed. For each participant, in order:
 * chat-only and waiting ones have no screen of ours; one that receives no video sees NoVideo;
 * while someone else presents, the content; alone in the mix and sending video, itself; else the
 * VMR's layout for its role, unless the tiles it was last shown are the same. Written as one loop
 * over the participants with the conference's fields read once: it runs for every viewer on
 * every join, leave and speaker change (bench/step.bench.ts).
 */
export const refreshViews = (c: ConferenceState, out: Out): ConferenceState => {
  const presenter = c.presenter === undefined ? undefined : participantOn(c, c.presenter)
  const participants = c.participants
  const shownScreens = c.screens
  const order = c.order
  const alone = order.length <= 1
  const hostLayout = c.vmr.hostView
  const guestLayout = c.vmr.guestView
  // At most one composed view per layout for the whole room, built on first need.
  let hostComposed: View | undefined
  let guestComposed: View | undefined
  let screens: Array<View | undefined> | undefined
  for (let i = 0; i < participants.length; i++) {
    const p = participants[i]!
    if (p.chatOnly || p.waiting) continue
    const shown = shownScreens[i]
    let view: View | undefined
    if (!p.receivesVideo) {
      if (shown?._tag === 'NoVideo') continue
      view = noVideo
    } else if (presenter !== undefined && presenter.leg !== p.leg) {
      view = changedContentView(c, p, shown, presenter)
      if (view === undefined) continue
    } else if (alone && p.sendsVideo) {
      if (shown?._tag === 'SelfView') continue
      view = selfView
    } else {
      const host = p.role === 'host'
      const layout = host ? hostLayout : guestLayout
      if (shown !== undefined && shown._tag === 'Composed' && shown.layout === layout && sameTiles(layout, shown.participants, order, p.leg)) continue
      view = host ? (hostComposed ??= { _tag: 'Composed', layout, participants: order }) : (guestComposed ??= { _tag: 'Composed', layout, participants: order })
    }
    out.emit({ _tag: 'Show', leg: p.leg, view })
    screens ??= shownScreens.slice()
    screens[i] = view
  }
  return screens === undefined ? c : withScreens(c, screens)
}
