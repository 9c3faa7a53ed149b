/**
 * The product logo as served: the committed assets/parley-logo.png (made by write-logo-file.ts,
 * never downloaded) and its SHA-1, the `photo/hash` of the contactCard (PROTOCOLS 1.2). Clients
 * re-fetch a photo only when that hash changes, so it is taken over the served bytes.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const productLogoFile = fileURLToPath(new URL('../../../assets/parley-logo.png', import.meta.url))

export interface Image {
  readonly contentType: 'image/png' | 'image/jpeg'
  readonly bytes: Buffer
  /** SHA-1 of `bytes`, lower-case hex. */
  readonly sha1: string
}

export const sha1Hex = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex')

/** Reads the logo file once; a missing file is a broken checkout, so this throws. */
export const loadProductLogo = (file: string = productLogoFile): Image => {
  const bytes = readFileSync(file)
  return { contentType: 'image/png', bytes, sha1: sha1Hex(bytes) }
}
