/**
 * Where a call's CPU goes in Parley (not a measurement): a node under a steady call load below
 * its limit, the CPU time it used per call (user and system, from /proc), and with `--profile`
 * a `--cpu-prof` profile of a profiling build (bench/support/profile-build.ts) summarised by
 * area and function (bench/support/profile-summary.ts).
 *
 *   node --import tsx bench/support/profile-call-rate.ts [--rate N] [--seconds N] [--profile DIR] [--rows N]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchConfig, signallingOnly } from '../call-rate.bench.js'
import { startParleyNode } from './parley-node.js'
import { buildForProfile, repositoryRoot } from './profile-build.js'
import { formatSummary, summariseProfile, type Profile } from './profile-summary.js'
import { runProbe } from './sipp.js'

const argument = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}
const rate = Number(argument('--rate') ?? 200)
const seconds = Number(argument('--seconds') ?? 10)
const profileDir = argument('--profile')
const rows = Number(argument('--rows') ?? 45)
const host = '127.0.0.1'
const workDir = mkdtempSync(join(tmpdir(), 'parley-profile-'))
const scenario = join(repositoryRoot, 'bench', 'sipp', 'call-vmr-uac.xml')

/** User and system CPU seconds of a process (all its threads) or of one thread, so far. */
const cpuSeconds = (statFile: string): { user: number; system: number } => {
  const fields = readFileSync(statFile, 'utf8').replace(/^.*\) /, '').split(' ')
  // Fields 14 and 15 of /proc/PID/stat (utime, stime), counted from after the command name.
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 }
}

const node = await startParleyNode({
  workDir: join(workDir, 'parley'),
  config: benchConfig,
  host,
  env: signallingOnly,
  ...(profileDir === undefined ? {} : { entry: buildForProfile(join(workDir, 'build')), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }),
})
const probe = (r: number, s: number, name: string) => runProbe({ scenario, service: 'meet.bob', host, target: { host, port: node.sipPort }, rate: r, seconds: s, workDir, name })
// Warm-up: let the JIT settle at a rate the node surely sustains.
await probe(Math.min(rate, 150), 3, 'warm-up-1')
await probe(Math.min(rate, 300), 3, 'warm-up-2')
const processStat = `/proc/${node.pid}/stat`
const mainThreadStat = `/proc/${node.pid}/task/${node.pid}/stat`
const before = cpuSeconds(processStat)
const mainBefore = cpuSeconds(mainThreadStat)
const window = { from: Number(process.hrtime.bigint() / 1000n), to: 0 }
const outcome = await probe(rate, seconds, 'load')
window.to = Number(process.hrtime.bigint() / 1000n)
const after = cpuSeconds(processStat)
const mainAfter = cpuSeconds(mainThreadStat)
const perCall = (s: number): string => `${((1e6 * s) / Math.max(1, outcome.succeeded)).toFixed(0)} us`
console.log(`${outcome.succeeded}/${outcome.attempted} calls at ${rate}/s (${outcome.achieved.toFixed(0)}/s achieved, ${outcome.retransmissions} retransmissions)`)
console.log(`CPU per call: ${perCall(after.user - before.user + after.system - before.system)} (user ${perCall(after.user - before.user)}, system ${perCall(after.system - before.system)}); main thread ${perCall(mainAfter.user - mainBefore.user + mainAfter.system - mainBefore.system)}, other threads (GC, compiler) ${perCall(after.user - before.user + after.system - before.system - (mainAfter.user - mainBefore.user + mainAfter.system - mainBefore.system))}`)
await node.stop()
if (profileDir !== undefined && existsSync(profileDir)) {
  const newest = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(profileDir, f))
    .sort()
    .at(-1)
  if (newest !== undefined) {
    console.log(`profile: ${newest} (the load only: ${outcome.succeeded} calls)`)
    console.log(formatSummary(summariseProfile(JSON.parse(readFileSync(newest, 'utf8')) as Profile, window), rows, outcome.succeeded))
  }
}
