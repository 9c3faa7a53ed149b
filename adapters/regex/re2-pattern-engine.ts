/**
 * The PatternEngine the node runs: RE2 (`re2` package, native), which matches in time linear in
 * the input whatever the pattern, so a caller cannot stall the node with a crafted alias (DESIGN
 * §2 "Operator regexes ... linear-time engine (RE2)"). Translation only: RE2's refusals become
 * PatternRejected with RE2's own message.
 */
import RE2 from 're2'
import * as E from 'fp-ts/lib/Either.js'
import type {
  CompiledPattern,
  CompiledPatternSet,
  PatternEngine,
  PatternRejected,
} from '../../core/ports/pattern-engine.js'
import { backtrackingFeature, patternTooLong } from '../../core/ports/pattern-engine.js'

/** `u`: match by code point, as the aliases are JS strings that may hold any Unicode. */
const flags = 'u'

const tryRe2 = (source: string, pattern: string): E.Either<PatternRejected, RE2> => {
  try {
    return E.right(new RE2(pattern, flags))
  } catch (e) {
    return E.left({ _tag: 'PatternSyntaxError', source, message: e instanceof Error ? e.message : String(e) })
  }
}

const fullMatchOf = (whole: RE2) => (input: string): ReadonlyArray<string | undefined> | undefined => {
  const m = whole.exec(input)
  return m === null ? undefined : Array.from(m)
}

const compile = (source: string): E.Either<PatternRejected, CompiledPattern> => {
  const refused = patternTooLong(source) ?? backtrackingFeature(source)
  if (refused !== undefined) return E.left(refused)
  // The source alone first: wrapped, an unbalanced `a)|(b` would parse and mean something else.
  const alone = tryRe2(source, source)
  if (E.isLeft(alone)) return alone
  // `^(?:…)$` anchors every alternative of the source, not just the first and the last.
  const whole = tryRe2(source, `^(?:${source})$`)
  if (E.isLeft(whole)) return whole
  // An empty alternative always matches '', and the match lists every group of the pattern.
  const counter = tryRe2(source, `(?:${source})|`)
  if (E.isLeft(counter)) return counter
  const groupCount = (counter.right.exec('')?.length ?? 1) - 1
  return E.right({ source, groupCount, fullMatch: fullMatchOf(whole.right) })
}

/**
 * One RE2::Set over every source (anchored at both ends). RE2 answers a set match from its DFA,
 * whose memory is bounded; should it run out on some input it throws, and this set then falls
 * back to matching the patterns one by one, so the answer is always exact.
 */
const compileSet: NonNullable<PatternEngine['compileSet']> = (sources) => {
  const singles: CompiledPattern[] = []
  for (const [index, source] of sources.entries()) {
    const one = compile(source)
    if (E.isLeft(one)) return E.left({ index, rejected: one.left })
    singles.push(one.right)
  }
  let set: InstanceType<typeof RE2.Set> | undefined
  try {
    set = sources.length === 0 ? undefined : new RE2.Set(sources, flags, { anchor: 'both' })
  } catch {
    // Each pattern compiled alone; a set too large for RE2's memory budget is matched one by one.
    set = undefined
  }
  const oneByOne = (input: string): ReadonlyArray<number> =>
    singles.flatMap((p, i) => (p.fullMatch(input) === undefined ? [] : [i]))
  const compiled: CompiledPatternSet = {
    size: sources.length,
    fullMatches: (input) => {
      if (set === undefined) return oneByOne(input)
      try {
        return set.match(input).sort((a, b) => a - b)
      } catch {
        return oneByOne(input)
      }
    },
  }
  return E.right(compiled)
}

export const re2PatternEngine: PatternEngine = { compile, compileSet }
