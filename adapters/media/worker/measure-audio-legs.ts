/**
 * Measures the media worker (not a test; run by hand):
 *   node --import tsx adapters/media/worker/measure-audio-legs.ts [legs=10] [codec=PCMU] [seconds=10]
 * Worker start time (spawn to Ready and configured), then the worker process's CPU (user+system
 * from /proc) over `seconds` with no legs, and with `legs` legs in one conference, each fed by a
 * GStreamer endpoint sending a tone: the difference per leg is the cost of one audio leg
 * (receive, decode, mix, encode, send). The endpoints' own CPU is not counted.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import type { RtpEndpoint } from '../gst/testing/rtp-endpoint.js'
import { rtpEndpoint } from '../gst/testing/rtp-endpoint.js'
import { GstMedia } from './gst-media.js'
import type { AudioCodecName } from './worker-protocol.js'
import { WorkerSupervisor } from './worker-supervisor.js'

const [legsArg = '10', codecArg = 'PCMU', secondsArg = '10'] = process.argv.slice(2)
const legs = Number(legsArg)
const codec = codecArg as AudioCodecName
const seconds = Number(secondsArg)
const ticksPerSecond = 100 // USER_HZ on Linux

const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const print = (line: string) => process.stdout.write(`${line}\n`)

const supervisor = new WorkerSupervisor({ logger: pino({ level: 'warn' }), bindHost: '127.0.0.1', portMin: 48000, portMax: 49999 })
const started = await supervisor.start()
if (E.isLeft(started)) throw new Error(started.left)
const pid = started.right.pid ?? 0
print(`worker ready in ${started.right.startMs.toFixed(0)} ms (spawn, node-gtk, Gst.init, configure)`)
const media = new GstMedia({ supervisor, logger: pino({ level: 'warn' }), now: () => 0 })

const measure = async (): Promise<number> => {
  const before = cpuSeconds(pid)
  await sleep(seconds * 1000)
  return (cpuSeconds(pid) - before) / seconds
}

const idle = await measure()
print(`idle worker: ${(idle * 100).toFixed(2)} % of a core`)
const endpoints: RtpEndpoint[] = []
for (let i = 0; i < legs; i++) {
  const leg = LegId(`measure-${i}`)
  const endpoint = await rtpEndpoint({ codec, tone: 300 + 50 * i })
  const ports = await media.allocate(leg, ['audio'])
  if (E.isLeft(ports) || ports.right.audio === undefined) throw new Error('no port')
  await media.attach(leg, endpoint.plan())()
  await media.perform({ _tag: 'JoinMix', leg, conference: ConferenceId('measure') })()
  endpoint.start(ports.right.audio)
  endpoints.push(endpoint)
}
await sleep(1000)
const busy = await measure()
print(`${legs} ${codec} legs in one conference: ${(busy * 100).toFixed(1)} % of a core; ${(((busy - idle) / legs) * 100).toFixed(2)} % per leg`)
await Promise.all(endpoints.map((e) => e.stop()))
await supervisor.close()
