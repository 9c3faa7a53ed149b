/**
 * Call rate (issue 5 "Done when", issue 8): INVITE-200-ACK-BYE over UDP to a VMR, no media, SIPp
 * as the caller (bench/sipp/call-vmr-uac.xml), against Parley and against SIPp's own UAS
 * (`sipp -sn uas`) on the same machine. The figure on each side is its sustained rate: the
 * highest rate at which fewer than 0.1 % of the calls fail and the calls keep up with the asked
 * rate, found by probing a few seconds per rate (bench/support/rate-search.ts). Target: Parley
 * at least half the SIPp UAS's rate.
 *
 * - Parley is the real node process (`node bin/parley.mjs serve`) with a configuration of one
 *   VMR, meet.bob@example.com without a PIN (everyone is a Host), a fresh data directory, SIP on
 *   a free loopback port, HTTP on port 0, log level warn, signalling-only media
 *   (`PARLEY_MEDIA=loopback`: RTP ports bound and drained, no GStreamer worker).
 * - The offer is audio and video, so that Parley sends no re-INVITE (an audio-only offer to a VMR
 *   with `audio_only_view: room` gets one); Parley binds RTP/RTCP port pairs for both streams
 *   (its loopback media sink), SIPp's UAS binds none.
 * - SIPp has `-buff_size 4194304` on both sides (issue 8: the 64 KB default drops datagrams);
 *   Parley asks the kernel for the same 4 MB UDP receive buffer.
 * - The two searches take turns probe by probe, so both see the same minutes of this machine.
 *   The first sample (the harness's warm-up) searches from a low rate with coarse steps; later
 *   ones start from the last answer with 10 % steps, so a sample costs about four probes.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Measurement } from './harness.js'
import { startParleyNode, type ParleyNode } from './support/parley-node.js'
import { searchSideBySide, sustained, type RateSide } from './support/rate-search.js'
import { repositoryRoot } from './support/profile-build.js'
import { runProbe, startSippUas, type SippUas } from './support/sipp.js'

const host = '127.0.0.1'
const scenario = join(repositoryRoot, 'bench', 'sipp', 'call-vmr-uac.xml')
/** Seconds per probe. */
const probeSeconds = 1.2
/** Time for the side just probed to finish what it was doing (2xx retransmissions, timers). */
const settleMs = 250

/** The node's media for the call rate: SIP is measured, not media (the default is the GStreamer worker). */
export const signallingOnly: Readonly<Record<string, string>> = { PARLEY_MEDIA: 'loopback' }

/** One VMR, no PIN: every caller is a Host and is answered at once (DESIGN §2). */
export const benchConfig = {
  global: {},
  conference: [{ id: 1, name: 'Bench room', pin: '', allow_guests: false, aliases: [{ alias: 'meet.bob@example.com' }] }],
  conference_alias: [],
  automatic_participant: [],
  gateway_routing_rule: [],
}

interface Side extends RateSide {
  readonly name: 'parley' | 'reference'
  readonly port: () => number
  readonly service: string
}

let workDir: string | undefined
let parley: ParleyNode | undefined
let uas: SippUas | undefined
let probeCount = 0

const ensureRunning = async (): Promise<void> => {
  workDir ??= mkdtempSync(join(tmpdir(), 'parley-call-rate-'))
  if (parley === undefined || !parley.alive()) parley = await startParleyNode({ workDir: join(workDir, 'parley'), config: benchConfig, host, env: signallingOnly })
  if (uas === undefined || !uas.alive()) uas = await startSippUas(host)
}

const sides: ReadonlyArray<Side> = [
  { name: 'reference', port: () => uas!.port, service: 'meet.bob', last: undefined, firstGuess: 3000 },
  { name: 'parley', port: () => parley!.sipPort, service: 'meet.bob', last: undefined, firstGuess: 300 },
]

const probe = async (side: Side, rate: number): Promise<boolean> => {
  if (side.name === 'parley' && !parley!.alive()) throw new Error(`the Parley node died:\n${parley!.logTail()}`)
  const outcome = await runProbe({ scenario, service: side.service, host, target: { host, port: side.port() }, rate, seconds: probeSeconds, workDir: workDir!, name: `${side.name}-${++probeCount}` })
  const passed = sustained(outcome)
  if (process.env['CALL_RATE_VERBOSE'] !== undefined)
    console.log(`  ${side.name.padEnd(9)} ${String(rate).padStart(5)}/s: ${outcome.succeeded}/${outcome.attempted} ok, ${outcome.achieved.toFixed(0)}/s achieved, ${outcome.retransmissions} retransmissions ${passed ? 'sustained' : 'NOT sustained'}`)
  await sleep(passed ? settleMs : settleMs * 3)
  return passed
}

const sample = async (): Promise<{ parley: number; reference: number }> => {
  await ensureRunning()
  const [reference, parleyRate] = await searchSideBySide(sides, probe)
  return { reference: reference!, parley: parleyRate! }
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'call rate (INVITE-200-ACK-BYE, UDP, VMR)',
    unit: 'calls/s',
    reference_name: 'SIPp UAS (sipp -sn uas, -buff_size 4 MB)',
    target: 0.5,
    sample,
  },
]
