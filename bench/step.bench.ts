/**
 * The core must never be what limits a node (DESIGN §1, §5). Measured side by side:
 *
 * - `node-step-vs-udp-receive`: `stepNode` inputs per second on a realistic mix across 500
 *   conferences of about 8 (joins with PIN digits, chat, DTMF, leaves, some active-speaker
 *   changes, timers), against how many SIP-sized (900-byte) UDP datagrams per second Node
 *   receives on loopback with node:dgram, sent by a worker thread (one: on a 2-core machine a
 *   second sender only steals the receiver's core). Target 10x. One sender does not always keep
 *   the receiver busy (the kernel then drops nothing and the receiving loop idles: measured
 *   event-loop utilisation 0.3-0.9 with the earlier callback-paced sender), and a plain count
 *   would then measure the sender; so the count is divided by the receiving thread's busy time
 *   (`performance.eventLoopUtilization`): datagrams received per second of receiving, which is
 *   the plain rate whenever the receiver is saturated and never less than it.
 * - `node-state-update-vs-map-copy`: the persistent map the router keeps aggregates in, against
 *   the simple way (copy a `Map` of the node's 100k legs per update). Target 10x.
 * - `step-at-100k-legs-vs-1k-legs`: the same mix on a node holding 100k legs against one holding
 *   1k: a step costs the aggregates it touches, not the node, so the ratio stays near 1.
 *
 * The workload is recorded once by driving the node (so every input is valid for the state it
 * meets) and then replayed from the same warm snapshot; the state is persistent, so resetting to
 * the snapshot costs nothing.
 */
import { createSocket } from 'node:dgram'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { consume, sideBySideOpsPerSecond, type Measurement } from './harness.js'
import type { Vmr } from '../core/config/model.js'
import type { Input } from '../core/node/input.js'
import { NodeHarness, audioOffer, imOffer, makeConfig, makeVmr, pin, videoOffer } from '../core/node/node-harness.js'
import type { NodeState } from '../core/node/router.js'
import { stepNode } from '../core/node/router.js'
import { PersistentMap } from '../core/node/persistent-map.js'

const sliceMs = 400

/** A small deterministic generator (the workload must be the same on every run). */
const lcg = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 0x1_0000_0000
  }
}

export interface Workload {
  readonly warm: NodeState
  readonly inputs: ReadonlyArray<Input>
}

/**
 * Records a workload: `conferences` VMRs (a third open, the rest hosted with Host PIN 1234 and guests by `#`), each
 * warmed up to `perConference` participants, then `length` recorded inputs of everyday traffic.
 */
export const recordWorkload = (conferences: number, perConference: number, length: number): Workload => {
  const vmrs: Vmr[] = []
  for (let i = 0; i < conferences; i++)
    vmrs.push(
      i % 3 === 0
        ? makeVmr(`${i}`, { aliases: [`room${i}@example.com`] })
        : makeVmr(`${i}`, { aliases: [`room${i}@example.com`], allowGuests: true, pin: pin('1234') }),
    )
  const h = new NodeHarness(makeConfig({ vmrs, global: { onlyOneParticipantTimeoutS: 0 } }))
  // A node drops each step's effects once carried out; the harness's log keeps them all. Kept,
  // they would teach V8 that effects live long and have it allocate them in the old generation
  // (allocation-site pretenuring) for the replay too, which no running node does.
  const recorded: Input[] = []
  let recording = false
  const send = h.send.bind(h)
  h.send = (input) => {
    if (recording) recorded.push({ ...input, at: h.now } as Input)
    const effects = send(input)
    h.log.length = 0
    return effects
  }
  const random = lcg(42)
  let nextLeg = 0
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(random() * xs.length)]!
  const join = (c: number): void => {
    const leg = `leg-${nextLeg++}`
    const r = random()
    const offer = r < 0.1 ? audioOffer : r < 0.15 ? imOffer : videoOffer
    const protocol = r < 0.3 ? 'mssip' : r < 0.4 ? 'webrtc' : 'sip'
    if (c % 3 === 0 || random() < 0.3) h.offer(leg, `room${c}**1234@example.com`, { offer: offer === imOffer ? videoOffer : offer, protocol })
    else {
      h.offer(leg, `room${c}@example.com`, { offer: offer === imOffer ? videoOffer : offer, protocol })
      h.keys(leg, random() < 0.3 ? '1234#' : '#')
    }
  }
  for (let c = 0; c < conferences; c++) for (let p = 0; p < perConference; p++) join(c)
  h.advance(60_000)
  const warm = h.state

  recording = true
  while (recorded.length < length) {
    const c = Math.floor(random() * conferences)
    const conference = h.state.conferences.get(`${c}`)
    const joined = conference?.participants.filter((p) => !p.waiting && !p.chatOnly) ?? []
    // The mix: joins (an INVITE, then PIN digits for most), chat messages, DTMF in the call,
    // leaves, a few active-speaker changes from the media side, and time passing (timers).
    const r = random()
    if (r < 0.3 || joined.length < 2) join(c)
    else if (r < 0.55) h.chat(pick(joined).leg, 'hello everyone')
    else if (r < 0.6) h.send({ _tag: 'ActiveSpeakerChanged', conference: conference!.id, leg: pick(joined).leg })
    else if (r < 0.72) h.keys(pick(joined).leg, '5')
    else if (r < 0.97) h.hangUp(pick(joined).leg)
    else h.advance(100)
  }
  return { warm, inputs: recorded.slice(0, length) }
}

/** Replays the workload from the warm state for about `ms`; inputs per second. */
export const replayRate = (w: Workload, ms: number): number => {
  const started = performance.now()
  let steps = 0
  let now = started
  do {
    let s = w.warm
    for (const input of w.inputs) s = stepNode(s, input).state
    consume(s)
    steps += w.inputs.length
    now = performance.now()
  } while (now - started < ms)
  return (steps * 1000) / (now - started)
}

/**
 * What the sender thread blasts at the receiver: 900-byte datagrams on a connected socket, as
 * fast as it can. Sends carry no callback (one per datagram cost the sender more than the
 * receiver pays to receive); the send queue is kept short instead.
 */
const senderSource = `
const { parentPort, workerData } = require('node:worker_threads')
const dgram = require('node:dgram')
const socket = dgram.createSocket('udp4')
const payload = Buffer.alloc(900, 0x41)
let running = true
parentPort.on('message', (m) => { if (m === 'stop') { running = false; socket.close(); parentPort.close() } })
socket.connect(workerData.port, '127.0.0.1', () => {
  const burst = () => {
    if (!running) return
    for (let i = 0; i < 256 && socket.getSendQueueCount() < 1024; i++) socket.send(payload)
    setImmediate(burst)
  }
  burst()
})
`

/**
 * Datagrams per second of the receiving thread's busy time while the senders run, over about
 * `ms`: the received count divided by the time the event loop was not idle.
 */
export const udpReceiveRate = async (ms: number, senderCount = 1): Promise<number> => {
  const receiver = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 })
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve))
  const port = (receiver.address() as AddressInfo).port
  let received = 0
  receiver.on('message', (msg) => {
    received++
    consume(msg)
  })
  const senders = Array.from({ length: senderCount }, () => new Worker(senderSource, { eval: true, workerData: { port } }))
  // Let the senders reach full speed before counting.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const startCount = received
  const started = performance.now()
  const loopBefore = performance.eventLoopUtilization()
  await new Promise((resolve) => setTimeout(resolve, ms))
  const busy = performance.eventLoopUtilization(loopBefore).utilization
  const seconds = (performance.now() - started) / 1000
  const count = received - startCount
  for (const s of senders) s.postMessage('stop')
  await Promise.all(senders.map((s) => new Promise((resolve) => s.once('exit', resolve))))
  receiver.close()
  if (count === 0 || busy <= 0) throw new Error('udpReceiveRate: nothing was received')
  return count / (seconds * busy)
}

let everyday: Workload | undefined
let small: Workload | undefined
let large: Workload | undefined
const everydayWorkload = (): Workload => (everyday ??= recordWorkload(500, 8, 20_000))
const smallNode = (): Workload => (small ??= recordWorkload(100, 10, 20_000))
const largeNode = (): Workload => (large ??= recordWorkload(10_000, 10, 20_000))

const legCount = 100_000
let legKeys: ReadonlyArray<string> | undefined
let persistentLegs: PersistentMap<number> | undefined
let copiedLegs: Map<string, number> | undefined
const legMaps = (): { keys: ReadonlyArray<string>; persistent: PersistentMap<number>; copied: Map<string, number> } => {
  legKeys ??= Array.from({ length: legCount }, (_, i) => `leg-${i}`)
  persistentLegs ??= PersistentMap.of(legKeys.map((k, i) => [k, i] as const))
  copiedLegs ??= new Map(legKeys.map((k, i) => [k, i]))
  return { keys: legKeys, persistent: persistentLegs, copied: copiedLegs }
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'node-step-vs-udp-receive',
    unit: 'inputs/s',
    reference_name: 'node:dgram 900-byte datagrams received per busy second on loopback',
    target: 10,
    async sample() {
      const w = everydayWorkload()
      const r1 = await udpReceiveRate(sliceMs)
      await yieldToEventLoop()
      const p1 = replayRate(w, sliceMs)
      await yieldToEventLoop()
      const p2 = replayRate(w, sliceMs)
      await yieldToEventLoop()
      const r2 = await udpReceiveRate(sliceMs)
      return { parley: (p1 + p2) / 2, reference: (r1 + r2) / 2 }
    },
  },
  {
    name: 'node-state-update-vs-map-copy',
    unit: 'updates/s',
    reference_name: 'copy a Map of 100k legs per update',
    target: 10,
    async sample() {
      const { keys, persistent, copied } = legMaps()
      const touched = keys.filter((_, i) => i % 997 === 0)
      return sideBySideOpsPerSecond({
        parley: (k: string) => persistent.set(k, (persistent.get(k) ?? 0) + 1),
        reference: (k: string) => new Map(copied).set(k, (copied.get(k) ?? 0) + 1),
        inputs: touched,
        sliceMs,
      })
    },
  },
  {
    name: 'step-at-100k-legs-vs-1k-legs',
    unit: 'inputs/s',
    reference_name: 'the same mix on a node holding 1k legs',
    target: 0.5,
    async sample() {
      const big = largeNode()
      const little = smallNode()
      const r1 = replayRate(little, sliceMs)
      await yieldToEventLoop()
      const p1 = replayRate(big, sliceMs)
      await yieldToEventLoop()
      const p2 = replayRate(big, sliceMs)
      await yieldToEventLoop()
      const r2 = replayRate(little, sliceMs)
      return { parley: (p1 + p2) / 2, reference: (r1 + r2) / 2 }
    },
  },
]

