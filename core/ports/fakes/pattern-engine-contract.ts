/**
 * What every PatternEngine must do, as data, so that the RE2 engine and the in-memory one are
 * held to the same cases (their specs loop over these). Patterns here use only syntax both
 * accept (see the differences listed in js-pattern-engine.ts).
 */
import type { PatternRejected } from '../pattern-engine.js'

export interface MatchCase {
  readonly source: string
  readonly input: string
  /** Index 0 is the whole input; `undefined` = no full match. */
  readonly expected: ReadonlyArray<string | undefined> | undefined
}

export const matchCases: ReadonlyArray<MatchCase> = [
  // DESIGN §6 demo rule.
  { source: '(.+)@rooms\\.example\\.com', input: 'alice@rooms.example.com', expected: ['alice@rooms.example.com', 'alice'] },
  { source: '(.+)@rooms\\.example\\.com', input: 'alice@rooms.example.com.evil', expected: undefined },
  { source: '(.+)@rooms\\.example\\.com', input: 'x-alice@rooms.example.com', expected: ['x-alice@rooms.example.com', 'x-alice'] },
  // The whole alias, not a substring of it.
  { source: 'rooms', input: 'meet@rooms.example.com', expected: undefined },
  { source: '.*rooms.*', input: 'meet@rooms.example.com', expected: ['meet@rooms.example.com'] },
  // Alternation: every alternative is anchored at both ends, and a shorter one does not win.
  { source: 'a|ab', input: 'ab', expected: ['ab'] },
  { source: 'ab|a', input: 'ab', expected: ['ab'] },
  { source: 'x|y', input: 'xy', expected: undefined },
  { source: 'foo@a\\.com|bar@b\\.com', input: 'foo@a.com', expected: ['foo@a.com'] },
  { source: 'foo@a\\.com|bar@b\\.com', input: 'foo@a.combar@b.com', expected: undefined },
  // Groups that take no part are undefined; named groups count by position.
  { source: '(a)|(b)', input: 'b', expected: ['b', undefined, 'b'] },
  { source: '(?<user>\\d+)@(dial\\.example\\.com)', input: '5512@dial.example.com', expected: ['5512@dial.example.com', '5512', 'dial.example.com'] },
  // Digit dial plans.
  { source: '55\\d{4}@example\\.com', input: '551234@example.com', expected: ['551234@example.com'] },
  { source: '55\\d{4}@example\\.com', input: '5512345@example.com', expected: undefined },
  // Explicit anchors are harmless.
  { source: '^(.+)@b\\.org$', input: 'x@b.org', expected: ['x@b.org', 'x'] },
  // The empty pattern matches only the empty alias.
  { source: '', input: '', expected: [''] },
  { source: '', input: 'a', expected: undefined },
  // Beyond ASCII, by code point.
  { source: '(.)@é\\.fr', input: '😀@é.fr', expected: ['😀@é.fr', '😀'] },
  // Lazy quantifiers still have to cover the whole input.
  { source: '(.+?)(\\d*)', input: 'ab12', expected: ['ab12', 'ab', '12'] },
]

export interface GroupCountCase {
  readonly source: string
  readonly groupCount: number
}

export const groupCountCases: ReadonlyArray<GroupCountCase> = [
  { source: 'abc', groupCount: 0 },
  { source: '(.+)@rooms\\.example\\.com', groupCount: 1 },
  { source: '(?:a)(b)(?<c>c)', groupCount: 2 },
  { source: '((a)|(b))+', groupCount: 3 },
  { source: '[(]x[)]', groupCount: 0 },
  { source: '\\(x\\)', groupCount: 0 },
]

export interface RejectCase {
  readonly source: string
  readonly tag: PatternRejected['_tag']
}

export const rejectCases: ReadonlyArray<RejectCase> = [
  { source: '(a)\\1', tag: 'PatternNeedsBacktracking' },
  { source: '(?<n>a)\\k<n>', tag: 'PatternNeedsBacktracking' },
  { source: 'a(?=b)', tag: 'PatternNeedsBacktracking' },
  { source: 'a(?!b)', tag: 'PatternNeedsBacktracking' },
  { source: '(?<=a)b', tag: 'PatternNeedsBacktracking' },
  { source: '(?<!a)b', tag: 'PatternNeedsBacktracking' },
  { source: '(a', tag: 'PatternSyntaxError' },
  { source: 'a)', tag: 'PatternSyntaxError' },
  // Wrapped as `^(?:a)|(b)$` this would parse; the source alone must not.
  { source: 'a)|(b', tag: 'PatternSyntaxError' },
  { source: '[a', tag: 'PatternSyntaxError' },
  { source: '*a', tag: 'PatternSyntaxError' },
  { source: 'a**', tag: 'PatternSyntaxError' },
  { source: 'a{1001}', tag: 'PatternSyntaxError' },
  { source: 'a\\', tag: 'PatternSyntaxError' },
  { source: `${'a'.repeat(251)}`, tag: 'PatternTooLong' },
]
