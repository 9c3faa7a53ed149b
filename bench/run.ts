/**
 * `make bench`: runs every `bench/*.bench.ts` (or those named on the command line, by file or
 * by measurement name), takes several side-by-side samples of each, interleaved across
 * measurements so that a slow minute of the machine falls on all of them, prints a table and
 * writes bench/out/latest.json (DESIGN §6).
 *
 *   node --import tsx bench/run.ts [name ...] [--samples N]
 *
 * The ratio reported is the median of the per-sample ratios: each sample compares figures taken
 * side by side, which the ratio of two medians would not.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { median, type Measurement } from './harness.js'

interface Result {
  readonly name: string
  readonly unit: string
  readonly parley: number
  readonly reference: number
  readonly reference_name: string
  readonly ratio: number
  readonly ratio_range: readonly [number, number]
  readonly target: number | null
  /** Parley's own figure must be at least this (at most, for lower-is-better measurements). */
  readonly absolute_target: number | null
  readonly lower_is_better: boolean
  readonly parley_range: readonly [number, number]
  readonly reference_range: readonly [number, number]
  readonly samples: number
  readonly met: boolean | null
  readonly detail?: string
}

const benchDir = dirname(fileURLToPath(import.meta.url))
const suffix = '.bench.ts'

const parseArgs = (argv: ReadonlyArray<string>): { names: ReadonlyArray<string>; samples: number } => {
  const names: string[] = []
  let samples = 5
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--samples') {
      samples = Number(argv[++i])
      if (!Number.isInteger(samples) || samples < 1) throw new Error('--samples needs a positive integer')
    } else names.push(arg.endsWith(suffix) ? arg.slice(0, -suffix.length).replace(/^.*\//, '') : arg)
  }
  return { names, samples }
}

const loadMeasurements = async (names: ReadonlyArray<string>): Promise<ReadonlyArray<Measurement>> => {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith(suffix))
    .sort()
  const chosen: Measurement[] = []
  for (const file of files) {
    const module = (await import(pathToFileURL(join(benchDir, file)).href)) as { measurements?: ReadonlyArray<Measurement> }
    if (module.measurements === undefined) throw new Error(`${file} exports no measurements`)
    const wholeFile = names.length === 0 || names.includes(file.slice(0, -suffix.length))
    chosen.push(...module.measurements.filter((m) => wholeFile || names.includes(m.name)))
  }
  if (chosen.length === 0) throw new Error(`no measurement matches ${names.join(', ')}`)
  return chosen
}

const summarize = (m: Measurement, samples: ReadonlyArray<{ parley: number; reference: number }>): Result => {
  const ratios = samples.map((s) => (m.lowerIsBetter === true ? s.reference / s.parley : s.parley / s.reference))
  const ratio = median(ratios)
  const parley = median(samples.map((s) => s.parley))
  const ratioMet = m.target === undefined ? null : ratio >= m.target
  const absoluteMet = m.absolute === undefined ? null : m.lowerIsBetter === true ? parley <= m.absolute.value : parley >= m.absolute.value
  const detail = m.detail?.()
  const range = (xs: ReadonlyArray<number>): readonly [number, number] => [round(Math.min(...xs)), round(Math.max(...xs))]
  return {
    name: m.name,
    unit: m.unit,
    parley: round(parley),
    reference: round(median(samples.map((s) => s.reference))),
    reference_name: m.reference_name,
    ratio: round(ratio),
    ratio_range: [round(Math.min(...ratios)), round(Math.max(...ratios))],
    target: m.target ?? null,
    absolute_target: m.absolute?.value ?? null,
    lower_is_better: m.lowerIsBetter === true,
    parley_range: range(samples.map((s) => s.parley)),
    reference_range: range(samples.map((s) => s.reference)),
    samples: samples.length,
    met: ratioMet === null && absoluteMet === null ? null : ratioMet !== false && absoluteMet !== false,
    ...(detail === undefined ? {} : { detail }),
  }
}

/** Three significant digits, whole numbers kept whole. */
const round = (x: number): number => (Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(3)))

const printTable = (results: ReadonlyArray<Result>): void => {
  const rows = results.map((r) => [
    r.name,
    `${r.parley} ${r.unit}`,
    `${r.reference} ${r.unit}`,
    r.reference_name,
    `${r.ratio}x`,
    `${r.ratio_range[0]}-${r.ratio_range[1]}x`,
    [r.target === null ? '' : `>= ${r.target}x`, r.absolute_target === null ? '' : `${r.lower_is_better ? '<=' : '>='} ${r.absolute_target} ${r.unit}`].filter((t) => t !== '').join(', ') || '-',
    r.met === null ? '-' : r.met ? 'met' : 'NOT MET',
  ])
  const header = ['measurement', 'parley', 'reference', 'reference is', 'ratio', 'range', 'target', '']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  console.log(line(header))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const row of rows) console.log(line(row))
  for (const r of results) if (r.detail !== undefined) console.log(`\n${r.name}: ${r.detail}`)
}

const main = async (): Promise<void> => {
  const { names, samples } = parseArgs(process.argv.slice(2))
  // Benches wait on unreferenced things (child processes, sockets) that must not keep the run
  // alive once it is done; this keeps it alive until then.
  const keepAlive = setInterval(() => undefined, 60_000)
  const measurements = await loadMeasurements(names)
  console.log(`${measurements.length} measurement(s), ${samples} samples each, interleaved`)
  for (const m of measurements) if (m.warmUp !== false) await m.sample() // warm-up: let the JIT settle, then discard
  const taken = measurements.map(() => [] as Array<{ parley: number; reference: number }>)
  for (let round = 0; round < samples; round++) {
    for (let i = 0; i < measurements.length; i++) if (taken[i]!.length < (measurements[i]!.samples ?? samples)) taken[i]!.push(await measurements[i]!.sample())
    process.stdout.write(`  sample ${round + 1}/${samples}\r`)
  }
  process.stdout.write('\n')
  const results = measurements.map((m, i) => summarize(m, taken[i]!))
  printTable(results)
  const outDir = join(benchDir, 'out')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n')
  console.log(`wrote ${join('bench', 'out', 'latest.json')}`)
  clearInterval(keepAlive)
}

await main()
