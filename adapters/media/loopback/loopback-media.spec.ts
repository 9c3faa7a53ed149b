/**
 * The loopback media on real UDP sockets (127.0.0.1, a small port range of its own): even RTP
 * ports with RTCP above, datagrams received and dropped, ports skipped when taken and freed on
 * release (kept bound in an idle pool for the next leg), the range exhausted cleanly, and the
 * record of what each leg is shown and played.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import { LoopbackMedia } from './loopback-media.js'

const silent = pino({ level: 'silent' })

/** A free block of `size` ports found by binding them; the test owns nothing in it afterwards. */
const freeRange = async (size: number): Promise<{ min: number; max: number }> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const min = 20000 + 2 * Math.floor(Math.random() * 9000)
    const sockets: dgram.Socket[] = []
    let ok = true
    for (let port = min; port < min + size && ok; port++) {
      const socket = dgram.createSocket('udp4')
      ok = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false))
        socket.bind(port, '127.0.0.1', () => resolve(true))
      })
      sockets.push(socket)
    }
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    if (ok) return { min, max: min + size - 1 }
  }
  throw new Error('no free port range')
}

const waitFor = async (check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 2000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

void test('even RTP ports with RTCP above, within the range; RTP that arrives is received and dropped', async () => {
  const range = await freeRange(8)
  const media = new LoopbackMedia({ bindHost: '127.0.0.1', portMin: range.min, portMax: range.max, logger: silent })
  try {
    const leg = LegId('a')
    const ports = await media.allocate(leg, ['audio', 'video'])
    assert.ok(E.isRight(ports))
    const { audio, video } = ports.right
    assert.ok(audio !== undefined && video !== undefined)
    for (const port of [audio, video]) {
      assert.equal(port % 2, 0)
      assert.ok(port >= range.min && port + 1 <= range.max)
    }
    assert.notEqual(audio, video)
    const again = await media.allocate(leg, ['audio', 'video', 'content'])
    assert.ok(E.isRight(again))
    assert.equal(again.right.audio, audio, 'a stream keeps its port')
    assert.equal(again.right.video, video)

    const sender = dgram.createSocket('udp4')
    for (const port of [audio, audio + 1]) await new Promise<void>((resolve) => sender.send(Buffer.from([0x80, 0, 0, 1]), port, '127.0.0.1', () => resolve()))
    sender.close()
    await waitFor(() => (media.snapshot()[0]?.packetsReceived ?? 0) === 2)
  } finally {
    await media.close()
  }
})

void test('a taken port is skipped, the range runs out cleanly, and release frees the ports', async () => {
  const range = await freeRange(6)
  const squatter = dgram.createSocket('udp4')
  const evenMin = range.min % 2 === 0 ? range.min : range.min + 1
  await new Promise<void>((resolve) => squatter.bind(evenMin + 1, '127.0.0.1', () => resolve()))
  const media = new LoopbackMedia({ bindHost: '127.0.0.1', portMin: range.min, portMax: range.max, logger: silent })
  try {
    const first = await media.allocate(LegId('a'), ['audio'])
    assert.ok(E.isRight(first))
    assert.notEqual(first.right.audio, evenMin, 'its RTCP port is taken')
    const second = await media.allocate(LegId('b'), ['audio'])
    assert.ok(E.isRight(second))
    const none = await media.allocate(LegId('c'), ['audio'])
    assert.deepEqual(none, E.left({ _tag: 'NoFreeRtpPort', min: range.min, max: range.max, stream: 'audio' }))
    assert.equal(media.portsInUse, 2)
    media.release(LegId('a'))
    assert.equal(media.portsInUse, 1)
    const third = await media.allocate(LegId('c'), ['audio'])
    assert.ok(E.isRight(third))
    assert.equal(third.right.audio, first.right.audio, 'a released pair can be taken again')
  } finally {
    squatter.close()
    await media.close()
  }
})

void test('a released pair stays bound for the next leg, counts only for its owner, and close() frees it', async () => {
  const range = await freeRange(8)
  const media = new LoopbackMedia({ bindHost: '127.0.0.1', portMin: range.min, portMax: range.max, logger: silent })
  const sender = dgram.createSocket('udp4')
  const rtp = (port: number): Promise<void> => new Promise((resolve) => sender.send(Buffer.from([0x80, 0, 0, 1]), port, '127.0.0.1', () => resolve()))
  let port = 0
  try {
    const first = await media.allocate(LegId('a'), ['audio'])
    assert.ok(E.isRight(first) && first.right.audio !== undefined)
    port = first.right.audio
    media.release(LegId('a'))
    assert.equal(media.portsInUse, 0)
    assert.equal(media.idlePairs, 1)
    // Late RTP for the ended leg reaches a bound socket (no ICMP) and counts for no one.
    await rtp(port)
    await waitFor(() => media.strayDatagrams === 1)
    const second = await media.allocate(LegId('b'), ['audio'])
    assert.ok(E.isRight(second))
    assert.equal(second.right.audio, port, 'the idle pair is taken first')
    assert.equal(media.idlePairs, 0)
    await rtp(port + 1)
    await waitFor(() => media.snapshot().find((s) => s.leg === LegId('b'))?.packetsReceived === 1)
    assert.deepEqual(media.snapshot().map((s) => [s.leg, s.packetsReceived]), [[LegId('b'), 1]])
  } finally {
    sender.close()
    await media.close()
  }
  assert.equal(media.idlePairs, 0)
  // Closed: the ports can be bound by someone else.
  const again = dgram.createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject)
    again.bind(port, '127.0.0.1', () => resolve())
  })
  again.close()
})

void test('the snapshot says what each leg is shown and played, its mix, bridge and floor; release forgets the leg', async () => {
  const media = new LoopbackMedia({ bindHost: '127.0.0.1', portMin: 1, portMax: 0, logger: silent })
  const [a, b] = [LegId('a'), LegId('b')]
  const room = ConferenceId('7')
  const run = async (effect: Parameters<LoopbackMedia['perform']>[0]): Promise<void> => {
    const done = await media.perform(effect)()
    assert.ok(E.isRight(done))
  }
  await run({ _tag: 'Show', leg: a, view: { _tag: 'Splash', screen: 'pin-entry' } })
  await run({ _tag: 'Play', leg: a, sound: 'pin-prompt' })
  await run({ _tag: 'Show', leg: a, view: { _tag: 'SelfView' } })
  await run({ _tag: 'Play', leg: a, sound: 'conference' })
  await run({ _tag: 'JoinMix', leg: a, conference: room })
  await run({ _tag: 'GrantFloor', leg: a })
  await run({ _tag: 'Bridge', a, b })
  assert.deepEqual(media.snapshot(), [
    { leg: a, ports: {}, view: { _tag: 'SelfView' }, sound: 'conference', conference: room, bridgedWith: b, floor: true, packetsReceived: 0 },
    { leg: b, ports: {}, bridgedWith: a, floor: false, packetsReceived: 0 },
  ])
  await run({ _tag: 'RevokeFloor', leg: a })
  await run({ _tag: 'LeaveMix', leg: a, conference: room })
  assert.deepEqual(media.snapshot()[0], { leg: a, ports: {}, view: { _tag: 'SelfView' }, sound: 'conference', bridgedWith: b, floor: false, packetsReceived: 0 })
  media.release(a)
  await run({ _tag: 'Show', leg: a, view: { _tag: 'NoVideo' } })
  assert.deepEqual(
    media.snapshot().map((s) => s.leg),
    [b],
    'a late effect does not bring a released leg back',
  )
})

void test('an empty port range refuses allocation instead of looping', async () => {
  const media = new LoopbackMedia({ bindHost: '127.0.0.1', portMin: 40001, portMax: 40001, logger: silent })
  assert.ok(E.isLeft(await media.allocate(LegId('a'), ['audio'])))
})
