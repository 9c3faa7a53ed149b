/**
 * What the node and its media worker say to each other over the typed channel (CONVENTIONS 14).
 * Legs and conferences are the core's ids, as plain strings on the wire; the worker never sees
 * SIP, only what the SDP answer decided for each RTP stream (adapters/sip/sdp negotiateAnswer).
 */
import * as t from 'io-ts'
import { defineProtocol, nothing } from '../channel/protocol.js'

export const RtpStreamKind = t.keyof({ audio: null, video: null, content: null })
export type RtpStreamKind = t.TypeOf<typeof RtpStreamKind>

export const AudioCodecName = t.keyof({ PCMU: null, PCMA: null, G722: null, opus: null })
export type AudioCodecName = t.TypeOf<typeof AudioCodecName>

export const Direction = t.keyof({ sendrecv: null, sendonly: null, recvonly: null, inactive: null })
export type Direction = t.TypeOf<typeof Direction>

/** One negotiated audio stream, from Parley's side: what to receive on its port and send where. */
export const AudioStreamPlan = t.intersection([
  t.type({
    codec: t.type({ name: AudioCodecName, payloadType: t.number, clockRate: t.number }),
    /** The far end's RTP address (RTCP is not run yet). */
    remote: t.type({ address: t.string, port: t.number }),
    direction: Direction,
  }),
  t.partial({
    /** Parley's port as the SDP answer gave it; the worker checks it is the one it allocated to the leg. */
    localPort: t.number,
    /** RFC 4733 events on this payload type are read as DTMF. */
    telephoneEvent: t.type({ payloadType: t.number, clockRate: t.number }),
    /**
     * RFC 4568 SDES keys (base64 master key and salt): Parley sends with `localKey`, receives with
     * `remoteKey`; `remoteMki` (hex) when the far end's line has an MKI (adapters/media/gst/srtp-description.ts).
     */
    srtp: t.intersection([t.type({ suite: t.string, localKey: t.string, remoteKey: t.string }), t.partial({ remoteMki: t.string })]),
    /** RFC 8445 ICE, Parley lite: checks answered on the leg's ports (adapters/media/gst/ice-lite-port.ts). */
    ice: t.type({ localUfrag: t.string, localPwd: t.string, remoteUfrag: t.string, remotePwd: t.string }),
  }),
])
export type AudioStreamPlan = t.TypeOf<typeof AudioStreamPlan>

/**
 * One negotiated H.264 video stream (RFC 6184), from Parley's side. `packetizationMode` is the
 * answer's `packetization-mode` (absent in the fmtp = 0: single NAL unit packets only).
 */
export const VideoStreamPlan = t.intersection([
  t.type({
    codec: t.type({ name: t.literal('H264'), payloadType: t.number, clockRate: t.number }),
    packetizationMode: t.union([t.literal(0), t.literal(1)]),
    remote: t.type({ address: t.string, port: t.number }),
    direction: Direction,
  }),
  t.partial({
    localPort: t.number,
    /** As for audio; `remoteMki` for SfB's `|1:1` on its video line too. */
    srtp: t.intersection([t.type({ suite: t.string, localKey: t.string, remoteKey: t.string }), t.partial({ remoteMki: t.string })]),
    ice: t.type({ localUfrag: t.string, localPwd: t.string, remoteUfrag: t.string, remotePwd: t.string }),
    /** SfB's X-H264UC: H.264 framed as [MS-H264PF] wants (PACSI, prefix NAL units), which the leg's port shim adds. */
    payloadFormat: t.literal('ms-h264pf'),
    /**
     * RTCP for the stream (RFC 3550 §6, AVPF feedback RFC 4585): `mux` on the RTP port (RFC 5761,
     * negotiated), else on `remotePort` (the far end's `a=rtcp`, or its RTP port + 1) from the
     * leg's RTCP port; `pli` (`a=rtcp-fb nack pli`) and `fir` (`ccm fir`, RFC 5104) as both sides
     * agreed. Absent: the worker runs none for the stream (video-description.ts `videoRtcpRuns`).
     */
    rtcp: t.intersection([t.type({ mux: t.boolean, pli: t.boolean, fir: t.boolean }), t.partial({ remotePort: t.number })]),
  }),
])
export type VideoStreamPlan = t.TypeOf<typeof VideoStreamPlan>

/**
 * `video` absent = the leg has no video stream (a re-INVITE that drops it removes it).
 * `content` is the second video stream of a room system presenting over BFCP (`a=content:slides`,
 * RFC 4796), received on the leg's `content` port and shown while the leg holds the floor.
 * `displayName` is the name drawn on the leg's tile in composed layouts.
 */
export const LegPlan = t.intersection([
  t.type({ leg: t.string }),
  t.partial({ audio: AudioStreamPlan, video: VideoStreamPlan, content: VideoStreamPlan, displayName: t.string }),
])
export type LegPlan = t.TypeOf<typeof LegPlan>

export const PromptName = t.keyof({ 'pin-prompt': null, 'invalid-pin': null, 'hold-music': null, 'conference-ending': null, conference: null })

/** What a leg's screen shows: the core's `View` (core/node/effect.ts) with legs as plain strings. */
export const WireView = t.union([
  t.type({ _tag: t.literal('Splash'), screen: t.keyof({ 'pin-entry': null, 'waiting-for-host': null, 'invalid-pin': null, 'conference-ending': null }) }),
  t.type({ _tag: t.literal('SelfView') }),
  t.type({
    _tag: t.literal('Composed'),
    layout: t.keyof({
      one_main_zero_pips: null,
      one_main_seven_pips: null,
      one_main_twentyone_pips: null,
      two_mains_twentyone_pips: null,
      four_mains_zero_pips: null,
      nine_mains_zero_pips: null,
      sixteen_mains_zero_pips: null,
      twentyfive_mains_zero_pips: null,
      five_mains_seven_pips: null,
    }),
    participants: t.readonlyArray(t.string),
  }),
  t.intersection([t.type({ _tag: t.literal('Content'), presenter: t.string }), t.partial({ speaker: t.string })]),
  t.type({ _tag: t.literal('NoVideo') }),
])
export type WireView = t.TypeOf<typeof WireView>

const Ports = t.partial({ audio: t.number, video: t.number, content: t.number })

export const workerProtocol = defineProtocol(
  {
    /** Where RTP sockets bind and the port range (`global.rtp_port_min..max`); sent first, and again after a restart. */
    configure: { params: t.type({ bindHost: t.string, portMin: t.number, portMax: t.number }), result: nothing },
    /** Binds an RTP port (even, RTCP on the next) per stream and holds it for the leg. */
    allocatePorts: { params: t.type({ leg: t.string, streams: t.array(RtpStreamKind) }), result: Ports },
    /** Starts (or replaces, after a re-INVITE) the leg's RTP in and out on its allocated ports. */
    attachLeg: { params: LegPlan, result: nothing },
    /** Stops the leg's media and frees its ports. */
    releaseLeg: { params: t.type({ leg: t.string }), result: nothing },
    joinMix: { params: t.type({ leg: t.string, conference: t.string }), result: nothing },
    leaveMix: { params: t.type({ leg: t.string, conference: t.string }), result: nothing },
    /** Connects the two halves of a gateway call: each hears the other. */
    bridge: { params: t.type({ a: t.string, b: t.string }), result: nothing },
    /** A prompt or hold music to one leg, besides its mix; `conference` stops whatever was playing. */
    play: { params: t.type({ leg: t.string, sound: PromptName }), result: nothing },
    /** What the leg's screen shows (adapters/media/gst/video-engine.ts composes and encodes it). */
    show: { params: t.type({ leg: t.string, view: WireView }), result: nothing },
    floor: { params: t.type({ leg: t.string, granted: t.boolean }), result: nothing },
    /** Counts for tests and status. */
    stats: {
      params: t.type({}),
      result: t.type({ legs: t.number, attached: t.number, conferences: t.number, mixerPads: t.number, elements: t.number }),
    },
  },
  t.union([
    t.type({ _tag: t.literal('Ready'), gstreamer: t.string, startMs: t.number }),
    t.type({ _tag: t.literal('Dtmf'), leg: t.string, digit: t.string }),
    t.type({ _tag: t.literal('ActiveSpeaker'), conference: t.string, leg: t.string }),
    t.type({ _tag: t.literal('PromptFinished'), leg: t.string, sound: t.string }),
    /** A leg's media broke inside the worker (an element error); the worker is fine. */
    t.type({ _tag: t.literal('LegFailed'), leg: t.string, reason: t.string }),
  ]),
)

/** The worker's exit code when GStreamer or node-gtk is missing (EX_CONFIG): restarting would not help. */
export const missingMediaStackExitCode = 78

export type WorkerProtocol = typeof workerProtocol
export type WorkerEvent = t.TypeOf<WorkerProtocol['event']>
