/**
 * The `parley` command line (DESIGN §6): `serve [--config FILE]`, `config check FILE`,
 * `config export [--config FILE]`, `config import FILE`. Returns the exit code: 0 done,
 * 1 invalid input (environment, configuration, TLS pair) or failure to start, 2 bad usage.
 * This is the one place that writes to the terminal directly; the node itself logs via pino.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import type { NetworkInterfaceInfo } from 'node:os'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import type { NodeConfig } from '../../../core/config/model.js'
import { re2PatternEngine } from '../../regex/re2-pattern-engine.js'
import { storeFileName } from '../../store/config-store.js'
import type { ConfigStore, OpenedStore } from '../../store/config-store.js'
import {
  chooseSeed,
  formatConfigLoadError,
  formatStoreOpenError,
  loadConfig,
  openConfigStore,
  readConfigFile,
  seedSource,
  validateConfig,
} from '../config-source.js'
import type { ConfigOrigin } from '../config-source.js'
import { decodeEnvironment, formatEnvironmentError } from '../env.js'
import type { Environment } from '../env.js'

export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly networkInterfaces: () => NodeJS.Dict<ReadonlyArray<NetworkInterfaceInfo>>
  readonly uptime: () => number
  /**
   * Starts listening for a stop request (SIGINT/SIGTERM) and resolves with its name; `serve`
   * calls it before starting anything, so that a signal during start-up still stops cleanly.
   */
  readonly stopRequested: () => Promise<string>
}

export const usage = `usage:
  parley serve [--config FILE]      start a node; its configuration is the store in the data dir,
                                    which an empty data dir seeds from --config FILE,
                                    PARLEY_CONFIG, else the demo configuration
  parley config check FILE          validate a configuration file; problems are listed with
                                    their paths; exit 1 when invalid
  parley config export [--config FILE]
                                    print the stored configuration as a file (with an empty
                                    data dir: what serve would seed it with)
  parley config import FILE         validate FILE and make it the stored configuration, all or
                                    nothing; a running node applies it within a second
environment: PARLEY_BIND, PARLEY_SIP_PORT, PARLEY_SIPS_PORT, PARLEY_HTTP_BIND, PARLEY_HTTP_PORT,
  PARLEY_PUBLIC_HOST, PARLEY_DATA_DIR, PARLEY_CONFIG, PARLEY_ADMIN_PASSWORD, PARLEY_LOG_LEVEL,
  PARLEY_TLS_CERT, PARLEY_TLS_KEY (see DESIGN §6); PARLEY_MEDIA=gst (default: the
  GStreamer media worker) or loopback (signalling only)
`

const summary = (config: NodeConfig): string => {
  const aliases = config.vmrs.reduce((n, v) => n + v.aliases.length, 0)
  return `${config.vmrs.length} conferences, ${aliases} aliases, ${config.adps.length} automatic participants, ${config.rules.length} gateway rules`
}

/** The one line that shows a generated admin password; it is never shown again. */
export const adminPasswordLine = (password: string): string =>
  `parley: the admin password (user "admin") is ${password} — shown this once; only its hash is stored (set PARLEY_ADMIN_PASSWORD to replace it)\n`

const withEnvironment = (io: CliIo, run: (env: Environment) => Promise<number>): Promise<number> => {
  const decoded = decodeEnvironment(io.env, { cwd: io.cwd, networkInterfaces: io.networkInterfaces })
  if (E.isLeft(decoded)) {
    io.stderr(`parley: invalid environment:\n${formatEnvironmentError(decoded.left).replace(/^/gm, '  ')}\n`)
    return Promise.resolve(1)
  }
  return run(decoded.right)
}

/** The live node's engine, so that `check` and `import` accept exactly what `serve` will. */
const engine = re2PatternEngine

const configCheck = async (io: CliIo, file: string): Promise<number> => {
  const path = resolve(io.cwd, file)
  const loaded = await loadConfig({ _tag: 'File', path, via: 'argument' }, engine)()
  if (E.isLeft(loaded)) {
    io.stdout(`${formatConfigLoadError(loaded.left)}\n`)
    return 1
  }
  io.stdout(`${path}: valid (${summary(loaded.right.config)})\n`)
  return 0
}

/** Opens the store, shows a password it generated, runs `use`, and closes it whatever happens. */
const withStore = async (
  io: CliIo,
  open: () => E.Either<Parameters<typeof formatStoreOpenError>[0], OpenedStore>,
  use: (opened: OpenedStore) => number,
): Promise<number> => {
  const opened = open()
  if (E.isLeft(opened)) {
    io.stderr(`parley: ${formatStoreOpenError(opened.left)}\n`)
    return 1
  }
  if (opened.right.adminPassword._tag === 'Generated') io.stderr(adminPasswordLine(opened.right.adminPassword.password))
  try {
    return use(opened.right)
  } finally {
    opened.right.store.close()
  }
}

const printDocument = (io: CliIo, store: ConfigStore): number => {
  io.stdout(`${JSON.stringify(store.exportConfigFile(), null, 2)}\n`)
  return 0
}

const configExport = (io: CliIo, flag: string | undefined): Promise<number> =>
  withEnvironment(io, async (env) => {
    const seed = chooseSeed({ ...(flag === undefined ? {} : { flag: resolve(io.cwd, flag) }), ...(env.configFile === undefined ? {} : { envFile: env.configFile }), dataDir: env.dataDir })
    if (existsSync(join(env.dataDir, storeFileName)))
      return withStore(io, () => openConfigStore({ dataDir: env.dataDir, seed: seedSource(seed), engine }), (opened) => printDocument(io, opened.store))
    // Nothing stored yet: what serve would seed the store with, in the store's own shape (ids,
    // resource URIs), from a throwaway store, so that exporting creates nothing in the data dir.
    const scratch = mkdtempSync(join(tmpdir(), 'parley-export-'))
    try {
      return await withStore(
        io,
        () => openConfigStore({ dataDir: scratch, seed: seedSource(seed), engine, adminPassword: randomBytes(16).toString('hex') }),
        (opened) => printDocument(io, opened.store),
      )
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

const configImport = (io: CliIo, file: string): Promise<number> =>
  withEnvironment(io, async (env) => {
    const path = resolve(io.cwd, file)
    const origin: ConfigOrigin = { _tag: 'File', path, via: 'argument' }
    const refuse = (text: string): number => {
      io.stderr(`parley: ${text}\nnothing was imported\n`)
      return 1
    }
    const document = readConfigFile(path)
    if (E.isLeft(document)) return refuse(formatConfigLoadError(document.left))
    // Checked first as a file, so that problems are reported with the file's own paths.
    const valid = validateConfig(document.right, origin, engine)
    if (E.isLeft(valid)) return refuse(formatConfigLoadError(valid.left))
    return withStore(
      io,
      () =>
        openConfigStore({
          dataDir: env.dataDir,
          seed: seedSource(origin, document.right),
          engine,
          ...(env.adminPassword === undefined ? {} : { adminPassword: env.adminPassword }),
        }),
      ({ store, seededFrom }) => {
        if (seededFrom === undefined) {
          const imported = store.importConfigFile(document.right)
          if (E.isLeft(imported))
            return refuse(
              imported.left._tag === 'Rejected'
                ? formatConfigLoadError({ _tag: 'ConfigInvalid', origin, problems: imported.left.problems })
                : `the configuration store failed: ${imported.left.reason}`,
            )
        }
        io.stdout(`imported ${path} into ${store.file}: ${summary(store.loadNodeConfig())}\na running node applies it within a second\n`)
        return 0
      },
    )
  })

const serveCommand = async (io: CliIo, flag: string | undefined): Promise<number> => {
  const stop = io.stopRequested()
  // Loaded here so that the config commands start without the server's libraries.
  const { formatServeError, serve } = await import('../serve.js')
  const running = await serve({
    ...(flag === undefined ? {} : { configFlag: resolve(io.cwd, flag) }),
    env: io.env,
    cwd: io.cwd,
    networkInterfaces: io.networkInterfaces,
    assembly: 'live',
    uptime: io.uptime,
    adminPasswordGenerated: (password) => io.stderr(adminPasswordLine(password)),
  })
  if (E.isLeft(running)) {
    io.stderr(`parley: ${formatServeError(running.left)}\nnothing was started\n`)
    return 1
  }
  const signal = await stop
  running.right.logger.info({ signal }, 'stop requested')
  await running.right.stop()
  return 0
}

export const runCli = async (args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(args)
  } catch (e) {
    io.stderr(`parley: ${e instanceof Error ? e.message : String(e)}\n${usage}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, sub, file, ...extra] = positionals
  if (values.help === true) {
    io.stdout(usage)
    return 0
  }
  const bad = (why: string): number => {
    io.stderr(`parley: ${why}\n${usage}`)
    return 2
  }
  if (command === 'serve' && sub === undefined) return serveCommand(io, values.config)
  if (command === 'config') {
    if (sub === 'check' && file !== undefined && extra.length === 0 && values.config === undefined) return configCheck(io, file)
    if (sub === 'export' && file === undefined) return configExport(io, values.config)
    if (sub === 'import' && file !== undefined && extra.length === 0 && values.config === undefined) return configImport(io, file)
    return bad(`unknown or incomplete command: config ${[sub, file, ...extra].filter((s) => s !== undefined).join(' ')}`)
  }
  return bad(command === undefined ? 'no command given' : `unknown command: ${positionals.join(' ')}`)
}

const parse = (args: ReadonlyArray<string>) =>
  parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
