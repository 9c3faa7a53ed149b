/**
 * A Parley node as a bench measures it: the real process (`node bin/parley.mjs serve`, as
 * `make run` starts it) with a configuration file of the bench's own, a fresh data directory,
 * PARLEY_SIP_PORT on a free port of loopback, HTTP on a system-chosen port, log level warn.
 * Ready when it answers an OPTIONS over UDP (at warn the ready line is not logged).
 *
 * For profiling, `entry` may name the profile build (bench/support/profile-build.ts) and
 * `nodeArgs` add e.g. `--cpu-prof`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { killOnExit, stopChild } from './child-processes.js'
import { freePort } from './free-port.js'
import { repositoryRoot } from './profile-build.js'

export interface ParleyNodeOptions {
  /** A directory of the bench's own: config, data dir and log go here. */
  readonly workDir: string
  /** The configuration file's JSON (DESIGN §6 shape). */
  readonly config: unknown
  readonly host?: string
  /** The CLI entry point; bin/parley.mjs (tsx) when absent. */
  readonly entry?: string
  readonly nodeArgs?: ReadonlyArray<string>
  readonly logLevel?: string
  /** More environment for the node (e.g. PARLEY_MEDIA). */
  readonly env?: Readonly<Record<string, string>>
}

export interface ParleyNode {
  readonly host: string
  readonly sipPort: number
  readonly pid: number
  /** PARLEY_DATA_DIR: where `parley config import` finds the node's store. */
  readonly dataDir: string
  readonly alive: () => boolean
  /** The end of the node's log, for error messages. */
  readonly logTail: () => string
  /** SIGTERM (the node hangs up and exits; a `--cpu-prof` profile is written then). */
  readonly stop: () => Promise<void>
}

const optionsRequest = (host: string, localPort: number, port: number): Buffer => {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`
  return Buffer.from(
    [
      `OPTIONS sip:${host}:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${host}:${localPort};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:bench@${host}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:${host}:${port}>`,
      `Call-ID: ${randomBytes(8).toString('hex')}@${host}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  )
}

/** True when an OPTIONS to host:port gets any SIP response within `timeoutMs`. */
export const answersOptions = (host: string, port: number, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4')
    const finish = (answered: boolean): void => {
      clearTimeout(timer)
      socket.close()
      resolve(answered)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.on('message', (message) => finish(message.subarray(0, 8).toString() === 'SIP/2.0 '))
    socket.on('error', () => finish(false))
    socket.bind(0, host, () => socket.send(optionsRequest(host, socket.address().port, port), port, host))
  })

/**
 * Starts the node; when the free port it was given is taken before it binds (other programs on
 * this machine pick ports too), starts it again on another, up to three times.
 */
export const startParleyNode = async (options: ParleyNodeOptions): Promise<ParleyNode> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startParleyNodeOnce(options)
    } catch (e) {
      if (attempt >= 3 || !(e instanceof Error) || !e.message.includes('EADDRINUSE')) throw e
    }
  }
}

const startParleyNodeOnce = async (options: ParleyNodeOptions): Promise<ParleyNode> => {
  const host = options.host ?? '127.0.0.1'
  const sipPort = await freePort(host, { tcp: true })
  mkdirSync(options.workDir, { recursive: true })
  const configFile = join(options.workDir, 'config.json')
  writeFileSync(configFile, JSON.stringify(options.config, null, 2))
  const dataDir = join(options.workDir, `data-${Date.now()}`)
  const logFile = join(options.workDir, 'node.log')
  const log = openSync(logFile, 'w')
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? join(repositoryRoot, 'bin', 'parley.mjs'), 'serve', '--config', configFile], {
    cwd: repositoryRoot,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      // The bench process itself may run under tsx; the node loads what its entry point says.
      NODE_OPTIONS: '',
      PARLEY_BIND: host,
      PARLEY_PUBLIC_HOST: host,
      PARLEY_SIP_PORT: String(sipPort),
      PARLEY_SIPS_PORT: '0',
      PARLEY_HTTP_PORT: '0',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_LOG_LEVEL: options.logLevel ?? 'warn',
      PARLEY_ADMIN_PASSWORD: 'bench-only',
      ...options.env,
    },
  })
  killOnExit(child)
  const alive = (): boolean => child.exitCode === null && child.signalCode === null
  const logTail = (): string => readFileSync(logFile, 'utf8').slice(-2000)
  for (let i = 0; i < 150; i++) {
    if (!alive()) throw new Error(`the Parley node exited while starting:\n${logTail()}`)
    if (await answersOptions(host, sipPort, 200)) {
      return { host, sipPort, pid: child.pid ?? 0, dataDir, alive, logTail, stop: () => stopChild(child, 10_000) }
    }
    await sleep(100)
  }
  await stopChild(child, 2000)
  throw new Error(`the Parley node did not answer OPTIONS on ${host}:${sipPort} within 30 s:\n${logTail()}`)
}
