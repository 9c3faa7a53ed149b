/**
 * Self time by function of a V8 .cpuprofile (as `node --cpu-prof` writes it), largest first:
 * the summary a profile of the core is read through.
 *
 *   node --import tsx bench/summarise-profile.ts FILE.cpuprofile [rows]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const [file, rowsArg] = process.argv.slice(2)
if (file === undefined) throw new Error('usage: summarise-profile.ts FILE.cpuprofile [rows]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const selfMicros = new Map<string, number>()
let total = 0
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]!)
  const dt = profile.timeDeltas[i] ?? 0
  if (node === undefined) continue
  const { functionName, url, lineNumber } = node.callFrame
  const where = url === '' ? '' : ` ${url.replace(/^.*\/main\//, '')}:${lineNumber + 1}`
  const key = `${functionName === '' ? '(anonymous)' : functionName}${where}`
  selfMicros.set(key, (selfMicros.get(key) ?? 0) + dt)
  total += dt
}
const rows = [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg ?? 40))
for (const [name, micros] of rows) console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`)
console.log(`total ${(total / 1000).toFixed(0)} ms`)
