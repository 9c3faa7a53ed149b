/**
 * SRTCP on SRTP video legs (SfB and SRTP room systems offering H.264; RFC 3711 §3.4, muxed on the
 * RTP port, RFC 5761), through a real media worker: the leg's port shim applies SRTCP and its
 * `rtpsession` runs plain RTCP, as on a plain leg (video-rtcp.spec.ts).
 * - A camera already running over SRTP, whose sender makes a keyframe only every 10 s, shows in a
 *   composition within a second or two: Parley sends its sender an SRTCP PLI, which the far end
 *   here decrypts and counts. The sender is a `gst-launch-1.0` rtpbin behind libsrtp's `srtpenc`
 *   (its SRTP and SRTCP both), so Parley's SRTCP reader is checked against libsrtp's writer.
 * - A viewer behind SRTP that sends Parley an SRTCP PLI gets an IDR at once, not at the screen's
 *   next periodic keyframe; a PLI under a key its SDP did not give gets nothing.
 */
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { LegId } from '../../../core/model/ids.js'
import type { VideoStreamPlan } from '../worker/worker-protocol.js'
import { RolloverCounter, isMuxedRtcp, protectRtcp, sessionKeys, srtpSuiteParameters, unprotectRtcp, unprotectRtp } from './srtp-packet.js'
import { freeUdpPort } from './testing/rtp-endpoint.js'
import { emptyReceiverReport, isFir, isPli, rtcpPackets, rtcpReceiverReport, rtcpSenderReport, pliPacket, startsKeyframe } from './testing/rtcp-packets.js'
import { meanLuma } from './testing/video-endpoint.js'
import { boundSocket, h264, launchGst, muxedPli, startWorkerNotingFailures, watchComposition } from './testing/rtcp-harness.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const suiteName = 'AES_CM_128_HMAC_SHA1_80'
const suite = srtpSuiteParameters(suiteName)
const newKey = () => randomBytes(30).toString('base64')

void test('over SRTP, a camera already running with a keyframe every 10 s shows in the composition within 2 s: Parley sends its sender an SRTCP PLI (muxed), which the far end decrypts', async (t) => {
  assert.ok(suite !== undefined)
  const media = await startWorkerNotingFailures(t, 49400)
  const farKey = newKey()
  const parleyKey = newKey()
  const farRtp = sessionKeys(Buffer.from(farKey, 'base64'), suite)
  const parleyRtcp = sessionKeys(Buffer.from(parleyKey, 'base64'), suite, true)
  // The sender's SRTP reaches Parley through this relay, which opens only a second after the
  // sender's first keyframe: Parley picks up a stream already running, its next keyframe 10 s away.
  const relay = await boundSocket(t)
  const senderRtcpPort = await freeUdpPort()
  const ports = await media.allocate(LegId('k-camera'), ['video'])
  const parleyPort = E.isRight(ports) ? ports.right.video : undefined
  assert.ok(parleyPort !== undefined, JSON.stringify(ports))
  let open = false
  let firstKeyframeAt: number | undefined
  const received = { pli: 0, fir: 0, rr: 0, rejected: 0, plainRtcp: 0 }
  // The sender's SRTCP (libsrtp's srtpenc) read with srtp-packet.ts, which Parley's shim reads it with.
  const senderSrtcp = { authentic: 0, reports: 0, rejected: 0 }
  const farRtcp = sessionKeys(Buffer.from(farKey, 'base64'), suite, true)
  let forwarded = { rtp: 0, srtcp: 0 }
  const roc = new RolloverCounter()
  relay.on('message', (datagram, from) => {
    if (from.port === parleyPort) {
      if (!isMuxedRtcp(datagram)) return
      // Parley's SRTCP: decrypted with Parley's key (the answer's a=crypto), counted, then on to the sender's rtpbin.
      const plain = unprotectRtcp(datagram, parleyRtcp)
      if (plain === undefined) {
        received.rejected++
        // Plain RTCP (no SRTCP at all) would read here as RTCP packets.
        if (rtcpPackets(datagram).some((p) => p.type === rtcpReceiverReport || isPli(p))) received.plainRtcp++
        return
      }
      for (const packet of rtcpPackets(plain.packet)) {
        if (isPli(packet)) received.pli++
        if (isFir(packet)) received.fir++
        if (packet.type === rtcpReceiverReport) received.rr++
      }
      relay.send(plain.packet, senderRtcpPort, '127.0.0.1')
      return
    }
    if (!isMuxedRtcp(datagram) && firstKeyframeAt === undefined) {
      const seq = datagram.readUInt16BE(2)
      const guess = roc.guess(seq)
      const rtp = unprotectRtp(datagram, farRtp, suite, guess)
      if (rtp !== undefined) roc.accept(seq, guess)
      if (rtp !== undefined && startsKeyframe(rtp)) firstKeyframeAt = performance.now()
    }
    if (isMuxedRtcp(datagram)) {
      const plain = unprotectRtcp(datagram, farRtcp)
      if (plain === undefined) senderSrtcp.rejected++
      else {
        senderSrtcp.authentic++
        if (rtcpPackets(plain.packet).some((p) => p.type === rtcpSenderReport)) senderSrtcp.reports++
      }
    }
    if (!open) return
    forwarded = isMuxedRtcp(datagram) ? { ...forwarded, srtcp: forwarded.srtcp + 1 } : { ...forwarded, rtp: forwarded.rtp + 1 }
    relay.send(datagram, parleyPort, '127.0.0.1')
  })
  const plan: VideoStreamPlan = {
    codec: h264(96),
    packetizationMode: 1,
    remote: { address: '127.0.0.1', port: relay.address().port },
    direction: 'recvonly',
    rtcp: muxedPli,
    srtp: { suite: suiteName, localKey: parleyKey, remoteKey: farKey },
  }
  assert.ok(E.isRight(await media.attach(LegId('k-camera'), undefined, { video: plan, displayName: 'Camera' })()))
  const hex = Buffer.from(farKey, 'base64').toString('hex')
  launchGst(
    t,
    [
      'rtpbin name=b',
      `srtpenc name=e key=${hex} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80`,
      'videotestsrc is-live=true pattern=white ! video/x-raw,width=320,height=180,framerate=10/1',
      '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=100 ! rtph264pay pt=96 config-interval=-1 ! b.send_rtp_sink_0',
      'b.send_rtp_src_0 ! e.rtp_sink_0',
      `e.rtp_src_0 ! udpsink host=127.0.0.1 port=${relay.address().port} sync=false async=false`,
      'b.send_rtcp_src_0 ! e.rtcp_sink_0',
      `e.rtcp_src_0 ! udpsink host=127.0.0.1 port=${relay.address().port} sync=false async=false`,
      `udpsrc address=127.0.0.1 port=${senderRtcpPort} caps=application/x-rtcp ! b.recv_rtcp_sink_0`,
    ].join(' '),
  )
  const composition = await watchComposition(t, media, 'k-viewer', 'k-camera')
  for (let waited = 0; firstKeyframeAt === undefined && waited < 5_000; waited += 50) await sleep(50)
  assert.ok(firstKeyframeAt !== undefined, 'the test sender starts')
  await sleep(1_000)
  open = true
  const openedAt = performance.now()
  const white = (frame: Uint8Array) => meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 }) > 180
  for (let waited = 0; !composition.frames.some((f) => white(f.frame)) && waited < 4_000; waited += 50) await sleep(50)
  const whiteAt = composition.frames.find((f) => white(f.frame))?.at
  const delay = whiteAt === undefined ? Infinity : Math.round(whiteAt - openedAt)
  for (let waited = 0; senderSrtcp.authentic + senderSrtcp.rejected === 0 && waited < 6_000; waited += 100) await sleep(100)
  t.diagnostic(
    `SRTP camera picked up mid-GOP: first picture in the composition after ${delay} ms; from Parley: SRTCP PLIs ${received.pli}, FIRs ${received.fir}, RRs ${received.rr}, not authentic ${received.rejected} (of which plain RTCP ${received.plainRtcp}); forwarded to Parley: SRTP ${forwarded.rtp}, the sender's SRTCP (libsrtp) ${forwarded.srtcp}, read as ${JSON.stringify(senderSrtcp)}; viewer frames ${composition.frames.length}`,
  )
  assert.equal(received.rejected, 0, 'all of Parley\'s RTCP is SRTCP under its key')
  assert.ok(received.pli >= 1, `Parley asks the sender for a keyframe with an SRTCP PLI (${received.pli})`)
  assert.equal(received.fir, 0, 'only the negotiated kind of request')
  // The sender's own next keyframe is 9 s away; 2.5 s leaves room for a loaded machine.
  assert.ok(delay <= 2_500, `the camera shows within ~2 s of its stream reaching Parley (${delay} ms)`)
  assert.ok(received.rr >= 1, `Parley sends receiver reports (${received.rr})`)
  assert.ok(senderSrtcp.authentic >= 1 && senderSrtcp.reports >= 1 && senderSrtcp.rejected === 0, `libsrtp's SRTCP reads as Parley's shim reads it: ${JSON.stringify(senderSrtcp)}`)
  assert.deepEqual(media.failed, [])
  media.release(LegId('k-camera'))
  media.release(LegId('k-viewer'))
})

void test('over SRTP, a viewer\'s SRTCP PLI gets an IDR at once; a PLI under a key its SDP did not give gets none; Parley\'s sender reports come as SRTCP', async (t) => {
  assert.ok(suite !== undefined)
  const media = await startWorkerNotingFailures(t, 49600)
  const farKey = newKey()
  const parleyKey = newKey()
  const parleyRtp = sessionKeys(Buffer.from(parleyKey, 'base64'), suite)
  const parleyRtcp = sessionKeys(Buffer.from(parleyKey, 'base64'), suite, true)
  const farRtcp = sessionKeys(Buffer.from(farKey, 'base64'), suite, true)
  const strangerRtcp = sessionKeys(Buffer.from(newKey(), 'base64'), suite, true)
  const viewer = await boundSocket(t)
  const ports = await media.allocate(LegId('q-viewer'), ['video'])
  assert.ok(E.isRight(ports) && ports.right.video !== undefined)
  const parleyPort = ports.right.video
  let parleySsrc: number | undefined
  const keyframes: number[] = []
  const keyframeTimestamps: number[] = []
  const counts = { decrypted: 0, rejected: 0, senderReports: 0, rtcpRejected: 0 }
  const roc = new RolloverCounter()
  viewer.on('message', (datagram) => {
    if (isMuxedRtcp(datagram)) {
      const plain = unprotectRtcp(datagram, parleyRtcp)
      if (plain === undefined) counts.rtcpRejected++
      else for (const packet of rtcpPackets(plain.packet)) if (packet.type === rtcpSenderReport) counts.senderReports++
      return
    }
    const seq = datagram.readUInt16BE(2)
    const guess = roc.guess(seq)
    const rtp = unprotectRtp(datagram, parleyRtp, suite, guess)
    if (rtp === undefined) {
      counts.rejected++
      return
    }
    roc.accept(seq, guess)
    counts.decrypted++
    parleySsrc = rtp.readUInt32BE(8)
    // One keyframe per timestamp (an IDR spans several packets; SPS and PPS come first).
    const timestamp = rtp.readUInt32BE(4)
    if (startsKeyframe(rtp) && keyframeTimestamps.at(-1) !== timestamp) {
      keyframeTimestamps.push(timestamp)
      keyframes.push(performance.now())
    }
  })
  const plan: VideoStreamPlan = {
    codec: h264(96),
    packetizationMode: 1,
    remote: { address: '127.0.0.1', port: viewer.address().port },
    direction: 'sendonly',
    rtcp: muxedPli,
    srtp: { suite: suiteName, localKey: parleyKey, remoteKey: farKey },
  }
  assert.ok(E.isRight(await media.attach(LegId('q-viewer'), undefined, { video: plan, displayName: 'Viewer' })()))
  const shown = await media.perform({ _tag: 'Show', leg: LegId('q-viewer'), view: { _tag: 'SelfView' } })()
  assert.ok(E.isRight(shown), JSON.stringify(shown))
  for (let waited = 0; keyframes.length === 0 && waited < 5_000; waited += 50) await sleep(50)
  assert.ok(keyframes.length > 0 && parleySsrc !== undefined, `Parley sends the viewer its screen as SRTP: ${JSON.stringify(counts)}`)
  const ssrc = parleySsrc
  let index = 0
  const pli = (keys: typeof farRtcp) => protectRtcp(Buffer.concat([emptyReceiverReport(0x5eed), pliPacket(0x5eed, ssrc)]), keys, index++)
  // Each request goes 350 ms after the last keyframe, so that the periodic one (a second apart) is 650 ms away.
  const delayAfter = async (request: Buffer): Promise<number> => {
    const last = keyframes.at(-1) ?? 0
    await sleep(Math.max(0, last + 350 - performance.now()))
    const before = keyframes.length
    const sentAt = performance.now()
    viewer.send(request, parleyPort, '127.0.0.1')
    for (let waited = 0; keyframes.length === before && waited < 1_500; waited += 10) await sleep(10)
    return keyframes.length === before ? Infinity : Math.round((keyframes[before] ?? 0) - sentAt)
  }
  const delays: number[] = []
  for (let i = 0; i < 3; i++) delays.push(await delayAfter(pli(farRtcp)))
  const forged = await delayAfter(pli(strangerRtcp))
  t.diagnostic(`SRTCP PLI to keyframe, ms: ${delays.join(', ')}; a PLI under another key: ${forged} (the periodic keyframe); SRTP decrypted ${counts.decrypted}, rejected ${counts.rejected}; Parley's sender reports (SRTCP) ${counts.senderReports}, not authentic ${counts.rtcpRejected}`)
  // At 10 fps the next frame is 100 ms away; the periodic keyframe would be 650 ms after each request.
  for (const delay of delays) assert.ok(delay <= 450, `each SRTCP PLI gets a keyframe at once: ${delays.join(', ')} ms`)
  assert.ok(forged >= 500, `a PLI that does not authenticate is dropped: the next keyframe is the periodic one (${forged} ms)`)
  assert.equal(counts.rejected, 0)
  assert.ok(counts.senderReports >= 1 && counts.rtcpRejected === 0, `Parley's sender reports come as SRTCP under its key: ${JSON.stringify(counts)}`)
  assert.deepEqual(media.failed, [])
  media.release(LegId('q-viewer'))
})
