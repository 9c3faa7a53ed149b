import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { jsPatternEngine, jsPatternEngineWithoutSet } from './js-pattern-engine.js'
import { groupCountCases, matchCases, rejectCases } from './pattern-engine-contract.js'

const compiled = (source: string) => {
  const r = jsPatternEngine.compile(source)
  if (E.isLeft(r)) assert.fail(`${source}: ${r.left.message}`)
  return r.right
}

void describe('jsPatternEngine', () => {
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
      const r = jsPatternEngine.compile(c.source)
      assert.ok(E.isLeft(r))
      assert.equal(r.left._tag, c.tag)
      assert.equal(r.left.source, c.source)
      assert.notEqual(r.left.message, '')
    })
  }

  void it('names the feature it refuses', () => {
    const r = jsPatternEngine.compile('(a)\\2')
    assert.ok(E.isLeft(r) && r.left._tag === 'PatternNeedsBacktracking')
    assert.equal(r.left.feature, 'back-reference')
    assert.match(r.left.message, /\\2/)
  })

  void it('accepts the longest allowed pattern and a \\1 inside a class is not a back-reference check', () => {
    assert.ok(E.isRight(jsPatternEngine.compile('a'.repeat(250))))
    // With the `u` flag `[\1]` is a syntax error (as in RE2), not a back-reference.
    const r = jsPatternEngine.compile('[\\1]')
    assert.ok(E.isLeft(r))
    assert.equal(r.left._tag, 'PatternSyntaxError')
  })

  void it('matches a set in one call, positions ascending, anchored like compile', () => {
    const set = jsPatternEngine.compileSet?.(['.*@a\\.com', 'x@.*', 'a|ab', 'zzz'])
    assert.ok(set !== undefined && E.isRight(set))
    assert.equal(set.right.size, 4)
    assert.deepEqual(set.right.fullMatches('x@a.com'), [0, 1])
    assert.deepEqual(set.right.fullMatches('ab'), [2])
    assert.deepEqual(set.right.fullMatches('x@a.comz'), [1])
    assert.deepEqual(set.right.fullMatches('nothing'), [])
  })

  void it('names the position of a pattern a set refuses', () => {
    const set = jsPatternEngine.compileSet?.(['a', '(b', 'c'])
    assert.ok(set !== undefined && E.isLeft(set))
    assert.equal(set.left.index, 1)
    assert.equal(set.left.rejected._tag, 'PatternSyntaxError')
  })

  void it('has a variant without the set form', () => {
    assert.equal(jsPatternEngineWithoutSet.compileSet, undefined)
    assert.ok(E.isRight(jsPatternEngineWithoutSet.compile('a')))
  })
})
