import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { buildRuleIndex, candidateLists, firstInRankOrder } from './rule-index.js'

void describe('rule index', () => {
  void it('buckets per-domain rules by domain and a dial plan on one domain by its digit prefixes', () => {
    const index = buildRuleIndex([
      { rank: 0, literals: [{ prefix: '', suffix: '@a.example.com' }] },
      { rank: 1, literals: [{ prefix: '', suffix: '@b.example.com' }] },
      { rank: 2, literals: [{ prefix: '55', suffix: '@dial.example.com' }] },
      { rank: 3, literals: [{ prefix: '56', suffix: '@dial.example.com' }] },
      { rank: 4, literals: [{ prefix: '57', suffix: '@dial.example.com' }] },
      { rank: 5, literals: [{ prefix: '', suffix: '.example.org' }] },
      { rank: 6, literals: [{ prefix: '', suffix: '' }] },
      { rank: 7, literals: undefined },
      { rank: 8, literals: [{ prefix: 'alice@x', suffix: 'alice@x' }, { prefix: '', suffix: '@b.example.com' }] },
    ])
    assert.deepEqual([...index.byDomain], [
      ['@a.example.com', [0]],
      ['@b.example.com', [1, 8]],
      ['@x', [8]],
    ])
    assert.deepEqual([...index.byPrefix], [
      ['55', [2]],
      ['56', [3]],
      ['57', [4]],
    ])
    assert.deepEqual([...index.bySuffix], [['.example.org', [5]]])
    assert.deepEqual(index.unanchored, [6, 7])
    assert.deepEqual(candidateLists(index, '5512@dial.example.com'), [[2], [6, 7]])
    assert.deepEqual(candidateLists(index, 'bob@b.example.com'), [[1, 8], [6, 7]])
    assert.deepEqual(candidateLists(index, 'alice@x'), [[8], [6, 7]])
    assert.deepEqual(candidateLists(index, 'room@x.example.org'), [[5], [6, 7]])
    assert.deepEqual(candidateLists(index, ''), [[6, 7]])
  })

  void it('walks rank lists in ascending order without repeats, and stops at the first answer', () => {
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(fc.nat({ max: 50 })).map((l) => [...l].sort((a, b) => a - b))), fc.nat({ max: 50 }), (lists, stopAt) => {
        const visited: number[] = []
        const found = firstInRankOrder(lists, (rank) => {
          visited.push(rank)
          return rank >= stopAt ? `rank ${rank}` : undefined
        })
        const all = [...new Set(lists.flat())].sort((a, b) => a - b)
        const expected = all.filter((r) => r < stopAt).concat(all.filter((r) => r >= stopAt).slice(0, 1))
        assert.deepEqual(visited, expected)
        const first = all.find((r) => r >= stopAt)
        assert.equal(found, first === undefined ? undefined : `rank ${first}`)
      }),
    )
  })
})
