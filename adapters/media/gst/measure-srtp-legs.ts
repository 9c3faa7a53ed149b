/**
 * Measures what SRTP and ICE add to an audio leg (not a test; run by hand):
 *   node --import tsx adapters/media/gst/measure-srtp-legs.ts [mode=srtp-ice] [legs=10] [seconds=10]
 * `mode` is `plain`, `srtp` (srtpdec/srtpenc and the port shim that keys SSRCs) or `srtp-ice`
 * (the same, with a nominated ICE pair). Like measure-audio-legs.ts: the worker process's CPU
 * (user+system from /proc) over `seconds`, idle and with `legs` PCMU legs in one conference,
 * each fed by an endpoint sending a tone; the far ends' own CPU is not counted.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import type { AudioStreamPlan } from '../worker/worker-protocol.js'
import { WorkerSupervisor } from '../worker/worker-supervisor.js'
import type { RtpEndpoint } from './testing/rtp-endpoint.js'
import { rtpEndpoint } from './testing/rtp-endpoint.js'

const [mode = 'srtp-ice', legsArg = '10', secondsArg = '10'] = process.argv.slice(2)
const legs = Number(legsArg)
const seconds = Number(secondsArg)
const ticksPerSecond = 100 // USER_HZ on Linux

const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const print = (line: string) => process.stdout.write(`${line}\n`)
const key = () => randomBytes(30).toString('base64')

const supervisor = new WorkerSupervisor({ logger: pino({ level: 'warn' }), bindHost: '127.0.0.1', portMin: 48000, portMax: 49999 })
const started = await supervisor.start()
if (E.isLeft(started)) throw new Error(started.left)
const pid = started.right.pid ?? 0
const measure = async (): Promise<number> => {
  const before = cpuSeconds(pid)
  await sleep(seconds * 1000)
  return (cpuSeconds(pid) - before) / seconds
}
const idle = await measure()
const endpoints: RtpEndpoint[] = []
for (let i = 0; i < legs; i++) {
  const leg = `measure-${i}`
  const secure = mode !== 'plain'
  const endpoint = await rtpEndpoint({ codec: 'PCMU', tone: 300 + 50 * i, ...(secure ? { srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', key: key(), parleyKey: key() } } : {}) })
  const ports = await supervisor.request('allocatePorts', { leg, streams: ['audio'] })()
  if (E.isLeft(ports) || ports.right.audio === undefined) throw new Error('no port')
  const ice = { localUfrag: `m${i}x`.padEnd(4, 'x'), localPwd: 'measuremeasuremeasureme', remoteUfrag: 'farx', remotePwd: 'farendfarendfarendfarend' }
  const plan: AudioStreamPlan = { ...endpoint.plan(), ...(mode === 'srtp-ice' ? { ice } : {}) }
  const attached = await supervisor.request('attachLeg', { leg, audio: plan })()
  if (E.isLeft(attached)) throw new Error(JSON.stringify(attached.left))
  await supervisor.request('joinMix', { leg, conference: 'measure' })()
  if (mode === 'srtp-ice') await endpoint.farEnd?.check(ports.right.audio, { ufrag: ice.localUfrag, pwd: ice.localPwd, localUfrag: ice.remoteUfrag }, true)
  endpoint.start(ports.right.audio)
  endpoints.push(endpoint)
}
await sleep(1000)
const busy = await measure()
const decrypted = endpoints.map((e) => e.farEnd?.counts().decrypted ?? 0).reduce((a, b) => a + b, 0)
print(`${mode}: idle ${(idle * 100).toFixed(2)} %; ${legs} PCMU legs in one conference ${(busy * 100).toFixed(1)} % of a core; ${(((busy - idle) / legs) * 100).toFixed(2)} % per leg${mode === 'plain' ? '' : `; far ends decrypted ${decrypted} packets`}`)
await Promise.all(endpoints.map((e) => e.stop()))
await supervisor.close()
