/**
 * The typed channel against a real child process (a tiny fake worker, no GStreamer): every test
 * waits for the child to exit before it ends, so no process outlives its test.
 */
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import type { ChannelClosure } from './channel.js'
import { spawnChannel } from './channel.js'
import type { EventOf } from './protocol.js'
import { fakeProtocol } from './testing/fake-protocol.js'
import { memoryLog } from './testing/memory-log.js'

const entry = fileURLToPath(new URL('./testing/fake-worker.ts', import.meta.url))
type FakeEvent = EventOf<typeof fakeProtocol.event>

/** Opens a channel to a fresh fake worker; the test's end waits for that child to exit, pass or fail. */
const open = (t: TestContext, options: { requestTimeoutMs?: number; closeGraceMs?: number } = {}) => {
  const log = memoryLog()
  const channel = spawnChannel(fakeProtocol, { entry, logger: log.logger, ...options })
  t.after(async () => {
    await channel.close()
  })
  const events: FakeEvent[] = []
  channel.onEvent((e) => events.push(e))
  const started = new Promise<void>((resolve) => channel.onEvent((e) => e._tag === 'Started' && resolve()))
  return { channel, events, log, started }
}

const right = <A>(outcome: E.Either<unknown, A>): A => {
  if (E.isLeft(outcome)) assert.fail(`expected Right, got ${JSON.stringify(outcome.left)}`)
  return outcome.right
}

void test('responses are matched to requests by id, whatever order they come back in', async (t) => {
  const { channel } = open(t)
  const slow = channel.request('echo', { text: 'slow', delayMs: 150 })()
  const fast = channel.request('echo', { text: 'fast', delayMs: 0 })()
  const order: string[] = []
  const [a, b] = await Promise.all([slow.then((r) => (order.push('slow'), r)), fast.then((r) => (order.push('fast'), r))])
  assert.deepEqual(right(a), { text: 'slow' })
  assert.deepEqual(right(b), { text: 'fast' })
  assert.deepEqual(order, ['fast', 'slow'])
  const exit = await channel.close()
  assert.deepEqual(exit, { code: 0, signal: null })
})

void test('a refusal, a throw and bad parameters come back as RequestFailed', async (t) => {
  const { channel } = open(t)
  assert.deepEqual(await channel.request('fail', { reason: 'no such leg' })(), E.left({ _tag: 'RequestFailed', method: 'fail', reason: 'no such leg' }))
  assert.deepEqual(await channel.request('explode', {})(), E.left({ _tag: 'RequestFailed', method: 'explode', reason: 'explode threw: boom' }))
  const bad = await channel.request('echo', { text: 42 } as unknown as { text: string; delayMs: number })()
  assert.ok(E.isLeft(bad) && bad.left._tag === 'RequestFailed', JSON.stringify(bad))
  assert.match(bad.left.reason, /bad parameters for echo: .*text/)
  assert.match(bad.left.reason, /delayMs/)
  await channel.close()
})

void test('events arrive typed and in order; malformed replies and events are refused with a reason', async (t) => {
  const { channel, events, log, started } = open(t)
  await started
  assert.deepEqual(right(await channel.request('tick', { count: 3 })()), { emitted: 3 })
  assert.deepEqual(
    events.filter((e) => e._tag === 'Tick'),
    [1, 2, 3].map((n) => ({ _tag: 'Tick', n })),
  )
  const reply = await channel.request('misbehave', {})()
  assert.ok(E.isLeft(reply) && reply.left._tag === 'MalformedReply', JSON.stringify(reply))
  assert.match(reply.left.reason, /^n: /)
  assert.equal(events.filter((e) => e._tag === 'Tick').length, 3, 'the malformed event was not delivered')
  assert.ok(log.messages('error').includes('malformed event from worker dropped'))
  await channel.close()
})

void test('a request without an answer times out, and its late answer is ignored', async (t) => {
  const { channel, started, log } = open(t, { requestTimeoutMs: 200 })
  await started
  const sent = Date.now()
  assert.deepEqual(await channel.request('echo', { text: 'late', delayMs: 400 })(), E.left({ _tag: 'RequestTimedOut', method: 'echo', afterMs: 200 }))
  assert.ok(Date.now() - sent < 2_000)
  await new Promise((resolve) => setTimeout(resolve, 400))
  assert.ok(log.messages('debug').includes('response to no pending request'), 'the late answer arrived and was dropped')
  assert.deepEqual(right(await channel.request('echo', { text: 'still here', delayMs: 0 })()), { text: 'still here' })
  await channel.close()
})

void test('when the child dies, pending and later requests end with ChannelClosed and listeners hear why', async (t) => {
  const { channel } = open(t)
  const closures: ChannelClosure[] = []
  channel.onClose((c) => closures.push(c))
  const pending = channel.request('hang', {})()
  const crash = channel.request('exit', { code: 3 })()
  assert.deepEqual(await pending, E.left({ _tag: 'ChannelClosed', reason: 'worker exited with code 3' }))
  assert.deepEqual(await crash, E.left({ _tag: 'ChannelClosed', reason: 'worker exited with code 3' }))
  assert.deepEqual(await channel.exited, { code: 3, signal: null })
  assert.deepEqual(closures, [{ expected: false, exit: { code: 3, signal: null }, reason: 'worker exited with code 3' }])
  assert.equal(channel.isClosed, true)
  const late = await channel.request('echo', { text: 'anyone?', delayMs: 0 })()
  assert.ok(E.isLeft(late) && late.left._tag === 'ChannelClosed')
  // A listener that comes late is told at once.
  let told: ChannelClosure | undefined
  channel.onClose((c) => (told = c))
  assert.equal(told?.reason, 'worker exited with code 3')
})

void test('a child killed by a signal is reported with the signal', async (t) => {
  const { channel, started } = open(t)
  await started
  const pending = channel.request('hang', {})()
  process.kill(channel.pid ?? assert.fail('no pid'), 'SIGKILL')
  assert.deepEqual(await pending, E.left({ _tag: 'ChannelClosed', reason: 'worker killed by SIGKILL' }))
  assert.deepEqual(await channel.exited, { code: null, signal: 'SIGKILL' })
})

void test('close() cascades: pending requests end, the child leaves on disconnect, close resolves after its exit', async (t) => {
  const { channel, started } = open(t)
  await started
  const closures: ChannelClosure[] = []
  channel.onClose((c) => closures.push(c))
  const pending = channel.request('hang', {})()
  const closing = channel.close()
  assert.deepEqual(await pending, E.left({ _tag: 'ChannelClosed', reason: 'channel closed' }))
  assert.deepEqual(await closing, { code: 0, signal: null })
  assert.deepEqual(closures, [{ expected: true, exit: { code: 0, signal: null }, reason: 'channel closed' }])
  assert.throws(() => process.kill(channel.pid ?? 0, 0), /ESRCH/, 'the child process is gone')
  // Closing again is harmless and says the same.
  assert.deepEqual(await channel.close(), { code: 0, signal: null })
})

void test('a child that ignores disconnect and SIGTERM is killed', async (t) => {
  const { channel, log } = open(t, { closeGraceMs: 100 })
  right(await channel.request('stubborn', {})())
  assert.deepEqual(await channel.close(), { code: null, signal: 'SIGKILL' })
  assert.deepEqual(
    log.messages('warn').filter((m) => m.startsWith('worker did not leave')),
    ['worker did not leave after disconnect; SIGTERM', 'worker did not leave after SIGTERM; SIGKILL'],
  )
})

void test('a child that cannot start closes the channel instead of hanging', async () => {
  const log = memoryLog()
  const channel = spawnChannel(fakeProtocol, { entry: '/nonexistent/worker.ts', logger: log.logger })
  const outcome = await channel.request('echo', { text: 'x', delayMs: 0 })()
  assert.ok(E.isLeft(outcome) && outcome.left._tag === 'ChannelClosed', JSON.stringify(outcome))
  assert.equal((await channel.exited).code, 1)
})
