/**
 * The GStreamer elements for each audio codec Parley runs (adapters/sip/sdp/codecs.ts): RTP
 * depayloader and decoder on the way in, encoder and payloader on the way out, and the rate the
 * encoder takes. G.722 samples at 16 kHz behind an 8000 RTP clock (RFC 3551 §4.5.2); Opus is
 * always `opus/48000/2` on the wire (RFC 7587 §7) and Parley sends it mono.
 */
import type { AudioCodecName } from '../worker/worker-protocol.js'

export interface AudioCodecElements {
  /** `encoding-name` in RTP caps. */
  readonly encodingName: string
  readonly depayloader: string
  readonly decoder: string
  readonly encoder: string
  readonly payloader: string
  /** Sample rate of the encoder's raw input. */
  readonly sampleRate: number
}

/** 20 ms packets (RFC 3551 §4.2 default ptime; SfB and room systems expect it). */
const ptime = '20000000'

export const audioCodecs: Readonly<Record<AudioCodecName, AudioCodecElements>> = {
  PCMU: { encodingName: 'PCMU', depayloader: 'rtppcmudepay', decoder: 'mulawdec', encoder: 'mulawenc', payloader: `rtppcmupay min-ptime=${ptime} max-ptime=${ptime}`, sampleRate: 8000 },
  PCMA: { encodingName: 'PCMA', depayloader: 'rtppcmadepay', decoder: 'alawdec', encoder: 'alawenc', payloader: `rtppcmapay min-ptime=${ptime} max-ptime=${ptime}`, sampleRate: 8000 },
  G722: { encodingName: 'G722', depayloader: 'rtpg722depay', decoder: 'avdec_g722', encoder: 'avenc_g722', payloader: `rtpg722pay min-ptime=${ptime} max-ptime=${ptime}`, sampleRate: 16000 },
  opus: { encodingName: 'OPUS', depayloader: 'rtpopusdepay', decoder: 'opusdec plc=true', encoder: 'opusenc frame-size=20 bitrate=32000', payloader: 'rtpopuspay', sampleRate: 48000 },
}
