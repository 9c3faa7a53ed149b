/**
 * Operator regular expressions (gateway `match_string`) compiled once, at configuration time,
 * by a linear-time engine — or refused (DESIGN §2 "Operator regexes run on caller input").
 * The core never imports an engine: one is handed to `compileConfig` as a value. The real one is
 * adapters/regex/re2-pattern-engine.ts; fakes/js-pattern-engine.ts serves tests and the simulator.
 */
import type { Either } from 'fp-ts/lib/Either.js'

/** Pexip caps `match_string` at 250 characters (PROTOCOLS 3.6); every engine refuses longer. */
export const maxPatternLength = 250

/** Features whose matching needs backtracking; RE2 has none of them, so no engine accepts them. */
export type BacktrackingFeature = 'back-reference' | 'lookaround'

export type PatternRejected =
  | { readonly _tag: 'PatternSyntaxError'; readonly source: string; readonly message: string }
  | {
      readonly _tag: 'PatternNeedsBacktracking'
      readonly source: string
      readonly feature: BacktrackingFeature
      readonly message: string
    }
  | { readonly _tag: 'PatternTooLong'; readonly source: string; readonly length: number; readonly message: string }

export interface CompiledPattern {
  readonly source: string
  /** Capturing groups in the pattern (named ones count too, by position). */
  readonly groupCount: number
  /**
   * Matches the WHOLE input (as if anchored `^(?:source)$`). On a match: index 0 is the input,
   * index i the text of group i (`undefined` where the group took no part); else `undefined`.
   */
  readonly fullMatch: (input: string) => ReadonlyArray<string | undefined> | undefined
}

/** Many patterns matched in one pass over the input (RE2::Set). */
export interface CompiledPatternSet {
  readonly size: number
  /** Ascending positions (in the compiled list) of the patterns that match the whole input. */
  readonly fullMatches: (input: string) => ReadonlyArray<number>
}

export interface PatternEngine {
  readonly compile: (source: string) => Either<PatternRejected, CompiledPattern>
  /** Optional: an engine without a one-pass set form leaves the caller to loop over `compile`. */
  readonly compileSet?: (
    sources: ReadonlyArray<string>,
  ) => Either<{ readonly index: number; readonly rejected: PatternRejected }, CompiledPatternSet>
}

export const patternTooLong = (source: string): PatternRejected | undefined =>
  source.length > maxPatternLength
    ? {
        _tag: 'PatternTooLong',
        source,
        length: source.length,
        message: `the pattern has ${source.length} characters; at most ${maxPatternLength} are allowed`,
      }
    : undefined

/**
 * Finds a back-reference (`\1`, `\k<name>`, `(?P=name)`) or a lookaround (`(?=`, `(?!`, `(?<=`,
 * `(?<!`) outside a character class, so that every engine refuses them with the same clear
 * reason instead of its own syntax message. Escapes and classes are skipped as written; a
 * pattern this scan misreads still goes to the engine, which refuses what it cannot run.
 */
export const backtrackingFeature = (source: string): PatternRejected | undefined => {
  const refuse = (feature: BacktrackingFeature, found: string): PatternRejected => ({
    _tag: 'PatternNeedsBacktracking',
    source,
    feature,
    message: `${feature} ${found} needs a backtracking engine; Parley runs patterns in linear time (RE2)`,
  })
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      const next = source[i + 1] ?? ''
      if (!inClass && /[1-9]/.test(next)) return refuse('back-reference', `\\${next}`)
      if (!inClass && next === 'k' && source[i + 2] === '<') return refuse('back-reference', '\\k<…>')
      i++
    } else if (inClass) {
      if (c === ']') inClass = false
    } else if (c === '[') {
      inClass = true
    } else if (c === '(' && source[i + 1] === '?') {
      const after = source.slice(i + 2, i + 4)
      if (after.startsWith('=') || after.startsWith('!') || after === '<=' || after === '<!')
        return refuse('lookaround', `(?${after.startsWith('<') ? after : after.slice(0, 1)}`)
      if (after === 'P=') return refuse('back-reference', '(?P=…)')
    }
  }
  return undefined
}
