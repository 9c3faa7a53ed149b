/**
 * An uploaded VMR avatar (DESIGN §6 "Avatars": a PNG or JPEG) is recognised by its bytes, not by
 * the Content-Type it came with: a PNG must be whole (signature, chunks with good CRCs, IHDR
 * first, IEND last; PNG §5), a JPEG must start with SOI followed by a marker and end with EOI
 * (ITU T.81 B.1.1.2). What is stored is exactly what SfB clients will be sent.
 */
import * as E from 'fp-ts/lib/Either.js'
import { readPngChunks, readPngHeader } from '../logo/png-reader.js'

/** Large enough for any contact photo (SfB shows 96x96 and 648x648), small enough to serve often. */
export const maxAvatarBytes = 1024 * 1024

export type ImageType = 'image/png' | 'image/jpeg'

const describePngProblem = (png: Buffer): string | undefined => {
  const chunks = readPngChunks(png)
  if (E.isLeft(chunks)) return chunks.left._tag === 'BadChunk' ? `the PNG is damaged: ${chunks.left.reason}` : 'not a PNG'
  const ihdr = chunks.right[0]?.data
  if (ihdr === undefined || ihdr.length !== 13) return 'the PNG header (IHDR) is malformed'
  const header = readPngHeader(ihdr)
  if (header.width === 0 || header.height === 0) return 'the PNG has no pixels'
  return undefined
}

export const recogniseAvatar = (bytes: Buffer): E.Either<string, ImageType> => {
  if (bytes.length === 0) return E.left('the body is empty; send the PNG or JPEG image itself')
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes.subarray(1, 4).toString('latin1') === 'PNG') {
    const problem = describePngProblem(bytes)
    return problem === undefined ? E.right('image/png') : E.left(problem)
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const ends = bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9
    return ends ? E.right('image/jpeg') : E.left('the JPEG is truncated (no end-of-image marker)')
  }
  return E.left('expected a PNG or JPEG image')
}
