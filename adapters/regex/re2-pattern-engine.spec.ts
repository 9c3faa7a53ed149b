import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { re2PatternEngine } from './re2-pattern-engine.js'
import { jsPatternEngine } from '../../core/ports/fakes/js-pattern-engine.js'
import { groupCountCases, matchCases, rejectCases } from '../../core/ports/fakes/pattern-engine-contract.js'
import type { PatternEngine } from '../../core/ports/pattern-engine.js'

const compiled = (source: string, engine: PatternEngine = re2PatternEngine) => {
  const r = engine.compile(source)
  if (E.isLeft(r)) assert.fail(`${source}: ${r.left.message}`)
  return r.right
}

/** A pattern with whether it can match the empty string. */
interface Gen {
  readonly src: string
  readonly nullable: boolean
}
const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{1,2}', '*?', '+?')
const literalAtom: fc.Arbitrary<Gen> = fc
  .constantFrom('a', 'b', '1', '@', '\\.', '.', '\\d', '[ab]', '[^a]', '[0-9]', '')
  .map((src) => ({ src, nullable: src === '' }))
const alternation = (branches: ReadonlyArray<Gen>): Gen => ({
  src: branches.map((b) => b.src).join('|'),
  nullable: branches.some((b) => b.nullable),
})
const sequence = (atoms: ReadonlyArray<Gen>): Gen => ({
  src: atoms.map((a) => a.src).join(''),
  nullable: atoms.every((a) => a.nullable),
})
/** Only a body that cannot match empty is repeated: on an empty iteration JS and RE2 part ways. */
const quantified = ([atom, q]: readonly [Gen, string]): Gen =>
  atom.nullable || q === '' ? atom : { src: atom.src + q, nullable: /^[*?]/.test(q) }

/**
 * Regular expressions in the syntax both engines share. Capturing groups never sit under a
 * quantifier, and no quantifier applies to what can match empty: there JS and RE2 report
 * different captures (see js-pattern-engine.ts). Whether they match never differs.
 */
const sharedPattern: fc.Arbitrary<string> = fc
  .letrec<{ alt: Gen; seq: Gen; atom: Gen; plainAlt: Gen; plainSeq: Gen; plainAtom: Gen }>((tie) => ({
    plainAlt: fc.array(tie('plainSeq'), { minLength: 1, maxLength: 3, depthIdentifier: 'p' }).map(alternation),
    plainSeq: fc.array(tie('plainAtom'), { maxLength: 3, depthIdentifier: 'p' }).map(sequence),
    plainAtom: fc
      .tuple(fc.oneof({ depthSize: 'small' }, literalAtom, tie('plainAlt').map((a) => ({ ...a, src: `(?:${a.src})` }))), quantifier)
      .map(quantified),
    alt: fc.array(tie('seq'), { minLength: 1, maxLength: 3, depthIdentifier: 't' }).map(alternation),
    seq: fc.array(tie('atom'), { maxLength: 4, depthIdentifier: 't' }).map(sequence),
    atom: fc.oneof(
      { depthSize: 'small' },
      tie('plainAtom'),
      tie('alt').map((a) => ({ ...a, src: `(${a.src})` })),
      tie('alt').map((a) => ({ ...a, src: `(?:${a.src})` })),
    ),
  }))
  .alt.map((g) => g.src)
  .filter((source) => source.length <= 250)

const shortInput = fc.string({ unit: fc.constantFrom('a', 'b', '1', '2', '@', '.'), maxLength: 8 })

void describe('re2PatternEngine', () => {
  for (const c of matchCases) {
    void it(`full-matches ${JSON.stringify(c.source)} against ${JSON.stringify(c.input)}`, () => {
      assert.deepEqual(compiled(c.source).fullMatch(c.input), c.expected)
    })
  }

  for (const c of groupCountCases) {
    void it(`counts ${c.groupCount} groups in ${JSON.stringify(c.source)}`, () => {
      assert.equal(compiled(c.source).groupCount, c.groupCount)
    })
  }

  for (const c of rejectCases) {
    void it(`refuses ${JSON.stringify(c.source.slice(0, 20))} as ${c.tag}`, () => {
      const r = re2PatternEngine.compile(c.source)
      assert.ok(E.isLeft(r))
      assert.equal(r.left._tag, c.tag)
      assert.equal(r.left.source, c.source)
      assert.notEqual(r.left.message, '')
    })
  }

  void it("passes RE2's own message on", () => {
    const r = re2PatternEngine.compile('a{1001}')
    assert.ok(E.isLeft(r))
    assert.match(r.left.message, /invalid repetition size/)
  })

  void it('refuses a back-reference by name of the feature, whichever way it is written', () => {
    for (const source of ['(a)\\1', '(?P<n>a)(?P=n)', '(?<n>a)\\k<n>']) {
      const r = re2PatternEngine.compile(source)
      assert.ok(E.isLeft(r) && r.left._tag === 'PatternNeedsBacktracking', source)
      assert.equal(r.left.feature, 'back-reference')
    }
  })

  // Each of these takes exponential time in a backtracking engine on such inputs.
  const catastrophic: ReadonlyArray<{ source: string; input: string; expected: ReadonlyArray<string | undefined> | undefined }> = [
    { source: '(a+)+$', input: `${'a'.repeat(100_000)}b`, expected: undefined },
    { source: '(a+)+$', input: 'a'.repeat(100_000), expected: ['a'.repeat(100_000), 'a'.repeat(100_000)] },
    { source: '(a|a)*', input: `${'a'.repeat(50_000)}!`, expected: undefined },
    { source: '(x+x+)+y', input: 'x'.repeat(50_000), expected: undefined },
    { source: '(.*a){12}', input: 'a'.repeat(30_000) + 'b', expected: undefined },
    { source: '([\\w.]+)*@example\\.com', input: `${'a.'.repeat(40_000)}@example.co`, expected: undefined },
  ]
  for (const c of catastrophic) {
    void it(`runs ${c.source} over ${c.input.length} characters in linear time`, { timeout: 20_000 }, () => {
      assert.deepEqual(compiled(c.source).fullMatch(c.input), c.expected)
    })
  }

  void it('agrees with the in-memory engine on patterns in the shared syntax', () => {
    fc.assert(
      fc.property(sharedPattern, fc.array(shortInput, { maxLength: 6 }), (source, inputs) => {
        const re2 = re2PatternEngine.compile(source)
        const js = jsPatternEngine.compile(source)
        assert.equal(E.isRight(re2), E.isRight(js), source)
        if (E.isLeft(re2) || E.isLeft(js)) return
        assert.equal(re2.right.groupCount, js.right.groupCount, source)
        for (const input of inputs) assert.deepEqual(re2.right.fullMatch(input), js.right.fullMatch(input), `${source} ${input}`)
      }),
      { numRuns: 500 },
    )
  })

  void it('matches a set in one pass, each pattern anchored at both ends', () => {
    const set = re2PatternEngine.compileSet?.(['.*@a\\.com', 'x@.*', 'a|ab', 'zzz'])
    assert.ok(set !== undefined && E.isRight(set))
    assert.equal(set.right.size, 4)
    assert.deepEqual(set.right.fullMatches('x@a.com'), [0, 1])
    assert.deepEqual(set.right.fullMatches('ab'), [2])
    assert.deepEqual(set.right.fullMatches('x@a.comz'), [1])
    assert.deepEqual(set.right.fullMatches('nothing'), [])
  })

  void it('answers a set like the patterns one by one', () => {
    fc.assert(
      fc.property(fc.array(sharedPattern, { minLength: 1, maxLength: 5 }), fc.array(shortInput, { maxLength: 6 }), (sources, inputs) => {
        const set = re2PatternEngine.compileSet?.(sources)
        assert.ok(set !== undefined && E.isRight(set))
        const singles = sources.map((s) => compiled(s))
        for (const input of inputs) {
          const expected = singles.flatMap((p, i) => (p.fullMatch(input) === undefined ? [] : [i]))
          assert.deepEqual(set.right.fullMatches(input), expected, `${JSON.stringify(sources)} ${input}`)
        }
      }),
      { numRuns: 150 },
    )
  })

  void it('names the position of a pattern a set refuses', () => {
    const set = re2PatternEngine.compileSet?.(['a', '(a)\\1', 'c'])
    assert.ok(set !== undefined && E.isLeft(set))
    assert.equal(set.left.index, 1)
    assert.equal(set.left.rejected._tag, 'PatternNeedsBacktracking')
  })

  void it('matches an empty set against nothing', () => {
    const set = re2PatternEngine.compileSet?.([])
    assert.ok(set !== undefined && E.isRight(set))
    assert.deepEqual(set.right.fullMatches('a'), [])
  })
})
