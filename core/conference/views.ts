/**
 * What each participant's screen shows (DESIGN §2 "Calls, media and content"): the first one
 * sees itself until someone joins; then the VMR's layout for its role, ordered by active
 * speaker; while someone presents, the content with the active speaker small, named for SfB
 * receivers as the VMR ("<VMR name> is presenting") and for others as the presenter. Legs that
 * receive no video are shown NoVideo (their client shows the VMR's contact picture).
 */
import type { Layout } from '../model/call.js'
import type { View } from '../node/effect.js'
import type { Out } from '../node/outcome.js'
import type { ConferenceState, Participant } from './conference-state.js'

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

const contentView = (c: ConferenceState, viewer: Participant, presenter: Participant): View => {
  const speaker = c.order.find((l) => l !== viewer.leg)
  return {
    _tag: 'Content',
    presenter: viewer.protocol === 'mssip' ? c.vmr.name : presenter.party.displayName,
    ...(speaker === undefined ? {} : { speaker }),
  }
}

/** The view for a joined participant; `undefined` for those without a screen of ours. */
export const viewFor = (c: ConferenceState, p: Participant): View | undefined => {
  if (p.chatOnly || p.waiting) return undefined
  if (!p.media.receivesVideo) return { _tag: 'NoVideo' }
  const presenter = c.presenter === undefined || c.presenter === p.leg ? undefined : c.participants.find((q) => q.leg === c.presenter)
  if (presenter !== undefined) return contentView(c, p, presenter)
  if (c.order.length <= 1 && p.media.sendsVideo) return { _tag: 'SelfView' }
  const layout = p.role === 'host' ? c.vmr.hostView : c.vmr.guestView
  const participants = c.order.filter((l) => l !== p.leg).slice(0, layoutCapacity[layout])
  return { _tag: 'Composed', layout, participants }
}

export const sameView = (a: View | undefined, b: View | undefined): boolean => {
  if (a === undefined || b === undefined) return a === b
  switch (a._tag) {
    case 'Splash':
      return b._tag === 'Splash' && a.screen === b.screen
    case 'SelfView':
    case 'NoVideo':
      return b._tag === a._tag
    case 'Content':
      return b._tag === 'Content' && a.presenter === b.presenter && a.speaker === b.speaker
    case 'Composed':
      return (
        b._tag === 'Composed' &&
        a.layout === b.layout &&
        a.participants.length === b.participants.length &&
        a.participants.every((l, i) => b.participants[i] === l)
      )
  }
}

/** Shows every joined participant its view where it changed. */
export const refreshViews = (c: ConferenceState, out: Out): ConferenceState => {
  let changed = false
  const participants = c.participants.map((p) => {
    const view = viewFor(c, p)
    if (view === undefined || sameView(p.shown, view)) return p
    out.emit({ _tag: 'Show', leg: p.leg, view })
    changed = true
    return { ...p, shown: view }
  })
  return changed ? { ...c, participants } : c
}
