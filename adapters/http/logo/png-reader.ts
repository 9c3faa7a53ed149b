/**
 * Reads back 8-bit RGBA, non-interlaced PNGs (all five row filters, PNG §9), checking the
 * signature and every chunk's CRC. It is the independent check on the encoder and on the
 * committed logo file; the management API can reuse it to vet uploaded avatars.
 */
import { inflateSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { crc32, pngSignature } from './png-encoder.js'
import type { RgbaImage } from './png-encoder.js'

export type PngReadError =
  | { readonly _tag: 'NotPng' }
  | { readonly _tag: 'BadChunk'; readonly offset: number; readonly reason: string }
  | { readonly _tag: 'UnsupportedPng'; readonly reason: string }

export interface PngChunk {
  readonly type: string
  readonly data: Buffer
}

export interface PngHeader {
  readonly width: number
  readonly height: number
  readonly bitDepth: number
  readonly colourType: number
  readonly interlace: number
}

export const readPngChunks = (png: Buffer): E.Either<PngReadError, ReadonlyArray<PngChunk>> => {
  if (png.length < 8 || !png.subarray(0, 8).equals(pngSignature)) return E.left({ _tag: 'NotPng' })
  const chunks: PngChunk[] = []
  let offset = 8
  while (offset < png.length) {
    if (offset + 12 > png.length) return E.left({ _tag: 'BadChunk', offset, reason: 'truncated chunk header' })
    const length = png.readUInt32BE(offset)
    const end = offset + 12 + length
    if (end > png.length) return E.left({ _tag: 'BadChunk', offset, reason: 'chunk runs past the end' })
    const typeAndData = png.subarray(offset + 4, offset + 8 + length)
    if (crc32(typeAndData) !== png.readUInt32BE(offset + 8 + length))
      return E.left({ _tag: 'BadChunk', offset, reason: 'CRC mismatch' })
    chunks.push({ type: typeAndData.subarray(0, 4).toString('latin1'), data: png.subarray(offset + 8, offset + 8 + length) })
    offset = end
  }
  if (chunks[0]?.type !== 'IHDR' || chunks.at(-1)?.type !== 'IEND')
    return E.left({ _tag: 'BadChunk', offset: 8, reason: 'IHDR must come first and IEND last' })
  return E.right(chunks)
}

export const readPngHeader = (ihdr: Buffer): PngHeader => ({
  width: ihdr.readUInt32BE(0),
  height: ihdr.readUInt32BE(4),
  bitDepth: ihdr[8] ?? 0,
  colourType: ihdr[9] ?? 0,
  interlace: ihdr[12] ?? 0,
})

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

const unfilter = (raw: Buffer, width: number, height: number): E.Either<PngReadError, Uint8Array> => {
  const stride = width * 4
  if (raw.length !== (stride + 1) * height)
    return E.left({ _tag: 'UnsupportedPng', reason: `image data holds ${raw.length} bytes, expected ${(stride + 1) * height}` })
  const out = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x] ?? 0
      const left = x >= 4 ? (out[y * stride + x - 4] ?? 0) : 0
      const up = y > 0 ? (out[(y - 1) * stride + x] ?? 0) : 0
      const upLeft = x >= 4 && y > 0 ? (out[(y - 1) * stride + x - 4] ?? 0) : 0
      const predicted =
        filter === 0 ? 0
        : filter === 1 ? left
        : filter === 2 ? up
        : filter === 3 ? (left + up) >>> 1
        : filter === 4 ? paeth(left, up, upLeft)
        : undefined
      if (predicted === undefined) return E.left({ _tag: 'UnsupportedPng', reason: `row ${y} has filter type ${filter}` })
      out[y * stride + x] = (byte + predicted) & 0xff
    }
  }
  return E.right(out)
}

export const readRgbaPng = (png: Buffer): E.Either<PngReadError, RgbaImage> =>
  E.chain((chunks: ReadonlyArray<PngChunk>): E.Either<PngReadError, RgbaImage> => {
    const header = readPngHeader(chunks[0]?.data ?? Buffer.alloc(13))
    if (header.bitDepth !== 8 || header.colourType !== 6 || header.interlace !== 0)
      return E.left({ _tag: 'UnsupportedPng', reason: 'only 8-bit RGBA without interlace is read' })
    let raw: Buffer
    try {
      raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)))
    } catch (e) {
      return E.left({ _tag: 'UnsupportedPng', reason: `image data does not inflate: ${String(e)}` })
    }
    return E.map((pixels: Uint8Array): RgbaImage => ({ width: header.width, height: header.height, pixels }))(
      unfilter(raw, header.width, header.height),
    )
  })(readPngChunks(png))
