/**
 * The production node with its GStreamer media worker (PARLEY_MEDIA=gst, the default), over real
 * SIP and real RTP on loopback (issue 6 "Done when"): callers are SIP user agents of the
 * project's own stack whose media are `gst-launch-1.0` far ends (rtp-endpoint.ts) sending a tone
 * and recording what Parley sends back, judged by frequency analysis (tone-analysis.ts).
 *
 * One node serves the three checks in turn; the last one kills its worker. Needs GStreamer and
 * node-gtk (scripts/install-deps.sh); without them the node reports no worker and this fails.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { RtpEndpoint } from '../media/gst/testing/rtp-endpoint.js'
import { analysisRate, rtpEndpoint, telephoneEventPackets } from '../media/gst/testing/rtp-endpoint.js'
import { pcmSamples, toneShareDb } from '../media/gst/testing/tone-analysis.js'
import type { DialogEnd, Dialog } from '../sip/stack/stack-types.js'
import type { RunningNode } from './serve.js'
import { adminAuthorization, startRunningNode } from './testing/running-node.js'
import { TestSipClient } from './testing/sip-client.js'


/** As media-worker.spec.ts: a present tone is near 0 dB of the received energy, an absent one far below. */
const heard = -12
const notHeard = -30

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const eventually = async (condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`)
    await sleep(25)
  }
}

/** An audio-only offer whose RTP goes to the far end's recorder, with RFC 4733 events. */
const audioOffer = (port: number): string =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=sendrecv',
    '',
  ].join('\r\n')

interface Caller {
  readonly dialog: Dialog
  readonly endpoint: RtpEndpoint
  /** Parley's RTP port for the call, from its answer. */
  readonly legPort: number
  /** How the dialog ended, once it has. */
  readonly ended: () => DialogEnd | undefined
}

const logLines: Array<Record<string, unknown>> = []
const logSink = new Writable({
  write: (chunk: Buffer, _encoding, done) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.startsWith('{')) logLines.push(JSON.parse(line) as Record<string, unknown>)
    done()
  },
})

const startNode = async (dataDir: string): Promise<RunningNode> => (await startRunningNode(dataDir, { PARLEY_MEDIA: 'gst', PARLEY_LOG_LEVEL: 'info' }, logSink)).node

const call = async (sip: TestSipClient, dialled: string, name: string, tone: number | undefined): Promise<Caller> => {
  const endpoint = await rtpEndpoint({ codec: 'PCMU', ...(tone === undefined ? {} : { tone }) })
  const outcome = await sip.call(dialled, name, audioOffer(endpoint.plan().remote.port))
  if (outcome._tag !== 'Answered') {
    await endpoint.stop()
    assert.fail(`${name}'s call to ${dialled} was not answered: ${outcome.status}`)
  }
  let end: DialogEnd | undefined
  outcome.dialog.setHandler({ onRequest: (request) => void request.respond({ status: 200 }), onTerminated: (e) => (end = e) })
  const legPort = Number(/^m=audio (\d+) /m.exec(outcome.answer)?.[1])
  assert.ok(legPort > 0, `Parley's answer has an audio port: ${outcome.answer}`)
  endpoint.start(legPort)
  return { dialog: outcome.dialog, endpoint, legPort, ended: () => end }
}

/** RFC 4733 digits to the leg's RTP port, as a phone's keypad sends them (events 0-9, 10 = *, 11 = #). */
const sendDigits = async (legPort: number, digits: string): Promise<void> => {
  const socket = dgram.createSocket('udp4')
  try {
    let seq = 5000
    for (const [index, digit] of [...digits].entries()) {
      const event = digit === '*' ? 10 : digit === '#' ? 11 : Number(digit)
      for (const packet of telephoneEventPackets(event, { payloadType: 101, ssrc: 0x4d4e, firstSeq: seq, timestamp: 16000 * (index + 1) })) {
        await new Promise<void>((resolve, reject) => socket.send(packet, legPort, '127.0.0.1', (e) => (e === null ? resolve() : reject(e))))
        await sleep(20)
      }
      seq += 6
      // Keys pressed apart, as a person does.
      await sleep(60)
    }
  } finally {
    socket.close()
  }
}

/** The last `seconds` of what a far end recorded. */
const lastSeconds = (pcm: Buffer, seconds: number): Float64Array => {
  const samples = pcmSamples(pcm)
  return samples.subarray(Math.max(0, samples.length - Math.round(seconds * analysisRate)))
}

void test('the node with its media worker: RFC 4733 PIN, N-1 audio mix, a killed worker', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-media-node-'))
  const node = await startNode(dataDir)
  const sip = await TestSipClient.open(node.ready.sip?.udp ?? 0)
  const callers: Caller[] = []
  t.after(async () => {
    await Promise.all(callers.map((c) => c.endpoint.stop()))
    await sip.close()
    await node.stop()
    await rm(dataDir, { recursive: true, force: true })
  })
  const media = node.ready.sip?.media
  assert.ok(media?.kind === 'gst' && 'startMs' in media && media.worker !== null, `the ready line names a running worker: ${JSON.stringify(media)}`)
  const firstWorker = media.worker
  const participants = async (): Promise<ReadonlyArray<Record<string, unknown>>> => {
    const response = await fetch(`http://127.0.0.1:${node.ready.http}/api/admin/status/v1/participant/`, { headers: { authorization: adminAuthorization } })
    assert.equal(response.status, 200)
    return ((await response.json()) as { objects: ReadonlyArray<Record<string, unknown>> }).objects
  }

  await t.test('a caller of meet.alice typing the Host PIN as RFC 4733 telephone-events is admitted as Host', async () => {
    const host = await call(sip, 'meet.alice@example.com', 'Hana Host', undefined)
    callers.push(host)
    await eventually(async () => (await participants()).some((p) => p['display_name'] === 'Hana Host' && p['role'] === 'unknown'), 3_000, 'Hana at the PIN prompt')
    await sendDigits(host.legPort, '1234#')
    await eventually(async () => (await participants()).some((p) => p['display_name'] === 'Hana Host' && p['role'] === 'chair'), 3_000, 'Hana admitted as Host (chair)')
    await host.dialog.bye()
    // Its far end stops sending too: a later leg may get the same port (as a phone would have hung up).
    await host.endpoint.stop()
  })

  await t.test('two callers in meet.bob: each hears the other’s tone and not its own', async () => {
    const ann = await call(sip, 'meet.bob@example.com', 'Ann', 440)
    const ben = await call(sip, 'meet.bob@example.com', 'Ben', 1000)
    callers.push(ann, ben)
    await sleep(2_500)
    // Stopping the recorders (not the calls): the calls stay up for the worker-loss check.
    const [toAnn, toBen] = await Promise.all([ann.endpoint.stop(), ben.endpoint.stop()])
    const a = lastSeconds(toAnn, 1.5)
    const b = lastSeconds(toBen, 1.5)
    assert.ok(a.length > analysisRate && b.length > analysisRate, `both far ends received audio: ${a.length}, ${b.length} samples`)
    const share = (samples: Float64Array, f: number) => toneShareDb(samples, f, analysisRate)
    assert.ok(share(a, 1000) > heard, `Ann hears Ben: ${share(a, 1000).toFixed(1)} dB`)
    assert.ok(share(a, 440) < notHeard, `Ann does not hear herself: ${share(a, 440).toFixed(1)} dB`)
    assert.ok(share(b, 440) > heard, `Ben hears Ann: ${share(b, 440).toFixed(1)} dB`)
    assert.ok(share(b, 1000) < notHeard, `Ben does not hear himself: ${share(b, 1000).toFixed(1)} dB`)
  })

  await t.test('the worker killed: the calls it carried get a BYE, OPTIONS is still answered, a new worker serves new calls', async () => {
    const [ann, ben] = callers.slice(-2)
    assert.ok(ann !== undefined && ben !== undefined)
    process.kill(firstWorker, 'SIGKILL')
    await eventually(() => ann.ended() !== undefined && ben.ended() !== undefined, 5_000, 'both meet.bob calls ended')
    assert.equal(ann.ended()?._tag, 'ByeReceived')
    assert.equal(ben.ended()?._tag, 'ByeReceived')
    assert.equal(await sip.options(), 200, 'signalling is up')
    await eventually(async () => !(await participants()).some((p) => p['display_name'] === 'Ann' || p['display_name'] === 'Ben'), 2_000, 'the conference no longer lists them')
    const died = logLines.find((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('media worker died'))
    assert.ok(Array.isArray(died?.['lostLegs']) && died['lostLegs'].length === 2, `the log names the lost calls: ${JSON.stringify(died)}`)
    await eventually(() => logLines.some((l) => l['msg'] === 'media worker ready' && l['worker'] !== firstWorker), 8_000, 'a new worker ready')
    const cleo = await call(sip, 'meet.bob@example.com', 'Cleo', 700)
    const dan = await call(sip, 'meet.bob@example.com', 'Dan', undefined)
    callers.push(cleo, dan)
    await sleep(2_500)
    await cleo.endpoint.stop()
    const toDan = lastSeconds(await dan.endpoint.stop(), 1.5)
    assert.ok(toneShareDb(toDan, 700, analysisRate) > heard, `Dan hears Cleo through the new worker: ${toneShareDb(toDan, 700, analysisRate).toFixed(1)} dB`)
    await Promise.all([cleo.dialog.bye(), dan.dialog.bye()])
  })
})
