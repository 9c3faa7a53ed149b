import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { MediaOffer } from '../../core/model/call.js'
import { LegId, SubscriptionId } from '../../core/model/ids.js'
import type { CallOffered, Input } from '../../core/node/input.js'
import { makeConfig, makeVmr, pin } from '../../core/node/node-harness.js'
import { FakeMedia, FakePresenceDelivery, FakeSignalling } from '../../core/ports/fakes/recording-ports.js'
import { VirtualClock } from '../../core/ports/fakes/virtual-clock.js'
import type { CallControlEffect } from '../../core/ports/signalling.js'
import { demoPresenceConfig } from '../../core/presence/presence-test-config.js'
import { createLogger } from './logger.js'
import { NodeRuntime } from './node-runtime.js'

const memoryLog = () => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, logger: createLogger('debug', stream) }
}

const video: MediaOffer = { audio: true, video: true, content: false, chat: false }

const offered = (leg: string, dialled: string): CallOffered => ({
  _tag: 'CallOffered',
  at: 0,
  leg: LegId(leg),
  dialled,
  caller: { displayName: leg, uri: `sip:${leg}@callers.example.com` },
  protocol: 'sip',
  offer: video,
  source: '192.0.2.1',
  registered: false,
})

const assemble = (clock = new VirtualClock(1_000)) => {
  const log = memoryLog()
  const signalling = new FakeSignalling()
  const media = new FakeMedia()
  const presence = new FakePresenceDelivery()
  const runtime = new NodeRuntime({ config: demoPresenceConfig, clock, signalling, media, presence, logger: log.logger })
  return { clock, log, signalling, media, presence, runtime }
}

const tags = (effects: ReadonlyArray<{ readonly _tag: string }>): ReadonlyArray<string> => effects.map((e) => e._tag)

void test('an input from a port is stamped, stepped, and its effects reach the port that carries each', () => {
  const { signalling, media, runtime, log } = assemble()
  signalling.emit(offered('a', 'sip:meet.bob@example.com'))
  assert.deepEqual(tags(signalling.performed), ['Answer'])
  assert.ok(tags(media.performed).includes('JoinMix'), 'the media side is told to mix the leg')
  assert.ok(log.lines.some((l) => l['msg'] === 'observation' && (l['observation'] as { _tag: string })._tag === 'CallResolved'))
  assert.equal(runtime.counts.inputs, 1)
  assert.ok(runtime.nodeState.calls.has(LegId('a')))
})

void test('timers the core starts fire through the clock; cancelled ones never do', () => {
  const { clock, signalling, runtime } = assemble()
  // meet.alice has a Host PIN: the caller is prompted and the entry timeout (60 s) runs.
  signalling.emit(offered('slow', 'sip:meet.alice@example.com'))
  signalling.emit(offered('quick', 'sip:meet.alice@example.com'))
  assert.equal(runtime.counts.timers, 2)
  for (const digit of ['1', '2', '3', '4', '#'] as const) signalling.emit({ _tag: 'DtmfReceived', at: 0, leg: LegId('quick'), digit })
  clock.advance(59_999)
  assert.equal(signalling.performed.filter((e) => e._tag === 'Hangup').length, 0)
  clock.advance(1)
  const hangups = signalling.performed.filter((e): e is Extract<CallControlEffect, { _tag: 'Hangup' }> => e._tag === 'Hangup')
  assert.deepEqual(
    hangups.map((h) => h.leg),
    ['slow'],
    'only the caller who typed nothing is disconnected at 60 s',
  )
})

void test('inputs delivered while a step is dispatched wait their turn, in arrival order', () => {
  const clock = new VirtualClock(0)
  const order: string[] = []
  const signalling = new FakeSignalling()
  const media = new FakeMedia()
  const presence = new FakePresenceDelivery()
  // A port that reports something back synchronously from inside perform.
  const echoing = {
    onInput: signalling.onInput,
    perform: (effect: CallControlEffect) => {
      order.push(`perform ${effect._tag} ${'leg' in effect ? effect.leg : ''}`)
      if (effect._tag === 'Answer' && effect.leg === 'first') signalling.emit(offered('second', 'sip:meet.bob@example.com'))
      return TE.right(undefined)
    },
  }
  const runtime = new NodeRuntime({ config: demoPresenceConfig, clock, signalling: echoing, media, presence, logger: memoryLog().logger })
  signalling.emit(offered('first', 'sip:meet.bob@example.com'))
  assert.deepEqual(order, ['perform Answer first', 'perform Answer second'])
  assert.equal(runtime.counts.inputs, 2)
  assert.equal(runtime.nodeState.conferences.size, 1)
})

void test('a port that throws, rejects or answers Left is logged and the runtime carries on', async () => {
  const { log, media, presence } = assemble()
  const signalling = new FakeSignalling()
  let calls = 0
  const failing = {
    onInput: signalling.onInput,
    perform: (effect: CallControlEffect) => {
      calls++
      if (calls === 1) throw new Error('synchronous boom')
      if (calls === 2) return () => Promise.reject(new Error('asynchronous boom'))
      return TE.left({ _tag: 'WireFailure' as const, leg: 'leg' in effect ? effect.leg : '', reason: 'peer unreachable' })
    },
  }
  const runtime = new NodeRuntime({ config: demoPresenceConfig, clock: new VirtualClock(0), signalling: failing, media, presence, logger: log.logger })
  signalling.emit(offered('a', 'sip:meet.bob@example.com'))
  signalling.emit(offered('b', 'sip:meet.bob@example.com'))
  signalling.emit(offered('c', 'sip:meet.bob@example.com'))
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(calls, 3)
  assert.equal(runtime.counts.effectFailures, 3)
  const warnings = log.lines.filter((l) => l['msg'] === 'effect not carried out').map((l) => String(JSON.stringify(l['reason'])))
  assert.equal(warnings.length, 3)
  assert.match(warnings.join(' '), /synchronous boom.*asynchronous boom.*peer unreachable/)
  assert.equal(runtime.nodeState.conferences.get(demoPresenceConfig.vmrByAlias.get('meet.bob@example.com')!.id)?.participants.length, 3)
})

void test('a late effect for a leg already gone is logged at debug, not as a fault', async () => {
  const { log, media, presence } = assemble()
  const signalling = new FakeSignalling()
  const gone = { onInput: signalling.onInput, perform: (e: CallControlEffect) => TE.left({ _tag: 'LegGone' as const, leg: 'leg' in e ? e.leg : '' }) }
  new NodeRuntime({ config: demoPresenceConfig, clock: new VirtualClock(0), signalling: gone, media, presence, logger: log.logger })
  signalling.emit(offered('a', 'sip:meet.bob@example.com'))
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(log.lines.filter((l) => l['msg'] === 'effect not carried out').length, 0)
  assert.equal(log.lines.filter((l) => l['msg'] === 'effect for something already gone' && l['level'] === 'debug').length, 1)
})

void test('an input the core throws on is logged; the state before it stands and later inputs are served', () => {
  const { signalling, runtime, log } = assemble()
  const broken = { ...offered('broken', 'sip:meet.bob@example.com'), offer: undefined } as unknown as Input
  signalling.emit(broken)
  assert.equal(runtime.counts.coreFailures, 1)
  assert.ok(log.lines.some((l) => l['level'] === 'error' && l['input'] === 'CallOffered'))
  assert.equal(runtime.nodeState.calls.has(LegId('broken')), false)
  signalling.emit(offered('fine', 'sip:meet.bob@example.com'))
  assert.deepEqual(tags(signalling.performed), ['Answer'])
})

void test('time stamped on inputs never goes back, even when the clock does', () => {
  let now = 5_000
  const scheduled: number[] = []
  const clock = { now: () => now, schedule: (due: number) => (scheduled.push(due), () => undefined) }
  const signalling = new FakeSignalling()
  new NodeRuntime({ config: demoPresenceConfig, clock, signalling, media: new FakeMedia(), presence: new FakePresenceDelivery(), logger: memoryLog().logger })
  signalling.emit(offered('a', 'sip:meet.alice@example.com'))
  now = 4_000
  signalling.emit({ _tag: 'DtmfReceived', at: 0, leg: LegId('a'), digit: '1' })
  // The PIN entry timeout (60 s) from 5000, then the digit pause (5 s) from 5000, not from 4000.
  assert.deepEqual(scheduled, [65_000, 10_000])
})

void test('ConfigChanged: new calls use the new configuration and watchers hear of the change', () => {
  const { signalling, presence, runtime } = assemble()
  presence.emit({ _tag: 'PresenceSubscribed', at: 0, subscription: SubscriptionId('s1'), target: 'sip:meet.bob@example.com', watcher: 'sip:w@example.com' })
  assert.deepEqual(tags(presence.performed), ['PresenceAnswer'])
  const renamed = makeConfig({ vmrs: [makeVmr('2', { name: 'Bob and friends', aliases: ['meet.bob@example.com'], pin: pin('9999') })] })
  runtime.changeConfig(renamed)
  assert.equal(runtime.config, renamed)
  const notify = presence.performed.at(-1)
  assert.equal(notify?._tag, 'PresenceNotify')
  assert.deepEqual(notify?._tag === 'PresenceNotify' ? notify.document : undefined, {
    _tag: 'Available',
    displayName: 'Bob and friends',
    avatar: { _tag: 'ProductLogo' },
  })
  signalling.emit(offered('a', 'sip:meet.bob@example.com'))
  assert.ok(runtime.nodeState.calls.get(LegId('a'))?.phase === 'pin-entry', 'the new PIN applies to the next caller')
})

void test('stop cancels the timers and later inputs are ignored', () => {
  const { clock, signalling, runtime } = assemble()
  signalling.emit(offered('a', 'sip:meet.alice@example.com'))
  runtime.stop()
  assert.equal(runtime.counts.timers, 0)
  clock.advance(120_000)
  signalling.emit(offered('b', 'sip:meet.bob@example.com'))
  assert.equal(signalling.performed.filter((e) => e._tag === 'Hangup').length, 0)
  assert.equal(runtime.counts.inputs, 1)
})

void test('connect times: a leg is stamped when Parley answers it, forgotten when it ends; listeners hear each run of changes once', () => {
  const clock = new VirtualClock(5_000)
  const { signalling, runtime } = assemble(clock)
  let changes = 0
  const unsubscribe = runtime.onChange(() => (changes += 1))
  signalling.emit(offered('a', 'sip:meet.bob@example.com'))
  assert.equal(runtime.connectedAt(LegId('a')), 5_000)
  assert.equal(changes, 1)
  clock.advance(2_000)
  signalling.emit(offered('b', 'sip:nobody@example.com'))
  assert.equal(runtime.connectedAt(LegId('b')), undefined, 'a rejected call was never connected')
  signalling.emit({ _tag: 'CallEnded', at: 0, leg: LegId('a'), reason: 'bye' })
  assert.equal(runtime.connectedAt(LegId('a')), undefined)
  const before = changes
  signalling.emit({ _tag: 'CallEnded', at: 0, leg: LegId('zzz'), reason: 'bye' })
  assert.equal(changes, before, 'an input that changes nothing is not a change')
  unsubscribe()
  signalling.emit(offered('c', 'sip:meet.bob@example.com'))
  assert.equal(changes, before)
})

void test('every Observe effect reaches the metrics sink', () => {
  const observed: string[] = []
  const runtime = new NodeRuntime({
    config: demoPresenceConfig,
    clock: new VirtualClock(0),
    signalling: new FakeSignalling(),
    media: new FakeMedia(),
    presence: new FakePresenceDelivery(),
    logger: memoryLog().logger,
    metrics: { observed: (o) => observed.push(o._tag), sipMessage: () => undefined, notifySent: () => undefined },
  })
  runtime.submit(offered('a', 'sip:meet.bob@example.com'))
  runtime.submit(offered('b', 'sip:nobody@example.com'))
  assert.deepEqual(observed.filter((t) => t === 'CallResolved').length, 2)
})
