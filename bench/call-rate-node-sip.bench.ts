/**
 * Call rate against plain Node, and what 3× the sustainable rate does (issue 8).
 *
 * 1. The same measurement as bench/call-rate.bench.ts (SIPp UAC, bench/sipp/call-vmr-uac.xml,
 *    INVITE-200-ACK-BYE over UDP, each side's sustained rate with < 0.1 % failures found by
 *    1.2 s probes taking turns), with a different reference: a minimal UAS on the npm `sip`
 *    package (bench/references/node-sip-uas.ts, same 4 MB receive buffer), i.e. what plain Node
 *    does with no application logic. Parley runs signalling only (PARLEY_MEDIA=loopback). Target:
 *    Parley at least twice the reference.
 * 2. Overload: before the burst, 20 calls are set up and held (the bench's own UAC); then SIPp
 *    offers 3× Parley's sustained rate from (1) of the same round for 3 s. The figure is the
 *    goodput (calls completed per second over the burst and its drain, SIPp's count), beside the
 *    sustained rate; the detail says how many held calls had their BYE answered 200 afterwards
 *    (the calls in progress must be unaffected). No load shedding is measured here: that is the
 *    reliability issue's.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { benchConfig } from './call-rate.bench.js'
import type { Measurement } from './harness.js'
import { killOnExit, stopChild } from './support/child-processes.js'
import { freePort, udpPortTaken } from './support/free-port.js'
import { startParleyNode, type ParleyNode } from './support/parley-node.js'
import { repositoryRoot } from './support/profile-build.js'
import { searchSideBySide, sustained, type RateSide } from './support/rate-search.js'
import { hangUp, placeCall, type HeldCall } from './support/sip-calls.js'
import { UdpPeer } from './support/sip-udp-peer.js'
import { runProbe } from './support/sipp.js'

const host = '127.0.0.1'
const scenario = join(repositoryRoot, 'bench', 'sipp', 'call-vmr-uac.xml')
const probeSeconds = 1.2
const settleMs = 250
const burstSeconds = 3
const heldCalls = 20

interface NodeSipUas {
  readonly port: number
  readonly alive: () => boolean
  readonly stop: () => Promise<void>
}

const startNodeSipUas = async (): Promise<NodeSipUas> => {
  const port = await freePort(host)
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'bench', 'references', 'node-sip-uas.ts'), host, String(port)], {
    cwd: repositoryRoot,
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  killOnExit(child)
  for (let i = 0; i < 200 && !(await udpPortTaken(host, port)); i++) {
    if (child.exitCode !== null) break
    await sleep(50)
  }
  if (child.exitCode !== null || !(await udpPortTaken(host, port))) throw new Error('the npm sip UAS did not start')
  return { port, alive: () => child.exitCode === null && child.signalCode === null, stop: () => stopChild(child, 2000) }
}

interface Side extends RateSide {
  readonly name: 'parley' | 'reference'
  readonly port: () => number
}

let workDir: string | undefined
let parley: ParleyNode | undefined
let uas: NodeSipUas | undefined
let probeCount = 0
/** Parley's sustained rate in the latest call-rate sample: what the overload multiplies. */
let lastParleyRate: number | undefined

const ensureRunning = async (): Promise<void> => {
  workDir ??= mkdtempSync(join(tmpdir(), 'parley-call-rate-node-sip-'))
  if (parley === undefined || !parley.alive())
    parley = await startParleyNode({ workDir: join(workDir, 'parley'), config: benchConfig, host, env: { PARLEY_MEDIA: 'loopback' } })
  if (uas === undefined || !uas.alive()) uas = await startNodeSipUas()
}

const sides: ReadonlyArray<Side> = [
  { name: 'reference', port: () => uas!.port, last: undefined, firstGuess: 800 },
  { name: 'parley', port: () => parley!.sipPort, last: undefined, firstGuess: 800 },
]

const probe = async (side: Side, rate: number): Promise<boolean> => {
  if (side.name === 'parley' && !parley!.alive()) throw new Error(`the Parley node died:\n${parley!.logTail()}`)
  const outcome = await runProbe({ scenario, service: 'meet.bob', host, target: { host, port: side.port() }, rate, seconds: probeSeconds, workDir: workDir!, name: `${side.name}-${++probeCount}` })
  const passed = sustained(outcome)
  if (process.env['CALL_RATE_VERBOSE'] !== undefined)
    console.log(`  ${side.name.padEnd(9)} ${String(rate).padStart(5)}/s: ${outcome.succeeded}/${outcome.attempted} ok, ${outcome.achieved.toFixed(0)}/s achieved ${passed ? 'sustained' : 'NOT sustained'}`)
  await sleep(passed ? settleMs : settleMs * 3)
  return passed
}

const callRateSample = async (): Promise<{ parley: number; reference: number }> => {
  await ensureRunning()
  const [reference, parleyRate] = await searchSideBySide(sides, probe)
  lastParleyRate = parleyRate || lastParleyRate
  return { reference: reference!, parley: parleyRate! }
}

const survivors: Array<{ held: number; answered: number }> = []

const overloadSample = async (): Promise<{ parley: number; reference: number }> => {
  await ensureRunning()
  const rate = lastParleyRate ?? (await callRateSample()).parley
  const peer = await new UdpPeer(host).bind()
  const held: HeldCall[] = []
  for (let i = 0; i < heldCalls; i++) {
    const call = await placeCall(peer, parley!.sipPort, 'meet.bob@example.com', { user: `held${i}` })
    if (call !== undefined) held.push(call)
  }
  const outcome = await runProbe({ scenario, service: 'meet.bob', host, target: { host, port: parley!.sipPort }, rate: rate * 3, seconds: burstSeconds, workDir: workDir!, name: `overload-${++probeCount}` })
  const answered = (await Promise.all(held.map((c) => hangUp(c, 16_000)))).filter(Boolean).length
  survivors.push({ held: heldCalls, answered })
  peer.close()
  if (process.env['CALL_RATE_VERBOSE'] !== undefined)
    console.log(`  overload ${rate * 3}/s: ${outcome.succeeded}/${outcome.attempted} ok in ${outcome.seconds.toFixed(1)} s; held calls ${answered}/${heldCalls} BYE answered`)
  // Let the node drain what the burst left (retransmissions, timers) before the next sample.
  await sleep(2000)
  return { parley: outcome.achieved, reference: rate }
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'call rate (INVITE-200-ACK-BYE, UDP, VMR), signalling only',
    unit: 'calls/s',
    reference_name: 'minimal UAS on npm sip 0.0.6 (plain Node, 4 MB rcvbuf)',
    target: 2,
    samples: 4,
    sample: callRateSample,
  },
  {
    name: "overload: goodput at 3x Parley's sustained rate (3 s burst)",
    unit: 'calls/s',
    reference_name: "Parley's sustained rate, same round",
    samples: 2,
    warmUp: false,
    sample: overloadSample,
    detail: () =>
      `calls in progress before the burst whose BYE was answered 200 afterwards: ${survivors.map((s) => `${s.answered}/${s.held}`).join(', ')} (per sample)`,
  },
]
