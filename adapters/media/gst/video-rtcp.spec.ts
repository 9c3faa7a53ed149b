/**
 * RTCP on video legs (issue 6; RFC 3550 §6, AVPF RFC 4585, FIR RFC 5104), through a real media
 * worker with muxed RTCP (RFC 5761):
 * - A camera already running, whose sender makes a keyframe only every 10 s, is shown in a
 *   composition within a second or two: Parley's depayloader asks for a keyframe and the leg's
 *   `rtpsession` sends the sender a PLI (a FIR where only `ccm fir` was negotiated). Without RTCP
 *   it would show up to 10 s later. The same for a room system's slides when its floor is granted.
 * - A viewer that asks Parley for a keyframe (PLI, or FIR) gets one at once, not at the screen's
 *   next periodic keyframe; a burst of requests costs a few keyframes, not one each.
 * - Sender and receiver reports flow both ways.
 * - A sender that changes its SSRC keeps being decoded (each SSRC has its own demuxer pad), and
 *   its leg does not fail.
 * The far ends are a `gst-launch-1.0` rtpbin sender and Node sockets that read RTCP.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type dgram from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import type { VideoStreamPlan } from '../worker/worker-protocol.js'
import { freeUdpPort } from './testing/rtp-endpoint.js'
import { emptyReceiverReport, firPacket, isFir, isPli, isRtcp, pliPacket, rtcpPackets, rtcpReceiverReport, rtcpSenderReport, startsKeyframe } from './testing/rtcp-packets.js'
import { meanLuma } from './testing/video-endpoint.js'
import { boundSocket, h264, launchGst, muxedPli, startWorkerNotingFailures, watchComposition } from './testing/rtcp-harness.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A sender already running, picked up mid-GOP: a camera whose stream starts reaching Parley, or
 * (`content`) a room system's slides, sent all along and dropped undecoded until its floor is
 * granted (the content valve opens).
 */
const pickUpMidGop = async (
  t: { after: (fn: () => unknown) => void; diagnostic: (message: string) => void },
  feedback: { readonly mux: boolean; readonly pli: boolean; readonly fir: boolean },
  portMin: number,
  content = false,
): Promise<void> => {
  const { mux } = feedback
  const media = await startWorkerNotingFailures(t, portMin)
  // The sender's stream reaches Parley through this relay, which opens only a second after the
  // sender's first keyframe: Parley picks up a stream already running, its next keyframe 10 s away.
  const relay = await boundSocket(t)
  // Without mux, Parley's RTCP comes from its RTCP port (RTP + 1) to the far end's `a=rtcp` port.
  const relayRtcp = mux ? relay : await boundSocket(t)
  const senderRtcpPort = await freeUdpPort()
  const senderPorts = await media.allocate(LegId('r-camera'), [content ? 'content' : 'video'])
  const parleyPort = E.isRight(senderPorts) ? senderPorts.right[content ? 'content' : 'video'] : undefined
  assert.ok(parleyPort !== undefined, JSON.stringify(senderPorts))
  let open = false
  let firstKeyframeAt: number | undefined
  let rtpForwarded = 0
  const received = { pli: 0, fir: 0, rr: 0 }
  const onDatagram = (datagram: Buffer, from: dgram.RemoteInfo) => {
    if (from.port === (mux ? parleyPort : parleyPort + 1)) {
      // Parley's RTCP (muxed, to the far end's RTP address): counted, then on to the sender's rtpbin.
      for (const packet of rtcpPackets(datagram)) {
        if (isPli(packet)) received.pli++
        if (isFir(packet)) received.fir++
        if (packet.type === rtcpReceiverReport) received.rr++
      }
      relay.send(datagram, senderRtcpPort, '127.0.0.1')
      return
    }
    if (!isRtcp(datagram) && firstKeyframeAt === undefined && startsKeyframe(datagram)) firstKeyframeAt = performance.now()
    if (!open && !content) return
    if (!isRtcp(datagram)) rtpForwarded++
    if (isRtcp(datagram)) relayRtcp.send(datagram, mux ? parleyPort : parleyPort + 1, '127.0.0.1')
    else relay.send(datagram, parleyPort, '127.0.0.1')
  }
  relay.on('message', onDatagram)
  if (!mux) relayRtcp.on('message', onDatagram)
  const plan: VideoStreamPlan = { codec: h264(96), packetizationMode: 1, remote: { address: '127.0.0.1', port: relay.address().port }, direction: 'recvonly', rtcp: { ...feedback, ...(mux ? {} : { remotePort: relayRtcp.address().port }) } }
  assert.ok(E.isRight(await media.attach(LegId('r-camera'), undefined, content ? { content: plan, displayName: 'Room' } : { video: plan, displayName: 'Camera' })()))
  launchGst(
    t,
    [
      'rtpbin name=b',
      'videotestsrc is-live=true pattern=white ! video/x-raw,width=320,height=180,framerate=10/1',
      '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=100 ! rtph264pay pt=96 config-interval=-1 ! b.send_rtp_sink_0',
      `b.send_rtp_src_0 ! udpsink host=127.0.0.1 port=${relay.address().port} sync=false async=false`,
      `b.send_rtcp_src_0 ! udpsink host=127.0.0.1 port=${relay.address().port} sync=false async=false`,
      `udpsrc address=127.0.0.1 port=${senderRtcpPort} caps=application/x-rtcp ! b.recv_rtcp_sink_0`,
    ].join(' '),
  )
  const composition = await watchComposition(t, media, 'r-viewer', 'r-camera', content)
  if (content) for (const leg of ['r-camera', 'r-viewer']) assert.ok(E.isRight(await media.perform({ _tag: 'JoinMix', leg: LegId(leg), conference: ConferenceId('r-conference') })()))
  // Wait for the sender's first keyframe (dropped here), then a second more: mid-GOP.
  for (let waited = 0; firstKeyframeAt === undefined && waited < 5_000; waited += 50) await sleep(50)
  assert.ok(firstKeyframeAt !== undefined, 'the test sender starts')
  await sleep(1_000)
  open = true
  if (content) assert.ok(E.isRight(await media.perform({ _tag: 'GrantFloor', leg: LegId('r-camera') })()))
  const openedAt = performance.now()
  const white = (frame: Uint8Array) => meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 }) > 180
  for (let waited = 0; !composition.frames.some((f) => white(f.frame)) && waited < 4_000; waited += 50) await sleep(50)
  const whiteAt = composition.frames.find((f) => white(f.frame))?.at
  const delay = whiteAt === undefined ? Infinity : Math.round(whiteAt - openedAt)
  t.diagnostic(`${content ? 'content on its floor grant' : 'camera picked up'} mid-GOP, RTCP ${mux ? 'muxed' : 'on its own port'}: first picture in the composition after ${delay} ms; PLIs to the sender ${received.pli}, FIRs ${received.fir}, RRs ${received.rr}; RTP forwarded ${rtpForwarded}; viewer frames ${composition.frames.length}`)
  // RFC 4585 §6.3.1 PLI where negotiated; RFC 5104 §3.5.1 FIR where only `ccm fir` was.
  const asked = feedback.pli ? received.pli : received.fir
  assert.ok(asked >= 1, `Parley asks the sender for a keyframe with a ${feedback.pli ? 'PLI' : 'FIR'} (${received.pli} PLI, ${received.fir} FIR)`)
  assert.equal(feedback.pli ? received.fir : received.pli, 0, 'only the negotiated kind of request')
  // The sender's own next keyframe is 9 s away; 2.5 s leaves room for a loaded machine.
  assert.ok(delay <= 2_500, `the camera shows within ~2 s of its stream reaching Parley (${delay} ms)`)
  await sleep(600)
  assert.ok(received.rr >= 1, `Parley sends receiver reports (${received.rr})`)
  media.release(LegId('r-camera'))
  media.release(LegId('r-viewer'))
}

void test('a camera already running with a keyframe every 10 s shows in the composition within 2 s: Parley sends its sender a PLI (RTCP muxed)', (t) => pickUpMidGop(t, muxedPli, 43200))

void test('the same with RTCP on its own port (no rtcp-mux) and only `ccm fir` negotiated: a FIR, from the leg\'s RTCP port to the far end\'s', (t) =>
  pickUpMidGop(t, { mux: false, pli: false, fir: true }, 43600),
)

void test('a room system\'s slides, sent before its floor and dropped undecoded, show within 2 s of the grant: the opened valve makes Parley send a PLI', (t) =>
  pickUpMidGop(t, muxedPli, 44000, true),
)

void test('a viewer asking Parley for a keyframe (PLI, FIR) gets one at once; a burst of requests costs a few keyframes', async (t) => {
  const media = await startWorkerNotingFailures(t, 43400)
  const viewer = await boundSocket(t)
  const ports = await media.allocate(LegId('p-viewer'), ['video'])
  assert.ok(E.isRight(ports) && ports.right.video !== undefined)
  const parleyPort = ports.right.video
  let parleySsrc: number | undefined
  const keyframes: number[] = []
  let senderReports = 0
  viewer.on('message', (datagram) => {
    if (isRtcp(datagram)) {
      for (const packet of rtcpPackets(datagram)) if (packet.type === rtcpSenderReport) senderReports++
      return
    }
    parleySsrc = datagram.readUInt32BE(8)
    // One keyframe per timestamp (an IDR spans several packets; SPS and PPS come first).
    const timestamp = datagram.readUInt32BE(4)
    if (startsKeyframe(datagram) && keyframeTimestamps.at(-1) !== timestamp) {
      keyframeTimestamps.push(timestamp)
      keyframes.push(performance.now())
    }
  })
  const keyframeTimestamps: number[] = []
  const plan: VideoStreamPlan = { codec: h264(96), packetizationMode: 1, remote: { address: '127.0.0.1', port: viewer.address().port }, direction: 'sendonly', rtcp: muxedPli }
  assert.ok(E.isRight(await media.attach(LegId('p-viewer'), undefined, { video: plan, displayName: 'Viewer' })()))
  const shown = await media.perform({ _tag: 'Show', leg: LegId('p-viewer'), view: { _tag: 'SelfView' } })()
  assert.ok(E.isRight(shown), JSON.stringify(shown))
  for (let waited = 0; keyframes.length === 0 && waited < 5_000; waited += 50) await sleep(50)
  assert.ok(keyframes.length > 0 && parleySsrc !== undefined, 'Parley sends the viewer its screen')
  const ssrc = parleySsrc
  // Each request goes 350 ms after the last keyframe, so that the periodic one (a second apart) is 650 ms away.
  const delays: number[] = []
  const compound = (feedback: Buffer): Buffer => Buffer.concat([emptyReceiverReport(0x5eed), feedback])
  for (const request of [compound(pliPacket(0x5eed, ssrc)), compound(pliPacket(0x5eed, ssrc)), compound(firPacket(0x5eed, ssrc, 1))]) {
    const last = keyframes.at(-1) ?? 0
    await sleep(Math.max(0, last + 350 - performance.now()))
    const before = keyframes.length
    const sentAt = performance.now()
    viewer.send(request, parleyPort, '127.0.0.1')
    for (let waited = 0; keyframes.length === before && waited < 1_500; waited += 10) await sleep(10)
    delays.push(keyframes.length === before ? Infinity : Math.round((keyframes[before] ?? 0) - sentAt))
  }
  // A burst: 20 PLIs over 200 ms, right after a keyframe.
  const lastBeforeBurst = keyframes.at(-1) ?? 0
  await sleep(Math.max(0, lastBeforeBurst + 100 - performance.now()))
  const burstStart = performance.now()
  const countBefore = keyframes.length
  for (let i = 0; i < 20; i++) {
    viewer.send(compound(pliPacket(0x5eed, ssrc)), parleyPort, '127.0.0.1')
    await sleep(10)
  }
  await sleep(800 - (performance.now() - burstStart))
  const burstKeyframes = keyframes.length - countBefore
  t.diagnostic(`request to keyframe, ms (PLI, PLI, FIR): ${delays.join(', ')}; keyframes in the 800 ms of a 20-PLI burst: ${burstKeyframes}; sender reports ${senderReports}`)
  // At 10 fps the next frame is 100 ms away; the periodic keyframe would be 650 ms after each request.
  for (const delay of delays) assert.ok(delay <= 450, `each request gets a keyframe at once: ${delays.join(', ')} ms`)
  // One each would be 8 in 800 ms of a 10 fps screen (20 requests); at most one per 250 ms plus a periodic one.
  assert.ok(burstKeyframes >= 1 && burstKeyframes <= 5, `a burst of PLIs is rate-limited (${burstKeyframes} keyframes)`)
  assert.ok(senderReports >= 1, `Parley sends sender reports (${senderReports})`)
  media.release(LegId('p-viewer'))
})

void test('a sender that changes its SSRC (RFC 3550 §8.2) keeps its leg: every SSRC is decoded and reported on, none stops the stream', async (t) => {
  const media = await startWorkerNotingFailures(t, 43800)
  const relay = await boundSocket(t)
  const ports = await media.allocate(LegId('s-camera'), ['video'])
  assert.ok(E.isRight(ports) && ports.right.video !== undefined)
  const parleyPort = ports.right.video
  const ssrcs = [0x1111, 0x2222, 0x3333, 0x4444]
  const startedAt = performance.now()
  relay.on('message', (datagram, from) => {
    if (from.port === parleyPort || isRtcp(datagram)) return
    // A new SSRC every 700 ms, the sequence numbers running on.
    const ssrc = ssrcs[Math.min(ssrcs.length - 1, Math.floor((performance.now() - startedAt) / 700))] ?? 0
    const rewritten = Buffer.from(datagram)
    rewritten.writeUInt32BE(ssrc, 8)
    relay.send(rewritten, parleyPort, '127.0.0.1')
  })
  const plan: VideoStreamPlan = { codec: h264(96), packetizationMode: 1, remote: { address: '127.0.0.1', port: relay.address().port }, direction: 'recvonly', rtcp: muxedPli }
  assert.ok(E.isRight(await media.attach(LegId('s-camera'), undefined, { video: plan, displayName: 'Camera' })()))
  launchGst(
    t,
    [
      'videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=90,framerate=10/1',
      `! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay pt=96 config-interval=-1 ! udpsink host=127.0.0.1 port=${relay.address().port}`,
    ].join(' '),
  )
  const composition = await watchComposition(t, media, 's-viewer', 's-camera')
  // The last SSRC from 2.1 s; a second of it.
  await sleep(Math.max(0, startedAt + 3_300 - performance.now()))
  const lastSecond = composition.frames.filter((f) => f.at > startedAt + 2_300).map((f) => f.frame)
  // The ball moves while the camera is decoded; a camera stopped at an SSRC change would leave its last picture standing.
  let changes = 0
  for (let i = 1; i < lastSecond.length; i++) if (lastSecond[i]?.some((luma, at) => Math.abs(luma - (lastSecond[i - 1]?.[at] ?? luma)) > 40) === true) changes++
  t.diagnostic(`frames in the last SSRC's second: ${lastSecond.length}, of which changed: ${changes}; leg failures: ${media.failed.length}`)
  assert.deepEqual(media.failed, [], 'no SSRC change fails the leg')
  assert.ok(changes >= 3, `the camera is still decoded on its fourth SSRC (${changes} of ${lastSecond.length} frames moved)`)
  media.release(LegId('s-camera'))
  media.release(LegId('s-viewer'))
})
