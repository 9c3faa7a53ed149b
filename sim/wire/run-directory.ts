/**
 * What one wire run keeps on disk: a temporary directory holding the TLS pair every node of the
 * run presents (made once: making one per node start would cost a key generation each time),
 * and a fresh data dir and configuration file per node start. Removed when the run ends.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeSelfSigned } from '../../adapters/node/tls-certificate.js'

export interface TlsPair {
  readonly cert: string
  readonly key: string
  readonly certFile: string
  readonly keyFile: string
}

export class RunDirectory {
  private made: string | undefined
  private starts = 0
  private pair: TlsPair | undefined

  /**
   * Nothing is made until first used: cucumber's coordinator loads the support code of a
   * parallel run too, and never runs its hooks.
   */
  constructor(private readonly prefix = 'parley-wire-') {}

  get root(): string {
    this.made ??= mkdtempSync(join(tmpdir(), this.prefix))
    return this.made
  }

  /** The run's TLS pair for 127.0.0.1, made on first use. */
  get tls(): TlsPair {
    if (this.pair !== undefined) return this.pair
    const { cert, key } = makeSelfSigned('127.0.0.1')
    const certFile = join(this.root, 'tls-cert.pem')
    const keyFile = join(this.root, 'tls-key.pem')
    writeFileSync(certFile, cert)
    writeFileSync(keyFile, key, { mode: 0o600 })
    this.pair = { cert, key, certFile, keyFile }
    return this.pair
  }

  /** A fresh data dir and the path of a configuration file holding `document`, for one node start. */
  nextStart(document: unknown): { readonly dataDir: string; readonly configFile: string } {
    this.starts += 1
    const dir = join(this.root, `node-${this.starts}`)
    mkdirSync(join(dir, 'data'), { recursive: true })
    const configFile = join(dir, 'config.json')
    writeFileSync(configFile, JSON.stringify(document, null, 2))
    return { dataDir: join(dir, 'data'), configFile }
  }

  /** Removes a node start's directory once that node has stopped. */
  forget(dataDir: string): void {
    rmSync(join(dataDir, '..'), { recursive: true, force: true })
  }

  remove(): void {
    if (this.made !== undefined) rmSync(this.made, { recursive: true, force: true })
    this.made = undefined
  }
}
