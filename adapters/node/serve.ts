/**
 * `parley serve`: everything that can be wrong is checked before anything listens — the
 * environment, the configuration store (opened, migrated, seeded at first start from --config,
 * PARLEY_CONFIG or the demo, and validated), the TLS pair — then the container is built and the
 * node started. Each failure is a tagged error the CLI prints; exit 1. The store is closed when
 * the node stops, or at once when it cannot start.
 */
import type { NetworkInterfaceInfo } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import type { DestinationStream } from 'pino'
import { loadProductLogo } from '../http/logo/product-logo.js'
import { createContainer, patternEngines } from './composition.js'
import type { Assembly } from './composition.js'
import type { StoreOpenError } from '../store/config-store.js'
import { chooseSeed, describeOrigin, formatStoreOpenError, openConfigStore, seedSource } from './config-source.js'
import { decodeEnvironment, formatEnvironmentError, unknownParleyVariables } from './env.js'
import type { EnvironmentError } from './env.js'
import { createLogger } from './logger.js'
import type { Logger } from './logger.js'
import type { ParleyNode, ReadyReport } from './parley-node.js'
import { ensureTlsCredentials, formatTlsError } from './tls-certificate.js'
import type { TlsError } from './tls-certificate.js'
import * as Token from './tokens.js'
import { readVersions } from './versions.js'

export type ServeError =
  | { readonly _tag: 'EnvironmentInvalid'; readonly error: EnvironmentError }
  | { readonly _tag: 'ConfigUnusable'; readonly error: StoreOpenError }
  | { readonly _tag: 'TlsUnavailable'; readonly error: TlsError }
  | { readonly _tag: 'StartFailed'; readonly reason: string }

export interface ServeOptions {
  /** `--config FILE`, absolute. */
  readonly configFlag?: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly networkInterfaces: () => NodeJS.Dict<ReadonlyArray<NetworkInterfaceInfo>>
  readonly assembly: Assembly
  /** Where the log goes; stdout by default. */
  readonly logDestination?: DestinationStream
  readonly uptime: () => number
  /**
   * The admin password the store made at first start (no PARLEY_ADMIN_PASSWORD): shown once,
   * only its hash is kept. Called before anything else can fail, so it is never lost.
   */
  readonly adminPasswordGenerated: (password: string) => void
}

export interface RunningNode {
  readonly ready: ReadyReport
  readonly logger: Logger
  readonly stop: () => Promise<void>
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export const serve = async (options: ServeOptions): Promise<E.Either<ServeError, RunningNode>> => {
  const decoded = decodeEnvironment(options.env, { cwd: options.cwd, networkInterfaces: options.networkInterfaces })
  if (E.isLeft(decoded)) return E.left({ _tag: 'EnvironmentInvalid', error: decoded.left })
  const env = decoded.right
  const logger = createLogger(env.logLevel, options.logDestination)
  const typos = unknownParleyVariables(options.env)
  if (typos.length > 0) logger.warn({ variables: typos }, 'ignoring unknown PARLEY_ variables')

  const seed = chooseSeed({
    ...(options.configFlag === undefined ? {} : { flag: options.configFlag }),
    ...(env.configFile === undefined ? {} : { envFile: env.configFile }),
    dataDir: env.dataDir,
  })
  const opened = openConfigStore({
    dataDir: env.dataDir,
    seed: seedSource(seed),
    engine: patternEngines[options.assembly],
    logger: logger.child({ component: 'store' }),
    ...(env.adminPassword === undefined ? {} : { adminPassword: env.adminPassword }),
  })
  if (E.isLeft(opened)) {
    logger.fatal({ error: opened.left }, 'configuration unusable; nothing started')
    return E.left({ _tag: 'ConfigUnusable', error: opened.left })
  }
  const { store, seededFrom, adminPassword, schema } = opened.right
  if (adminPassword._tag === 'Generated') options.adminPasswordGenerated(adminPassword.password)
  logger.info(
    { store: store.file, schema, seededFrom: seededFrom ?? null, admin: adminPassword._tag, conferences: store.loadNodeConfig().vmrs.length },
    seededFrom === undefined ? 'configuration store opened' : 'configuration store created',
  )
  if (seededFrom === undefined && seed._tag === 'File' && seed.via !== 'interim import')
    logger.info({ ignored: describeOrigin(seed) }, 'the store already holds a configuration; the file is only read into an empty data dir (use `parley config import FILE` to replace it)')

  const tls = await ensureTlsCredentials({ dataDir: env.dataDir, publicHost: env.publicHost, ...(env.tls === undefined ? {} : { configured: env.tls }), now: new Date() })()
  if (E.isLeft(tls)) {
    logger.fatal({ error: tls.left }, 'TLS pair unusable; nothing started')
    store.close()
    return E.left({ _tag: 'TlsUnavailable', error: tls.left })
  }
  logger.info({ cert: tls.right.files.certFile, origin: tls.right.origin, ...(tls.right.reason === undefined ? {} : { reason: tls.right.reason }) }, 'TLS certificate')

  const container = createContainer(options.assembly, {
    env,
    logger,
    versions: readVersions(),
    store,
    tls: tls.right,
    logo: loadProductLogo(),
    uptime: options.uptime,
  })
  const node = container.get<ParleyNode>(Token.ParleyNode)
  try {
    const ready = await node.start()
    const stop = async (): Promise<void> => {
      await node.stop()
      store.close()
    }
    return E.right({ ready, logger, stop })
  } catch (e) {
    logger.fatal({ err: e }, 'could not start')
    store.close()
    return E.left({ _tag: 'StartFailed', reason: reasonOf(e) })
  }
}

export const formatServeError = (error: ServeError): string => {
  switch (error._tag) {
    case 'EnvironmentInvalid':
      return `invalid environment:\n${formatEnvironmentError(error.error).replace(/^/gm, '  ')}`
    case 'ConfigUnusable':
      return formatStoreOpenError(error.error)
    case 'TlsUnavailable':
      return formatTlsError(error.error)
    case 'StartFailed':
      return `could not start: ${error.reason}`
  }
}
