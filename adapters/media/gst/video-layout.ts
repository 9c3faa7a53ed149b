/**
 * What a leg's screen shows, as geometry: the tiles of a layout (DESIGN §2 "Calls, media and
 * content"; PROTOCOLS 3.7) on a canvas, and the screen a view gives one viewer. Pure, so that it
 * is checked without GStreamer.
 *
 * A screen's `key` names what is on it (layout, legs in their tiles, text). Viewers whose screens
 * have the same key see the same pixels, so the media engine composes and encodes a key once and
 * sends it to all of them (issue 6: one encode per distinct layout).
 */
import type { Layout } from '../../../core/model/call.js'
import { LegId } from '../../../core/model/ids.js'
import { composedTiles } from '../../../core/conference/tiles.js'
import type { WireView } from '../worker/worker-protocol.js'

/** The size and rate every screen is composed and encoded at. */
export interface VideoFormat {
  readonly width: number
  readonly height: number
  readonly fps: number
}

export const defaultVideoFormat: VideoFormat = { width: 1280, height: 720, fps: 30 }

/** `1280x720@30`, as the worker's environment gives it. */
export const parseVideoFormat = (text: string | undefined): VideoFormat | undefined => {
  const match = /^(\d+)x(\d+)@(\d+)$/.exec(text?.trim() ?? '')
  if (match === null) return undefined
  const [width, height, fps] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (width < 64 || height < 36 || width % 2 !== 0 || height % 2 !== 0 || fps < 1 || fps > 60) return undefined
  return { width, height, fps }
}

export interface Rect {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export interface Tile extends Rect {
  readonly leg: string
  /** What of the leg the tile shows: its camera (absent) or its content stream (BFCP slides). */
  readonly stream?: 'content'
  /** The name drawn on the tile, when it is not the leg's own (content: the presenter as the view names it). */
  readonly label?: string
}

export interface Screen {
  readonly key: string
  readonly tiles: ReadonlyArray<Tile>
  /** Centred text over the picture (splash screens, "X is presenting"). */
  readonly text?: string
}

/** I420 needs even sizes and offsets (chroma is subsampled 2x2). */
const even = (n: number): number => 2 * Math.floor(n / 2)
const rect = (x: number, y: number, width: number, height: number): Rect => ({ x: even(x), y: even(y), width: even(width), height: even(height) })

/** `columns` x `rows` equal cells filling `area`, row by row. */
const grid = (area: Rect, columns: number, rows: number): Rect[] => {
  const cells: Rect[] = []
  const w = area.width / columns
  const h = area.height / rows
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) cells.push(rect(area.x + c * w, area.y + r * h, w, h))
  return cells
}

/**
 * `rows` rows of `perRow` pips along the bottom of the canvas, over the main picture(s) as Pexip
 * draws them: each pip an eighth of the width at the canvas's aspect, with a small margin.
 */
const pipRows = (width: number, height: number, perRow: number, rows: number): Rect[] => {
  const margin = width / 64
  const pipWidth = Math.min(width / 8, (width - margin * (perRow + 1)) / perRow)
  const pipHeight = (pipWidth * height) / width
  const left = (width - perRow * pipWidth - (perRow - 1) * margin) / 2
  const pips: Rect[] = []
  for (let r = 0; r < rows; r++) {
    const y = height - margin - (rows - r) * pipHeight - (rows - r - 1) * margin
    for (let c = 0; c < perRow; c++) pips.push(rect(left + c * (pipWidth + margin), y, pipWidth, pipHeight))
  }
  return pips
}

/** Every slot of a layout, main picture(s) first, in the order the speaker list fills them. */
export const layoutSlots = (layout: Layout, width: number, height: number): ReadonlyArray<Rect> => {
  const canvas: Rect = { x: 0, y: 0, width, height }
  switch (layout) {
    case 'one_main_zero_pips':
      return [rect(0, 0, width, height)]
    case 'one_main_seven_pips':
      return [rect(0, 0, width, height), ...pipRows(width, height, 7, 1)]
    case 'one_main_twentyone_pips':
      return [rect(0, 0, width, height), ...pipRows(width, height, 7, 3)]
    case 'two_mains_twentyone_pips':
      return [...grid({ x: 0, y: height / 4, width, height: height / 2 }, 2, 1), ...pipRows(width, height, 7, 3)]
    case 'four_mains_zero_pips':
      return grid(canvas, 2, 2)
    case 'nine_mains_zero_pips':
      return grid(canvas, 3, 3)
    case 'sixteen_mains_zero_pips':
      return grid(canvas, 4, 4)
    case 'twentyfive_mains_zero_pips':
      return grid(canvas, 5, 5)
    case 'five_mains_seven_pips':
      // Adaptive composition: two large over three smaller mains, a row of seven pips below.
      return [
        ...grid({ x: 0, y: 0, width, height: height * 0.45 }, 2, 1),
        ...grid({ x: width / 6, y: height * 0.45, width: (width * 2) / 3, height: height * 0.3 }, 3, 1),
        ...pipRows(width, height, 7, 1),
      ]
  }
}

/** What splash screens say (the guide's wording for the IVR screens). */
export const splashText: Readonly<Record<Extract<WireView, { _tag: 'Splash' }>['screen'], string>> = {
  'pin-entry': 'Please enter the conference PIN followed by #',
  'waiting-for-host': 'Waiting for the host',
  'invalid-pin': 'That PIN is not valid',
  'conference-ending': 'The conference is ending',
}

const fill = (legs: ReadonlyArray<string>, slots: ReadonlyArray<Rect>): Tile[] => legs.slice(0, slots.length).map((leg, i) => ({ leg, ...slots[i]! }))

/**
 * The screen `viewer` sees for `view`, or undefined for no video at all. `content` is the leg whose
 * content stream the viewer's conference shows (the floor holder with a decoded content stream).
 */
export const screenFor = (view: WireView, viewer: string, format: VideoFormat, content?: string): Screen | undefined => {
  const { width, height } = format
  switch (view._tag) {
    case 'NoVideo':
      return undefined
    case 'Splash':
      return { key: `splash:${view.screen}`, tiles: [], text: splashText[view.screen] }
    case 'SelfView':
      return { key: `self:${viewer}`, tiles: [{ leg: viewer, ...rect(0, 0, width, height) }] }
    case 'Composed': {
      // The same rule as the core and the simulator: the first tiles other than the viewer.
      const legs = composedTiles({ layout: view.layout, participants: view.participants.map(LegId) }, LegId(viewer))
      return { key: `composed:${view.layout}:${JSON.stringify(legs)}`, tiles: fill(legs, layoutSlots(view.layout, width, height)) }
    }
    case 'Content': {
      // DESIGN §2: content main, the active speaker small (the last pip, bottom right), drawn over it.
      const speaker = view.speaker !== undefined && view.speaker !== viewer ? [view.speaker] : []
      const pip = pipRows(width, height, 7, 1)[6]!
      const speakerTiles = fill(speaker, [pip])
      // No content stream to show (a presenter without one, e.g. SfB RDP): the presenter's name instead.
      if (content === undefined) return { key: `content:${JSON.stringify([view.presenter, ...speaker])}`, tiles: speakerTiles, text: `${view.presenter} is presenting` }
      const main: Tile = { leg: content, stream: 'content', label: view.presenter, ...rect(0, 0, width, height) }
      return { key: `content:${JSON.stringify([view.presenter, content, ...speaker])}:slides`, tiles: [main, ...speakerTiles] }
    }
  }
}
