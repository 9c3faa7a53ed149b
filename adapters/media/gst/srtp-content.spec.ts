/**
 * Content over SRTP (a SIP room system on RTP/SAVP with SDES keys, an SfB VbSS stream behind ICE)
 * through a real worker composing at 320x180, 10 fps: the presenter's encrypted slides are
 * decrypted, decoded and composed for a viewer's main picture, and sent encrypted on the content
 * stream of a receiver whose content line Parley sends on. The far ends are GStreamer processes
 * (testing/video-endpoint.ts with `srtp`: srtpenc out, srtp-far-end.ts in); what each gets is
 * counted in decoded frames and read by luma (slides white 235, cameras black 16 / green ~145).
 */
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import type { MediaEffect } from '../../../core/ports/media.js'
import type { VideoEndpoint, VideoEndpointOptions } from './testing/video-endpoint.js'
import { meanLuma, videoEndpoint } from './testing/video-endpoint.js'
import { startVideoWorker } from './testing/video-worker.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const key = () => randomBytes(30).toString('base64')
const suite = 'AES_CM_128_HMAC_SHA1_80'
const mainLuma = (frame: Uint8Array): number => meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 })
const white = 200

const startWorker = async (t: TestContext) => {
  const { media, events, supervisor } = await startVideoWorker(t, { portMin: 48800, portMax: 48999 })
  const perform = async (effect: MediaEffect): Promise<void> => {
    const done = await media.perform(effect)()
    assert.ok(E.isRight(done), `${effect._tag}: ${JSON.stringify(done)}`)
  }
  return { media, events, perform, supervisor }
}

const endpoint = async (t: TestContext, options: VideoEndpointOptions): Promise<VideoEndpoint> => {
  const started = await videoEndpoint(options)
  t.after(() => started.stop())
  return started
}

const srtp = () => ({ suite, key: key(), parleyKey: key() })

void test('content over SRTP: the presenter’s encrypted slides (behind ICE) are decoded into a viewer’s main picture and sent encrypted on a receiver’s content stream; nothing to the receiver before the floor; release frees every element', async (t) => {
  const { media, events, perform, supervisor } = await startWorker(t)
  const ice = { localUfrag: 'C0nt', localPwd: 'parleycontentparleycont', remoteUfrag: 'Sh4r', remotePwd: 'sharersharersharersharer' }

  // The presenter: SRTP camera (black) and SRTP slides (white) on its content port, behind ICE.
  const camera = await endpoint(t, { pattern: 'black', srtp: srtp() })
  const slides = await endpoint(t, { pattern: 'white', sendOnly: true, srtp: srtp() })
  const presenterPorts = await media.allocate(LegId('sc-room'), ['video', 'content'])
  assert.ok(E.isRight(presenterPorts) && presenterPorts.right.video !== undefined && presenterPorts.right.content !== undefined, JSON.stringify(presenterPorts))
  const presenter = await media.attach(LegId('sc-room'), undefined, {
    video: camera.plan(),
    content: { ...slides.plan({ direction: 'recvonly' }), localPort: presenterPorts.right.content, ice },
    displayName: 'Room system',
  })()
  assert.ok(E.isRight(presenter), JSON.stringify(presenter))
  // The presenter's far end is the controlling agent: it checks Parley's content candidate and nominates it.
  const sharer = slides.farEnd
  assert.ok(sharer !== undefined)
  const checked = await sharer.check(presenterPorts.right.content, { ufrag: ice.localUfrag, pwd: ice.localPwd, localUfrag: ice.remoteUfrag }, true)
  assert.deepEqual(checked, { integrity: true, fingerprint: true, mapped: { address: '127.0.0.1', port: sharer.port } })

  // A viewer (SRTP main video, shown Content) and a receiver of content on its own SRTP content stream.
  const viewer = await endpoint(t, { srtp: srtp() })
  const receiverCamera = await endpoint(t, { pattern: 'green', srtp: srtp() })
  const receiverContent = await endpoint(t, { srtp: srtp() })
  const viewerPorts = await media.allocate(LegId('sc-viewer'), ['video'])
  const receiverPorts = await media.allocate(LegId('sc-receiver'), ['video', 'content'])
  assert.ok(E.isRight(viewerPorts) && viewerPorts.right.video !== undefined && E.isRight(receiverPorts) && receiverPorts.right.video !== undefined && receiverPorts.right.content !== undefined)
  assert.ok(E.isRight(await media.attach(LegId('sc-viewer'), undefined, { video: viewer.plan(), displayName: 'Viewer' })()))
  const receiver = await media.attach(LegId('sc-receiver'), undefined, {
    video: receiverCamera.plan(),
    content: { ...receiverContent.plan({ direction: 'sendonly' }), localPort: receiverPorts.right.content },
    displayName: 'Receiver',
  })()
  assert.ok(E.isRight(receiver), JSON.stringify(receiver))

  await camera.start(presenterPorts.right.video)
  await slides.start(presenterPorts.right.content)
  await viewer.start(viewerPorts.right.video)
  await receiverCamera.start(receiverPorts.right.video)
  await receiverContent.start(receiverPorts.right.content)
  const legs = ['sc-room', 'sc-viewer', 'sc-receiver'] as const
  for (const leg of legs) await perform({ _tag: 'JoinMix', leg: LegId(leg), conference: ConferenceId('sc-conference') })
  await perform({ _tag: 'Show', leg: LegId('sc-viewer'), view: { _tag: 'Content', presenter: 'Meet Alice' } })
  await perform({ _tag: 'Show', leg: LegId('sc-receiver'), view: { _tag: 'Composed', layout: 'one_main_zero_pips', participants: [LegId('sc-room')] } })
  await sleep(1_000)
  const beforeFloor = receiverContent.farEnd?.counts().decrypted ?? 0
  await perform({ _tag: 'GrantFloor', leg: LegId('sc-room') })
  await sleep(3_000)

  const counts = { viewer: viewer.farEnd?.counts(), receiverContent: receiverContent.farEnd?.counts() }
  const [toViewer, toReceiver] = await Promise.all([viewer.stop(), receiverContent.stop()])
  await Promise.all([camera.stop(), slides.stop(), receiverCamera.stop()])
  const withSlides = (frames: ReadonlyArray<Uint8Array>) => frames.filter((f) => mainLuma(f) > white).length
  const figures = `viewer ${withSlides(toViewer.frames)}/${toViewer.frames.length} frames with slides, receiver's content ${withSlides(toReceiver.frames)}/${toReceiver.frames.length}; decrypted ${JSON.stringify(counts)}; receiver's content packets before the floor ${beforeFloor}`
  t.diagnostic(figures)
  assert.equal(beforeFloor, 0, `no content out before anyone holds the floor: ${figures}`)
  assert.ok(withSlides(toViewer.frames) >= 15, `the viewer decodes the presenter's SRTP slides in its main picture: ${figures}`)
  assert.ok(withSlides(toReceiver.frames) >= 15, `the receiver decodes the slides on its SRTP content stream: ${figures}`)
  for (const c of Object.values(counts)) assert.ok((c?.decrypted ?? 0) > 10 && c?.rejected === 0, `the far ends decrypt Parley's SRTP: ${figures}`)
  assert.deepEqual(events.filter((e) => e._tag === 'LegFailed'), [])

  for (const leg of legs) media.release(LegId(leg))
  const stats = await supervisor.request('stats', {})()
  assert.deepEqual(stats, E.right({ legs: 0, attached: 0, conferences: 0, mixerPads: 0, elements: 0 }))
})
