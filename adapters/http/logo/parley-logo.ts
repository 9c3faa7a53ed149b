/**
 * The product logo (DESIGN §2 "avatar ... default the product logo"): two overlapping speech
 * bubbles — a parley — on an indigo tile, the front one holding three dots. Drawn here from
 * shapes with 4x4 supersampling so the edges are smooth at 96x96, the size SfB shows a contact
 * picture at. `write-logo-file.ts` writes it to assets/parley-logo.png, which the node serves.
 */
import type { RgbaImage } from './png-encoder.js'

type Rgb = readonly [number, number, number]
type Inside = (x: number, y: number) => boolean

interface Layer {
  readonly colour: Rgb
  readonly inside: Inside
}

const indigo: Rgb = [0x2b, 0x3a, 0x8c]
const amber: Rgb = [0xf2, 0xb3, 0x3d]
const white: Rgb = [0xff, 0xff, 0xff]

/** Shapes in a 96-unit square; the drawing scales to any size. */
const roundedRect =
  (cx: number, cy: number, halfWidth: number, halfHeight: number, radius: number): Inside =>
  (x, y) => {
    const qx = Math.abs(x - cx) - halfWidth + radius
    const qy = Math.abs(y - cy) - halfHeight + radius
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius <= 0
  }

const circle =
  (cx: number, cy: number, r: number): Inside =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r

const triangle = (a: readonly [number, number], b: readonly [number, number], c: readonly [number, number]): Inside => {
  const side = (p: readonly [number, number], q: readonly [number, number], x: number, y: number): number =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])
  return (x, y) => {
    const d1 = side(a, b, x, y)
    const d2 = side(b, c, x, y)
    const d3 = side(c, a, x, y)
    return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0)
  }
}

const union =
  (...shapes: ReadonlyArray<Inside>): Inside =>
  (x, y) =>
    shapes.some((s) => s(x, y))

/** Back to front. */
const layers: ReadonlyArray<Layer> = [
  { colour: indigo, inside: roundedRect(48, 48, 48, 48, 20) },
  { colour: amber, inside: union(roundedRect(58, 53, 27, 18, 12), triangle([64, 66], [78, 66], [82, 81])) },
  { colour: white, inside: union(roundedRect(39, 39, 28, 19, 13), triangle([22, 50], [36, 52], [16, 66])) },
  { colour: indigo, inside: union(circle(27, 39, 4.5), circle(39, 39, 4.5), circle(51, 39, 4.5)) },
]

const samplesPerAxis = 4

/** The logo as RGBA pixels, `size` by `size`; transparent outside the tile's rounded corners. */
export const drawParleyLogo = (size = 96): RgbaImage => {
  const pixels = new Uint8Array(size * size * 4)
  const scale = 96 / size
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // Premultiplied accumulation over the subsamples, each composited back to front ("over").
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < samplesPerAxis; sy++) {
        for (let sx = 0; sx < samplesPerAxis; sx++) {
          const x = (px + (sx + 0.5) / samplesPerAxis) * scale
          const y = (py + (sy + 0.5) / samplesPerAxis) * scale
          let top: Rgb | undefined
          for (const layer of layers) if (layer.inside(x, y)) top = layer.colour
          if (top !== undefined) {
            r += top[0]
            g += top[1]
            b += top[2]
            a += 1
          }
        }
      }
      const o = (py * size + px) * 4
      if (a > 0) {
        pixels[o] = Math.round(r / a)
        pixels[o + 1] = Math.round(g / a)
        pixels[o + 2] = Math.round(b / a)
        pixels[o + 3] = Math.round((255 * a) / samplesPerAxis ** 2)
      }
    }
  }
  return { width: size, height: size, pixels }
}
