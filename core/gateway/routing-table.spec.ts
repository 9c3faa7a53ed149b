import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import type { GatewayRule, GlobalSettings } from '../config/model.js'
import type { Protocol } from '../model/call.js'
import type { PatternEngine } from '../ports/pattern-engine.js'
import { jsPatternEngine, jsPatternEngineWithoutSet } from '../ports/fakes/js-pattern-engine.js'
import type { RouteQuery } from './route.js'
import { applyReplaceTemplate, parseReplaceTemplate } from './replace-template.js'
import type { RoutingTable, RuleProblem } from './routing-table.js'
import { buildRoutingTable, compareRuleIds, findRoute, unanchoredSetThreshold } from './routing-table.js'

const allProtocols: ReadonlyArray<Protocol> = ['sip', 'mssip', 'h323', 'webrtc']

const global: GlobalSettings = {
  pinEntryTimeoutS: 60,
  hostWaitTimeoutS: 1800,
  guestsOnlyTimeoutS: 60,
  onlyOneParticipantTimeoutS: 0,
  adpDelayS: 10,
  trustedPeers: ['127.0.0.1', '::1'],
  rtpPortMin: 40000,
  rtpPortMax: 49999,
  pinLockout: { failures: 10, windowS: 60, blockS: 300 },
}

const rule = (id: string, matchString: string, more: Partial<GatewayRule> = {}): GatewayRule => ({
  id,
  name: `rule ${id}`,
  priority: 100,
  enabled: true,
  matchIncomingCalls: true,
  matchOutgoingCalls: false,
  matchIncomingProtocols: allProtocols,
  matchIncomingOnlyIfRegistered: false,
  matchString,
  replaceString: '',
  outgoingProtocol: 'sip',
  callType: 'video',
  treatAsTrusted: false,
  ...more,
})

const incoming = (alias: string, protocol: Protocol = 'sip', registered = false): RouteQuery => ({
  alias,
  direction: 'incoming',
  protocol,
  registered,
})
const outgoing = (alias: string): RouteQuery => ({ alias, direction: 'outgoing', protocol: 'sip', registered: false })

const table = (rules: ReadonlyArray<GatewayRule>, settings: GlobalSettings = global, engine: PatternEngine = jsPatternEngine): RoutingTable => {
  const built = buildRoutingTable(rules, settings, engine)
  if (E.isLeft(built)) assert.fail(JSON.stringify(built.left))
  return built.right
}

const problems = (rules: ReadonlyArray<GatewayRule>): ReadonlyArray<RuleProblem> => {
  const built = buildRoutingTable(rules, global, jsPatternEngine)
  assert.ok(E.isLeft(built), 'expected problems')
  return built.left
}

/** DESIGN §6 demo rule. */
const rooms = rule('1', '(.+)@rooms\\.example\\.com', { name: 'Rooms', matchIncomingProtocols: ['sip', 'mssip'] })

void describe('gateway routing table', () => {
  void describe('the demo rule', () => {
    const demo = table([rooms])

    void it('calls a rooms alias out over sip to the same alias', () => {
      assert.deepEqual(findRoute(demo, incoming('alice@rooms.example.com')), {
        ruleId: '1',
        ruleName: 'Rooms',
        destination: 'alice@rooms.example.com',
        protocol: 'sip',
        callType: 'video',
        treatAsTrusted: false,
      })
      assert.equal(findRoute(demo, incoming('meet.bob@rooms.example.com', 'mssip'))?.destination, 'meet.bob@rooms.example.com')
    })

    void it('matches the whole alias only', () => {
      assert.equal(findRoute(demo, incoming('alice@rooms.example.com.evil.net')), undefined)
      assert.equal(findRoute(demo, incoming('@rooms.example.com')), undefined)
      assert.equal(findRoute(demo, incoming('alice@rooms-example.com')), undefined)
      assert.equal(findRoute(demo, incoming('alice@example.com')), undefined)
    })

    void it('takes only the incoming protocols it names', () => {
      assert.equal(findRoute(demo, incoming('alice@rooms.example.com', 'h323')), undefined)
      assert.equal(findRoute(demo, incoming('alice@rooms.example.com', 'webrtc')), undefined)
    })

    void it('does not route outgoing calls (match_outgoing_calls is false)', () => {
      assert.equal(findRoute(demo, outgoing('alice@rooms.example.com')), undefined)
    })
  })

  void it('routes nothing without rules (no open relay)', () => {
    assert.equal(findRoute(table([]), incoming('anyone@anywhere.example')), undefined)
  })

  void it('rewrites with back-references', () => {
    const t = table([
      rule('1', '(\\d+)@dial\\.example\\.com', { replaceString: '\\1@pstn-gw.example.net' }),
      rule('2', '([^@]+)@([^@]+)\\.swap', { replaceString: '\\2@\\1' }),
      rule('3', 'S4B\\.([a-zA-Z0-9]+)\\.(.+@.+)', { replaceString: '\\2;gruu;opaque=app:conf:focus:id:\\1', outgoingProtocol: 'mssip' }),
      rule('4', '(0)?(\\d{4})@short', { replaceString: '\\1\\2@long' }),
    ])
    assert.equal(findRoute(t, incoming('5512@dial.example.com'))?.destination, '5512@pstn-gw.example.net')
    assert.equal(findRoute(t, incoming('alice@host.swap'))?.destination, 'host@alice')
    const sfb = findRoute(t, incoming('S4B.ABC123.bob@example.com'))
    assert.equal(sfb?.destination, 'bob@example.com;gruu;opaque=app:conf:focus:id:ABC123')
    assert.equal(sfb?.protocol, 'mssip')
    // A group that took no part gives ''.
    assert.equal(findRoute(t, incoming('1234@short'))?.destination, '1234@long')
    assert.equal(findRoute(t, incoming('01234@short'))?.destination, '01234@long')
  })

  void it('tries rules in ascending priority, whatever their order in the file', () => {
    const broad = rule('7', '.*@example\\.com', { priority: 150, name: 'broad' })
    const narrow = rule('9', '55\\d{2}@example\\.com', { priority: 20, name: 'narrow' })
    const catchAll = rule('3', '.*', { priority: 200, name: 'catch-all' })
    for (const rules of [[broad, narrow, catchAll], [catchAll, narrow, broad], [narrow, catchAll, broad]]) {
      const t = table(rules)
      assert.equal(findRoute(t, incoming('5512@example.com'))?.ruleName, 'narrow')
      assert.equal(findRoute(t, incoming('alice@example.com'))?.ruleName, 'broad')
      assert.equal(findRoute(t, incoming('alice@example.org'))?.ruleName, 'catch-all')
    }
  })

  void it('breaks priority ties by rule id (numeric ids by value)', () => {
    const rules = [rule('10', '.*', { name: 'ten' }), rule('2', '.*', { name: 'two' }), rule('x', '.*', { name: 'x' })]
    assert.equal(findRoute(table(rules), incoming('a@b'))?.ruleName, 'two')
    assert.equal(findRoute(table(rules.slice(0, 1).concat(rules.slice(2))), incoming('a@b'))?.ruleName, 'ten')
    const sorted = ['b', '10', 'a', '9', '0', '100'].sort(compareRuleIds)
    assert.deepEqual(sorted, ['0', '9', '10', '100', 'a', 'b'])
  })

  void it('skips disabled rules', () => {
    const t = table([
      rule('1', '(.+)@example\\.com', { priority: 10, enabled: false, name: 'off' }),
      rule('2', '(.+)@example\\.com', { priority: 50, name: 'on' }),
    ])
    assert.equal(findRoute(t, incoming('alice@example.com'))?.ruleName, 'on')
    assert.equal(t.rules.length, 1)
  })

  void it('filters on direction', () => {
    const t = table([
      rule('1', '(.+)@example\\.com', { priority: 10, matchIncomingCalls: false, matchOutgoingCalls: true, name: 'out' }),
      rule('2', '(.+)@example\\.com', { priority: 20, name: 'in' }),
    ])
    assert.equal(findRoute(t, incoming('alice@example.com'))?.ruleName, 'in')
    assert.equal(findRoute(t, outgoing('alice@example.com'))?.ruleName, 'out')
  })

  void it('ignores the incoming protocol filter for outgoing calls', () => {
    const t = table([rule('1', '.*', { matchIncomingProtocols: [], matchOutgoingCalls: true })])
    assert.equal(findRoute(t, incoming('a@b', 'sip')), undefined)
    assert.equal(findRoute(t, outgoing('a@b'))?.ruleId, '1')
  })

  void it('filters on the incoming protocol', () => {
    const t = table([
      rule('1', '.*@example\\.com', { priority: 10, matchIncomingProtocols: ['h323'], name: 'h323 only' }),
      rule('2', '.*@example\\.com', { priority: 20, matchIncomingProtocols: ['mssip', 'webrtc'], name: 'sfb and web' }),
    ])
    assert.equal(findRoute(t, incoming('a@example.com', 'h323'))?.ruleName, 'h323 only')
    assert.equal(findRoute(t, incoming('a@example.com', 'mssip'))?.ruleName, 'sfb and web')
    assert.equal(findRoute(t, incoming('a@example.com', 'webrtc'))?.ruleName, 'sfb and web')
    assert.equal(findRoute(t, incoming('a@example.com', 'sip')), undefined)
  })

  void it('matches registered callers only when asked (no registrar yet: no caller is)', () => {
    const t = table([
      rule('1', '.*@example\\.com', { priority: 10, matchIncomingOnlyIfRegistered: true, name: 'registered' }),
      rule('2', 'bob@example\\.com', { priority: 20, name: 'bob' }),
    ])
    assert.equal(findRoute(t, incoming('alice@example.com', 'sip', false)), undefined)
    assert.equal(findRoute(t, incoming('bob@example.com', 'sip', false))?.ruleName, 'bob')
    assert.equal(findRoute(t, incoming('alice@example.com', 'sip', true))?.ruleName, 'registered')
    assert.equal(findRoute(t, outgoing('alice@example.com')), undefined)
  })

  void it("carries the rule's protocol, proxy, call type and trust", () => {
    const withDefaults: GlobalSettings = { ...global, defaultSipProxy: 'sip-default.example.net', defaultMssipProxy: 'pool.sfb.example.net' }
    const t = table(
      [
        rule('1', 'a@.*', { sipProxy: 'proxy.example.net:5070', callType: 'audio', treatAsTrusted: true }),
        rule('2', 'b@.*'),
        rule('3', 'c@.*', { outgoingProtocol: 'mssip', mssipProxy: 'edge.example.net', sipProxy: 'unused' }),
        rule('4', 'd@.*', { outgoingProtocol: 'mssip', callType: 'auto' }),
        rule('5', 'e@.*', { outgoingProtocol: 'h323', h323Gatekeeper: 'gk.example.net' }),
        rule('6', 'f@.*', { outgoingProtocol: 'h323', callType: 'video-only' }),
      ],
      withDefaults,
    )
    const route = (user: string) => findRoute(t, incoming(`${user}@x`))
    assert.deepEqual(route('a'), {
      ruleId: '1',
      ruleName: 'rule 1',
      destination: 'a@x',
      protocol: 'sip',
      proxy: 'proxy.example.net:5070',
      callType: 'audio',
      treatAsTrusted: true,
    })
    assert.equal(route('b')?.proxy, 'sip-default.example.net')
    assert.equal(route('c')?.proxy, 'edge.example.net')
    assert.equal(route('d')?.proxy, 'pool.sfb.example.net')
    assert.equal(route('d')?.callType, 'auto')
    assert.equal(route('e')?.proxy, 'gk.example.net')
    assert.equal(route('e')?.protocol, 'h323')
    // No gatekeeper and no global default for h323: the host of the destination.
    assert.ok(route('f') !== undefined && !('proxy' in (route('f') ?? {})))
    assert.equal(route('f')?.callType, 'video-only')
    // Without global defaults, a sip rule without its own proxy has none.
    assert.equal('proxy' in (findRoute(table([rule('1', '.*')]), incoming('a@b')) ?? {}), false)
  })

  void it('tries every alternative of a pattern', () => {
    const t = table([
      rule('1', 'alice@a\\.example|(\\d+)@b\\.example|.*@c\\.example', { priority: 10, name: 'three ways' }),
      rule('2', '.*', { priority: 20, name: 'rest' }),
    ])
    assert.equal(findRoute(t, incoming('alice@a.example'))?.ruleName, 'three ways')
    assert.equal(findRoute(t, incoming('55@b.example'))?.ruleName, 'three ways')
    assert.equal(findRoute(t, incoming('zed@c.example'))?.ruleName, 'three ways')
    assert.equal(findRoute(t, incoming('bob@a.example'))?.ruleName, 'rest')
    assert.equal(findRoute(t, incoming('alice@b.example'))?.ruleName, 'rest')
  })

  void it('gives the same routes with and without a pattern set for the unanchored rules', () => {
    const rules = Array.from({ length: unanchoredSetThreshold + 4 }, (_, i) =>
      rule(String(i + 1), `(.*)${i}(.*)`, { priority: 100 + i, replaceString: `\\2-\\1`, matchIncomingProtocols: i % 2 === 0 ? ['sip'] : ['mssip'] }),
    ).concat([rule('99', '(.+)@example\\.com', { priority: 105 })])
    const withSet = table(rules, global, jsPatternEngine)
    const without = table(rules, global, jsPatternEngineWithoutSet)
    assert.notEqual(withSet.unanchoredSet, undefined)
    assert.equal(without.unanchoredSet, undefined)
    for (const alias of ['a3b', '11x', '5@example.com', '9', 'none', '07', '3@example.com'])
      for (const protocol of ['sip', 'mssip'] as const)
        assert.deepEqual(findRoute(withSet, incoming(alias, protocol)), findRoute(without, incoming(alias, protocol)), `${alias} ${protocol}`)
    assert.equal(findRoute(withSet, incoming('a3b', 'mssip'))?.destination, 'b-a')
    assert.equal(findRoute(withSet, incoming('5@example.com', 'mssip'))?.ruleId, '6') // priority 105 both: id 6 before 99
    assert.equal(findRoute(withSet, incoming('x@example.com', 'mssip'))?.ruleId, '99')
  })

  void describe('problems', () => {
    void it('reports a regex the engine refuses, with its reason', () => {
      const found = problems([rule('1', '(.+@example\\.com'), rule('2', '(a)\\1'), rule('3', 'a(?=b)'), rule('4', 'x'.repeat(251))])
      assert.deepEqual(
        found.map((p) => [p.ruleId, p.field]),
        [
          ['1', 'match_string'],
          ['2', 'match_string'],
          ['3', 'match_string'],
          ['4', 'match_string'],
        ],
      )
      assert.match(found[1]?.message ?? '', /back-reference/)
      assert.match(found[2]?.message ?? '', /lookaround/)
      assert.match(found[3]?.message ?? '', /250/)
    })

    void it('reports a replace_string that refers to a group the regex lacks', () => {
      const found = problems([rule('1', '(.+)@example\\.com', { replaceString: '\\1@\\2' }), rule('2', '.*', { replaceString: '\\1' })])
      assert.deepEqual(found, [
        { ruleId: '1', field: 'replace_string', message: 'refers to group 2 but match_string has 1 group' },
        { ruleId: '2', field: 'replace_string', message: 'refers to group 1 but match_string has 0 groups' },
      ])
    })

    void it('reports a malformed replace_string', () => {
      const found = problems([rule('1', '(.+)', { replaceString: '\\1\\.com' })])
      assert.equal(found[0]?.field, 'replace_string')
      assert.match(found[0]?.message ?? '', /not a back-reference/)
    })

    void it('reports a priority outside 1-200 or not whole', () => {
      const found = problems([rule('1', 'a', { priority: 0 }), rule('2', 'a', { priority: 201 }), rule('3', 'a', { priority: 1.5 })])
      assert.deepEqual(
        found.map((p) => [p.ruleId, p.field]),
        [
          ['1', 'priority'],
          ['2', 'priority'],
          ['3', 'priority'],
        ],
      )
      assert.ok(E.isRight(buildRoutingTable([rule('1', 'a', { priority: 1 }), rule('2', 'a', { priority: 200 })], global, jsPatternEngine)))
    })

    void it('reports a rule id used twice', () => {
      assert.deepEqual(problems([rule('1', 'a'), rule('1', 'b')]), [{ ruleId: '1', field: 'id', message: 'rule id 1 is used more than once' }])
    })

    void it('validates disabled rules too, and reports every problem at once', () => {
      const found = problems([rule('1', '(', { enabled: false, replaceString: '\\q', priority: 0 }), rule('2', '[')])
      assert.deepEqual(
        found.map((p) => [p.ruleId, p.field]),
        [
          ['1', 'priority'],
          ['1', 'match_string'],
          ['1', 'replace_string'],
          ['2', 'match_string'],
        ],
      )
    })
  })

  void describe('the index gives what a linear scan in priority order gives', () => {
    const domains = ['d1.example.com', 'd2.example.com', 'example.com', 'other.org']
    const domain = fc.constantFrom(...domains)
    const escaped = (s: string) => s.replaceAll('.', '\\.')
    const prefix = fc.constantFrom('5', '55', '551', '7', '12')

    /** Rule shapes operators write: [match_string, a replace_string that fits it]. */
    const shape: fc.Arbitrary<readonly [string, string]> = fc.oneof(
      domain.map((d) => [`(.+)@${escaped(d)}`, '\\1@gw.example.net'] as const),
      domain.map((d) => [`[a-z.]+@${escaped(d)}`, ''] as const),
      fc.tuple(prefix, fc.integer({ min: 0, max: 3 }), domain).map(([p, n, d]) => [`${p}\\d{${n}}@${escaped(d)}`, ''] as const),
      fc.tuple(prefix, domain).map(([p, d]) => [`^${p}(\\d*)@${escaped(d)}$`, '+44\\1@pstn'] as const),
      prefix.map((p) => [`${p}.*`, ''] as const),
      fc.constantFrom(['.*', ''] as const, ['(.*)@(.*)', '\\2@\\1'] as const, ['.+@.+', ''] as const, ['(?:.*)', ''] as const),
      fc.tuple(domain, domain).map(([a, b]) => [`(?:alice|bob)@${escaped(a)}|(\\d+)@${escaped(b)}`, '\\1'] as const),
      fc.tuple(domain, prefix).map(([d, p]) => [`${p}\\d+|(.+)@${escaped(d)}`, ''] as const),
      domain.map((d) => [`alice@${escaped(d)}`, ''] as const),
      fc.constantFrom(['.*\\.example\\.com', ''] as const, ['.*com', ''] as const, ['(.*)\\.org', '\\1.net'] as const),
    )

    const ruleBody = fc.record({
      shape,
      priority: fc.integer({ min: 1, max: 6 }),
      enabled: fc.boolean(),
      matchIncomingCalls: fc.boolean(),
      matchOutgoingCalls: fc.boolean(),
      matchIncomingProtocols: fc.subarray([...allProtocols]),
      matchIncomingOnlyIfRegistered: fc.boolean(),
    })

    const ruleSet = (maxLength: number) =>
      fc.array(ruleBody, { maxLength }).chain((bodies) =>
        fc
          .uniqueArray(fc.oneof(fc.nat({ max: 99 }).map(String), fc.constantFrom('a', 'b', 'r7', 'z')), {
            minLength: bodies.length,
            maxLength: bodies.length,
          })
          .map((ids) =>
            bodies.map(({ shape: [matchString, replaceString], ...b }, i) => rule(ids[i] ?? String(i), matchString, { ...b, replaceString })),
          ),
      )

    const alias = fc.oneof(
      fc.tuple(fc.constantFrom('alice', 'bob', '5', '55', '5512', '551234', '7', '12', 'x.y', ''), fc.constantFrom(...domains, 'rooms.example.com', 'com')).map(([u, d]) => `${u}@${d}`),
      fc.constantFrom('5512', 'alice', '', 'a.org', 'example.com', '@', '55@', '7@d1.example.com@other.org'),
      fc.string({ unit: fc.constantFrom('a', '5', '1', '@', '.', 'o', 'r', 'g', 'c', 'm'), maxLength: 12 }),
    )

    const query = fc.record({
      alias,
      direction: fc.constantFrom('incoming' as const, 'outgoing' as const),
      protocol: fc.constantFrom(...allProtocols),
      registered: fc.boolean(),
    })

    /** The model: every enabled rule in (priority, id) order, each regex tried in turn. */
    const linearScan = (rules: ReadonlyArray<GatewayRule>, q: RouteQuery) => {
      const ordered = rules.filter((r) => r.enabled).sort((a, b) => a.priority - b.priority || compareRuleIds(a.id, b.id))
      for (const r of ordered) {
        const direction = q.direction === 'incoming' ? r.matchIncomingCalls : r.matchOutgoingCalls
        const protocol = q.direction === 'outgoing' || r.matchIncomingProtocols.includes(q.protocol)
        const registration = q.direction === 'outgoing' || !r.matchIncomingOnlyIfRegistered || q.registered
        if (!direction || !protocol || !registration) continue
        const compiled = jsPatternEngine.compile(r.matchString)
        assert.ok(E.isRight(compiled))
        const groups = compiled.right.fullMatch(q.alias)
        if (groups === undefined) continue
        const template = parseReplaceTemplate(r.replaceString)
        assert.ok(E.isRight(template))
        return { ruleId: r.id, destination: r.replaceString === '' ? q.alias : applyReplaceTemplate(template.right, groups) }
      }
      return undefined
    }

    const agrees = (engine: PatternEngine, maxRules: number) =>
      fc.property(ruleSet(maxRules), fc.array(query, { minLength: 1, maxLength: 20 }), (rules, queries) => {
        const t = table(rules, global, engine)
        for (const q of queries) {
          const found = findRoute(t, q)
          const expected = linearScan(rules, q)
          assert.deepEqual(found === undefined ? undefined : { ruleId: found.ruleId, destination: found.destination }, expected, JSON.stringify(q))
        }
      })

    void it('with few rules', () => {
      fc.assert(agrees(jsPatternEngine, 8), { numRuns: 500 })
    })

    void it('with many rules (the unanchored ones through a pattern set)', () => {
      fc.assert(agrees(jsPatternEngine, 60), { numRuns: 150 })
    })

    void it('with many rules (the unanchored ones one by one)', () => {
      fc.assert(agrees(jsPatternEngineWithoutSet, 60), { numRuns: 150 })
    })
  })
})
