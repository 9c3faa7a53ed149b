/** The router (DESIGN §1): inputs reach the aggregate their key names, and nothing else is touched. */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ConferenceId, LegId, SubscriptionId, TimerId } from '../model/ids.js'
import type { Input } from './input.js'
import { NodeHarness, makeConfig, makeVmr, only, pin } from './node-harness.js'
import { initialNodeState, stepNode } from './router.js'

const bob = makeVmr('2', { name: "Bob's room", aliases: ['meet.bob@example.com'] })
const carol = makeVmr('3', { aliases: ['meet.carol@example.com'], pin: pin('5678') })
const config = makeConfig({ vmrs: [bob, carol] })

void describe('router', () => {
  void it('ignores news about legs, conferences and timers it does not know, changing nothing', () => {
    const state = initialNodeState(config)
    const late: ReadonlyArray<Input> = [
      { _tag: 'CallEnded', at: 1, leg: LegId('gone'), reason: 'bye' },
      { _tag: 'DtmfReceived', at: 1, leg: LegId('gone'), digit: '1' },
      { _tag: 'CallAnswered', at: 1, leg: LegId('gone'), answer: { audio: true, video: false, content: false, chat: false } },
      { _tag: 'ActiveSpeakerChanged', at: 1, conference: ConferenceId('9'), leg: LegId('x') },
      { _tag: 'TimerFired', at: 1, timer: TimerId('leg:gone:pin-entry') },
      { _tag: 'TimerFired', at: 1, timer: TimerId('conf:9:guests-only') },
      { _tag: 'TimerFired', at: 1, timer: TimerId('presence:x:y') },
      { _tag: 'TimerFired', at: 1, timer: TimerId('not a timer of ours') },
    ]
    for (const input of late) {
      const step = stepNode(state, input)
      assert.equal(step.state, state, input._tag)
      assert.deepEqual(step.effects, [])
    }
  })

  void it("hands each step its own effects: later steps, small or large, change nothing in them", () => {
    const state = initialNodeState(config)
    const offer = (leg: string): Input => ({
      _tag: 'CallOffered',
      at: 0,
      leg: LegId(leg),
      dialled: 'meet.bob@example.com',
      caller: { displayName: leg, uri: `sip:${leg}@example.com` },
      protocol: 'sip',
      offer: { audio: true, video: true, content: false, chat: false },
      source: '192.0.2.1',
      registered: false,
    })
    const first = stepNode(state, offer('a'))
    const copy = [...first.effects]
    let s = first.state
    for (let i = 0; i < 80; i++) s = stepNode(s, offer(`p${i}`)).state
    // Ending a large conference is one step with many effects (more than the collector keeps).
    const ended = stepNode(s, { _tag: 'ConfigChanged', at: 1, config: makeConfig({ vmrs: [carol] }) })
    assert.ok(ended.effects.length > 256, `${ended.effects.length} effects`)
    assert.deepEqual(first.effects, copy)
    assert.deepEqual(stepNode(state, offer('a')).effects, copy, 'the same step gives the same effects')
  })

  void it('ignores a timer that was cancelled but fired anyway', () => {
    const h = new NodeHarness(config)
    h.offer('a', 'meet.carol@example.com')
    h.keys('a', '5')
    h.keys('a', '#') // the digit timer is cancelled here
    const before = h.state
    assert.deepEqual(h.send({ _tag: 'TimerFired', timer: TimerId('leg:a:pin-digit') }), [])
    assert.equal(h.state.calls.get('a'), before.calls.get('a'))
  })

  void it('keeps the first of two offers of the same leg', () => {
    const h = new NodeHarness(config)
    h.offer('a', 'meet.bob@example.com')
    assert.deepEqual(h.offer('a', 'meet.carol@example.com'), [])
    assert.equal(h.state.calls.get('a')?.phase, 'participant')
  })

  void it('routes presence to the presence table, and a configuration change to its watchers', () => {
    const h = new NodeHarness(config)
    const answer = h.send({ _tag: 'PresenceSubscribed', subscription: SubscriptionId('s1'), target: 'sip:meet.bob@example.com', watcher: 'sip:ann@example.com' })
    assert.deepEqual(only(answer, 'PresenceAnswer').map((a) => a.document._tag), ['Available'])
    const changed = h.send({ _tag: 'ConfigChanged', config: makeConfig({ vmrs: [carol] }) })
    assert.deepEqual(only(changed, 'PresenceNotify').map((n) => [n.subscription, n.document._tag]), [['s1', 'Unknown']])
    h.send({ _tag: 'PresenceUnsubscribed', subscription: SubscriptionId('s1') })
    assert.equal(h.state.presence.subscriptions.size, 0)
  })

  void it('touches only the aggregates an input names: everything else is shared, not copied', () => {
    const vmrs = Array.from({ length: 300 }, (_, i) => makeVmr(`${i}`, { aliases: [`room${i}@example.com`] }))
    const h = new NodeHarness(makeConfig({ vmrs }))
    for (let i = 0; i < 300; i++) for (const n of [1, 2, 3]) h.offer(`${i}-${n}`, `room${i}@example.com`)
    const before = h.state
    h.send({ _tag: 'ChatReceived', leg: LegId('7-1'), text: 'hi' })
    h.hangUp('8-2')
    const after = h.state
    let sharedConferences = 0
    for (const [id, c] of before.conferences.entries()) if (after.conferences.get(id) === c) sharedConferences++
    let sharedCalls = 0
    for (const [leg, c] of before.calls.entries()) if (after.calls.get(leg) === c) sharedCalls++
    // Conference 7 (a participant turned chat-capable) and 8 changed; calls: only 8-2 left.
    assert.equal(sharedConferences, 298)
    assert.equal(sharedCalls, 899)
  })

  void it('is deterministic: the same inputs give the same effects', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('offer', '5678#', 'bye', 'wait')), { maxLength: 20 }), (script) => {
        const run = (): unknown => {
          const h = new NodeHarness(config)
          for (const [leg, what] of script) {
            if (what === 'offer') h.offer(leg, leg === 'a' ? 'meet.bob@example.com' : 'meet.carol@example.com')
            else if (what === 'bye') h.hangUp(leg)
            else if (what === 'wait') h.advance(30_000)
            else h.keys(leg, what)
          }
          return h.log
        }
        assert.deepEqual(run(), run())
      }),
      { numRuns: 50 },
    )
  })
})
