/**
 * SIPp (Debian `sip-tester`) as the bench drives it: a long-lived UAS (`sipp -sn uas`, the
 * reference) and one UAC run per probe, both with the 4 MB socket buffer issue 8 asks for (the
 * 64 KB default drops datagrams and halves SIPp's rate). A probe's figures are SIPp's own
 * counters from its `-trace_stat` file (the final line, written at exit).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { exited, killOnExit, stopChild } from './child-processes.js'
import { freePort, udpPortTaken } from './free-port.js'
import type { ProbeOutcome } from './rate-search.js'

/** SIPp's `-buff_size` on both sides (issue 8). */
export const sippBufferBytes = 4 * 1024 * 1024

export interface SippUas {
  readonly port: number
  readonly alive: () => boolean
  readonly stop: () => Promise<void>
}

/** Starts `sipp -sn uas` on a free UDP port of `host`; resolves once it is listening. */
export const startSippUas = async (host: string): Promise<SippUas> => {
  const port = await freePort(host)
  const mediaPort = await freePort(host)
  const child: ChildProcess = spawn('sipp', ['-sn', 'uas', '-i', host, '-p', String(port), '-mp', String(mediaPort), '-t', 'u1', '-buff_size', String(sippBufferBytes), '-nostdin'], {
    stdio: 'ignore',
  })
  killOnExit(child)
  for (let i = 0; i < 100 && !(await udpPortTaken(host, port)); i++) {
    if (child.exitCode !== null) break
    await sleep(50)
  }
  if (child.exitCode !== null || !(await udpPortTaken(host, port))) {
    await stopChild(child, 500)
    throw new Error(`sipp -sn uas did not start on ${host}:${port}`)
  }
  return { port, alive: () => child.exitCode === null && child.signalCode === null, stop: () => stopChild(child, 2000) }
}

export interface ProbeSpec {
  readonly scenario: string
  /** SIPp's `-s` (the `[service]` user of the Request-URI). */
  readonly service: string
  readonly host: string
  readonly target: { readonly host: string; readonly port: number }
  readonly rate: number
  readonly seconds: number
  /** Where SIPp writes its statistics and screen. */
  readonly workDir: string
  readonly name: string
}

/** Cumulative counters of the last line of a `-trace_stat` file. */
export const finalCounters = (csv: string): Readonly<Record<string, string>> => {
  const lines = csv.split('\n').filter((l) => l.trim() !== '')
  const header = (lines[0] ?? '').split(';')
  const last = (lines.at(-1) ?? '').split(';')
  return Object.fromEntries(header.map((name, i) => [name, last[i] ?? '']))
}

/**
 * Places `rate × seconds` calls at `rate` per second and reports what happened. Calls still
 * open when the probe runs out of time count as failed, as does any call SIPp counted failed
 * (a timeout, an unexpected message).
 */
export const runProbe = async (spec: ProbeSpec): Promise<ProbeOutcome & { readonly retransmissions: number; readonly seconds: number }> => {
  const calls = Math.max(1, Math.round(spec.rate * spec.seconds))
  const localPort = await freePort(spec.host)
  const mediaPort = await freePort(spec.host)
  const stats = join(spec.workDir, `${spec.name}.stat.csv`)
  const args = [
    `${spec.target.host}:${spec.target.port}`,
    ...['-sf', spec.scenario, '-s', spec.service, '-i', spec.host, '-p', String(localPort), '-mp', String(mediaPort), '-t', 'u1'],
    ...['-r', String(spec.rate), '-m', String(calls), '-l', String(Math.max(100, spec.rate * 2))],
    ...['-buff_size', String(sippBufferBytes), '-recv_timeout', '4000', '-nostdin'],
    ...['-trace_stat', '-stf', stats, '-fd', '3600'],
  ]
  const started = performance.now()
  const child = spawn('sipp', args, { stdio: 'ignore' })
  killOnExit(child)
  // Calls that have not ended well after the asked duration never will at this rate.
  const deadline = setTimeout(() => child.kill('SIGUSR1'), (spec.seconds * 2 + 6) * 1000)
  const hardDeadline = setTimeout(() => child.kill('SIGKILL'), (spec.seconds * 2 + 9) * 1000)
  await exited(child)
  clearTimeout(deadline)
  clearTimeout(hardDeadline)
  const elapsed = (performance.now() - started) / 1000
  const counters = existsSync(stats) ? finalCounters(readFileSync(stats, 'utf8')) : {}
  const succeeded = Number(counters['SuccessfulCall(C)'] ?? 0) || 0
  return {
    asked: spec.rate,
    attempted: calls,
    succeeded,
    failed: calls - succeeded,
    achieved: succeeded / elapsed,
    retransmissions: Number(counters['Retransmissions(C)'] ?? 0) || 0,
    seconds: elapsed,
  }
}
