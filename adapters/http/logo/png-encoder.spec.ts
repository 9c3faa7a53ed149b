import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { crc32, encodePng } from './png-encoder.js'
import { readPngChunks, readPngHeader, readRgbaPng } from './png-reader.js'

const image = fc
  .record({ width: fc.integer({ min: 1, max: 12 }), height: fc.integer({ min: 1, max: 12 }) })
  .chain(({ width, height }) =>
    fc.uint8Array({ minLength: width * height * 4, maxLength: width * height * 4 }).map((pixels) => ({ width, height, pixels })),
  )

void test('CRC-32 matches the published check value', () => {
  // The standard check: CRC-32 of ASCII "123456789" is 0xCBF43926.
  assert.equal(crc32(Buffer.from('123456789', 'ascii')), 0xcbf43926)
  // PNG §5.5 example: every IEND chunk ends with AE 42 60 82.
  assert.equal(crc32(Buffer.from('IEND', 'latin1')), 0xae426082)
})

void test('every encoded image reads back pixel for pixel, with a valid header and chunk CRCs', () => {
  fc.assert(
    fc.property(image, (img) => {
      const png = encodePng(img)
      const chunks = readPngChunks(png)
      assert.ok(E.isRight(chunks))
      assert.deepEqual(chunks.right.map((c) => c.type), ['IHDR', 'IDAT', 'IEND'])
      const header = readPngHeader(chunks.right[0]!.data)
      assert.deepEqual(header, { width: img.width, height: img.height, bitDepth: 8, colourType: 6, interlace: 0 })
      const back = readRgbaPng(png)
      assert.ok(E.isRight(back))
      assert.deepEqual(Buffer.from(back.right.pixels), Buffer.from(img.pixels))
    }),
  )
})

void test('a flipped byte is caught by the chunk CRC', () => {
  const png = encodePng({ width: 2, height: 2, pixels: new Uint8Array(16).fill(200) })
  const broken = Buffer.from(png)
  broken[20] = (broken[20] ?? 0) ^ 0x01 // inside IHDR's data
  const read = readPngChunks(broken)
  assert.ok(E.isLeft(read))
  assert.equal(read.left._tag, 'BadChunk')
  assert.deepEqual(readPngChunks(Buffer.from('GIF89a')), E.left({ _tag: 'NotPng' }))
})

void test('a pixel buffer of the wrong size is a bug and throws', () => {
  assert.throws(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(15) }), RangeError)
  assert.throws(() => encodePng({ width: 0, height: 2, pixels: new Uint8Array(0) }), RangeError)
})
