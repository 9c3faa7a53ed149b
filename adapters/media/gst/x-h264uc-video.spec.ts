/**
 * SfB main video in X-H264UC ([MS-H264PF], decision 0006) through a real worker, over SRTP: an
 * SfB-shaped far end (testing/sfb-video-endpoint.ts: x264enc, PACSI before every access unit,
 * prefix NAL units before every slice, SRTP) in a composed conference with a plain H.264 leg,
 * composing at 320x180, 10 fps. Parley decodes the SfB leg's picture into the composition, and
 * what it sends the SfB leg is MS-H264PF-framed SRTP that decodes, also across a re-INVITE.
 */
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { LegId } from '../../../core/model/ids.js'
import type { SfbVideoReceived } from './testing/sfb-video-endpoint.js'
import { sfbVideoEndpoint } from './testing/sfb-video-endpoint.js'
import type { VideoReceived } from './testing/video-endpoint.js'
import { meanLuma, videoEndpoint } from './testing/video-endpoint.js'
import { startVideoWorker } from './testing/video-worker.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const key = () => randomBytes(30).toString('base64')

/** Mean luma of the middle of the main tile over the last frames. */
const middle = (received: { readonly frames: VideoReceived['frames'] }): number => {
  const last = received.frames.slice(-5)
  return last.reduce((sum, frame) => sum + meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 }), 0) / Math.max(1, last.length)
}
const bright = 150

const startWorker = async (t: TestContext) => {
  const { media, events } = await startVideoWorker(t, { portMin: 48600, portMax: 48799 })
  const show = async (leg: string, participants: ReadonlyArray<string>) => {
    const shown = await media.perform({ _tag: 'Show', leg: LegId(leg), view: { _tag: 'Composed', layout: 'one_main_zero_pips', participants: participants.map(LegId) } })()
    assert.ok(E.isRight(shown), JSON.stringify(shown))
  }
  return { media, events, show }
}

const describe = (r: SfbVideoReceived): string =>
  `${r.frames.length} frames decoded; ${r.packets} packets, ${r.accessUnits} access units (${r.accessUnitsOpenedByPacsi} opened by a PACSI, ${r.pacsiWithLayout} with the stream layout), ` +
  `${r.sliceStarts} slices (${r.sliceStartsAfterPrefix} after a prefix NAL unit), ${r.sequenceGaps} sequence gaps`

for (const pacsiInStapA of [false, true]) {
  void test(`X-H264UC over SRTP (PACSI ${pacsiInStapA ? 'aggregated in a STAP-A' : 'in a packet of its own'}): the SfB leg's picture is decoded into the room, and the room's MS-H264PF-framed picture decodes at the SfB leg`, async (t) => {
    const { media, events, show } = await startWorker(t)
    const sfb = await sfbVideoEndpoint({ pattern: 'white', key: key(), parleyKey: key(), pacsiInStapA })
    t.after(() => sfb.stop())
    const sfbPorts = await media.allocate(LegId('sfb'), ['video'])
    assert.ok(E.isRight(sfbPorts) && sfbPorts.right.video !== undefined, JSON.stringify(sfbPorts))
    const attachedSfb = await media.attach(LegId('sfb'), undefined, { video: sfb.plan(), displayName: 'sfb' })()
    assert.ok(E.isRight(attachedSfb), JSON.stringify(attachedSfb))
    // A plain H.264 room system, white as well: what the SfB leg is shown.
    const plain = await videoEndpoint({ pattern: 'white' })
    t.after(() => plain.stop())
    const plainPorts = await media.allocate(LegId('room'), ['video'])
    assert.ok(E.isRight(plainPorts) && plainPorts.right.video !== undefined, JSON.stringify(plainPorts))
    const attachedPlain = await media.attach(LegId('room'), undefined, { video: plain.plan(), displayName: 'room' })()
    assert.ok(E.isRight(attachedPlain), JSON.stringify(attachedPlain))
    await sfb.start(sfbPorts.right.video)
    await plain.start(plainPorts.right.video)
    await show('room', ['sfb'])
    await show('sfb', ['room'])
    await sleep(pacsiInStapA ? 3_000 : 2_000)
    if (!pacsiInStapA) {
      // A re-INVITE that keeps the keys: Parley's framed stream goes on where it was (no gap, no SRTP index used twice).
      const reattached = await media.attach(LegId('sfb'), undefined, { video: sfb.plan(), displayName: 'sfb' })()
      assert.ok(E.isRight(reattached), JSON.stringify(reattached))
      await sleep(1_500)
    }
    const counts = sfb.farEnd.counts()
    const sent = sfb.sent()
    const [toSfb, toRoom] = await Promise.all([sfb.stop(), plain.stop()])
    t.diagnostic(`SfB far end sent ${sent} SRTP packets; to SfB: ${describe(toSfb)}, decrypted ${JSON.stringify(counts)}; to the room system: ${toRoom.frames.length} frames, middle ${middle(toRoom).toFixed(0)}`)
    // Parley decoded the SfB leg (PACSI dropped, prefix NAL units skipped): the room system sees its white picture.
    assert.ok(middle(toRoom) > bright, `the room system sees the SfB leg's picture: ${middle(toRoom).toFixed(0)} over ${toRoom.frames.length} frames`)
    // What Parley sends the SfB leg: SRTP with Parley's key, every access unit opened by a PACSI, every slice after a prefix NAL unit, no gaps.
    assert.ok(counts.decrypted > 20 && counts.rejected === 0, `the SfB far end decrypts Parley's SRTP: ${JSON.stringify(counts)}`)
    assert.ok(toSfb.accessUnits >= 15, describe(toSfb))
    assert.equal(toSfb.accessUnitsOpenedByPacsi, toSfb.accessUnits, describe(toSfb))
    assert.ok(toSfb.pacsiWithLayout >= 1, describe(toSfb))
    assert.ok(toSfb.sliceStarts >= toSfb.accessUnits, describe(toSfb))
    assert.equal(toSfb.sliceStartsAfterPrefix, toSfb.sliceStarts, describe(toSfb))
    assert.equal(toSfb.sequenceGaps, 0, describe(toSfb))
    assert.ok(toSfb.frames.length >= 10, describe(toSfb))
    assert.ok(middle(toSfb) > bright, `the SfB leg sees the room system's picture: ${middle(toSfb).toFixed(0)}; ${describe(toSfb)}`)
    assert.deepEqual(events.filter((e) => e._tag === 'LegFailed'), [])
    for (const leg of ['sfb', 'room']) media.release(LegId(leg))
  })
}
