/**
 * An in-memory PatternEngine on JS RegExp (`u` flag) for tests and the simulator. It refuses
 * back-references, lookaround and repetition counts above 1000 (RE2's limit), so it accepts no
 * more than the RE2 engine does on the patterns operators write. JS RegExp backtracks, so this
 * engine is for trusted test patterns only; the node runs adapters/regex (RE2).
 *
 * Differences left (JS here vs RE2). On syntax both accept, whether a pattern matches an alias
 * does not differ (but for `.` below); what a capturing group holds can, inside a repetition
 * (adapters/regex's agreement property generates no such patterns):
 * - A group inside a repeated group: JS clears it at each iteration, RE2 keeps its last value
 *   (`(?:(a)|b)*` on `ab`: JS `undefined`, RE2 `a`).
 * - A repeated body that can match empty: JS refuses an empty iteration and tries the next
 *   alternative, RE2 ends the loop (`(?:|1)*(.+)` on `1b`: group 1 is `b` in JS, `1b` in RE2;
 *   `(|)*` on ``: JS `undefined`, RE2 ``).
 * Syntax (none of which widens what is accepted in practice):
 * - RE2 accepts some syntax JS refuses with the `u` flag: inline flags `(?i)`, `\Q…\E`,
 *   POSIX classes `[[:alpha:]]`, `\z`, `\A`, `\C`, escaped non-syntax punctuation such as `\-`
 *   or `\@` outside a class, `{` that is not a quantifier. A test pattern must avoid these.
 * - `.` stops at `\r`, `\u2028` and `\u2029` in JS, only at `\n` in RE2 (aliases hold none).
 * - Unicode property names differ at the edges (`\p{Script=Greek}` vs `\p{Greek}`).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { CompiledPattern, CompiledPatternSet, PatternEngine, PatternRejected } from '../pattern-engine.js'
import { backtrackingFeature, patternTooLong } from '../pattern-engine.js'

/** RE2's `kMaxRepeat`: `a{1001}` is a syntax error there, so it is one here too. */
const maxRepeat = 1000

const repeatTooLarge = (source: string): string | undefined => {
  for (const m of source.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    const counts = [m[1], m[2]].filter((n): n is string => n !== undefined && n !== '').map(Number)
    if (counts.some((n) => n > maxRepeat)) return `invalid repetition size: ${m[0]}`
  }
  return undefined
}

const syntaxError = (source: string, message: string): PatternRejected => ({ _tag: 'PatternSyntaxError', source, message })

const tryRegExp = (source: string): E.Either<PatternRejected, RegExp> => {
  try {
    return E.right(new RegExp(source, 'u'))
  } catch (e) {
    return E.left(syntaxError(source, e instanceof Error ? e.message : String(e)))
  }
}

const compile = (source: string): E.Either<PatternRejected, CompiledPattern> => {
  const refused = patternTooLong(source) ?? backtrackingFeature(source)
  if (refused !== undefined) return E.left(refused)
  const tooLarge = repeatTooLarge(source)
  if (tooLarge !== undefined) return E.left(syntaxError(source, tooLarge))
  // The source alone first: wrapped, an unbalanced `a)|(b` would parse and mean something else.
  const alone = tryRegExp(source)
  if (E.isLeft(alone)) return alone
  const whole = new RegExp(`^(?:${source})$`, 'u')
  // An empty alternative always matches '', and the match lists every group of the pattern.
  const groupCount = (new RegExp(`(?:${source})|`, 'u').exec('')?.length ?? 1) - 1
  return E.right({
    source,
    groupCount,
    fullMatch: (input) => {
      const m = whole.exec(input)
      return m === null ? undefined : Array.from(m)
    },
  })
}

const compileSet: NonNullable<PatternEngine['compileSet']> = (sources) => {
  const compiled: CompiledPattern[] = []
  for (const [index, source] of sources.entries()) {
    const one = compile(source)
    if (E.isLeft(one)) return E.left({ index, rejected: one.left })
    compiled.push(one.right)
  }
  const set: CompiledPatternSet = {
    size: compiled.length,
    fullMatches: (input) => compiled.flatMap((p, i) => (p.fullMatch(input) === undefined ? [] : [i])),
  }
  return E.right(set)
}

export const jsPatternEngine: PatternEngine = { compile, compileSet }

/** The same engine without the set form, to exercise callers' per-pattern path. */
export const jsPatternEngineWithoutSet: PatternEngine = { compile }
