import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { VideoStreamPlan } from '../worker/worker-protocol.js'
import {
  bitrateKbps,
  cameraDescription,
  encodeDescription,
  labelPixels,
  minForcedKeyframeIntervalNs,
  placeholderTileDescription,
  rtcpOnOwnSocket,
  rtcpStreamDescription,
  sliceMaxBytes,
  ssrcsPerStream,
  tileDescription,
  videoMtu,
  videoReceives,
  videoRtcpRuns,
  videoSendDescription,
  videoSends,
} from './video-description.js'

const plan = (more: Partial<VideoStreamPlan> = {}): VideoStreamPlan => ({
  codec: { name: 'H264', payloadType: 100, clockRate: 90000 },
  packetizationMode: 1,
  remote: { address: '192.0.2.20', port: 10002 },
  direction: 'sendrecv',
  ...more,
})

void test('RFC 6184 packetization: STAP-A only for mode 1; every slice fits one packet, so mode 0 never needs FU-A', () => {
  assert.match(videoSendDescription(plan(), 'l1'), /rtph264pay pt=100 mtu=1200 config-interval=-1 aggregate-mode=zero-latency/)
  assert.match(videoSendDescription(plan({ packetizationMode: 0 }), 'l1'), /aggregate-mode=none/)
  assert.match(videoSendDescription(plan(), 'l1'), /udpsink name=vrtpsink-l1 .*host=192\.0\.2\.20 port=10002/)
  // A slice, its NAL header and the RTP header stay under the MTU.
  assert.ok(sliceMaxBytes + 1 + 12 <= videoMtu)
  assert.match(encodeDescription({ width: 1280, height: 720, fps: 30 }, 's1', false), new RegExp(`slice-max-size=${sliceMaxBytes}`))
})

void test('the camera decodes the negotiated payload type; compositions are forced to I420, encoded Constrained Baseline', () => {
  assert.match(cameraDescription(plan(), 'l7'), /^udpsrc name=vrtpsrc-l7 .*payload=100".*rtph264depay.*avdec_h264.*format=I420"$/)
  const encode = encodeDescription({ width: 1280, height: 720, fps: 30 }, 's2', true)
  assert.match(encode, /^capsfilter name=screencaps-s2 caps="video\/x-raw,format=I420,width=1280,height=720,pixel-aspect-ratio=1\/1,framerate=30\/1"/)
  assert.match(encode, /textoverlay name=screentext-s2/)
  assert.match(encode, /x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 /)
  assert.match(encode, /video\/x-h264,profile=constrained-baseline"$/)
  assert.doesNotMatch(encodeDescription({ width: 320, height: 180, fps: 10 }, 's3', false), /textoverlay/)
})

void test('tiles: scaled to the slot with borders kept; a placeholder runs at the screen rate; no user text in a description', () => {
  const slot = { x: 10, y: 20, width: 160, height: 90 }
  assert.match(tileDescription(slot, 's1t2'), /videoscale add-borders=true ! capsfilter caps="video\/x-raw,format=I420,width=160,height=90,pixel-aspect-ratio=1\/1" ! textoverlay name=tilename-s1t2/)
  assert.match(placeholderTileDescription(slot, 's1t3', 25), /videotestsrc is-live=true pattern=black ! capsfilter caps=".*framerate=25\/1"/)
  assert.doesNotMatch(tileDescription(slot, 's1t2') + placeholderTileDescription(slot, 's1t3', 25), / text=/)
  // Names a tenth of the tile's height, between 8 and 36 pixels.
  assert.match(tileDescription(slot, 's1t2'), /auto-resize=false font-desc="Sans 9px"/)
  assert.deepEqual([22, 90, 180, 720].map((height) => labelPixels({ x: 0, y: 0, width: 2 * height, height })), [8, 9, 18, 36])
})

void test('directions from Parley\u2019s side; bitrate by pixels', () => {
  assert.deepEqual(
    (['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const).map((direction) => [videoSends(plan({ direction })), videoReceives(plan({ direction }))]),
    [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ],
  )
  assert.equal(bitrateKbps({ width: 1280, height: 720, fps: 30 }), 1382)
  assert.equal(bitrateKbps({ width: 320, height: 180, fps: 10 }), 128)
})

void test('SRTP video: srtpdec right after the source, whose caps carry the far end key for SSRC 0; srtpenc with Parley key right before the sink', () => {
  const srtp = { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: Buffer.alloc(30, 1).toString('base64'), remoteKey: Buffer.alloc(30, 2).toString('base64') }
  const camera = cameraDescription(plan({ srtp }), 'l4')
  assert.match(camera, /^udpsrc name=vrtpsrc-l4 close-socket=false caps="application\/x-srtp,media=video,[^"]*ssrc=\(uint\)0,srtp-key=\(buffer\)(02){30},/)
  assert.match(camera, /" ! srtpdec name=srtpdec-vl4 ! rtpjitterbuffer /)
  const send = videoSendDescription(plan({ srtp }), 'l4')
  assert.match(send, / ! srtpenc name=srtpenc-vl4 key=(01){30} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 [^!]*! udpsink name=vrtpsink-l4 /)
  assert.doesNotMatch(cameraDescription(plan(), 'l4') + videoSendDescription(plan(), 'l4'), /srtp/)
})

void test('RTCP runs for a plain RTP stream whose plan asks for it, and for an SRTP one muxed (SRTCP in the shim); not for X-H264UC streams, nor unmuxed with SRTP or behind an ICE shim', () => {
  const rtcp = { mux: true, pli: true, fir: false }
  const srtp = { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: 'a', remoteKey: 'b' }
  assert.equal(videoRtcpRuns(plan()), false)
  assert.equal(videoRtcpRuns(plan({ rtcp })), true)
  assert.equal(videoRtcpRuns(plan({ rtcp, srtp })), true)
  assert.equal(videoRtcpRuns(plan({ rtcp: { ...rtcp, mux: false }, srtp })), false)
  assert.equal(videoRtcpRuns(plan({ rtcp, srtp, payloadFormat: 'ms-h264pf' })), false)
  assert.equal(videoRtcpRuns(plan({ rtcp, payloadFormat: 'ms-h264pf' })), false)
  const ice = { localUfrag: 'a', localPwd: 'b', remoteUfrag: 'c', remotePwd: 'd' }
  assert.equal(videoRtcpRuns(plan({ rtcp, ice })), true)
  assert.equal(videoRtcpRuns(plan({ rtcp: { ...rtcp, mux: false }, ice })), false)
})

void test('a stream with RTCP: one rtpsession (AVPF) for both directions, feedback in the receive caps, RTCP muxed or to the far end\'s RTCP port', () => {
  const muxed = plan({ rtcp: { mux: true, pli: true, fir: true } })
  const description = rtcpStreamDescription(muxed, 'l3')
  assert.match(description, /rtpsession name=vsession-l3 rtp-profile=avpf/)
  // PLI preferred when both were negotiated: the depayloader asks with all headers, which rtpsession would send as FIR.
  assert.match(description, /payload=100,rtcp-fb-nack-pli=\(boolean\)true"/)
  assert.doesNotMatch(description, /ccm-fir/)
  assert.match(rtcpStreamDescription(plan({ rtcp: { mux: true, pli: false, fir: true } }), 'l3'), /payload=100,rtcp-fb-ccm-fir=\(boolean\)true"/)
  // The keyframe requests get their SSRC and payload type from the demuxers, which rtpsession needs to send them.
  assert.match(description, /vsession-l3\.recv_rtp_src ! rtpssrcdemux name=vssrcs-l3 max-streams=8 /)
  // Every SSRC the sender uses is linked: an SSRC pad left unlinked would stop the stream (not-linked) and fail the leg.
  assert.equal(description.match(/vssrcs-l3\. ! vssrcf-l3\./g)?.length, ssrcsPerStream)
  assert.match(description, /funnel name=vssrcf-l3 ! rtpjitterbuffer latency=100 ! rtpptdemux ! rtph264depay wait-for-keyframe=true request-keyframe=true/)
  assert.match(description, /vsession-l3\.send_rtp_sink vsession-l3\.send_rtp_src ! udpsink name=vrtpsink-l3 .*host=192\.0\.2\.20 port=10002/)
  assert.match(description, /vsession-l3\.send_rtcp_src ! udpsink name=vrtcpsink-l3 .*host=192\.0\.2\.20 port=10002 /)
  assert.doesNotMatch(description, /recv_rtcp_sink/)
  const separate = rtcpStreamDescription(plan({ rtcp: { mux: false, pli: true, fir: false } }), 'l3')
  assert.match(separate, /udpsrc name=vrtcpsrc-l3 close-socket=false caps="application\/x-rtcp" ! vsession-l3\.recv_rtcp_sink/)
  assert.match(separate, /udpsink name=vrtcpsink-l3 .*port=10003 /)
  assert.match(rtcpStreamDescription(plan({ rtcp: { mux: false, pli: true, fir: false, remotePort: 10009 } }), 'l3'), /udpsink name=vrtcpsink-l3 .*port=10009 /)
  // A stream Parley only sends still reads its socket for the far end's RTCP; stray RTP goes nowhere.
  const sendOnly = rtcpStreamDescription(plan({ direction: 'sendonly', rtcp: { mux: true, pli: true, fir: false } }), 'l3')
  assert.match(sendOnly, /vsession-l3\.recv_rtp_src ! fakesink/)
  assert.doesNotMatch(sendOnly, /avdec_h264/)
  assert.doesNotMatch(rtcpStreamDescription(plan({ direction: 'recvonly', rtcp: { mux: true, pli: true, fir: false } }), 'l3'), /rtph264pay/)
  // Reports without feedback: plain AVP timing, no feedback in the caps.
  const reportsOnly = rtcpStreamDescription(plan({ rtcp: { mux: true, pli: false, fir: false } }), 'l3')
  assert.match(reportsOnly, /rtp-profile=avp /)
  assert.doesNotMatch(reportsOnly, /rtcp-fb/)
})

void test('forced keyframes (viewers\' PLI/FIR, joining viewers) are rate-limited at the encoder', () => {
  assert.match(encodeDescription({ width: 640, height: 360, fps: 10 }, 's1', false), new RegExp(`min-force-key-unit-interval=${minForcedKeyframeIntervalNs} `))
})

void test('an SRTP stream with RTCP: srtpdec before the session, srtpenc after it, plain RTCP on the shim\'s RTCP socket to the shim\'s relay port (which applies SRTCP)', () => {
  const key = Buffer.alloc(30, 1).toString('base64')
  const secure = plan({ rtcp: { mux: true, pli: true, fir: false }, srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key, remoteKey: key } })
  const description = rtcpStreamDescription(secure, 'l4')
  assert.match(description, /caps="application\/x-srtp,media=video,[^"]*rtcp-fb-nack-pli=\(boolean\)true,ssrc=\(uint\)0,srtp-key=/)
  assert.match(description, /udpsrc name=vrtpsrc-l4 [^!]*! srtpdec name=srtpdec-vl4 ! vsession-l4\.recv_rtp_sink/)
  assert.match(description, /vsession-l4\.send_rtp_src ! srtpenc name=srtpenc-vl4 [^!]*! udpsink name=vrtpsink-l4 /)
  assert.match(description, /udpsrc name=vrtcpsrc-l4 close-socket=false caps="application\/x-rtcp" ! vsession-l4\.recv_rtcp_sink/)
  assert.match(description, new RegExp(`vsession-l4\\.send_rtcp_src ! udpsink name=vrtcpsink-l4 [^ ]+ [^ ]+ [^ ]+ host=${secure.remote.address} port=${secure.remote.port}( |$)`))
  assert.equal(rtcpOnOwnSocket(secure), true)
  assert.equal(rtcpOnOwnSocket(plan({ rtcp: { mux: true, pli: true, fir: false } })), false)
})
