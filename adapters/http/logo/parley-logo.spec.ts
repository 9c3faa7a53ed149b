import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { drawParleyLogo } from './parley-logo.js'
import { readRgbaPng } from './png-reader.js'
import { loadProductLogo, productLogoFile, sha1Hex } from './product-logo.js'

const pixelAt = (img: { readonly width: number; readonly pixels: Uint8Array }, x: number, y: number): ReadonlyArray<number> =>
  Array.from(img.pixels.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4))

void test('the committed logo file shows exactly what parley-logo.ts draws (rerun write-logo-file.ts after a change)', () => {
  const committed = readRgbaPng(readFileSync(productLogoFile))
  assert.ok(E.isRight(committed), 'assets/parley-logo.png is a readable RGBA PNG')
  const drawn = drawParleyLogo(96)
  assert.equal(committed.right.width, 96)
  assert.equal(committed.right.height, 96)
  assert.deepEqual(Buffer.from(committed.right.pixels), Buffer.from(drawn.pixels))
})

void test('the drawing: transparent corners, an indigo tile, a white bubble with indigo dots, an amber bubble', () => {
  const logo = drawParleyLogo(96)
  assert.deepEqual(pixelAt(logo, 0, 0), [0, 0, 0, 0])
  assert.deepEqual(pixelAt(logo, 48, 3), [0x2b, 0x3a, 0x8c, 255])
  assert.deepEqual(pixelAt(logo, 33, 30), [255, 255, 255, 255])
  assert.deepEqual(pixelAt(logo, 39, 39), [0x2b, 0x3a, 0x8c, 255])
  assert.deepEqual(pixelAt(logo, 75, 60), [0xf2, 0xb3, 0x3d, 255])
  // Edges are smoothed: some pixels of the tile's corner are partly transparent.
  const alphas = new Set(Array.from({ length: 96 * 96 }, (_, i) => logo.pixels[i * 4 + 3]))
  assert.ok(alphas.size > 3, `expected anti-aliased edges, got alphas ${[...alphas].join(',')}`)
})

void test('the logo hash is the SHA-1 of the served bytes', () => {
  const logo = loadProductLogo()
  assert.equal(logo.contentType, 'image/png')
  assert.match(logo.sha1, /^[0-9a-f]{40}$/)
  assert.equal(logo.sha1, sha1Hex(readFileSync(productLogoFile)))
  assert.equal(sha1Hex(Buffer.from('abc')), 'a9993e364706816aba3e25717850c26c9cd0d89d')
})
