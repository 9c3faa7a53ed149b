/**
 * gst-launch descriptions of the worker's video (parsed by `gst_parse_bin_from_description`).
 * Pure strings, so that they are checked without GStreamer. Text a user can choose (names, splash
 * wording) never goes into a description: the engine sets `text` on the named overlay.
 *
 * - A leg's camera: H.264 RTP (RFC 6184) through a jitter buffer, `rtph264depay`, `avdec_h264`,
 *   to raw I420. SfB's X-H264UC ([MS-H264PF]) goes the same way: the depayloader drops its PACSI
 *   NAL units (type 30, "undefined packet type", a warning each) and the decoder skips its prefix
 *   NAL units (type 14), so the base layer decodes as plain H.264.
 * - A tile: the camera scaled to its slot, with the participant's name (`textoverlay`).
 * - A screen: a `compositor` (made by the engine: `force-live` is construct-only) into I420 at
 *   the screen size and rate, the screen's text, one `x264enc`, a `tee` to every viewer. The
 *   caps are forced to I420: left to negotiate, the compositor works in AYUV/RGBA and costs 3-4x
 *   the CPU.
 * - A viewer: `rtph264pay` with the viewer's payload type and packetization mode, `udpsink` on
 *   the leg's video socket (symmetric RTP).
 *
 * One encode serves viewers in both RFC 6184 packetization modes: x264 cuts slices of at most
 * `sliceMaxBytes`, so every NAL unit fits one packet and mode 0 (single NAL unit, §5.6) never
 * needs the fragmentation units only mode 1 allows (§5.8); mode 1 viewers also get SPS/PPS
 * aggregated in STAP-A (§5.7.1).
 *
 * RTCP (issue 6; RFC 3550 §6, AVPF RFC 4585): a plain RTP stream whose plan carries `rtcp` is
 * built as one bin around an `rtpsession` (`rtcpStreamDescription`): SR/RR both ways, PLI or FIR
 * to the sender when the decoder has to wait for a keyframe, and a viewer's PLI/FIR becomes a
 * force-key-unit to the screen's encoder (rate-limited there: `minForcedKeyframeIntervalNs`).
 *
 * SRTP legs (SfB video, PROTOCOLS 1.5): `srtpdec` right after the source and `srtpenc` right
 * before the sink, as for audio (srtp-description.ts: the source caps carry the far end's key
 * for SSRC 0, its own SSRCs are keyed as the port shim sees them). With RTCP, around the leg's
 * `rtpsession`; its RTCP is plain on a loopback socket of its own, and the port shim applies
 * SRTCP (RFC 3711 §3.4) muxed on the RTP port (RFC 5761), srtp-ice-legs.ts.
 */
import type { VideoStreamPlan } from '../worker/worker-protocol.js'
import { srtpReceiveStage, srtpSendStage, srtpSourceCaps } from './srtp-description.js'
import type { Rect, VideoFormat } from './video-layout.js'

/** How long the jitter buffer waits for late video packets. */
export const videoJitterBufferMs = 100
/** The payloader's packet size: below any path MTU with SRTP, ICE and tunnel overhead. */
export const videoMtu = 1200
/** x264's largest slice, so that every NAL unit fits one RTP packet of `videoMtu`. */
export const sliceMaxBytes = 1100

/** x264 bitrate: 0.05 bit per pixel per frame (about 1.4 Mbit/s at 720p30), at least 128 kbit/s. */
export const bitrateKbps = (format: VideoFormat): number => Math.max(128, Math.round((format.width * format.height * format.fps * 0.05) / 1000))

export const rawCaps = (size: { readonly width: number; readonly height: number }, fps?: number): string =>
  `video/x-raw,format=I420,width=${size.width},height=${size.height},pixel-aspect-ratio=1/1${fps === undefined ? '' : `,framerate=${fps}/1`}`

export interface VideoElementNames {
  readonly source: string
  readonly cameraOut: string
  readonly sendInput: string
  readonly sink: string
}

export const videoElementNames = (handle: string): VideoElementNames => ({
  source: `vrtpsrc-${handle}`,
  cameraOut: `camera-${handle}`,
  sendInput: `vsendq-${handle}`,
  sink: `vrtpsink-${handle}`,
})

/** The leg's camera, decoded; ends at `cameraOut`, whose source pad becomes the bin's ghost `src`. */
export const videoSourceCaps = (plan: VideoStreamPlan): string =>
  `application/x-rtp,media=video,clock-rate=${plan.codec.clockRate},encoding-name=H264,payload=${plan.codec.payloadType}`

export const cameraDescription = (plan: VideoStreamPlan, handle: string): string => {
  const names = videoElementNames(handle)
  const caps = videoSourceCaps(plan)
  return [
    `udpsrc name=${names.source} close-socket=false caps="${plan.srtp === undefined ? caps : srtpSourceCaps(caps, plan.srtp, 0)}"`,
    ...(plan.srtp === undefined ? [] : [srtpReceiveStage(`v${handle}`)]),
    `rtpjitterbuffer latency=${videoJitterBufferMs}`,
    // After a loss, nothing until the next keyframe: a decoder fed a broken reference smears the picture.
    'rtph264depay wait-for-keyframe=true',
    'avdec_h264',
    'videoconvert',
    `capsfilter name=${names.cameraOut} caps="video/x-raw,format=I420"`,
  ].join(' ! ')
}

export interface TileNames {
  readonly input: string
  readonly label: string
}

export const tileNames = (id: string): TileNames => ({ input: `tileq-${id}`, label: `tilename-${id}` })

/** Name size for a tile: a tenth of its height, readable on a pip, not shouting on a main picture. */
export const labelPixels = (slot: Rect): number => Math.min(36, Math.max(8, Math.round(slot.height / 10)))

/**
 * The name drawn at the bottom left of a tile, sized by the tile (textoverlay's own `auto-resize`
 * scales by width against 640 pixels: unreadable on a pip).
 */
const label = (name: string, slot: Rect): string =>
  `textoverlay name=${name} valignment=bottom halignment=left auto-resize=false font-desc="Sans ${labelPixels(slot)}px" shaded-background=true`

/**
 * A camera into a tile: sink `input`, source `label`. The queue holds one frame and drops the older
 * one: a tile shows the newest picture, and a slow composition never holds up the camera's tee.
 */
export const tileDescription = (slot: Rect, id: string): string => {
  const names = tileNames(id)
  return [
    `queue name=${names.input} leaky=downstream max-size-buffers=2 max-size-bytes=0 max-size-time=0`,
    'videoscale add-borders=true',
    `capsfilter caps="${rawCaps(slot)}"`,
    label(names.label, slot),
  ].join(' ! ')
}

/**
 * A tile for a participant who sends no video (an audio-only caller): black with the name. Its
 * rate is the screen's: a live source's latency is one frame, and the compositor waits for its
 * slowest input.
 */
export const placeholderTileDescription = (slot: Rect, id: string, fps: number): string =>
  [`videotestsrc is-live=true pattern=black`, `capsfilter caps="${rawCaps(slot, fps)}"`, label(tileNames(id).label, slot)].join(' ! ')

export interface ScreenNames {
  readonly compositor: string
  readonly input: string
  readonly text: string
  readonly output: string
  readonly tee: string
}

export const screenNames = (id: string): ScreenNames => ({
  compositor: `compose-${id}`,
  input: `screencaps-${id}`,
  text: `screentext-${id}`,
  output: `encoded-${id}`,
  tee: `screentee-${id}`,
})

/** Made on its own (construct-only `force-live`): it composes on the clock even with no tiles. */
export const compositorDescription = (id: string): string => `compositor name=${screenNames(id).compositor} force-live=true background=black`

/**
 * The composed picture to H.264: sink `input`, source `output`. Constrained Baseline (what Parley
 * offers: profile-level-id 42e01f), no B-frames and no lookahead (`zerolatency`), the cheapest
 * preset, a keyframe every second so that a viewer joining a shared encode waits at most that.
 */
export const encodeDescription = (format: VideoFormat, id: string, withText: boolean): string => {
  const names = screenNames(id)
  return [
    `capsfilter name=${names.input} caps="${rawCaps(format, format.fps)}"`,
    ...(withText ? [`textoverlay name=${names.text} valignment=center halignment=center font-desc="Sans 28" wrap-mode=word`] : []),
    `x264enc tune=zerolatency speed-preset=ultrafast key-int-max=${format.fps} bitrate=${bitrateKbps(format)} min-force-key-unit-interval=${minForcedKeyframeIntervalNs} option-string="slice-max-size=${sliceMaxBytes}"`,
    `capsfilter name=${names.output} caps="video/x-h264,profile=constrained-baseline"`,
  ].join(' ! ')
}

/**
 * One viewer's RTP out: sink `sendInput`. An X-H264UC viewer (`payloadFormat` ms-h264pf) gets
 * single NAL units and FU-A only, in plain RTP: its port shim inserts the [MS-H264PF] PACSI and
 * prefix NAL units packet by packet and then applies SRTP (ms-h264pf-sender.ts).
 */
export const videoSendDescription = (plan: VideoStreamPlan, handle: string): string => {
  const names = videoElementNames(handle)
  const msH264pf = plan.payloadFormat === 'ms-h264pf'
  return [
    `queue name=${names.sendInput} leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=500000000`,
    `rtph264pay pt=${plan.codec.payloadType} mtu=${videoMtu} config-interval=-1 aggregate-mode=${plan.packetizationMode === 1 && !msH264pf ? 'zero-latency' : 'none'}`,
    ...(plan.srtp === undefined || msH264pf ? [] : [srtpSendStage(plan.srtp, `v${handle}`)]),
    `udpsink name=${names.sink} close-socket=false sync=false async=false host=${plan.remote.address} port=${plan.remote.port}`,
  ].join(' ! ')
}

/**
 * Whether the worker runs RTCP for the stream: the plan asks for it (the far end's SDP allowed it)
 * and the stream is plain RTP, or SRTP with RTCP muxed (RFC 5761), whose SRTCP the leg's port
 * shim applies (srtp-ice-legs.ts). Not built: X-H264UC (its RTP is framed in the shim), SRTCP on
 * a port of its own, nor RTCP on a separate port behind an ICE shim (its RTCP component only
 * answers checks, ice-leg-transport.ts).
 */
export const videoRtcpRuns = (plan: VideoStreamPlan): plan is VideoStreamPlan & { readonly rtcp: NonNullable<VideoStreamPlan['rtcp']> } =>
  plan.rtcp !== undefined && plan.payloadFormat !== 'ms-h264pf' && (plan.rtcp.mux || (plan.ice === undefined && plan.srtp === undefined))

/**
 * Whether the stream's RTCP uses a socket of its own in the chain: without mux, the leg's RTCP
 * port; with SRTP, the shim's loopback RTCP socket (the shim muxes SRTCP onto the RTP port).
 */
export const rtcpOnOwnSocket = (plan: VideoStreamPlan): boolean => plan.rtcp !== undefined && (!plan.rtcp.mux || plan.srtp !== undefined)

/** The shortest time between two keyframes forced by requests (viewers' PLI/FIR, joining viewers), in ns: a PLI storm costs at most 4 keyframes a second. */
export const minForcedKeyframeIntervalNs = 250_000_000

export interface RtcpElementNames {
  readonly session: string
  readonly rtcpSource: string
  readonly rtcpSink: string
  readonly ssrcDemux: string
  readonly ssrcFunnel: string
}

export const rtcpElementNames = (handle: string): RtcpElementNames => ({
  session: `vsession-${handle}`,
  rtcpSource: `vrtcpsrc-${handle}`,
  rtcpSink: `vrtcpsink-${handle}`,
  ssrcDemux: `vssrcs-${handle}`,
  ssrcFunnel: `vssrcf-${handle}`,
})

/**
 * How many SSRCs a received stream with RTCP takes in its life (a re-INVITE builds it anew): one
 * linked `rtpssrcdemux` pad each, funnelled back into one stream. More are dropped (`max-streams`):
 * an SSRC pad linked to nothing would stop the stream with not-linked and fail the leg.
 */
export const ssrcsPerStream = 8

/**
 * The receive caps with the feedback the far end takes: `rtpsession` turns an upstream
 * force-key-unit (the depayloader's `request-keyframe`) into a PLI where `rtcp-fb-nack-pli` is
 * set, into a FIR (RFC 5104 §3.5.1) where only `rtcp-fb-ccm-fir` is (the depayloader asks with
 * all headers, which `rtpsession` reads as FIR whenever FIR is allowed, so it is left out when PLI is).
 */
export const videoFeedbackCaps = (plan: VideoStreamPlan): string =>
  `${videoSourceCaps(plan)}${plan.rtcp?.pli === true ? ',rtcp-fb-nack-pli=(boolean)true' : plan.rtcp?.fir === true ? ',rtcp-fb-ccm-fir=(boolean)true' : ''}`

/**
 * A stream with RTCP: one bin with the leg's `rtpsession` (AVPF, RFC 4585) between its socket and
 * both directions, so that reports and feedback are about the SSRCs the stream carries.
 * - In: RTP and, muxed (RFC 5761), RTCP from the one `udpsrc` (`rtpsession` reads RTCP arriving on
 *   its RTP pad); without mux, RTCP from the leg's RTCP socket. A received stream goes on through
 *   `rtpssrcdemux` (its SSRCs funnelled back into one stream) and `rtpptdemux`, which stamp the SSRC and payload type into the depayloader's
 *   keyframe requests: `rtpsession` sends a PLI/FIR only for a request that names both. The
 *   depayloader asks when it has to wait for a keyframe: at the start (a new participant, a stream
 *   already running, a content valve opening) and after a loss. A stream Parley only sends still
 *   reads its socket, for the far end's RTCP; RTP on it goes to a `fakesink`.
 * - Out: the payloader through the session (SR, and a viewer's PLI/FIR about Parley's SSRC goes
 *   upstream as a force-key-unit to the screen's encoder) to the `udpsink`; RTCP (SR/RR, feedback)
 *   to the far end's RTP port when muxed, else to its RTCP port from the leg's RTCP socket.
 * Ghost pads: `src` = `cameraOut` when it receives, `sink` = `sendInput` when it sends.
 */
export const rtcpStreamDescription = (plan: VideoStreamPlan, handle: string): string => {
  if (plan.rtcp === undefined) throw new Error('a stream description with RTCP for a plan without it')
  const names = videoElementNames(handle)
  const rtcp = rtcpElementNames(handle)
  const session = rtcp.session
  // With SRTP, `remote` is the port shim's RTP relay, which protects and muxes the RTCP (srtp-ice-legs.ts).
  const rtcpPort = plan.rtcp.mux ? plan.remote.port : (plan.rtcp.remotePort ?? plan.remote.port + 1)
  const srtp = plan.srtp
  const chains = [
    // AVPF (early feedback, RFC 4585 §3.5) only with feedback negotiated; plain AVP's report timing otherwise (RFC 3550 §6.2).
    [`rtpsession name=${session} rtp-profile=${plan.rtcp.pli || plan.rtcp.fir ? 'avpf' : 'avp'}`],
    srtp === undefined
      ? [`udpsrc name=${names.source} close-socket=false caps="${videoFeedbackCaps(plan)}"`, `${session}.recv_rtp_sink`]
      : [`udpsrc name=${names.source} close-socket=false caps="${srtpSourceCaps(videoFeedbackCaps(plan), srtp, 0)}"`, srtpReceiveStage(`v${handle}`), `${session}.recv_rtp_sink`],
    ...(rtcpOnOwnSocket(plan) ? [[`udpsrc name=${rtcp.rtcpSource} close-socket=false caps="application/x-rtcp"`, `${session}.recv_rtcp_sink`]] : []),
    [`${session}.send_rtcp_src`, `udpsink name=${rtcp.rtcpSink} close-socket=false sync=false async=false host=${plan.remote.address} port=${rtcpPort}`],
    ...(videoReceives(plan)
      ? [
          [`${session}.recv_rtp_src`, `rtpssrcdemux name=${rtcp.ssrcDemux} max-streams=${ssrcsPerStream}`],
          // Delayed links, one per SSRC pad as it appears: the sender's SSRC may change (RFC 3550 §8.2).
          ...Array.from({ length: ssrcsPerStream }, () => [`${rtcp.ssrcDemux}.`, `${rtcp.ssrcFunnel}.`]),
        ]
      : []),
    videoReceives(plan)
      ? [
          `funnel name=${rtcp.ssrcFunnel}`,
          `rtpjitterbuffer latency=${videoJitterBufferMs}`,
          'rtpptdemux',
          'rtph264depay wait-for-keyframe=true request-keyframe=true',
          'avdec_h264',
          'videoconvert',
          `capsfilter name=${names.cameraOut} caps="video/x-raw,format=I420"`,
        ]
      : [`${session}.recv_rtp_src`, 'fakesink sync=false async=false'],
    ...(videoSends(plan)
      ? [
          [
            `queue name=${names.sendInput} leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=500000000`,
            `rtph264pay pt=${plan.codec.payloadType} mtu=${videoMtu} config-interval=-1 aggregate-mode=${plan.packetizationMode === 1 ? 'zero-latency' : 'none'}`,
            `${session}.send_rtp_sink`,
          ],
          [
            `${session}.send_rtp_src`,
            ...(srtp === undefined ? [] : [srtpSendStage(srtp, `v${handle}`)]),
            `udpsink name=${names.sink} close-socket=false sync=false async=false host=${plan.remote.address} port=${plan.remote.port}`,
          ],
        ]
      : []),
  ]
  return chains.map((chain) => chain.join(' ! ')).join(' ')
}

export const videoReceives = (plan: VideoStreamPlan): boolean => plan.direction === 'sendrecv' || plan.direction === 'recvonly'
export const videoSends = (plan: VideoStreamPlan): boolean => plan.direction === 'sendrecv' || plan.direction === 'sendonly'
