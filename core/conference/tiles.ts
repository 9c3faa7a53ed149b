/**
 * Which tiles a composed layout shows to one viewer (DESIGN §2 "Calls, media and content";
 * PROTOCOLS 3.7). A `Composed` view carries the conference's participants in speaker order once,
 * shared by every viewer of the room; each viewer sees the first tiles of it other than itself.
 * The core, the simulator and the media side all read a view through `composedTiles`, so that
 * the rule lives in one place.
 */
import type { Layout } from '../model/call.js'
import type { LegId } from '../model/ids.js'
import type { View } from '../node/effect.js'

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

/**
 * `layoutCapacity[layout]`, as a switch: a keyed property load with a varying key is a
 * megamorphic lookup, measured at a third of a join's view refresh (bench/profile-step.ts).
 */
export const capacityOf = (layout: Layout): number => {
  switch (layout) {
    case 'one_main_zero_pips':
      return 1
    case 'one_main_seven_pips':
      return 8
    case 'one_main_twentyone_pips':
      return 22
    case 'two_mains_twentyone_pips':
      return 23
    case 'four_mains_zero_pips':
      return 4
    case 'nine_mains_zero_pips':
      return 9
    case 'sixteen_mains_zero_pips':
      return 16
    case 'twentyfive_mains_zero_pips':
      return 25
    case 'five_mains_seven_pips':
      return 12
  }
}

/** The part of a `Composed` view that decides the tiles. */
export interface Composition {
  readonly layout: Layout
  readonly participants: ReadonlyArray<LegId>
}

/** What `viewer` sees of a composition: the first `layoutCapacity[layout]` participants but itself. */
export const composedTiles = (composition: Composition, viewer: LegId): ReadonlyArray<LegId> => {
  const capacity = capacityOf(composition.layout)
  const order = composition.participants
  const tiles: LegId[] = []
  for (let i = 0; i < order.length && tiles.length < capacity; i++) if (order[i] !== viewer) tiles.push(order[i]!)
  return tiles
}

/** Whether two orders give `viewer` the same tiles under `layout`, without building either. */
export const sameTiles = (layout: Layout, a: ReadonlyArray<LegId>, b: ReadonlyArray<LegId>, viewer: LegId): boolean => {
  if (a === b) return true
  const capacity = capacityOf(layout)
  let i = 0
  let j = 0
  for (let shown = 0; shown < capacity; shown++) {
    while (i < a.length && a[i] === viewer) i++
    while (j < b.length && b[j] === viewer) j++
    if (i === a.length || j === b.length) return i === a.length && j === b.length
    if (a[i] !== b[j]) return false
    i++
    j++
  }
  return true
}

/** A view as `viewer` sees it: a composed one with only its tiles, any other as it is. */
export const seenBy = (view: View, viewer: LegId): View =>
  view._tag === 'Composed' ? { _tag: 'Composed', layout: view.layout, participants: composedTiles(view, viewer) } : view
