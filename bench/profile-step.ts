/**
 * A driver for profiling the core (not a measurement): records the everyday workload of
 * bench/step.bench.ts and replays it for a while, so that a profile shows `stepNode` alone.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-step.ts [seconds]
 *   node --import tsx bench/support/profile-summary.ts /tmp/prof/<file>.cpuprofile
 */
import { recordWorkload, replayRate } from './step.bench.js'

const seconds = Number(process.argv[2] ?? 10)
const workload = recordWorkload(500, 8, 20_000)
replayRate(workload, 1000) // warm-up
const rate = replayRate(workload, seconds * 1000)
console.log(`${Math.round(rate)} inputs/s over ${seconds} s`)
