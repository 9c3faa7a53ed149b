/**
 * A real Parley node as a child process, for the `wire` world (DESIGN §5): `parley serve
 * --config FILE` with every port chosen by the system (PARLEY_SIP_PORT=0, …), a fresh data
 * dir, SIP bound to 127.0.0.1, and the `ready` line of DESIGN §6 read back for the ports it
 * bound. Every JSON log line is handed to listeners (the media effects the node reports at
 * debug level are how the wire world learns what participants see and hear until media exists).
 *
 * Like a typed process channel (CONVENTIONS 14): start resolves with the ready report or a tagged
 * reason; `stop` sends SIGTERM and waits for the exit (SIGKILL after a bound); a child left
 * running when the test process exits is killed with it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'

const parleyBin = fileURLToPath(new URL('../../bin/parley.mjs', import.meta.url))

export interface SipPorts {
  readonly udp: number
  readonly tcp: number
  readonly tls: number
}

export interface ParleyReady {
  /** null while the node runs without a SIP adapter. */
  readonly sip: SipPorts | null
  readonly http: number
}

/** One line of the node's pino log, as parsed. */
export type LogLine = Readonly<Record<string, unknown>>

export interface ParleyProcessOptions {
  readonly configFile: string
  readonly dataDir: string
  readonly adminPassword: string
  /** A TLS pair made once for the whole run saves the node generating one per start. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string }
  readonly logLevel?: 'info' | 'debug' | 'trace'
  /**
   * A certificate the node trusts besides the public roots (NODE_EXTRA_CA_CERTS), as a
   * deployment's trust store would: the wire edge's, so that Parley's TLS calls to the SfB
   * side it stands for are verified rather than refused.
   */
  readonly extraCaFile?: string
  /** How long to wait for the `ready` line. */
  readonly readyTimeoutMs?: number
}

export type StartFailure =
  | { readonly _tag: 'ExitedBeforeReady'; readonly code: number | null; readonly signal: string | null; readonly output: string }
  | { readonly _tag: 'NotReadyInTime'; readonly waitedMs: number; readonly output: string }
  | { readonly _tag: 'SpawnFailed'; readonly reason: string }

/** Children still running, killed if the test process ends first. */
const running = new Set<ChildProcess>()
let exitHookInstalled = false
const installExitHook = (): void => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536

/** The ports of a `ready` line, or undefined when the line is not a well-formed one. */
export const readyReportOf = (line: LogLine): ParleyReady | undefined => {
  if (line['msg'] !== 'ready' || !isPort(line['http'])) return undefined
  const sip = line['sip']
  if (sip === null) return { sip: null, http: line['http'] }
  if (typeof sip !== 'object' || sip === undefined) return undefined
  const { udp, tcp, tls } = sip as Record<string, unknown>
  return isPort(udp) && isPort(tcp) && isPort(tls) ? { sip: { udp, tcp, tls }, http: line['http'] } : undefined
}

/** Splits a byte stream into lines, keeping a partial last line for the next chunk. */
const lineSplitter = (onLine: (line: string) => void): ((chunk: Buffer) => void) => {
  let partial = ''
  return (chunk) => {
    const parts = (partial + chunk.toString('utf8')).split('\n')
    partial = parts.pop() ?? ''
    for (const part of parts) onLine(part)
  }
}

export class ParleyProcess {
  private readonly listeners = new Set<(line: LogLine) => void>()
  private readonly exited: Promise<void>
  /** The last lines of output, for failure messages. */
  private tail: string[] = []

  private constructor(
    private readonly child: ChildProcess,
    exited: Promise<void>,
  ) {
    this.exited = exited
  }

  /** What the node said when it was ready. */
  ready: ParleyReady = { sip: null, http: 0 }

  /** Still running (not exited, not being stopped). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.child.killed
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  /** The last lines the node wrote, for a failure message. */
  get recentOutput(): string {
    return this.tail.join('\n')
  }

  /** Every JSON log line from now on; returns the unsubscribe. */
  onLog(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  static start(options: ParleyProcessOptions): Promise<E.Either<StartFailure, ParleyProcess>> {
    installExitHook()
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      PARLEY_BIND: '127.0.0.1',
      PARLEY_PUBLIC_HOST: '127.0.0.1',
      PARLEY_SIP_PORT: '0',
      PARLEY_SIPS_PORT: '0',
      PARLEY_HTTP_PORT: '0',
      PARLEY_DATA_DIR: options.dataDir,
      PARLEY_ADMIN_PASSWORD: options.adminPassword,
      PARLEY_LOG_LEVEL: options.logLevel ?? 'debug',
      PARLEY_MEDIA: 'loopback', // the wire features are about signalling: no GStreamer worker per node
      ...(options.tls === undefined ? {} : { PARLEY_TLS_CERT: options.tls.certFile, PARLEY_TLS_KEY: options.tls.keyFile }),
      ...(options.extraCaFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: options.extraCaFile }),
    }
    let child: ChildProcess
    try {
      // bin/parley.mjs registers tsx itself; NODE_OPTIONS is left out so it is not loaded twice.
      child = spawn(process.execPath, [parleyBin, 'serve', '--config', options.configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (e) {
      return Promise.resolve(E.left({ _tag: 'SpawnFailed', reason: e instanceof Error ? e.message : String(e) }))
    }
    running.add(child)
    let markExited: () => void = () => undefined
    const exited = new Promise<void>((resolve) => (markExited = resolve))
    const node = new ParleyProcess(child, exited)
    const timeoutMs = options.readyTimeoutMs ?? 20_000
    return new Promise((resolve) => {
      let settled = false
      const settle = (result: E.Either<StartFailure, ParleyProcess>): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(result)
      }
      const timer = setTimeout(() => {
        settle(E.left({ _tag: 'NotReadyInTime', waitedMs: timeoutMs, output: node.recentOutput }))
        child.kill('SIGKILL')
      }, timeoutMs)
      const remember = (text: string): void => {
        node.tail.push(text)
        if (node.tail.length > 40) node.tail = node.tail.slice(-40)
      }
      child.stdout?.on(
        'data',
        lineSplitter((text) => {
          if (!text.startsWith('{')) return remember(text)
          let line: LogLine
          try {
            line = JSON.parse(text) as LogLine
          } catch {
            return remember(text)
          }
          if (line['level'] !== 'debug' && line['level'] !== 'trace') remember(text)
          const ready = readyReportOf(line)
          if (ready !== undefined && !settled) {
            node.ready = ready
            settle(E.right(node))
          }
          for (const listener of node.listeners) listener(line)
        }),
      )
      child.stderr?.on('data', lineSplitter(remember))
      child.on('error', (e) => settle(E.left({ _tag: 'SpawnFailed', reason: e.message })))
      child.on('exit', (code, signal) => {
        running.delete(child)
        markExited()
        settle(E.left({ _tag: 'ExitedBeforeReady', code, signal, output: node.recentOutput }))
      })
    })
  }

  /** SIGTERM, then SIGKILL if it has not exited within `boundMs`; resolves once it has exited. */
  async stop(boundMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), boundMs)
    await this.exited
    clearTimeout(timer)
  }
}

export const describeStartFailure = (failure: StartFailure): string => {
  switch (failure._tag) {
    case 'ExitedBeforeReady':
      return `parley exited before it was ready (code ${failure.code}, signal ${failure.signal}):\n${failure.output}`
    case 'NotReadyInTime':
      return `parley was not ready within ${failure.waitedMs} ms:\n${failure.output}`
    case 'SpawnFailed':
      return `parley could not be started: ${failure.reason}`
  }
}
