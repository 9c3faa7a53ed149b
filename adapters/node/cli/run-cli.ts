/**
 * The `parley` command line (DESIGN §6): `serve [--config FILE]`, `config check FILE`,
 * `config export [--config FILE]`, `config import FILE`. Returns the exit code: 0 done,
 * 1 invalid input (environment, configuration, TLS pair) or failure to start, 2 bad usage.
 * This is the one place that writes to the terminal directly; the node itself logs via pino.
 */
import type { NetworkInterfaceInfo } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { encodeConfigFile } from '../../../core/config/codecs.js'
import { re2PatternEngine } from '../../regex/re2-pattern-engine.js'
import { describeOrigin, formatConfigLoadError, importConfig, loadConfig, loadEffectiveConfig } from '../config-source.js'
import type { LoadedConfig } from '../config-source.js'
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
  parley serve [--config FILE]      start a node (configuration: --config, PARLEY_CONFIG,
                                    the imported <data dir>/config.json, else the demo)
  parley config check FILE          validate a configuration file; problems are listed with
                                    their paths; exit 1 when invalid
  parley config export [--config FILE]
                                    print the configuration serve would use, as a file
  parley config import FILE         validate FILE and store it as <data dir>/config.json, which
                                    serve loads when neither --config nor PARLEY_CONFIG is given
environment: PARLEY_BIND, PARLEY_SIP_PORT, PARLEY_SIPS_PORT, PARLEY_HTTP_BIND, PARLEY_HTTP_PORT,
  PARLEY_PUBLIC_HOST, PARLEY_DATA_DIR, PARLEY_CONFIG, PARLEY_ADMIN_PASSWORD, PARLEY_LOG_LEVEL,
  PARLEY_TLS_CERT, PARLEY_TLS_KEY (see DESIGN §6)
`

const summary = (loaded: LoadedConfig): string => {
  const { config } = loaded
  const aliases = config.vmrs.reduce((n, v) => n + v.aliases.length, 0)
  return `${config.vmrs.length} conferences, ${aliases} aliases, ${config.adps.length} automatic participants, ${config.rules.length} gateway rules`
}

const withEnvironment = (io: CliIo, run: (env: Environment) => Promise<number>): Promise<number> => {
  const decoded = decodeEnvironment(io.env, { cwd: io.cwd, networkInterfaces: io.networkInterfaces })
  if (E.isLeft(decoded)) {
    io.stderr(`parley: invalid environment:\n${formatEnvironmentError(decoded.left).replace(/^/gm, '  ')}\n`)
    return Promise.resolve(1)
  }
  return run(decoded.right)
}

/** The live node's engine, so that `check` accepts exactly what `serve` will. */
const engine = re2PatternEngine

const configCheck = async (io: CliIo, file: string): Promise<number> => {
  const path = resolve(io.cwd, file)
  const loaded = await loadConfig({ _tag: 'File', path, via: 'argument' }, engine)()
  if (E.isLeft(loaded)) {
    io.stdout(`${formatConfigLoadError(loaded.left)}\n`)
    return 1
  }
  io.stdout(`${path}: valid (${summary(loaded.right)})\n`)
  return 0
}

const configExport = (io: CliIo, flag: string | undefined): Promise<number> =>
  withEnvironment(io, async (env) => {
    const loaded = await loadEffectiveConfig(
      { ...(flag === undefined ? {} : { flag: resolve(io.cwd, flag) }), ...(env.configFile === undefined ? {} : { envFile: env.configFile }), dataDir: env.dataDir },
      engine,
    )()
    if (E.isLeft(loaded)) {
      io.stderr(`parley: ${formatConfigLoadError(loaded.left)}\n`)
      return 1
    }
    // The decoded configuration written back in full (every default spelled out), as the
    // store's export will be; `config check` and `--config` read it back unchanged.
    io.stdout(`${JSON.stringify(encodeConfigFile(loaded.right.config), null, 2)}\n`)
    return 0
  })

const configImport = (io: CliIo, file: string): Promise<number> =>
  withEnvironment(io, async (env) => {
    const imported = await importConfig(resolve(io.cwd, file), env.dataDir, engine)()
    if (E.isLeft(imported)) {
      io.stderr(`parley: ${formatConfigLoadError(imported.left)}\nnothing was imported\n`)
      return 1
    }
    io.stdout(
      `imported ${resolve(io.cwd, file)} as ${describeOrigin(imported.right.origin)}: ${summary(imported.right)}\n` +
        '`parley serve` uses it when neither --config nor PARLEY_CONFIG is given\n',
    )
    return 0
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
