/**
 * Audio pacing through a real worker: a leg attached long after the worker started sends RTP at
 * real time from its first packet (one 20 ms packet every 20 ms), not first a burst of all the
 * audio since the worker's pipeline started. GStreamer 1.22's audiomixer applies `start-time`
 * only on its first input buffer, after a `force-live` mixer has already produced from running
 * time 0 — media-engine.ts gives each mixer its own clock base to avoid that.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import type { Millis } from '../../../core/model/ids.js'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import { memoryLog } from '../channel/testing/memory-log.js'
import { GstMedia } from './gst-media.js'
import { WorkerSupervisor } from './worker-supervisor.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Packets received per 100 ms window, from the first packet, over `windows` windows. */
const countWindows = async (socket: dgram.Socket, windows: number): Promise<number[]> => {
  const arrivals: number[] = []
  socket.on('message', () => arrivals.push(performance.now()))
  const deadline = performance.now() + 5_000
  while (arrivals.length === 0 && performance.now() < deadline) await sleep(5)
  assert.ok(arrivals.length > 0, 'the leg sends RTP')
  await sleep(windows * 100 + 50)
  const first = arrivals[0] ?? 0
  const counts = Array.from({ length: windows }, () => 0)
  for (const at of arrivals) {
    const window = Math.floor((at - first) / 100)
    if (window < windows) counts[window] = (counts[window] ?? 0) + 1
  }
  return counts
}

void test('a leg attached seconds after the worker started sends 50 packets a second from its first packet, not a burst', async (t) => {
  const log = memoryLog()
  const supervisor = new WorkerSupervisor({ logger: log.logger, bindHost: '127.0.0.1', portMin: 47600, portMax: 47699, backoff: { firstMs: 50, maxMs: 1_000, stableMs: 30_000 } })
  t.after(() => supervisor.close())
  const started = await supervisor.start()
  assert.ok(E.isRight(started), `the media worker starts: ${JSON.stringify(started)}`)
  const media = new GstMedia({ supervisor, logger: log.logger, now: () => 0 as Millis })
  const farEnd = dgram.createSocket('udp4')
  t.after(() => farEnd.close())
  await new Promise<void>((resolve) => farEnd.bind(0, '127.0.0.1', resolve))
  // A first leg at once, as in a worker already carrying a call.
  const early = LegId('early')
  const earlyPorts = await media.allocate(early, ['audio'])
  assert.ok(E.isRight(earlyPorts), JSON.stringify(earlyPorts))
  const sink = dgram.createSocket('udp4')
  t.after(() => sink.close())
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve))
  assert.ok(E.isRight(await media.attach(early, { codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 }, remote: { address: '127.0.0.1', port: sink.address().port }, direction: 'sendrecv' })()))
  // The worker's pipeline runs on for a while before the leg comes. This spec takes 12 s because
  // of it: 1.22's mixers kept start-time when made 5 or 8 s into the pipeline and burst at 10 s
  // (143 packets in the first 100 ms) and 15 s (181).
  await sleep(10_000)
  const leg = LegId('late')
  const ports = await media.allocate(leg, ['audio'])
  assert.ok(E.isRight(ports) && ports.right.audio !== undefined, JSON.stringify(log.records.filter((r) => r['msg'] === 'no RTP ports for the leg')))
  const attached = await media.attach(leg, {
    codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
    remote: { address: '127.0.0.1', port: farEnd.address().port },
    direction: 'sendrecv',
  })()
  assert.ok(E.isRight(attached), JSON.stringify(attached))
  // A new conference too: its total mixer starts late as well, and feeds the leg's mixer.
  assert.ok(E.isRight(await media.perform({ _tag: 'JoinMix', leg, conference: ConferenceId('vmr-late') })()))
  // The late leg's far end talks too (PCMU silence every 20 ms), so its mixers get input at once.
  let seq = 0
  const sender = setInterval(() => {
    const packet = Buffer.alloc(12 + 160, 0xff)
    packet[0] = 0x80
    packet[1] = 0
    packet.writeUInt16BE(seq & 0xffff, 2)
    packet.writeUInt32BE((seq * 160) >>> 0, 4)
    packet.writeUInt32BE(0x1234, 8)
    seq++
    farEnd.send(packet, ports.right.audio ?? 0, '127.0.0.1')
  }, 20)
  t.after(() => clearInterval(sender))
  const counts = await countWindows(farEnd, 10)
  const total = counts.reduce((a, b) => a + b, 0)
  // 5 packets per 100 ms; a busy CI machine may bunch two windows' worth, never seconds' worth.
  assert.ok(Math.max(...counts) <= 12, `no burst: packets per 100 ms ${counts.join(' ')}`)
  assert.ok(total >= 40 && total <= 60, `about 50 packets in 1 s: ${total} (${counts.join(' ')})`)
})
