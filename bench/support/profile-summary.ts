/**
 * Self time of a `--cpu-prof` profile, by function (at its TypeScript line when the module has
 * a source map beside it, as bench/support/profile-build.ts writes them) and by area (our
 * folders, each package, Node internals, GC), largest first; idle time is left out of the
 * percentages, so they are shares of the CPU the process used.
 *
 *   node --import tsx bench/support/profile-summary.ts FILE.cpuprofile [rows] [calls]
 *
 * With `calls`, each row also shows its microseconds per call.
 */
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
}
export interface Profile {
  /** CLOCK_MONOTONIC in µs (the clock of `process.hrtime`), so a window can be cut out of it. */
  readonly startTime: number
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface ProfileSummary {
  /** CPU time the process used (idle excluded), in ms. */
  readonly busyMs: number
  readonly idleMs: number
  readonly functions: ReadonlyArray<readonly [string, number]>
  readonly areas: ReadonlyArray<readonly [string, number]>
  /** Time with the function anywhere on the stack (each sample counted once per function). */
  readonly inclusive: ReadonlyArray<readonly [string, number]>
}

const maps = new Map<string, SourceMap | undefined>()
const sourceMapOf = (url: string): SourceMap | undefined => {
  if (!url.startsWith('file://')) return undefined
  if (maps.has(url)) return maps.get(url)
  const file = `${fileURLToPath(url)}.map`
  const map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) : undefined
  maps.set(url, map)
  return map
}

/** `path:line` in the repository's terms (TypeScript when mapped). */
const locate = (frame: CallFrame): string => {
  if (frame.url === '') return ''
  const map = sourceMapOf(frame.url)
  if (map !== undefined) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number }
    if (entry.originalSource !== undefined && entry.originalLine !== undefined) return `${shorten(entry.originalSource)}:${entry.originalLine + 1}`
  }
  return `${shorten(frame.url)}:${frame.lineNumber + 1}`
}

const shorten = (path: string): string => {
  const file = path.replace(/^file:\/\//, '')
  const inPackage = file.lastIndexOf('/node_modules/')
  if (inPackage >= 0) return file.slice(inPackage + 1)
  return file.replace(/^.*?\/((?:core|adapters|bench|sim)\/)/, '$1')
}

/** Which part of the program a function belongs to. */
const areaOf = (frame: CallFrame, where: string): string => {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (where.startsWith('node_modules/')) return where.split('/').slice(0, where.startsWith('node_modules/@') ? 3 : 2).join('/')
  if (where.startsWith('node:')) return 'node:' + where.slice(5).split(/[:/]/)[0]
  const parts = where.replace(/:\d+$/, '').split('/')
  return parts.slice(0, Math.min(parts.length - 1, parts[0] === 'core' ? 2 : 3)).join('/')
}

/** Self time of the samples taken within `window` (µs on the `process.hrtime` clock), or of all of them. */
export const summariseProfile = (profile: Profile, window?: { readonly from: number; readonly to: number }): ProfileSummary => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parentOf = new Map<number, number>()
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id)
  const keys = new Map<number, string>()
  const keyOf = (node: ProfileNode): string => {
    let key = keys.get(node.id)
    if (key === undefined) {
      const where = locate(node.callFrame)
      key = `${node.callFrame.functionName === '' ? '(anonymous)' : node.callFrame.functionName}${where === '' ? '' : ' ' + where}`
      keys.set(node.id, key)
    }
    return key
  }
  const inclusive = new Map<string, number>()
  const functions = new Map<string, number>()
  const areas = new Map<string, number>()
  let busy = 0
  let idle = 0
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)
    const dt = profile.timeDeltas[i] ?? 0
    at += dt
    if (node === undefined || (window !== undefined && (at < window.from || at > window.to))) continue
    const frame = node.callFrame
    if (frame.functionName === '(idle)') {
      idle += dt
      continue
    }
    busy += dt
    const where = locate(frame)
    const key = keyOf(node)
    functions.set(key, (functions.get(key) ?? 0) + dt)
    const onStack = new Set<string>()
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
      const ancestor = byId.get(id)
      if (ancestor !== undefined && ancestor.callFrame.url !== '') onStack.add(keyOf(ancestor))
    }
    for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
    const area = areaOf(frame, where)
    areas.set(area, (areas.get(area) ?? 0) + dt)
  }
  const sorted = (m: Map<string, number>) => [...m].map(([k, v]) => [k, v / 1000] as const).sort((a, b) => b[1] - a[1])
  return { busyMs: busy / 1000, idleMs: idle / 1000, functions: sorted(functions), areas: sorted(areas), inclusive: sorted(inclusive) }
}

export const formatSummary = (summary: ProfileSummary, rows: number, calls: number | undefined): string => {
  const line = ([name, ms]: readonly [string, number]): string =>
    `${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms${calls === undefined ? '' : `  ${((1000 * ms) / calls).toFixed(1).padStart(6)} us/call`}  ${name}`
  return [
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms${calls === undefined ? '' : `, ${calls} calls: ${((1000 * summary.busyMs) / calls).toFixed(0)} us CPU per call`}`,
    '-- by area',
    ...summary.areas.slice(0, rows).map(line),
    '-- by function (self)',
    ...summary.functions.slice(0, rows).map(line),
    '-- by function (inclusive)',
    ...summary.inclusive.slice(0, rows).map(line),
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const [file, rowsArg, callsArg] = process.argv.slice(2)
  if (file === undefined) throw new Error('usage: profile-summary.ts FILE.cpuprofile [rows] [calls]')
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile)
  console.log(formatSummary(summary, Number(rowsArg ?? 40), callsArg === undefined ? undefined : Number(callsArg)))
}
