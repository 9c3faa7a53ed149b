/**
 * Where the node's configuration comes from, until the configuration store exists (DESIGN §6):
 * `--config FILE`, else PARLEY_CONFIG, else the file `parley config import` left in the data dir
 * (`<data dir>/config.json`), else the demo configuration. Whatever the source, the document is
 * decoded (`decodeConfigFile`) and compiled with the RE2 engine (`compileConfig`) before anything
 * starts, and every problem is reported with its path.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeConfigFile } from '../../core/config/codecs.js'
import type { ConfigError } from '../../core/config/codecs.js'
import { compileConfig } from '../../core/config/compile.js'
import type { CompiledConfig } from '../../core/config/compiled.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import type { NodeConfig } from '../../core/config/model.js'
import type { PatternEngine } from '../../core/ports/pattern-engine.js'

export type ConfigOrigin =
  | { readonly _tag: 'File'; readonly path: string; readonly via: '--config' | 'PARLEY_CONFIG' | 'argument' }
  | { readonly _tag: 'Imported'; readonly path: string }
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
  | { readonly _tag: 'ConfigWriteFailed'; readonly path: string; readonly reason: string }

export interface LoadedConfig {
  readonly origin: ConfigOrigin
  /** The document as read: what `config import` stores. */
  readonly file: unknown
  readonly config: NodeConfig
  readonly compiled: CompiledConfig
}

export const importedConfigPath = (dataDir: string): string => join(dataDir, 'config.json')

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export const describeOrigin = (origin: ConfigOrigin): string => {
  switch (origin._tag) {
    case 'File':
      return origin.via === 'argument' ? origin.path : `${origin.path} (${origin.via})`
    case 'Imported':
      return `${origin.path} (imported)`
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

/** Reads and parses a JSON document; a missing file, unreadable file or bad JSON is an error. */
export const readConfigFile = (path: string): TE.TaskEither<ConfigLoadError, unknown> =>
  pipe(
    TE.tryCatch(
      () => readFile(path, 'utf8'),
      (e): ConfigLoadError => ({ _tag: 'ConfigFileUnreadable', path, reason: reasonOf(e) }),
    ),
    TE.chainEitherK((text) =>
      E.tryCatch(
        (): unknown => JSON.parse(text),
        (e): ConfigLoadError => ({ _tag: 'ConfigFileNotJson', path, reason: reasonOf(e) }),
      ),
    ),
  )

const exists = (path: string): Promise<boolean> =>
  readFile(path).then(
    () => true,
    () => false,
  )

export interface ConfigChoice {
  /** `--config FILE` on the command line (absolute). */
  readonly flag?: string
  /** PARLEY_CONFIG (absolute). */
  readonly envFile?: string
  readonly dataDir: string
}

/** The source by precedence: --config, PARLEY_CONFIG, the imported file, the demo. */
export const chooseConfigOrigin = (choice: ConfigChoice): TE.TaskEither<never, ConfigOrigin> => async () => {
  if (choice.flag !== undefined) return E.right({ _tag: 'File', path: choice.flag, via: '--config' })
  if (choice.envFile !== undefined) return E.right({ _tag: 'File', path: choice.envFile, via: 'PARLEY_CONFIG' })
  const imported = importedConfigPath(choice.dataDir)
  if (await exists(imported)) return E.right({ _tag: 'Imported', path: imported })
  return E.right({ _tag: 'Demo' })
}

export const loadConfig = (origin: ConfigOrigin, engine: PatternEngine): TE.TaskEither<ConfigLoadError, LoadedConfig> =>
  pipe(
    origin._tag === 'Demo' ? TE.right<ConfigLoadError, unknown>(demoConfigFile) : readConfigFile(origin.path),
    TE.chainEitherK((file) => validateConfig(file, origin, engine)),
  )

/** The effective configuration, as `serve` and `config export` see it. */
export const loadEffectiveConfig = (choice: ConfigChoice, engine: PatternEngine): TE.TaskEither<ConfigLoadError, LoadedConfig> =>
  pipe(
    chooseConfigOrigin(choice),
    TE.chain((origin) => loadConfig(origin, engine)),
  )

/**
 * `parley config import FILE`: validates the file, then writes it (pretty-printed) to
 * `<data dir>/config.json`, which later starts load when no --config / PARLEY_CONFIG is given.
 */
export const importConfig = (path: string, dataDir: string, engine: PatternEngine): TE.TaskEither<ConfigLoadError, LoadedConfig> => {
  const target = importedConfigPath(dataDir)
  return pipe(
    loadConfig({ _tag: 'File', path, via: 'argument' }, engine),
    TE.chainFirst((loaded) =>
      TE.tryCatch(
        async () => {
          await mkdir(dirname(target), { recursive: true })
          await writeFile(`${target}.tmp`, `${JSON.stringify(loaded.file, null, 2)}\n`)
          await rename(`${target}.tmp`, target)
        },
        (e): ConfigLoadError => ({ _tag: 'ConfigWriteFailed', path: target, reason: reasonOf(e) }),
      ),
    ),
    TE.map((loaded): LoadedConfig => ({ ...loaded, origin: { _tag: 'Imported', path: target } })),
  )
}

/** For a terminal: one line per problem, each with its path. */
export const formatConfigLoadError = (error: ConfigLoadError): string => {
  switch (error._tag) {
    case 'ConfigFileUnreadable':
      return `${error.path}: cannot read: ${error.reason}`
    case 'ConfigFileNotJson':
      return `${error.path}: not JSON: ${error.reason}`
    case 'ConfigWriteFailed':
      return `${error.path}: cannot write: ${error.reason}`
    case 'ConfigInvalid':
      return [
        `${describeOrigin(error.origin)}: invalid configuration (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'})`,
        ...error.problems.map((p) => `  ${p.path === '' ? '(document)' : p.path}: ${p.message}`),
      ].join('\n')
  }
}
