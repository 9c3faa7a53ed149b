/**
 * What the worker needs to know about a leg's audio, from the SDP answer the SIP side made
 * (adapters/sip/sdp `negotiateAnswer`): the one accepted audio m-line's codec, telephone-event,
 * far-end address, direction, and SRTP keys and ICE credentials when they were negotiated.
 */
import type { NegotiatedAnswer, NegotiatedRtp } from '../../sip/sdp/build-answer.js'
import { mkiBytes } from '../../sip/sdp/crypto-choice.js'
import { fmtpParams } from '../../sip/sdp/codecs.js'
import type { AudioCodecName, AudioStreamPlan, VideoStreamPlan } from './worker-protocol.js'

const audioCodecNames: ReadonlySet<string> = new Set<AudioCodecName>(['PCMU', 'PCMA', 'G722', 'opus'])
const isAudioCodec = (name: string): name is AudioCodecName => audioCodecNames.has(name)

export const audioPlanOf = (answer: NegotiatedAnswer): AudioStreamPlan | undefined => {
  const stream = answer.streams.find((s): s is NegotiatedRtp => s.kind === 'rtp' && s.role === 'audio')
  if (stream === undefined || !isAudioCodec(stream.codec.name)) return undefined
  return {
    codec: { name: stream.codec.name, payloadType: stream.codec.payloadType, clockRate: stream.codec.clockRate },
    remote: { address: stream.remote.address, port: stream.remote.port },
    direction: stream.direction,
    localPort: stream.port,
    ...(stream.telephoneEvent === undefined ? {} : { telephoneEvent: { payloadType: stream.telephoneEvent.payloadType, clockRate: stream.telephoneEvent.clockRate } }),
    ...(stream.srtp === undefined ? {} : { srtp: srtpPlanOf(stream.srtp) }),
    ...(stream.ice === undefined
      ? {}
      : { ice: { localUfrag: stream.ice.local.ufrag, localPwd: stream.ice.local.pwd, remoteUfrag: stream.ice.remote.ufrag, remotePwd: stream.ice.remote.pwd } }),
  }
}

/** The keys of a stream, with the far end's MKI as hex (RFC 4568 §6.1 `value:length`). */
const srtpPlanOf = (srtp: NonNullable<NegotiatedRtp['srtp']>): NonNullable<AudioStreamPlan['srtp']> => {
  const mki = srtp.remote.mki === undefined ? undefined : mkiBytes(srtp.remote.mki)
  return { suite: srtp.local.suite, localKey: srtp.local.key, remoteKey: srtp.remote.key, ...(mki === undefined ? {} : { remoteMki: Buffer.from(mki).toString('hex') }) }
}

/**
 * The main video m-line (not content) as the worker's H.264 plan; RFC 6184 §8.1: no packetization-mode = 0.
 * SfB's X-H264UC is H.264 too, sent with the [MS-H264PF] framing (`payloadFormat`).
 */
export const videoPlanOf = (answer: NegotiatedAnswer): VideoStreamPlan | undefined => h264PlanOf(answer, 'video')

/** The content video m-line (`a=content:slides`, RFC 4796) as the worker's H.264 plan, the same way. */
export const contentPlanOf = (answer: NegotiatedAnswer): VideoStreamPlan | undefined => h264PlanOf(answer, 'content')

const h264PlanOf = (answer: NegotiatedAnswer, role: 'video' | 'content'): VideoStreamPlan | undefined => {
  const stream = answer.streams.find((s): s is NegotiatedRtp => s.kind === 'rtp' && s.role === role)
  if (stream === undefined || (stream.codec.name !== 'H264' && stream.codec.name !== 'X-H264UC')) return undefined
  return {
    ...(stream.codec.name === 'X-H264UC' ? { payloadFormat: 'ms-h264pf' as const } : {}),
    codec: { name: 'H264', payloadType: stream.codec.payloadType, clockRate: stream.codec.clockRate },
    packetizationMode: fmtpParams(stream.codec.fmtp).get('packetization-mode') === '1' ? 1 : 0,
    remote: { address: stream.remote.address, port: stream.remote.port },
    direction: stream.direction,
    localPort: stream.port,
    ...(stream.srtp === undefined ? {} : { srtp: srtpPlanOf(stream.srtp) }),
    ...(stream.ice === undefined
      ? {}
      : { ice: { localUfrag: stream.ice.local.ufrag, localPwd: stream.ice.local.pwd, remoteUfrag: stream.ice.remote.ufrag, remotePwd: stream.ice.remote.pwd } }),
    // RTCP where the answer runs it (rtcp-feedback.ts): muxed (RFC 5761) or to the far end's RTCP port.
    ...(stream.rtcpFeedback === undefined
      ? {}
      : { rtcp: { mux: stream.rtcpMux, ...stream.rtcpFeedback, ...(stream.rtcpMux ? {} : { remotePort: stream.remote.rtcpPort }) } }),
  }
}
