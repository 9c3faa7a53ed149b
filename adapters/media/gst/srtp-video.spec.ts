/**
 * Secure video (SfB legs: SRTP with SDES keys, ICE) through a real worker: GStreamer far ends
 * (testing/video-endpoint.ts with `srtp`) send encrypted H.264 test patterns and decrypt what
 * Parley sends (srtp-far-end.ts), composing at 320x180, 10 fps. Which picture a viewer gets is
 * read from the decoded frames, as in video-engine.spec.ts.
 */
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { LegId } from '../../../core/model/ids.js'
import type { VideoStreamPlan } from '../worker/worker-protocol.js'
import type { VideoEndpoint, VideoEndpointOptions, VideoReceived } from './testing/video-endpoint.js'
import { meanLuma, videoEndpoint } from './testing/video-endpoint.js'
import { startVideoWorker } from './testing/video-worker.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const key = () => randomBytes(30).toString('base64')
const suite = 'AES_CM_128_HMAC_SHA1_80'

/** Mean luma of the middle of the main tile over the last frames. */
const middle = (received: VideoReceived): number => {
  const last = received.frames.slice(-5)
  return last.reduce((sum, frame) => sum + meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 }), 0) / Math.max(1, last.length)
}
const bright = 150
const dark = 60

const startWorker = async (t: TestContext) => {
  const { media, events } = await startVideoWorker(t, { portMin: 48100, portMax: 48399 })
  const show = async (leg: string, participants: ReadonlyArray<string>) => {
    const shown = await media.perform({ _tag: 'Show', leg: LegId(leg), view: { _tag: 'Composed', layout: 'one_main_zero_pips', participants: participants.map(LegId) } })()
    assert.ok(E.isRight(shown), JSON.stringify(shown))
  }
  return { media, events, show }
}

void test('SRTP video (one leg behind ICE) in a composed conference: pictures decrypted both ways; a far end with a wrong key shows nothing and still sees the others', async (t) => {
  const { media, events, show } = await startWorker(t)
  const videoLeg = async (leg: string, options: VideoEndpointOptions, extra: Partial<VideoStreamPlan> = {}): Promise<VideoEndpoint & { readonly port: number }> => {
    const endpoint = await videoEndpoint(options)
    t.after(() => endpoint.stop())
    const ports = await media.allocate(LegId(leg), ['video'])
    assert.ok(E.isRight(ports) && ports.right.video !== undefined, JSON.stringify(ports))
    const attached = await media.attach(LegId(leg), undefined, { video: { ...endpoint.plan(), ...extra }, displayName: leg })()
    assert.ok(E.isRight(attached), JSON.stringify(attached))
    return { ...endpoint, port: ports.right.video }
  }
  const ice = { localUfrag: 'Pl4x', localPwd: 'parleyparleyparleyparley', remoteUfrag: 'Fa9r', remotePwd: 'farendfarendfarendfarend' }
  // Alice: SfB-like, SRTP behind ICE, white. Bob: SRTP with 32-bit tags and SfB's one-byte MKI, white too. Mallory: white, encrypted with a key her SDP did not give.
  const alice = await videoLeg('alice', { pattern: 'white', srtp: { suite, key: key(), parleyKey: key() } }, { ice })
  const bob = await videoLeg('bob', { pattern: 'white', srtp: { suite: 'AES_CM_128_HMAC_SHA1_32', key: key(), parleyKey: key(), mki: '01' } })
  const mallory = await videoLeg('mallory', { pattern: 'white', srtp: { suite, key: key(), parleyKey: key(), sendWith: key() } })
  // Alice's far end is the controlling agent: it checks Parley's video candidate from its media socket and nominates it.
  const farEnd = alice.farEnd
  assert.ok(farEnd !== undefined)
  const checked = await farEnd.check(alice.port, { ufrag: ice.localUfrag, pwd: ice.localPwd, localUfrag: ice.remoteUfrag }, true)
  assert.deepEqual(checked, { integrity: true, fingerprint: true, mapped: { address: '127.0.0.1', port: farEnd.port } })
  for (const leg of [alice, bob, mallory]) await leg.start(leg.port)
  // 1+0: each sees the first of the list other than itself in the main tile.
  await show('alice', ['mallory', 'bob'])
  await show('bob', ['alice', 'mallory'])
  await show('mallory', ['bob', 'alice'])
  await sleep(3_000)
  const counts = [alice, bob, mallory].map((leg) => leg.farEnd?.counts())
  const [toAlice, toBob, toMallory] = await Promise.all([alice.stop(), bob.stop(), mallory.stop()])
  const frames = `frames: Alice ${toAlice.frames.length}, Bob ${toBob.frames.length}, Mallory ${toMallory.frames.length}; far ends decrypted ${JSON.stringify(counts)}`
  t.diagnostic(`${frames}; middles: Alice ${middle(toAlice).toFixed(0)}, Bob ${middle(toBob).toFixed(0)}, Mallory ${middle(toMallory).toFixed(0)}`)
  for (const c of counts) assert.ok((c?.decrypted ?? 0) > 20 && c?.rejected === 0, `every far end decrypts Parley's SRTP: ${frames}`)
  for (const received of [toAlice, toBob, toMallory]) assert.ok(received.frames.length >= 10, frames)
  assert.ok(middle(toBob) > bright, `Bob sees Alice's picture (SRTP through ICE): ${middle(toBob).toFixed(0)}; ${frames}`)
  assert.ok(middle(toAlice) < dark, `Alice sees nothing of Mallory's (wrong key) white picture: ${middle(toAlice).toFixed(0)}`)
  assert.ok(middle(toMallory) > bright, `Mallory still sees the others: Bob's picture (sent with an MKI): ${middle(toMallory).toFixed(0)}`)
  assert.deepEqual(events.filter((e) => e._tag === 'LegFailed'), [])
  for (const leg of ['alice', 'bob', 'mallory']) media.release(LegId(leg))
})

void test('a re-INVITE that adds SRTP to a plain video stream: the stream goes on encrypted on the same port, its viewers see it again, nothing fails', async (t) => {
  const { media, events, show } = await startWorker(t)
  const attach = async (leg: string, endpoint: VideoEndpoint) => {
    const attached = await media.attach(LegId(leg), undefined, { video: endpoint.plan(), displayName: leg })()
    assert.ok(E.isRight(attached), JSON.stringify(attached))
  }
  const plain = await videoEndpoint({ pattern: 'white' })
  t.after(() => plain.stop())
  const viewer = await videoEndpoint({})
  t.after(() => viewer.stop())
  const ports = await media.allocate(LegId('r-alice'), ['video'])
  const viewerPorts = await media.allocate(LegId('r-bob'), ['video'])
  assert.ok(E.isRight(ports) && ports.right.video !== undefined && E.isRight(viewerPorts) && viewerPorts.right.video !== undefined)
  await attach('r-alice', plain)
  await attach('r-bob', viewer)
  await plain.start(ports.right.video)
  await viewer.start(viewerPorts.right.video)
  await show('r-bob', ['r-alice'])
  await show('r-alice', ['r-bob'])
  await sleep(1_500)
  await plain.stop()
  // The re-INVITE: same port, now with SDES keys.
  const secure = await videoEndpoint({ pattern: 'white', srtp: { suite, key: key(), parleyKey: key() } })
  t.after(() => secure.stop())
  await attach('r-alice', secure)
  await secure.start(ports.right.video)
  await sleep(2_500)
  const counts = secure.farEnd?.counts()
  const [toBob, toAlice] = await Promise.all([viewer.stop(), secure.stop()])
  assert.ok(middle(toBob) > bright, `Bob sees Alice's encrypted picture: ${middle(toBob).toFixed(0)} (${toBob.frames.length} frames)`)
  assert.ok(toAlice.frames.length >= 10 && (counts?.decrypted ?? 0) > 10 && counts?.rejected === 0, `Alice's far end decrypts Parley's SRTP: ${toAlice.frames.length} frames, ${JSON.stringify(counts)}`)
  assert.deepEqual(events.filter((e) => e._tag === 'LegFailed'), [])
  for (const leg of ['r-alice', 'r-bob']) media.release(LegId(leg))
})
