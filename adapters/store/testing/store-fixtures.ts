/**
 * Shared by the store's and the management API's specs: a store in a fresh temporary data dir,
 * and resource values decoded the way the API decodes request bodies.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { re2PatternEngine } from '../../regex/re2-pattern-engine.js'
import { ConfigStore } from '../config-store.js'
import type { ConfigStoreOptions, OpenedStore } from '../config-store.js'
import { demoSeed } from '../seed-source.js'

export const temporaryDataDir = (): { readonly dir: string; readonly remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-store-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Opens a store that must open; the demo seed and a fixed password unless told otherwise. */
export const openStore = (dataDir: string, options: Partial<ConfigStoreOptions> = {}): OpenedStore => {
  const opened = ConfigStore.open({ dataDir, engine: re2PatternEngine, seed: demoSeed, generatePassword: () => 'generated-secret', ...options })
  if (E.isLeft(opened)) assert.fail(`the store did not open: ${JSON.stringify(opened.left)}`)
  return opened.right
}

/** A test's data dir and store, both gone when `use` ends. */
export const withStore = async (use: (store: ConfigStore, dataDir: string) => Promise<void> | void, options: Partial<ConfigStoreOptions> = {}): Promise<void> => {
  const data = temporaryDataDir()
  const { store } = openStore(data.dir, options)
  try {
    await use(store, data.dir)
  } finally {
    store.close()
    data.remove()
  }
}

export const decoded = <A>(codec: t.Type<A, unknown, unknown>, json: unknown): A => {
  const result = codec.decode(json)
  if (E.isLeft(result)) assert.fail(`fixture does not decode: ${JSON.stringify(json)}`)
  return result.right
}
