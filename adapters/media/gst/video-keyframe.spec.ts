/**
 * A viewer joining a screen that is already being encoded for others gets a keyframe at once (an
 * upstream force-key-unit event to the screen's x264enc), instead of waiting for the next
 * periodic one (a second apart: key-int-max is the frame rate): until then it can decode nothing.
 * The far ends here are bare sockets that note when each packet arrives and whether it starts a
 * picture a decoder can begin with (RFC 6184: an SPS, alone or in a STAP-A, or an IDR slice).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import { LegId } from '../../../core/model/ids.js'
import { videoEndpoint } from './testing/video-endpoint.js'
import { startVideoWorker } from './testing/video-worker.js'
import { startsKeyframe } from './testing/rtcp-packets.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Viewer {
  readonly leg: string
  readonly socket: dgram.Socket
  firstPacketAt?: number
  firstKeyframeAt?: number
}

void test('a viewer joining a running shared screen gets a keyframe within a few frames, not up to a second later', async (t) => {
  const { media } = await startVideoWorker(t, { portMin: 48400, portMax: 48599 })
  // The speaker everyone watches (1+0): one screen, one encode, shared by every viewer.
  const speaker = await videoEndpoint({ pattern: 'ball' })
  t.after(() => speaker.stop())
  const speakerPorts = await media.allocate(LegId('k-speaker'), ['video'])
  assert.ok(E.isRight(speakerPorts) && speakerPorts.right.video !== undefined)
  assert.ok(E.isRight(await media.attach(LegId('k-speaker'), undefined, { video: speaker.plan(), displayName: 'Speaker' })()))
  await speaker.start(speakerPorts.right.video)
  const viewer = async (leg: string): Promise<Viewer> => {
    const socket = dgram.createSocket('udp4')
    t.after(() => socket.close())
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    const v: Viewer = { leg, socket }
    socket.on('message', (packet) => {
      const now = performance.now()
      v.firstPacketAt ??= now
      if (v.firstKeyframeAt === undefined && startsKeyframe(packet)) v.firstKeyframeAt = now
    })
    const ports = await media.allocate(LegId(leg), ['video'])
    assert.ok(E.isRight(ports) && ports.right.video !== undefined)
    const plan = { codec: { name: 'H264' as const, payloadType: 96, clockRate: 90000 }, packetizationMode: 1 as const, remote: { address: '127.0.0.1', port: socket.address().port }, direction: 'sendonly' as const }
    assert.ok(E.isRight(await media.attach(LegId(leg), undefined, { video: plan, displayName: leg })()))
    return v
  }
  const watch = async (leg: string) => {
    const shown = await media.perform({ _tag: 'Show', leg: LegId(leg), view: { _tag: 'Composed', layout: 'one_main_zero_pips', participants: [LegId('k-speaker')] } })()
    assert.ok(E.isRight(shown), JSON.stringify(shown))
  }
  // The first viewer makes the screen (a new encoder starts with a keyframe); the others join it
  // at moments spread over the keyframe period, so that waiting for the periodic keyframe shows.
  const viewers = await Promise.all(['k-first', 'k-a', 'k-b', 'k-c'].map(viewer))
  await watch('k-first')
  await sleep(1_200)
  for (const v of viewers.slice(1)) {
    await watch(v.leg)
    await sleep(370)
  }
  await sleep(1_000)
  const delays = viewers.slice(1).map((v) => (v.firstPacketAt === undefined || v.firstKeyframeAt === undefined ? Infinity : Math.round(v.firstKeyframeAt - v.firstPacketAt)))
  t.diagnostic(`first packet to first keyframe, ms: ${delays.join(', ')}`)
  // Three frames at 10 fps, with room for a loaded machine; the periodic keyframe alone would
  // leave each joining viewer waiting a uniformly random 0-1000 ms.
  for (const delay of delays) assert.ok(delay <= 300, `each joining viewer's first keyframe comes at once: ${delays.join(', ')} ms`)
  for (const leg of ['k-speaker', 'k-first', 'k-a', 'k-b', 'k-c']) media.release(LegId(leg))
})
