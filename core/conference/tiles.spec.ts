import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Layout } from '../model/call.js'
import { LegId } from '../model/ids.js'
import { capacityOf, composedTiles, layoutCapacity, sameTiles, seenBy } from './tiles.js'

const layouts = Object.keys(layoutCapacity) as Layout[]
const legs = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map(LegId)
/** A speaker order: distinct legs from a small pool, so that viewers often are in it. */
const order = fc.uniqueArray(fc.constantFrom(...legs), { maxLength: legs.length })

void describe('composed tiles (DESIGN §2 layouts)', () => {
  void it('shows a viewer the first tiles of the order but itself, no more than the layout has', () => {
    const view = { layout: 'four_mains_zero_pips' as const, participants: legs.slice(0, 6) }
    assert.deepEqual(composedTiles(view, LegId('b')), ['a', 'c', 'd', 'e'])
    assert.deepEqual(composedTiles(view, LegId('z')), ['a', 'b', 'c', 'd'])
    assert.deepEqual(composedTiles({ layout: 'one_main_seven_pips', participants: [LegId('a')] }, LegId('a')), [])
  })

  void it('knows the capacity of each layout by a switch exactly as the table gives it', () => {
    for (const layout of layouts) assert.equal(capacityOf(layout), layoutCapacity[layout], layout)
  })

  void it('never shows the viewer, keeps the order, and fills the layout when there are enough others', () => {
    fc.assert(
      fc.property(fc.constantFrom(...layouts), order, fc.constantFrom(...legs), (layout, participants, viewer) => {
        const tiles = composedTiles({ layout, participants }, viewer)
        const others = participants.filter((l) => l !== viewer)
        assert.ok(!tiles.includes(viewer))
        assert.deepEqual(tiles, others.slice(0, layoutCapacity[layout]))
      }),
    )
  })

  void it('says two orders give a viewer the same tiles exactly when the tiles built from each are equal', () => {
    fc.assert(
      fc.property(fc.constantFrom(...layouts), order, order, fc.constantFrom(...legs), (layout, a, b, viewer) => {
        const equal = JSON.stringify(composedTiles({ layout, participants: a }, viewer)) === JSON.stringify(composedTiles({ layout, participants: b }, viewer))
        assert.equal(sameTiles(layout, a, b, viewer), equal)
      }),
    )
  })

  void it('reads a composed view as its viewer sees it and leaves other views as they are', () => {
    const composed = { _tag: 'Composed' as const, layout: 'one_main_seven_pips' as const, participants: [LegId('a'), LegId('b')] }
    assert.deepEqual(seenBy(composed, LegId('a')), { _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['b'] })
    const self = { _tag: 'SelfView' as const }
    assert.equal(seenBy(self, LegId('a')), self)
  })
})
