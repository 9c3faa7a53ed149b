/**
 * Where Parley's chat fan-out goes (not a measurement): the IM bench's room of 500
 * (bench/im.bench.ts) against a profiling build of the node under `--cpu-prof`, a few rounds of
 * latency messages and bursts, the profile summarised over those rounds
 * (bench/support/profile-summary.ts; "per call" is per delivered MESSAGE).
 *
 *   node --import tsx bench/support/profile-im.ts [--rounds N] [--rows N]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { messagesPerSide, profiling } from '../im.bench.js'
import { buildForProfile } from './profile-build.js'
import { formatSummary, summariseProfile, type Profile } from './profile-summary.js'

const argument = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}
const rounds = Number(argument('--rounds') ?? 3)
const rows = Number(argument('--rows') ?? 40)
const workDir = mkdtempSync(join(tmpdir(), 'parley-profile-im-'))
const profileDir = join(workDir, 'profile')
const keepAlive = setInterval(() => undefined, 60_000)

profiling.node = { entry: buildForProfile(join(workDir, 'build')), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }
await profiling.latency() // the room of 500 and a first round, outside the window
const window = { from: Number(process.hrtime.bigint() / 1000n), to: 0 }
for (let i = 0; i < rounds; i++) {
  const latency = await profiling.latency()
  const throughput = await profiling.throughput()
  console.log(`p50 ${latency.parley.toFixed(1)} ms (floor ${latency.reference.toFixed(1)}), ${throughput.parley.toFixed(0)} MESSAGE/s (floor ${throughput.reference.toFixed(0)})`)
}
window.to = Number(process.hrtime.bigint() / 1000n)
await profiling.stop()
clearInterval(keepAlive)
const newest = existsSync(profileDir)
  ? readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(profileDir, f))
      .sort()
      .at(-1)
  : undefined
if (newest === undefined) throw new Error('no profile was written')
// Each round delivers messagesPerSide latency messages and a burst of 10, to 499 participants each.
const delivered = rounds * (messagesPerSide + 10) * 499
console.log(`profile ${newest}: ${delivered} MESSAGEs delivered in the window`)
console.log(formatSummary(summariseProfile(JSON.parse(readFileSync(newest, 'utf8')) as Profile, window), rows, delivered))
