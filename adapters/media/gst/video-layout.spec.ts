import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Layout } from '../../../core/model/call.js'
import { LegId } from '../../../core/model/ids.js'
import { capacityOf, composedTiles } from '../../../core/conference/tiles.js'
import type { Rect } from './video-layout.js'
import { layoutSlots, parseVideoFormat, screenFor, splashText } from './video-layout.js'

const layouts: ReadonlyArray<Layout> = [
  'one_main_zero_pips',
  'one_main_seven_pips',
  'one_main_twentyone_pips',
  'two_mains_twentyone_pips',
  'four_mains_zero_pips',
  'nine_mains_zero_pips',
  'sixteen_mains_zero_pips',
  'twentyfive_mains_zero_pips',
  'five_mains_seven_pips',
]
/** Screens are 16:9 or 4:3, from 64 pixels wide to 1080p. */
const formats = fc
  .tuple(fc.integer({ min: 32, max: 960 }), fc.constantFrom(9 / 16, 3 / 4), fc.integer({ min: 1, max: 60 }))
  .map(([half, aspect, fps]) => ({ width: 2 * half, height: 2 * Math.round(half * aspect), fps }))
const overlap = (a: Rect, b: Rect): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

void test('every layout has a slot per tile it shows, inside the canvas, on even pixels (I420)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...layouts), formats, (layout, { width, height }) => {
      const slots = layoutSlots(layout, width, height)
      assert.equal(slots.length, capacityOf(layout))
      for (const s of slots) {
        assert.ok(s.x >= 0 && s.y >= 0 && s.width > 0 && s.height > 0 && s.x + s.width <= width && s.y + s.height <= height, JSON.stringify(s))
        for (const n of [s.x, s.y, s.width, s.height]) assert.equal(n % 2, 0)
      }
    }),
  )
})

void test('no two main pictures overlap, nor two pips (pips are drawn over the main picture)', () => {
  const mains: Readonly<Record<Layout, number>> = {
    one_main_zero_pips: 1,
    one_main_seven_pips: 1,
    one_main_twentyone_pips: 1,
    two_mains_twentyone_pips: 2,
    four_mains_zero_pips: 4,
    nine_mains_zero_pips: 9,
    sixteen_mains_zero_pips: 16,
    twentyfive_mains_zero_pips: 25,
    five_mains_seven_pips: 5,
  }
  for (const layout of layouts) {
    const slots = layoutSlots(layout, 1280, 720)
    const main = slots.slice(0, mains[layout])
    const pips = slots.slice(mains[layout])
    for (const [group, name] of [
      [main, 'mains'],
      [pips, 'pips'],
    ] as const)
      for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) assert.ok(!overlap(group[i]!, group[j]!), `${layout}: ${name} ${i} and ${j} overlap`)
    // 1+7 at 720p: the main picture fills the canvas, pips an eighth of its width along the bottom.
    if (layout === 'one_main_seven_pips') {
      assert.deepEqual(main[0], { x: 0, y: 0, width: 1280, height: 720 })
      assert.ok(pips.every((p) => p.width === 160 && p.height === 90 && p.y + p.height > 690))
    }
  }
})

const legIds = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'), { minLength: 0, maxLength: 11 })

void test('a composed screen shows the tiles the core decides (composedTiles), never the viewer; equal keys are equal pictures', () => {
  fc.assert(
    fc.property(fc.constantFrom(...layouts), legIds, fc.constantFrom('a', 'b', 'z'), fc.constantFrom('a', 'c', 'z'), (layout, participants, viewer, other) => {
      const format = { width: 640, height: 360, fps: 10 }
      const view = { _tag: 'Composed' as const, layout, participants }
      const screen = screenFor(view, viewer, format)
      assert.ok(screen !== undefined)
      assert.deepEqual(
        screen.tiles.map((t) => t.leg),
        composedTiles({ layout, participants: participants.map(LegId) }, LegId(viewer)),
      )
      assert.ok(!screen.tiles.some((t) => t.leg === viewer))
      const theirs = screenFor(view, other, format)
      assert.ok(theirs !== undefined)
      assert.equal(screen.key === theirs.key, JSON.stringify(screen) === JSON.stringify(theirs))
    }),
  )
})

void test('splash, self-view, content and no video', () => {
  const format = { width: 320, height: 180, fps: 10 }
  assert.deepEqual(screenFor({ _tag: 'Splash', screen: 'waiting-for-host' }, 'a', format), { key: 'splash:waiting-for-host', tiles: [], text: 'Waiting for the host' })
  assert.equal(screenFor({ _tag: 'Splash', screen: 'pin-entry' }, 'b', format)?.key, screenFor({ _tag: 'Splash', screen: 'pin-entry' }, 'a', format)?.key)
  assert.equal(Object.keys(splashText).length, 4)
  assert.deepEqual(screenFor({ _tag: 'SelfView' }, 'a', format), { key: 'self:a', tiles: [{ leg: 'a', x: 0, y: 0, width: 320, height: 180 }] })
  assert.equal(screenFor({ _tag: 'NoVideo' }, 'a', format), undefined)
  const content = screenFor({ _tag: 'Content', presenter: 'Meet Alice', speaker: 'b' }, 'a', format)
  assert.equal(content?.text, 'Meet Alice is presenting')
  assert.deepEqual(content?.tiles.map((t) => t.leg), ['b'])
  assert.deepEqual(screenFor({ _tag: 'Content', presenter: 'Meet Alice', speaker: 'b' }, 'b', format)?.tiles, [], 'the speaker does not see itself')
})

void test('content with a decoded content stream: the slides fill the screen, the active speaker small over them, no text', () => {
  const format = { width: 320, height: 180, fps: 10 }
  const view = { _tag: 'Content' as const, presenter: 'Meet Alice', speaker: 'b' }
  const slides = screenFor(view, 'a', format, 'room')
  assert.equal(slides?.text, undefined)
  assert.deepEqual(slides?.tiles[0], { leg: 'room', stream: 'content', label: 'Meet Alice', x: 0, y: 0, width: 320, height: 180 })
  // The speaker's pip: the last of a row of seven along the bottom, inside the canvas, drawn after (over) the slides.
  const pip = slides?.tiles[1]
  assert.equal(pip?.leg, 'b')
  assert.equal(pip?.stream, undefined)
  assert.ok(pip !== undefined && pip.x > 160 && pip.y > 90 && pip.x + pip.width <= 320 && pip.y + pip.height <= 180 && pip.width < 80)
  assert.equal(slides?.tiles.length, 2)
  // Viewers other than the speaker share the screen; the speaker sees the slides alone; the text screen without content is another.
  assert.equal(screenFor(view, 'c', format, 'room')?.key, slides?.key)
  assert.deepEqual(screenFor(view, 'b', format, 'room')?.tiles.map((t) => t.leg), ['room'])
  assert.notEqual(screenFor(view, 'a', format)?.key, slides?.key)
  assert.notEqual(screenFor(view, 'a', format, 'other-room')?.key, slides?.key)
})

void test('the screen size and rate from the environment', () => {
  assert.deepEqual(parseVideoFormat('320x180@10'), { width: 320, height: 180, fps: 10 })
  assert.deepEqual(parseVideoFormat(' 1280x720@30 '), { width: 1280, height: 720, fps: 30 })
  for (const bad of [undefined, '', '1280x720', '321x180@10', '1280x720@0', '1280x720@90', '16x16@10', 'axb@c']) assert.equal(parseVideoFormat(bad), undefined, String(bad))
})
