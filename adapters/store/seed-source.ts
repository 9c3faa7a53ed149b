/**
 * What an empty store is seeded from at first start (DESIGN §6): the configuration file given
 * with `--config` / PARLEY_CONFIG, else the demo configuration. Read only when the store is
 * empty, so a later start neither reads nor needs the file.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { demoConfigFile } from '../../core/config/demo-config.js'

export interface SeedSource {
  /** For logs and errors: `the demo configuration`, `/etc/parley.json`. */
  readonly origin: string
  /** The parsed JSON document, or why it could not be read. */
  readonly document: () => E.Either<string, unknown>
}

export const demoSeed: SeedSource = { origin: 'the demo configuration', document: () => E.right(demoConfigFile) }

export const fileSeed = (path: string): SeedSource => ({
  origin: path,
  document: () =>
    E.tryCatch(
      (): unknown => JSON.parse(readFileSync(path, 'utf8')),
      (e) => (e instanceof Error ? e.message : String(e)),
    ),
})
