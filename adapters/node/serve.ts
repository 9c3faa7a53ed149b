/**
 * `parley serve`: everything that can be wrong is checked before anything listens — the
 * environment, the configuration (decoded and compiled), the TLS pair — then the container is
 * built and the node started. Each failure is a tagged error the CLI prints; exit 1.
 */
import type { NetworkInterfaceInfo } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import type { DestinationStream } from 'pino'
import { loadProductLogo } from '../http/logo/product-logo.js'
import { createContainer, patternEngines } from './composition.js'
import type { Assembly } from './composition.js'
import { describeOrigin, formatConfigLoadError, loadEffectiveConfig } from './config-source.js'
import type { ConfigLoadError } from './config-source.js'
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
  | { readonly _tag: 'ConfigUnusable'; readonly error: ConfigLoadError }
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

  const config = await loadEffectiveConfig(
    { ...(options.configFlag === undefined ? {} : { flag: options.configFlag }), ...(env.configFile === undefined ? {} : { envFile: env.configFile }), dataDir: env.dataDir },
    patternEngines[options.assembly],
  )()
  if (E.isLeft(config)) {
    logger.fatal({ error: config.left }, 'configuration unusable; nothing started')
    return E.left({ _tag: 'ConfigUnusable', error: config.left })
  }
  logger.info({ source: describeOrigin(config.right.origin) }, 'configuration loaded')

  const tls = await ensureTlsCredentials({ dataDir: env.dataDir, publicHost: env.publicHost, ...(env.tls === undefined ? {} : { configured: env.tls }), now: new Date() })()
  if (E.isLeft(tls)) {
    logger.fatal({ error: tls.left }, 'TLS pair unusable; nothing started')
    return E.left({ _tag: 'TlsUnavailable', error: tls.left })
  }
  logger.info({ cert: tls.right.files.certFile, origin: tls.right.origin, ...(tls.right.reason === undefined ? {} : { reason: tls.right.reason }) }, 'TLS certificate')

  const container = createContainer(options.assembly, {
    env,
    logger,
    versions: readVersions(),
    config: config.right,
    tls: tls.right,
    logo: loadProductLogo(),
    uptime: options.uptime,
  })
  const node = container.get<ParleyNode>(Token.ParleyNode)
  try {
    const ready = await node.start()
    return E.right({ ready, logger, stop: () => node.stop() })
  } catch (e) {
    logger.fatal({ err: e }, 'could not start')
    return E.left({ _tag: 'StartFailed', reason: reasonOf(e) })
  }
}

export const formatServeError = (error: ServeError): string => {
  switch (error._tag) {
    case 'EnvironmentInvalid':
      return `invalid environment:\n${formatEnvironmentError(error.error).replace(/^/gm, '  ')}`
    case 'ConfigUnusable':
      return formatConfigLoadError(error.error)
    case 'TlsUnavailable':
      return formatTlsError(error.error)
    case 'StartFailed':
      return `could not start: ${error.reason}`
  }
}
