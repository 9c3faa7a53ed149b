import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { requiredLiterals } from './pattern-literals.js'
import { jsPatternEngine } from '../ports/fakes/js-pattern-engine.js'

/**
 * A pattern as a tree, so that strings it matches can be built from it directly (fast-check's
 * stringMatching backtracks for seconds on nested nullable loops).
 */
type Node =
  | { readonly _tag: 'Atom'; readonly source: string; readonly chars: ReadonlyArray<string> }
  | { readonly _tag: 'Group'; readonly open: string; readonly branches: ReadonlyArray<ReadonlyArray<Quantified>> }
interface Quantified {
  readonly node: Node
  readonly quantifier: string
  readonly min: number
  readonly max: number
}

const anyChar = ['a', 'b', '1', '5', '@', '.', '-', 'é', '😀']
const atoms: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ['a', ['a']],
  ['b', ['b']],
  ['1', ['1']],
  ['5', ['5']],
  ['@', ['@']],
  ['-', ['-']],
  ['é', ['é']],
  ['😀', ['😀']],
  ['\\.', ['.']],
  ['.', anyChar],
  ['\\d', ['1', '5']],
  ['\\w', ['a', 'b', '1', '5']],
  ['[ab]', ['a', 'b']],
  ['[^a]', anyChar.filter((c) => c !== 'a')],
  ['[0-9]', ['1', '5']],
]
const quantifiers: ReadonlyArray<readonly [string, number, number]> = [
  ['', 1, 1],
  ['', 1, 1],
  ['', 1, 1],
  ['*', 0, 3],
  ['+', 1, 3],
  ['?', 0, 1],
  ['{2}', 2, 2],
  ['{1,2}', 1, 2],
  ['{0,2}', 0, 2],
  ['{2,}', 2, 3],
  ['*?', 0, 3],
  ['+?', 1, 3],
  ['??', 0, 1],
]

const tree = fc.letrec<{ alt: ReadonlyArray<ReadonlyArray<Quantified>>; seq: ReadonlyArray<Quantified>; atom: Quantified }>((tie) => ({
  alt: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }),
  seq: fc.array(tie('atom'), { maxLength: 5 }),
  atom: fc
    .tuple(
      fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(...atoms).map(([source, chars]): Node => ({ _tag: 'Atom', source, chars })),
        fc.tuple(fc.constantFrom('(', '(?:', '(?<g>'), tie('alt')).map(([open, branches]): Node => ({ _tag: 'Group', open, branches })),
      ),
      fc.constantFrom(...quantifiers),
    )
    .map(([node, [quantifier, min, max]]) => ({ node, quantifier, min, max })),
})).alt

let groupNames = 0
const sourceOfBranches = (branches: ReadonlyArray<ReadonlyArray<Quantified>>): string =>
  branches.map((seq) => seq.map((q) => sourceOfNode(q.node) + q.quantifier).join('')).join('|')
const sourceOfNode = (node: Node): string =>
  node._tag === 'Atom' ? node.source : `${node.open.replace('<g>', `<g${groupNames++}>`)}${sourceOfBranches(node.branches)})`

/** Builds one string the tree matches, each choice read from `tape` in turn. */
const sampleOf = (branches: ReadonlyArray<ReadonlyArray<Quantified>>, tape: ReadonlyArray<number>): string => {
  let at = 0
  const choose = (n: number): number => (tape[at++ % tape.length] ?? 0) % n
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[choose(xs.length)] as A
  const alternatives = (bs: ReadonlyArray<ReadonlyArray<Quantified>>): string =>
    pick(bs)
      .map((q) => {
        let out = ''
        for (let n = q.min + choose(q.max - q.min + 1); n > 0; n--) out += q.node._tag === 'Atom' ? pick(q.node.chars) : alternatives(q.node.branches)
        return out
      })
      .join('')
  return alternatives(branches)
}

/** A pattern (maybe anchored) with strings it fully matches. */
const patternWithMatches = fc
  .tuple(tree, fc.constantFrom('', '^'), fc.constantFrom('', '$'), fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 5 }))
  .map(([branches, start, end, tapes]) => ({
    source: `${start}${sourceOfBranches(branches)}${end}`,
    matches: tapes.map((tape) => sampleOf(branches, tape)),
  }))
  .filter(({ source }) => source.length <= 250)

const satisfiesSomeBranch = (source: string, input: string): boolean => {
  const literals = requiredLiterals(source)
  return literals === undefined || literals.some((l) => input.startsWith(l.prefix) && input.endsWith(l.suffix))
}

void describe('requiredLiterals', () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]> | undefined]> = [
    ['(.+)@rooms\\.example\\.com', [['', '@rooms.example.com']]],
    ['55\\d{4}@dial\\.example\\.com', [['55', '@dial.example.com']]],
    ['^55\\d{4}@dial\\.example\\.com$', [['55', '@dial.example.com']]],
    ['.*', [['', '']]],
    ['', [['', '']]],
    ['foo@a\\.com|bar@b\\.com', [['foo@a.com', 'foo@a.com'], ['bar@b.com', 'bar@b.com']]],
    ['(?:alice|bob)@example\\.com', [['', '@example.com']]],
    ['(?:sip-a|sip-b)\\d+', [['sip-', '']]],
    ['(?<user>[a-z]+)\\.(?P<room>\\d+)@vc\\.org', [['', '@vc.org']]],
    ['a?b', [['', 'b']]],
    ['(ab)+c', [['ab', 'abc']]],
    ['(ab){2}', [['abab', 'abab']]],
    ['(ab){2,3}x', [['ab', 'abx']]],
    ['a{0,3}', [['', '']]],
    ['\\+?44(\\d+)', [['', '']]],
    ['(?:\\+44|0)(\\d{10})@pstn\\.example\\.com', [['', '@pstn.example.com']]],
    ['😀?a', [['', 'a']]],
    ['😀+', [['😀', '😀']]],
    ['a\\.b', [['a.b', 'a.b']]],
    ['[a-z]+@x\\.org', [['', '@x.org']]],
    ['[.@]+x', [['', 'x']]],
    ['a\\b', [['a', '']]],
    // Syntax the reader does not model exactly: nothing is claimed.
    ['(?i)foo@example\\.com', undefined],
    ['(?i:foo)', undefined],
    ['\\x41', undefined],
    ['\\u0041', undefined],
    ['\\p{L}+', undefined],
    ['\\Qa.b\\E', undefined],
    ['a{x', undefined],
    ['a{,2}', undefined],
    ['[]a]', undefined],
    ['[[:alpha:]]', undefined],
    ['a)', undefined],
    ['(a', undefined],
    ['a]', undefined],
  ]
  for (const [source, expected] of cases) {
    void it(`reads ${JSON.stringify(source)}`, () => {
      const got = requiredLiterals(source)
      assert.deepEqual(got?.map((l) => [l.prefix, l.suffix]), expected)
    })
  }

  // Matches are built from the pattern's tree, not found by a regex engine: JS RegExp
  // backtracks for minutes on some of these nested loops.
  void it('claims only what every full match satisfies', () => {
    fc.assert(
      fc.property(patternWithMatches, ({ source, matches }) => {
        for (const input of matches)
          assert.ok(satisfiesSomeBranch(source, input), `${source} ${JSON.stringify(input)} ${JSON.stringify(requiredLiterals(source))}`)
      }),
      { numRuns: 2000 },
    )
  })

  void it('builds matches the engine agrees with (the generator itself, on shallow patterns)', () => {
    fc.assert(
      fc.property(
        patternWithMatches.filter(({ source }) => source.length <= 25),
        ({ source, matches }) => {
          const compiled = jsPatternEngine.compile(source)
          assert.ok(E.isRight(compiled), source)
          for (const input of matches) assert.notEqual(compiled.right.fullMatch(input), undefined, `${source} ${JSON.stringify(input)}`)
        },
      ),
      { numRuns: 300 },
    )
  })
})
