/**
 * Where the node's configuration comes from (DESIGN §6): the configuration store in the data dir
 * (`<PARLEY_DATA_DIR>/parley.db`, adapters/store/). At first start, with an empty data dir, the
 * store is seeded from `--config FILE`, else PARLEY_CONFIG, else a `<data dir>/config.json` left
 * by the interim `parley config import` of earlier versions, else the demo configuration; later
 * starts keep the store and ignore the file unless `parley config import` is run
 * (docs/decisions/0005-configuration-store-replaces-interim-sources.md).
 *
 * A configuration file (`config check`, a seed, an import) is decoded (`decodeConfigFile`) and
 * compiled with the RE2 engine (`compileConfig`) before it is used, and every problem is
 * reported with its path.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Logger } from 'pino'
import { decodeConfigFile } from '../../core/config/codecs.js'
import type { ConfigError } from '../../core/config/codecs.js'
import { compileConfig } from '../../core/config/compile.js'
import type { CompiledConfig } from '../../core/config/compiled.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import type { NodeConfig } from '../../core/config/model.js'
import type { PatternEngine } from '../../core/ports/pattern-engine.js'
import { ConfigStore } from '../store/config-store.js'
import type { OpenedStore, StoreOpenError } from '../store/config-store.js'
import { demoSeed } from '../store/seed-source.js'
import type { SeedSource } from '../store/seed-source.js'

export type ConfigOrigin =
  | { readonly _tag: 'File'; readonly path: string; readonly via: '--config' | 'PARLEY_CONFIG' | 'argument' | 'interim import' }
  | { readonly _tag: 'Demo' }

export interface ConfigProblem {
  /** Where in the document, e.g. `conference[0].pin` or `gateway_routing_rule[2].match_string`. */
  readonly path: string
  readonly message: string
}

export type ConfigLoadError =
  | { readonly _tag: 'ConfigFileUnreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'ConfigFileNotJson'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'ConfigInvalid'; readonly origin: ConfigOrigin; readonly problems: ReadonlyArray<ConfigProblem> }

export interface LoadedConfig {
  readonly origin: ConfigOrigin
  /** The document as read. */
  readonly file: unknown
  readonly config: NodeConfig
  readonly compiled: CompiledConfig
}

/** Where the interim `parley config import` (before the store) left its file. */
export const interimImportPath = (dataDir: string): string => join(dataDir, 'config.json')

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export const describeOrigin = (origin: ConfigOrigin): string => {
  switch (origin._tag) {
    case 'File':
      return origin.via === 'argument' ? origin.path : `${origin.path} (${origin.via})`
    case 'Demo':
      return 'the demo configuration'
  }
}

const configProblems = (error: ConfigError): ReadonlyArray<ConfigProblem> => error.problems

/** Decodes and compiles a configuration document; nothing is started on failure. */
export const validateConfig = (file: unknown, origin: ConfigOrigin, engine: PatternEngine): E.Either<ConfigLoadError, LoadedConfig> =>
  pipe(
    decodeConfigFile(file),
    E.chain((config) => E.map((compiled: CompiledConfig) => ({ config, compiled }))(compileConfig(config, engine))),
    E.bimap(
      (error): ConfigLoadError => ({ _tag: 'ConfigInvalid', origin, problems: configProblems(error) }),
      ({ config, compiled }): LoadedConfig => ({ origin, file, config, compiled }),
    ),
  )

const parseJson = (path: string, text: string): E.Either<ConfigLoadError, unknown> =>
  E.tryCatch(
    (): unknown => JSON.parse(text),
    (e): ConfigLoadError => ({ _tag: 'ConfigFileNotJson', path, reason: reasonOf(e) }),
  )

/** Reads and parses a JSON document; a missing file, unreadable file or bad JSON is an error. */
export const readConfigFile = (path: string): E.Either<ConfigLoadError, unknown> =>
  pipe(
    E.tryCatch(
      () => readFileSync(path, 'utf8'),
      (e): ConfigLoadError => ({ _tag: 'ConfigFileUnreadable', path, reason: reasonOf(e) }),
    ),
    E.chain((text) => parseJson(path, text)),
  )

export const loadConfig = (origin: ConfigOrigin, engine: PatternEngine): TE.TaskEither<ConfigLoadError, LoadedConfig> =>
  TE.fromEither(
    pipe(
      origin._tag === 'Demo' ? E.right<ConfigLoadError, unknown>(demoConfigFile) : readConfigFile(origin.path),
      E.chain((file) => validateConfig(file, origin, engine)),
    ),
  )

export interface SeedChoice {
  /** `--config FILE` on the command line (absolute). */
  readonly flag?: string
  /** PARLEY_CONFIG (absolute). */
  readonly envFile?: string
  readonly dataDir: string
}

/** What an empty store is seeded from, by precedence: --config, PARLEY_CONFIG, the interim import, the demo. */
export const chooseSeed = (choice: SeedChoice): ConfigOrigin => {
  if (choice.flag !== undefined) return { _tag: 'File', path: choice.flag, via: '--config' }
  if (choice.envFile !== undefined) return { _tag: 'File', path: choice.envFile, via: 'PARLEY_CONFIG' }
  const interim = interimImportPath(choice.dataDir)
  if (existsSync(interim)) return { _tag: 'File', path: interim, via: 'interim import' }
  return { _tag: 'Demo' }
}

/** The store's seed for an origin; its `origin` text is how errors and logs name it. */
export const seedSource = (origin: ConfigOrigin, document?: unknown): SeedSource => {
  if (origin._tag === 'Demo') return demoSeed
  const name = describeOrigin(origin)
  if (document !== undefined) return { origin: name, document: () => E.right(document) }
  return {
    origin: name,
    document: () =>
      E.mapLeft((error: ConfigLoadError) => (error._tag === 'ConfigFileNotJson' ? `not JSON: ${error.reason}` : formatConfigLoadError(error).replace(`${origin.path}: `, '')))(
        readConfigFile(origin.path),
      ),
  }
}

export interface StoreChoice {
  readonly dataDir: string
  readonly seed: SeedSource
  readonly engine: PatternEngine
  readonly adminPassword?: string
  readonly logger?: Logger
}

/** Opens (creating, migrating and, when empty, seeding) the store in the data dir. */
export const openConfigStore = (choice: StoreChoice): E.Either<StoreOpenError, OpenedStore> =>
  ConfigStore.open({
    dataDir: choice.dataDir,
    engine: choice.engine,
    seed: choice.seed,
    ...(choice.logger === undefined ? {} : { logger: choice.logger }),
    ...(choice.adminPassword === undefined ? {} : { adminPassword: choice.adminPassword }),
  })

const problemLines = (header: string, problems: ReadonlyArray<ConfigProblem>): string =>
  [
    `${header} (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
    ...problems.map((p) => `  ${p.path === '' ? '(document)' : p.path}: ${p.message}`),
  ].join('\n')

/** For a terminal: one line per problem, each with its path. */
export const formatConfigLoadError = (error: ConfigLoadError): string => {
  switch (error._tag) {
    case 'ConfigFileUnreadable':
      return `${error.path}: cannot read: ${error.reason}`
    case 'ConfigFileNotJson':
      return `${error.path}: not JSON: ${error.reason}`
    case 'ConfigInvalid':
      return problemLines(`${describeOrigin(error.origin)}: invalid configuration`, error.problems)
  }
}

export const formatStoreOpenError = (error: StoreOpenError): string => {
  switch (error._tag) {
    case 'StoreUnavailable':
      return `${error.file}: the configuration store cannot be opened: ${error.reason}`
    case 'SchemaTooNew':
      return `${error.file}: written by a newer Parley (schema ${error.found}; this one knows up to ${error.supported}); nothing was changed`
    case 'SeedUnreadable':
      return `${error.origin}: ${error.reason}`
    case 'SeedInvalid':
      return problemLines(`${error.origin}: invalid configuration`, error.problems)
    case 'StoredConfigInvalid':
      return problemLines(`${error.file}: the stored configuration does not load`, error.problems)
  }
}
