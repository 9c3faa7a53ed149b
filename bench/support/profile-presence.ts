/**
 * Where Parley's presence fan-out goes (not a measurement): the presence bench's setup (10 000
 * PIDF watchers and 10 000 SfB batched resources, bench/presence.bench.ts) against a profiling
 * build of the node under `--cpu-prof`, then a few changes of each shape; the profile is
 * summarised over the PIDF changes and over the batched ones (bench/support/profile-summary.ts).
 *
 *   node --import tsx bench/support/profile-presence.ts [--changes N] [--rows N]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { profiling } from '../presence.bench.js'
import { buildForProfile } from './profile-build.js'
import { formatSummary, summariseProfile, type Profile } from './profile-summary.js'

const argument = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}
const changes = Number(argument('--changes') ?? 3)
const rows = Number(argument('--rows') ?? 40)
const workDir = mkdtempSync(join(tmpdir(), 'parley-profile-presence-'))
const profileDir = join(workDir, 'profile')
const keepAlive = setInterval(() => undefined, 60_000)

profiling.node = { entry: buildForProfile(join(workDir, 'build')), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }
const now = (): number => Number(process.hrtime.bigint() / 1000n)
const windows: Record<'pidf' | 'batched', Array<{ from: number; to: number }>> = { pidf: [], batched: [] }
// The setup (20 000 subscriptions) and a first change of each shape, outside the windows.
await profiling.change('pidf')
await profiling.change('batched')
for (let i = 0; i < changes; i++) {
  for (const set of ['pidf', 'batched'] as const) {
    const from = now()
    const rate = await profiling.change(set)
    windows[set].push({ from, to: now() })
    console.log(`${set}: ${rate.toFixed(0)} per second`)
  }
}
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
const profile = JSON.parse(readFileSync(newest, 'utf8')) as Profile
for (const set of ['pidf', 'batched'] as const) {
  // Each change's window, one after the other (the summary takes one window: the samples of the others are cut out).
  const cut: Profile = {
    ...profile,
    samples: [],
    timeDeltas: [],
  }
  const samples: number[] = []
  const deltas: number[] = []
  let t = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!
    if (windows[set].some((w) => t >= w.from && t <= w.to)) {
      samples.push(profile.samples[i]!)
      deltas.push(profile.timeDeltas[i]!)
    }
  }
  console.log(`\n== ${set}: ${changes} changes of 10 000 updates (profile ${newest})`)
  console.log(formatSummary(summariseProfile({ ...cut, samples, timeDeltas: deltas }), rows, changes * 10_000))
}
