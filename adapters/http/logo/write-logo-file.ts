/**
 * Writes assets/parley-logo.png from the drawing in parley-logo.ts. The committed file is what
 * the node serves, so its bytes (and the contactCard `photo/hash` clients cache it by, PROTOCOLS 1.2)
 * stay the same across Node and zlib versions; parley-logo.spec.ts checks it still shows the
 * drawing. Run: `node --import tsx adapters/http/logo/write-logo-file.ts`.
 */
import { writeFileSync } from 'node:fs'
import { encodePng } from './png-encoder.js'
import { drawParleyLogo } from './parley-logo.js'
import { productLogoFile } from './product-logo.js'

writeFileSync(productLogoFile, encodePng(drawParleyLogo(96)))
