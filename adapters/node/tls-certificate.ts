/**
 * The TLS pair for the SIPS listener (DESIGN §6 PARLEY_TLS_CERT/PARLEY_TLS_KEY): the operator's
 * files when given, else a self-signed pair made at first start in the data dir and reused on
 * later starts. The made pair is replaced only when it no longer does its job: unreadable,
 * expired, or not naming the current public host (the name peers check, RFC 5922 §7.1).
 * Node cannot write X.509, hence `selfsigned` (node-forge); keys come from Node's native RSA.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { generate } from 'selfsigned'
import type { TlsFiles } from './env.js'

export interface TlsCredentials {
  /** PEM. */
  readonly cert: string
  /** PEM. */
  readonly key: string
  readonly files: TlsFiles
  /** `configured`: the operator's files; `generated`: made now (see `reason`); `reused`: made before. */
  readonly origin: 'configured' | 'generated' | 'reused'
  readonly reason?: string
}

export type TlsError =
  | { readonly _tag: 'TlsFileUnreadable'; readonly file: string; readonly reason: string }
  | { readonly _tag: 'TlsPairInvalid'; readonly files: TlsFiles; readonly reason: string }
  | { readonly _tag: 'TlsWriteFailed'; readonly dir: string; readonly reason: string }

export const selfSignedFiles = (dataDir: string): TlsFiles => ({
  certFile: join(dataDir, 'tls', 'self-signed-cert.pem'),
  keyFile: join(dataDir, 'tls', 'self-signed-key.pem'),
})

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const readText = (file: string): TE.TaskEither<TlsError, string> =>
  TE.tryCatch(
    () => readFile(file, 'utf8'),
    (e) => ({ _tag: 'TlsFileUnreadable', file, reason: reasonOf(e) }),
  )

/** Why a pair cannot be used as it is, or undefined when it can. */
const pairProblem = (cert: string, key: string): string | undefined => {
  try {
    const x509 = new X509Certificate(cert)
    return x509.checkPrivateKey(createPrivateKey(key)) ? undefined : 'the key does not belong to the certificate'
  } catch (e) {
    return reasonOf(e)
  }
}

const names = (x509: X509Certificate, host: string): boolean =>
  isIP(host) !== 0 ? x509.checkIP(host) !== undefined : x509.checkHost(host) !== undefined

/** Why a pair made earlier must be made again, or undefined when it can be reused. */
const staleness = (cert: string, key: string, publicHost: string, now: Date): string | undefined => {
  const problem = pairProblem(cert, key)
  if (problem !== undefined) return `the pair in the data dir is unusable (${problem})`
  const x509 = new X509Certificate(cert)
  if (new Date(x509.validTo).getTime() <= now.getTime()) return `the certificate expired on ${x509.validTo}`
  if (!names(x509, publicHost)) return `the certificate does not name the public host ${publicHost}`
  return undefined
}

const altName = (host: string) => (isIP(host) !== 0 ? { type: 7, ip: host } : { type: 2, value: host })

/** RSA 2048 / SHA-256, ten years; names the public host, localhost and the loopback addresses. */
const makeOnce = (publicHost: string): { readonly cert: string; readonly key: string } => {
  const hosts = [...new Set([publicHost, 'localhost', '127.0.0.1', '::1'])]
  const pem = generate([{ name: 'commonName', value: publicHost }, { name: 'organizationName', value: 'Parley' }], {
    keySize: 2048,
    days: 3650,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      // SIP servers also open TLS connections to each other (mutual TLS towards SfB, PROTOCOLS 1.7).
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: hosts.map(altName) },
    ],
  })
  return { cert: pem.cert, key: pem.private }
}

/**
 * node-forge (under `selfsigned`) writes a random serial number as given: now and then its DER
 * starts with a zero byte before one below 0x80, which OpenSSL 3 refuses ("illegal padding"), and
 * the node could not load its own certificate. Such a pair is made again; a handful of tries
 * makes a refused one vanishingly rare, and the last error is reported if it ever persists.
 */
export const makeSelfSigned = (publicHost: string): { readonly cert: string; readonly key: string } => {
  let lastError: unknown
  for (let attempt = 0; attempt < 8; attempt++) {
    const pair = makeOnce(publicHost)
    try {
      new X509Certificate(pair.cert)
      return pair
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}

const writeAtomically = (file: string, text: string, mode: number): Promise<void> =>
  writeFile(`${file}.tmp`, text, { mode }).then(() => rename(`${file}.tmp`, file))

const generateInto = (files: TlsFiles, dataDir: string, publicHost: string, reason: string): TE.TaskEither<TlsError, TlsCredentials> =>
  TE.tryCatch(
    async () => {
      const { cert, key } = makeSelfSigned(publicHost)
      await mkdir(join(dataDir, 'tls'), { recursive: true, mode: 0o700 })
      await writeAtomically(files.keyFile, key, 0o600)
      await writeAtomically(files.certFile, cert, 0o644)
      return { cert, key, files, origin: 'generated' as const, reason }
    },
    (e) => ({ _tag: 'TlsWriteFailed', dir: join(dataDir, 'tls'), reason: reasonOf(e) }),
  )

export interface TlsOptions {
  readonly dataDir: string
  readonly publicHost: string
  /** The operator's pair; absent = the self-signed pair in the data dir. */
  readonly configured?: TlsFiles
  readonly now: Date
}

export const ensureTlsCredentials = (options: TlsOptions): TE.TaskEither<TlsError, TlsCredentials> => {
  const { configured } = options
  if (configured !== undefined) {
    return async () => {
      const cert = await readText(configured.certFile)()
      if (E.isLeft(cert)) return cert
      const key = await readText(configured.keyFile)()
      if (E.isLeft(key)) return key
      const problem = pairProblem(cert.right, key.right)
      return problem === undefined
        ? E.right({ cert: cert.right, key: key.right, files: configured, origin: 'configured' })
        : E.left({ _tag: 'TlsPairInvalid', files: configured, reason: problem })
    }
  }
  const files = selfSignedFiles(options.dataDir)
  return async () => {
    const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8').catch(() => undefined), readFile(files.keyFile, 'utf8').catch(() => undefined)])
    const reason =
      cert === undefined || key === undefined ? 'first start: no pair in the data dir' : staleness(cert, key, options.publicHost, options.now)
    if (reason === undefined && cert !== undefined && key !== undefined) return E.right({ cert, key, files, origin: 'reused' as const })
    return generateInto(files, options.dataDir, options.publicHost, reason ?? 'unreachable')()
  }
}

export const formatTlsError = (error: TlsError): string => {
  switch (error._tag) {
    case 'TlsFileUnreadable':
      return `cannot read ${error.file}: ${error.reason}`
    case 'TlsPairInvalid':
      return `PARLEY_TLS_CERT=${error.files.certFile} / PARLEY_TLS_KEY=${error.files.keyFile}: ${error.reason}`
    case 'TlsWriteFailed':
      return `cannot write the self-signed TLS pair into ${error.dir}: ${error.reason}`
  }
}
