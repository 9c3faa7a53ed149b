import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { CompiledConfig } from '../config/compiled.js'
import type { PresenceDocument } from '../node/effect.js'
import type { PresenceInput } from './presence-resource.js'
import { SubscriptionId } from '../model/ids.js'
import { presenceFor, samePresence } from './presence-document.js'
import { initialPresenceResource, presenceKey, stepPresence } from './presence-resource.js'
import { emptyPresenceTable, fanOutConfigChange, stepPresenceTable } from './presence-table.js'
import type { PresenceTable } from './presence-table.js'
import { aliceRoom, bobRoom, demoPresenceConfig, roomsRule, testConfig, testRule, testVmr } from './presence-test-config.js'

const sub = (n: number | string): SubscriptionId => SubscriptionId(`s${n}`)
const subscribe = (subscription: SubscriptionId, target: string): PresenceInput => ({ _tag: 'PresenceSubscribed', at: 0, subscription, target, watcher: 'sip:bob@example.com' })
const unsubscribe = (subscription: SubscriptionId): PresenceInput => ({ _tag: 'PresenceUnsubscribed', at: 0, subscription })
const configChanged = (config: CompiledConfig): PresenceInput => ({ _tag: 'ConfigChanged', at: 0, config })

const aliceRenamed = testVmr('1', 'Alice (renamed)', ['meet.alice@example.com', '1001@example.com'])
const aliceWithAvatar = testVmr('1', "Alice's meeting room", ['meet.alice@example.com', '1001@example.com'], 'f00d')
const board = testVmr('3', 'Board room', ['board@example.com', 'x@example.com'])

void describe('presence resource', () => {
  void it('keys addresses by normalized alias; no key for what is not a dial string', () => {
    assert.equal(presenceKey('sip:Meet.Alice**1234@Example.com;transport=tls'), 'meet.alice@example.com')
    assert.equal(presenceKey('<sip:'), undefined)
  })

  void it('subscribe answers the current document; unsubscribing the last watcher drops the resource', () => {
    const first = stepPresence(undefined, subscribe(sub(1), 'sip:meet.alice@example.com'), demoPresenceConfig)
    assert.deepEqual(first.effects, [{ _tag: 'PresenceAnswer', subscription: sub(1), document: presenceFor(demoPresenceConfig, 'sip:meet.alice@example.com') }])
    assert.equal(first.state?.key, 'meet.alice@example.com')
    const second = stepPresence(first.state, subscribe(sub(2), 'sip:1001@example.com'), demoPresenceConfig)
    assert.equal(second.state?.watchers.size, 2)
    const one = stepPresence(second.state, unsubscribe(sub(1)), demoPresenceConfig)
    assert.equal(one.state?.watchers.size, 1)
    assert.deepEqual(one.effects, [])
    assert.equal(stepPresence(one.state, unsubscribe(sub(9)), demoPresenceConfig).state, one.state)
    assert.equal(stepPresence(one.state, unsubscribe(sub(2)), demoPresenceConfig).state, undefined)
  })

  void it('an unparseable address is answered Unknown and creates nothing', () => {
    const step = stepPresence(undefined, subscribe(sub(1), '<sip:'), demoPresenceConfig)
    assert.equal(step.state, undefined)
    assert.deepEqual(step.effects, [{ _tag: 'PresenceAnswer', subscription: sub(1), document: { _tag: 'Unknown' } }])
  })

  void it('a configuration change notifies every watcher when the document changed, and nobody when it did not', () => {
    let r = initialPresenceResource(demoPresenceConfig, 'meet.alice@example.com')
    for (const n of [1, 2, 3]) r = stepPresence(r, subscribe(sub(n), 'sip:meet.alice@example.com'), demoPresenceConfig).state ?? r
    const renamed = testConfig([aliceRenamed, bobRoom], [roomsRule])
    const changed = stepPresence(r, configChanged(renamed), demoPresenceConfig)
    assert.deepEqual(
      changed.effects.map((e) => [e._tag, e.subscription]).sort(),
      [1, 2, 3].map((n) => ['PresenceNotify', sub(n)]),
    )
    for (const e of changed.effects) assert.equal(e.document._tag === 'Available' && e.document.displayName, 'Alice (renamed)')
    const unrelated = testConfig([aliceRenamed], [])
    const same = stepPresence(changed.state, configChanged(unrelated), renamed)
    assert.deepEqual(same.effects, [])
    assert.equal(same.state, changed.state)
  })
})

void describe('presence table', () => {
  const run = (inputs: ReadonlyArray<PresenceInput>, start: CompiledConfig = demoPresenceConfig) => {
    let table: PresenceTable = emptyPresenceTable
    let config = start
    const effects = []
    for (const input of inputs) {
      const step = stepPresenceTable(table, input, config)
      table = step.state
      effects.push(...step.effects)
      if (input._tag === 'ConfigChanged') config = input.config
    }
    return { table, effects, config }
  }

  void it('a VMR removed turns its watchers Unknown; its gateway look-alike stays; others hear nothing', () => {
    const { effects } = run([
      subscribe(sub(1), 'sip:meet.alice@example.com'),
      subscribe(sub(2), 'sip:meet.bob@example.com'),
      subscribe(sub(3), 'sip:room1@rooms.example.com'),
      configChanged(testConfig([bobRoom], [roomsRule])),
    ])
    assert.deepEqual(effects.slice(3), [{ _tag: 'PresenceNotify', subscription: sub(1), document: { _tag: 'Unknown' } }])
  })

  void it('a rule disabled turns gateway contacts Unknown; a rule added makes unknown addresses Available', () => {
    const { effects } = run([
      subscribe(sub(1), 'sip:room1@rooms.example.com'),
      subscribe(sub(2), 'sip:cam@video.example.net'),
      configChanged(testConfig([aliceRoom, bobRoom], [testRule('1', '(.+)@rooms\\.example\\.com', { enabled: false }), testRule('2', '.+@video\\.example\\.net')])),
    ])
    assert.deepEqual(effects.slice(2), [
      { _tag: 'PresenceNotify', subscription: sub(1), document: { _tag: 'Unknown' } },
      { _tag: 'PresenceNotify', subscription: sub(2), document: { _tag: 'Available', displayName: 'cam', avatar: { _tag: 'ProductLogo' } } },
    ].sort((a, b) => (a.subscription < b.subscription ? -1 : 1)))
  })

  void it('a VMR change with the rules unchanged touches only that VMR’s resources: the others are shared, not copied', () => {
    const { table } = run([
      subscribe(sub(1), 'sip:meet.alice@example.com'),
      subscribe(sub(2), 'sip:meet.bob@example.com'),
      subscribe(sub(3), 'sip:room1@rooms.example.com'),
    ])
    const next = testConfig([aliceWithAvatar, bobRoom], [roomsRule])
    const step = fanOutConfigChange(table.resources, demoPresenceConfig, next)
    assert.equal(step.state.get('meet.bob@example.com'), table.resources.get('meet.bob@example.com'))
    assert.equal(step.state.get('room1@rooms.example.com'), table.resources.get('room1@rooms.example.com'))
    assert.deepEqual(step.effects.map((e) => e.subscription), [sub(1)])
    const nothing = fanOutConfigChange(table.resources, demoPresenceConfig, testConfig([aliceRoom, bobRoom], [roomsRule]))
    assert.equal(nothing.state, table.resources)
    assert.deepEqual(nothing.effects, [])
  })

  void it('a refresh answers again; a subscription that names another address moves', () => {
    const { table, effects } = run([
      subscribe(sub(1), 'sip:meet.alice@example.com'),
      subscribe(sub(1), 'sip:meet.alice@example.com'),
      subscribe(sub(1), 'sip:meet.bob@example.com'),
    ])
    assert.deepEqual(effects.map((e) => e._tag), ['PresenceAnswer', 'PresenceAnswer', 'PresenceAnswer'])
    assert.equal(table.resources.get('meet.alice@example.com'), undefined)
    assert.equal(table.resources.get('meet.bob@example.com')?.watchers.size, 1)
    assert.equal(table.subscriptions.get(sub(1)), 'meet.bob@example.com')
  })

  const configs: ReadonlyArray<CompiledConfig> = [
    demoPresenceConfig,
    testConfig([aliceRoom, bobRoom], [roomsRule]),
    testConfig([bobRoom], [roomsRule]),
    testConfig([aliceRenamed, bobRoom], [roomsRule]),
    testConfig([aliceWithAvatar, bobRoom, board], [roomsRule]),
    testConfig([aliceRoom, bobRoom], [testRule('1', '(.+)@rooms\\.example\\.com', { enabled: false })]),
    testConfig([aliceRoom], [testRule('1', '.+@example\\.com'), testRule('2', '(.+)@rooms\\.example\\.com', { priority: 50 })]),
    testConfig([board], [testRule('1', '.+@(rooms|other)\\.example\\.com', { matchIncomingProtocols: ['sip'] })]),
    testConfig([board, bobRoom], [testRule('1', '.+@(rooms|other)\\.example\\.com')]),
    testConfig([], []),
  ]
  const targets = [
    'sip:meet.alice@example.com',
    'sip:1001@example.com',
    'sip:MEET.ALICE**1234@example.com',
    'sip:meet.bob@example.com',
    'sip:room1@rooms.example.com',
    'sip:room2@other.example.com',
    'sip:x@example.com',
    'sip:board@example.com',
    'sip:nobody@nowhere.example.org',
    '<broken',
  ]
  type Command =
    | { readonly kind: 'subscribe'; readonly sub: number; readonly target: string }
    | { readonly kind: 'unsubscribe'; readonly sub: number }
    | { readonly kind: 'config'; readonly config: number }
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), sub: fc.nat(12), target: fc.constantFrom(...targets) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('unsubscribe' as const), sub: fc.nat(12) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('config' as const), config: fc.nat(configs.length - 1) }) },
  )

  void it('after any sequence, every live watcher last received presenceFor(current config, its address), never a needless NOTIFY, nothing after it left', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        let table: PresenceTable = emptyPresenceTable
        let config = configs[0]!
        const live = new Map<SubscriptionId, string>()
        const last = new Map<SubscriptionId, PresenceDocument>()
        for (const c of commands) {
          const input =
            c.kind === 'subscribe' ? subscribe(sub(c.sub), c.target) : c.kind === 'unsubscribe' ? unsubscribe(sub(c.sub)) : configChanged(configs[c.config]!)
          const step = stepPresenceTable(table, input, config)
          table = step.state
          if (c.kind === 'subscribe') live.set(sub(c.sub), c.target)
          if (c.kind === 'unsubscribe') {
            live.delete(sub(c.sub))
            last.delete(sub(c.sub))
          }
          if (c.kind === 'config') config = configs[c.config]!
          for (const e of step.effects) {
            assert.ok(live.has(e.subscription), `${e._tag} to ${e.subscription}, which is not watching`)
            if (e._tag === 'PresenceNotify') {
              const before = last.get(e.subscription)
              assert.ok(before !== undefined && !samePresence(before, e.document), `needless NOTIFY to ${e.subscription}`)
            } else {
              assert.equal(c.kind, 'subscribe')
            }
            last.set(e.subscription, e.document)
          }
          if (c.kind === 'subscribe') assert.deepEqual(step.effects.map((e) => [e._tag, e.subscription]), [['PresenceAnswer', sub(c.sub)]])
          for (const [s, target] of live) assert.deepEqual(last.get(s), presenceFor(config, target), `${s} watching ${target}`)
        }
        // The table holds exactly the live parseable subscriptions, each under its address's key.
        const held = new Map(table.subscriptions.entries())
        const expected = new Map([...live].filter(([, t]) => presenceKey(t) !== undefined).map(([s, t]) => [s as string, presenceKey(t)!]))
        assert.deepEqual(held, expected)
        for (const r of table.resources.values()) assert.ok(r.watchers.size > 0)
      }),
      { numRuns: 400 },
    )
  })
})
