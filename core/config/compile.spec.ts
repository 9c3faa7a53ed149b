import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { decodeConfigFile, type ConfigProblem } from './codecs.js'
import { compileConfig } from './compile.js'
import type { CompiledConfig } from './compiled.js'
import { demoConfigFile } from './demo-config.js'
import type { NodeConfig } from './model.js'
import { findRoute } from '../gateway/routing-table.js'
import { jsPatternEngine } from '../ports/fakes/js-pattern-engine.js'
import { aliasKey, parseDialString } from '../dial-string/dial-string.js'
import { ConferenceId } from '../model/ids.js'

const configOf = (json: unknown): NodeConfig => {
  const result = decodeConfigFile(json)
  assert.ok(E.isRight(result), JSON.stringify(result))
  return result.right
}

const compiled = (json: unknown): CompiledConfig => {
  const result = compileConfig(configOf(json), jsPatternEngine)
  assert.ok(E.isRight(result), JSON.stringify(result))
  return result.right
}

const refused = (config: NodeConfig): ReadonlyArray<ConfigProblem> => {
  const result = compileConfig(config, jsPatternEngine)
  assert.ok(E.isLeft(result), 'should be refused')
  return result.left.problems
}

const keyOf = (raw: string): string => {
  const parsed = parseDialString(raw)
  assert.ok(E.isRight(parsed))
  return aliasKey(parsed.right)
}

const conferenceUri = (id: number): string => `/api/admin/configuration/v1/conference/${id}/`

void describe('compileConfig', () => {
  void it('indexes the demo: every alias, as any caller spells it, reaches its VMR', () => {
    const c = compiled(demoConfigFile)
    assert.equal(c.source.vmrs.length, 2)
    const dialled: ReadonlyArray<readonly [string, string]> = [
      ['sip:meet.alice@example.com;transport=tls', "Alice's meeting room"],
      ['"Alice" <sips:Meet.Alice**1234@EXAMPLE.com:5061>', "Alice's meeting room"],
      ['sip:1001@example.com;user=phone', "Alice's meeting room"],
      ['meet.bob@example.com', "Bob's room"],
    ]
    for (const [raw, name] of dialled) assert.equal(c.vmrByAlias.get(keyOf(raw))?.name, name, raw)
    assert.equal(c.vmrByAlias.get(keyOf('meet.carol@example.com')), undefined)
    assert.equal(c.vmrByAlias.size, 3)
    assert.equal(c.vmrById.get(ConferenceId('2'))?.name, "Bob's room")
  })

  void it('builds the demo routing table: rooms.example.com over sip for incoming sip and mssip only', () => {
    const c = compiled(demoConfigFile)
    const query = { alias: 'room1@rooms.example.com', direction: 'incoming', registered: false } as const
    assert.deepEqual(findRoute(c.routing, { ...query, protocol: 'mssip' }), {
      ruleId: '1',
      ruleName: 'Rooms',
      destination: 'room1@rooms.example.com',
      protocol: 'sip',
      callType: 'video',
      treatAsTrusted: false,
    })
    assert.equal(findRoute(c.routing, { ...query, protocol: 'sip' })?.ruleName, 'Rooms')
    assert.equal(findRoute(c.routing, { ...query, protocol: 'h323' }), undefined)
    assert.equal(findRoute(c.routing, { ...query, protocol: 'sip', alias: 'room1@elsewhere.example.com' }), undefined)
  })

  void it('groups ADPs by conference, in file order', () => {
    const c = compiled({
      conference: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
      automatic_participant: [
        { id: 10, alias: 'rec@example.com', conference: [conferenceUri(1), conferenceUri(2)] },
        { id: 11, alias: 'room@example.com', conference: [conferenceUri(2)] },
      ],
    })
    assert.deepEqual(c.adpsByConference.get(ConferenceId('1'))?.map((a) => a.id), ['10'])
    assert.deepEqual(c.adpsByConference.get(ConferenceId('2'))?.map((a) => a.id), ['10', '11'])
  })

  void it('turns rule problems into configuration problems at the rule field', () => {
    const config = configOf({
      gateway_routing_rule: [
        { name: 'ok', priority: 1, match_string: '.+@ok\\.example\\.com' },
        { name: 'broken', priority: 2, match_string: '(unclosed' },
        { name: 'backtracks', priority: 3, match_string: '(a)\\1' },
        { name: 'bad group', priority: 4, match_string: '(.+)@x', replace_string: '\\2@y' },
      ],
    })
    const problems = refused(config)
    assert.deepEqual(
      problems.map((p) => p.path),
      ['gateway_routing_rule[1].match_string', 'gateway_routing_rule[2].match_string', 'gateway_routing_rule[3].replace_string'],
    )
    assert.match(problems[1]?.message ?? '', /back-reference/)
  })

  void it('checks a configuration that did not come through decodeConfigFile', () => {
    const demo = configOf(demoConfigFile)
    const [alice, bob] = demo.vmrs
    assert.ok(alice !== undefined && bob !== undefined)
    const problems = refused({
      ...demo,
      vmrs: [alice, { ...bob, aliases: ['MEET.ALICE@example.com', 'x**1234@example.com'] }, { ...bob, name: 'copy', aliases: ['sip:Meet.Alice@example.com'] }],
      adps: [{ ...configOf({ automatic_participant: [{ alias: 'r@example.com' }] }).adps[0]!, conferenceIds: [ConferenceId('9')] }],
      rules: [...demo.rules, ...demo.rules],
    })
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        'conference[1].aliases[0].alias',
        'conference[1].aliases[1].alias',
        'conference[2].id',
        'conference[2].aliases[0].alias',
        'automatic_participant[0].conference[0]',
        'gateway_routing_rule[1].id',
      ],
    )
  })

  void it('finds every alias of every generated configuration under its key', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcxyz019.-'), minLength: 1, maxLength: 8 })
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(word, fc.domain()).map(([u, d]) => `${u}@${d}`), { maxLength: 12, selector: (a) => a.toLowerCase() }),
        fc.integer({ min: 1, max: 4 }),
        (aliases, rooms) => {
          const c = compiled({
            conference: Array.from({ length: rooms }, (_, i) => ({
              name: `room ${i}`,
              aliases: aliases.filter((_, k) => k % rooms === i).map((alias) => ({ alias })),
            })),
          })
          aliases.forEach((alias, k) => {
            assert.equal(c.vmrByAlias.get(keyOf(`sip:${alias.toUpperCase()};transport=tls`))?.name, `room ${k % rooms}`)
          })
          assert.equal(c.vmrByAlias.size, aliases.length)
        },
      ),
      { numRuns: 200 },
    )
  })
})
