/**
 * IM fan-out in a large meeting (issue 8), and memory per call.
 *
 * - 500 chat-capable participants in one VMR (meet.chat, chat on): each its own UDP socket on
 *   loopback (the bench's UdpPeer, 4 MB buffers), each a call with audio, video and an SfB-style
 *   `m=message` line, so the core counts it chat-capable; every MESSAGE it receives is answered
 *   200 at once. Parley runs signalling only (PARLEY_MEDIA=loopback).
 * - Latency: participant 0 sends one MESSAGE in its dialog; the figure is the time from that
 *   send until the last of the 499 other participants has it. The floor (the reference) is
 *   bench/references/im-floor.ts: a bare Node loop in its own process that, on a trigger
 *   datagram, sends the same 499 MESSAGEs (Parley's shape) to the same sockets with no logic;
 *   its figure is the time from the trigger until the last arrival. Per sample: 10 messages on
 *   each side, alternating; p50 and p99 of each side's 10 (p99 of 10 is their maximum).
 *   Targets: p99 within 2x the floor (ratio floor/Parley >= 0.5) and < 20 ms.
 * - Sustained: 10 MESSAGEs sent at once by participant 0 (4 990 deliveries), deliveries per second
 *   until the last arrives; the floor sends 10 rounds of its 499.
 * - Memory per active signalling-only call: the node's RSS before and after the 500 calls,
 *   over 500 (a call here is chat-capable and in a room of 500), beside Kamailio's memory per
 *   presence subscription (bench/presence.bench.ts; the dialog state of a comparable server).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Measurement } from './harness.js'
import { median } from './harness.js'
import { presenceMemory } from './presence.bench.js'
import { killOnExit } from './support/child-processes.js'
import { freePort, udpPortTaken } from './support/free-port.js'
import { startParleyNode, type ParleyNode } from './support/parley-node.js'
import { repositoryRoot } from './support/profile-build.js'
import { placeCall, requestInDialog, type HeldCall } from './support/sip-calls.js'
import { memoryOf, UdpPeer } from './support/sip-udp-peer.js'

const host = '127.0.0.1'
const participants = 500
export const messagesPerSide = 10
const burst = 10
const deliveryTimeoutMs = 10_000

const config = {
  global: {},
  conference: [{ id: 1, name: 'Chat room', pin: '', allow_guests: false, enable_chat: 'yes', aliases: [{ alias: 'meet.chat@example.com' }] }],
  conference_alias: [],
  automatic_participant: [],
  gateway_routing_rule: [],
}

/** Arrivals per marker: how many receivers have it, and when the last did. */
class Deliveries {
  private readonly seen = new Map<string, { count: number; last: number }>()
  private readonly waiting = new Map<string, { readonly target: number; readonly resolve: (last: number | undefined) => void }>()

  /** A MESSAGE carrying a marker: counted, true. Anything else: false. */
  readonly take = (bytes: Buffer, at: number): boolean => {
    if (bytes[0] !== 0x4d || bytes.subarray(0, 8).toString('latin1') !== 'MESSAGE ') return false
    const start = bytes.indexOf('bench-im-')
    if (start < 0) return false
    let end = start + 9
    while (end < bytes.length && ((bytes[end]! >= 0x30 && bytes[end]! <= 0x39) || bytes[end] === 0x2d)) end++
    this.record(bytes.toString('latin1', start, end).replace(/-$/, ''), at)
    return true
  }

  private record(marker: string, at: number): void {
    // `bench-im-<n>-<k>` (the k-th of a burst) also counts towards `bench-im-<n>`.
    const keys = marker.split('-').length === 4 ? [marker, marker.slice(0, marker.lastIndexOf('-'))] : [marker]
    for (const k of keys) {
      const entry = this.seen.get(k) ?? { count: 0, last: 0 }
      entry.count++
      entry.last = at
      this.seen.set(k, entry)
      const w = this.waiting.get(k)
      if (w !== undefined && entry.count >= w.target) {
        this.waiting.delete(k)
        w.resolve(entry.last)
      }
    }
  }

  /** The time of the last of `target` arrivals of `marker`, or undefined after the timeout. */
  until(marker: string, target: number): Promise<number | undefined> {
    const entry = this.seen.get(marker)
    if (entry !== undefined && entry.count >= target) return Promise.resolve(entry.last)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(marker)
        resolve(undefined)
      }, deliveryTimeoutMs)
      this.waiting.set(marker, {
        target,
        resolve: (last) => {
          clearTimeout(timer)
          resolve(last)
        },
      })
    })
  }
}

interface State {
  readonly parley: ParleyNode
  readonly calls: ReadonlyArray<HeldCall>
  readonly deliveries: Deliveries
  readonly floor: { readonly port: number; readonly trigger: (text: string) => void }
  readonly bytesPerCall: number
}

let state: Promise<State> | undefined

/** For bench/support/profile-im.ts: the node's entry and flags, one round of each kind, and the end. */
export const profiling = {
  node: {} as { entry?: string; nodeArgs?: ReadonlyArray<string> },
  latency: (): Promise<{ parley: number; reference: number }> => latencySample(),
  throughput: (): Promise<{ parley: number; reference: number }> => throughputSample(),
  stop: async (): Promise<void> => (await state)?.parley.stop(),
}
let markers = 0

const startFloor = async (workDir: string, calls: ReadonlyArray<HeldCall>): Promise<State['floor']> => {
  const file = join(workDir, 'receivers.json')
  writeFileSync(file, JSON.stringify({ host, receivers: calls.slice(1).map((c, i) => ({ port: c.peer.port, user: `p${i + 1}` })) }))
  const port = await freePort(host)
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'bench', 'references', 'im-floor.ts'), file, String(port)], {
    cwd: repositoryRoot,
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  killOnExit(child)
  for (let i = 0; i < 200 && !(await udpPortTaken(host, port)); i++) await sleep(50)
  const control = createSocket('udp4')
  control.unref()
  return { port, trigger: (text) => control.send(text, port, host) }
}

const setUp = async (): Promise<State> => {
  const workDir = mkdtempSync(join(tmpdir(), 'parley-im-'))
  const parley = await startParleyNode({ workDir: join(workDir, 'parley'), config, host, env: { PARLEY_MEDIA: 'loopback' }, ...profiling.node })
  const deliveries = new Deliveries()
  const peers = await Promise.all(Array.from({ length: participants }, () => new UdpPeer(host).bind()))
  for (const p of peers) p.fastPath = deliveries.take
  await sleep(1000)
  const before = (await memoryOf([parley.pid])).rss
  const calls: HeldCall[] = []
  // A few at a time: each join refreshes the room for everyone already in it.
  for (let i = 0; i < participants; i += 20) {
    const placed = await Promise.all(peers.slice(i, i + 20).map((peer, k) => placeCall(peer, parley.sipPort, 'meet.chat@example.com', { chat: true, user: `p${i + k}` })))
    for (const c of placed) {
      if (c === undefined) throw new Error(`a participant's call was not answered 200${parley.alive() ? '' : `; the node died:\n${parley.logTail()}`}`)
      calls.push(c)
    }
  }
  await sleep(1500)
  const after = (await memoryOf([parley.pid])).rss
  const floor = await startFloor(workDir, calls)
  return { parley, calls, deliveries, floor, bytesPerCall: (after - before) / participants }
}

const ready = (): Promise<State> => (state ??= setUp())
const receivers = participants - 1

const parleyMessage = async (s: State, marker: string): Promise<number> => {
  const sender = s.calls[0]!
  const sentAt = performance.now()
  void requestInDialog(sender, 'MESSAGE', { type: 'text/plain;charset=UTF-8', text: `${marker} hello` })
  const last = await s.deliveries.until(marker, receivers)
  if (last === undefined) throw new Error(`Parley delivered a chat message to fewer than ${receivers} participants within ${deliveryTimeoutMs} ms`)
  return last - sentAt
}

const floorMessage = async (s: State, marker: string, rounds = 1): Promise<number> => {
  const sentAt = performance.now()
  s.floor.trigger(`${marker} ${rounds}`)
  const last = await s.deliveries.until(marker, receivers * rounds)
  if (last === undefined) throw new Error('the floor did not deliver its MESSAGEs')
  return last - sentAt
}

const quantile = (values: ReadonlyArray<number>, q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}

let lastP99: { parley: number; reference: number } | undefined

const latencySample = async (): Promise<{ parley: number; reference: number }> => {
  const s = await ready()
  const parley: number[] = []
  const floor: number[] = []
  for (let i = 0; i < messagesPerSide; i++) {
    parley.push(await parleyMessage(s, `bench-im-${++markers}`))
    floor.push(await floorMessage(s, `bench-im-${++markers}`))
    await sleep(20)
  }
  lastP99 = { parley: quantile(parley, 0.99), reference: quantile(floor, 0.99) }
  return { parley: median(parley), reference: median(floor) }
}

const p99Sample = async (): Promise<{ parley: number; reference: number }> => {
  if (lastP99 === undefined) await latencySample()
  const p99 = lastP99!
  lastP99 = undefined
  return p99
}

const throughputSample = async (): Promise<{ parley: number; reference: number }> => {
  const s = await ready()
  const marker = `bench-im-${++markers}`
  const sender = s.calls[0]!
  const sentAt = performance.now()
  for (let k = 0; k < burst; k++) void requestInDialog(sender, 'MESSAGE', { type: 'text/plain;charset=UTF-8', text: `${marker}-${k} hello` })
  const last = await s.deliveries.until(marker, receivers * burst)
  if (last === undefined) throw new Error(`Parley did not deliver ${burst} chat messages to ${receivers} participants within ${deliveryTimeoutMs} ms`)
  const floorMs = await floorMessage(s, `bench-im-${++markers}`, burst)
  return { parley: (receivers * burst * 1000) / (last - sentAt), reference: (receivers * burst * 1000) / floorMs }
}

const callMemory = async (): Promise<{ parley: number; reference: number }> => {
  const s = await ready()
  return { parley: s.bytesPerCall, reference: (await presenceMemory()).reference }
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'IM fan-out to 499 participants, p50',
    unit: 'ms',
    reference_name: 'bare Node loop, same 499 MESSAGEs, same sockets (floor)',
    lowerIsBetter: true,
    target: 0.5,
    samples: 5,
    sample: latencySample,
  },
  {
    name: 'IM fan-out to 499 participants, p99',
    unit: 'ms',
    reference_name: 'bare Node loop, same 499 MESSAGEs, same sockets (floor)',
    lowerIsBetter: true,
    target: 0.5,
    absolute: { value: 20 },
    samples: 5,
    sample: p99Sample,
  },
  {
    name: 'IM deliveries sustained (10 messages x 499)',
    unit: 'MESSAGE/s',
    reference_name: 'bare Node loop (floor)',
    samples: 5,
    sample: throughputSample,
  },
  {
    name: 'memory per active signalling-only call (500 in one VMR)',
    unit: 'bytes',
    reference_name: 'Kamailio, memory per presence subscription',
    lowerIsBetter: true,
    samples: 1,
    warmUp: false,
    sample: callMemory,
  },
]
