/**
 * The node's environment (DESIGN §6), decoded at the boundary with io-ts (CONVENTIONS 6): every
 * PARLEY_* variable is checked and defaulted here, and a bad value is reported with the
 * variable's name so that the process can refuse to start. An empty value counts as unset
 * (`PARLEY_CONFIG=` in a unit file or compose file means "none").
 */
import { isIP } from 'node:net'
import type { NetworkInterfaceInfo } from 'node:os'
import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

/**
 * PARLEY_MEDIA: what carries the calls' RTP. `gst` (the default) runs the GStreamer media worker
 * (adapters/media/worker/): people hear each other, RFC 4733 DTMF is read. `loopback` only binds
 * the RTP ports and drops what arrives (adapters/media/loopback/): signalling without media, for
 * the wire features and the call-rate bench, whose thousands of calls would each cost a pipeline.
 */
export const mediaKinds = ['gst', 'loopback'] as const
export type MediaKind = (typeof mediaKinds)[number]

export interface TlsFiles {
  readonly certFile: string
  readonly keyFile: string
}

export interface Environment {
  /** PARLEY_BIND: the address the SIP listeners bind. */
  readonly sipBind: string
  /** PARLEY_SIP_PORT: UDP and TCP; 0 = any free port, chosen separately per transport. */
  readonly sipPort: number
  /** PARLEY_SIPS_PORT: TLS; 0 = any free port. */
  readonly sipsPort: number
  readonly httpBind: string
  readonly httpPort: number
  /** Used in Contact, Via, SDP `c=` and avatar URLs. */
  readonly publicHost: string
  /** Absolute. */
  readonly dataDir: string
  /** PARLEY_CONFIG, absolute; `--config` takes precedence. */
  readonly configFile?: string
  readonly adminPassword?: string
  readonly logLevel: LogLevel
  /** PARLEY_TLS_CERT and PARLEY_TLS_KEY, absolute; absent = the self-signed pair in the data dir. */
  readonly tls?: TlsFiles
  /** PARLEY_MEDIA: `gst` (default) or `loopback`. */
  readonly media: MediaKind
  /** PARLEY_BFCP_PORT: BFCP floor control (RFC 8855), UDP and TCP on PARLEY_BIND; absent = any free port per transport. */
  readonly bfcpPort?: number
}

export interface EnvironmentProblem {
  readonly variable: string
  readonly value: string | undefined
  readonly message: string
}

export type EnvironmentError = { readonly _tag: 'InvalidEnvironment'; readonly problems: ReadonlyArray<EnvironmentProblem> }

/** What the defaults depend on, passed in so that tests can pin them. */
export interface Host {
  readonly cwd: string
  readonly networkInterfaces: () => NodeJS.Dict<ReadonlyArray<NetworkInterfaceInfo>>
}

const stringCodec = <A>(name: string, message: string, parse: (s: string) => A | undefined, is: (u: unknown) => u is A) =>
  new t.Type<A, string, unknown>(
    name,
    is,
    (u, c) => {
      const parsed = typeof u === 'string' ? parse(u) : undefined
      return parsed === undefined ? t.failure(u, c, message) : t.success(parsed)
    },
    String,
  )

const isString = (u: unknown): u is string => typeof u === 'string'

const Port = stringCodec(
  'Port',
  'must be a port number from 0 to 65535 (0 = any free port)',
  (s) => (/^\d{1,5}$/.test(s) && Number(s) <= 65535 ? Number(s) : undefined),
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 65535,
)

const IpAddress = stringCodec('IpAddress', 'must be an IPv4 or IPv6 address', (s) => (isIP(s) !== 0 ? s : undefined), isString)

/** RFC 1123 host name (labels of letters, digits and inner hyphens) or an IP address. */
const hostNamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i
const HostName = stringCodec(
  'HostName',
  'must be a host name (e.g. parley.example.com) or an IP address',
  (s) => (isIP(s) !== 0 || hostNamePattern.test(s) ? s : undefined),
  isString,
)

const Text = stringCodec('Text', 'must not be empty', (s) => (s.length > 0 ? s : undefined), isString)

const LogLevelCodec = stringCodec(
  'LogLevel',
  `must be one of ${logLevels.join(', ')}`,
  (s) => logLevels.find((l) => l === s.toLowerCase()),
  (u): u is LogLevel => logLevels.some((l) => l === u),
)

const MediaKindCodec = stringCodec(
  'MediaKind',
  `must be one of ${mediaKinds.join(', ')}`,
  (s) => mediaKinds.find((m) => m === s.toLowerCase()),
  (u): u is MediaKind => mediaKinds.some((m) => m === u),
)

const withDefault = <A>(codec: t.Type<A, string, unknown>, fallback: A) =>
  new t.Type<A, string, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  )

const Variables = t.intersection([
  t.type({
    PARLEY_BIND: withDefault(IpAddress, '0.0.0.0'),
    PARLEY_SIP_PORT: withDefault(Port, 5060),
    PARLEY_SIPS_PORT: withDefault(Port, 5061),
    PARLEY_HTTP_BIND: withDefault(IpAddress, '127.0.0.1'),
    PARLEY_HTTP_PORT: withDefault(Port, 8080),
    PARLEY_DATA_DIR: withDefault(Text, './data'),
    PARLEY_LOG_LEVEL: withDefault(LogLevelCodec, 'info'),
    PARLEY_MEDIA: withDefault(MediaKindCodec, 'gst'),
  }),
  t.partial({
    PARLEY_PUBLIC_HOST: HostName,
    PARLEY_CONFIG: Text,
    PARLEY_ADMIN_PASSWORD: Text,
    PARLEY_TLS_CERT: Text,
    PARLEY_TLS_KEY: Text,
    PARLEY_BFCP_PORT: Port,
  }),
])

/** Every variable this module reads; others starting with PARLEY_ are probably typos. */
export const knownVariables: ReadonlyArray<string> = [
  'PARLEY_BIND',
  'PARLEY_SIP_PORT',
  'PARLEY_SIPS_PORT',
  'PARLEY_HTTP_BIND',
  'PARLEY_HTTP_PORT',
  'PARLEY_PUBLIC_HOST',
  'PARLEY_DATA_DIR',
  'PARLEY_CONFIG',
  'PARLEY_ADMIN_PASSWORD',
  'PARLEY_LOG_LEVEL',
  'PARLEY_TLS_CERT',
  'PARLEY_TLS_KEY',
  'PARLEY_MEDIA',
  'PARLEY_BFCP_PORT',
]

export const unknownParleyVariables = (env: Readonly<Record<string, string | undefined>>): ReadonlyArray<string> =>
  Object.keys(env).filter((k) => k.startsWith('PARLEY_') && !knownVariables.includes(k))

const isWildcard = (address: string): boolean => address === '0.0.0.0' || address === '::' || address === '::0'

/** The first non-internal IPv4 address, in the order the OS lists interfaces. */
export const firstExternalIpv4 = (interfaces: NodeJS.Dict<ReadonlyArray<NetworkInterfaceInfo>>): string | undefined =>
  Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .find((i) => (i.family === 'IPv4' || (i.family as unknown) === 4) && !i.internal)?.address

const problemsOf = (errors: t.Errors, env: Readonly<Record<string, string | undefined>>): ReadonlyArray<EnvironmentProblem> =>
  errors.map((error) => {
    const variable = error.context.map((c) => c.key).find((k) => k.startsWith('PARLEY_')) ?? '(environment)'
    return { variable, value: env[variable], message: error.message ?? `must be a ${error.context.at(-1)?.type.name ?? 'valid value'}` }
  })

export const decodeEnvironment = (
  env: Readonly<Record<string, string | undefined>>,
  host: Host,
): E.Either<EnvironmentError, Environment> => {
  // Only our variables, and an empty value is the same as an absent one.
  const ours = Object.fromEntries(knownVariables.flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])))
  const decoded = Variables.decode(ours)
  if (E.isLeft(decoded)) return E.left({ _tag: 'InvalidEnvironment', problems: problemsOf(decoded.left, ours) })
  const v = decoded.right
  if ((v.PARLEY_TLS_CERT === undefined) !== (v.PARLEY_TLS_KEY === undefined)) {
    const missing = v.PARLEY_TLS_CERT === undefined ? 'PARLEY_TLS_CERT' : 'PARLEY_TLS_KEY'
    return E.left({
      _tag: 'InvalidEnvironment',
      problems: [{ variable: missing, value: undefined, message: 'PARLEY_TLS_CERT and PARLEY_TLS_KEY must be set together' }],
    })
  }
  const publicHost =
    v.PARLEY_PUBLIC_HOST ??
    (isWildcard(v.PARLEY_BIND) ? (firstExternalIpv4(host.networkInterfaces()) ?? '127.0.0.1') : v.PARLEY_BIND)
  return E.right({
    sipBind: v.PARLEY_BIND,
    sipPort: v.PARLEY_SIP_PORT,
    sipsPort: v.PARLEY_SIPS_PORT,
    httpBind: v.PARLEY_HTTP_BIND,
    httpPort: v.PARLEY_HTTP_PORT,
    publicHost,
    dataDir: resolve(host.cwd, v.PARLEY_DATA_DIR),
    logLevel: v.PARLEY_LOG_LEVEL,
    media: v.PARLEY_MEDIA,
    ...(v.PARLEY_BFCP_PORT === undefined ? {} : { bfcpPort: v.PARLEY_BFCP_PORT }),
    ...(v.PARLEY_CONFIG === undefined ? {} : { configFile: resolve(host.cwd, v.PARLEY_CONFIG) }),
    ...(v.PARLEY_ADMIN_PASSWORD === undefined ? {} : { adminPassword: v.PARLEY_ADMIN_PASSWORD }),
    ...(v.PARLEY_TLS_CERT === undefined || v.PARLEY_TLS_KEY === undefined
      ? {}
      : { tls: { certFile: resolve(host.cwd, v.PARLEY_TLS_CERT), keyFile: resolve(host.cwd, v.PARLEY_TLS_KEY) } }),
  })
}

/** One line per problem, for a terminal: `PARLEY_SIP_PORT="abc": must be a port number ...`. */
export const formatEnvironmentError = (error: EnvironmentError): string =>
  error.problems
    .map((p) => `${p.variable}${p.value === undefined ? '' : `=${JSON.stringify(p.variable === 'PARLEY_ADMIN_PASSWORD' ? '***' : p.value)}`}: ${p.message}`)
    .join('\n')
