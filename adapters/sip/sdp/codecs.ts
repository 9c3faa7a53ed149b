/**
 * The RTP formats Parley's media side handles (PCMU 0, PCMA 8, G.722 9, Opus; H.264 in
 * packetization modes 0 and 1; SfB's X-H264UC, H.264 with the [MS-H264PF] additions, in mode 1;
 * RFC 4733 telephone-event), and how an offer's formats map to them. Anything else (SILK,
 * x-msrta, SIREN, G.722.1, SfB's x-rtvc1, H.263…) is simply not one of ours.
 */

export type CodecName = 'opus' | 'G722' | 'PCMU' | 'PCMA' | 'H264' | 'X-H264UC'

export const audioCodecNames: ReadonlyArray<CodecName> = ['opus', 'G722', 'PCMU', 'PCMA']
export const videoCodecNames: ReadonlyArray<CodecName> = ['H264', 'X-H264UC']
export const allCodecNames: ReadonlyArray<CodecName> = [...audioCodecNames, ...videoCodecNames]

/** One `a=rtpmap` (or the RFC 3551 static assignment standing in for it). */
export interface RtpMap {
  readonly payloadType: number
  readonly encoding: string
  readonly clockRate: number
  readonly channels?: number
}

/** An offered format that is one of Parley's codecs. */
export interface OfferedCodec {
  readonly name: CodecName
  readonly payloadType: number
  /** The encoding name as the offer wrote it (case kept for the answer). */
  readonly encoding: string
  readonly clockRate: number
  readonly channels?: number
  readonly fmtp?: string
}

/** An offered RFC 4733 telephone-event format. */
export interface TelephoneEvent {
  readonly payloadType: number
  readonly clockRate: number
  /** The events both sides handle, e.g. `0-15` (DTMF digits, `*`, `#`, A-D). */
  readonly events: string
}

/** RFC 3551 §6 static payload types that may arrive without an rtpmap. */
const staticPayloadTypes: ReadonlyMap<number, RtpMap> = new Map([
  [0, { payloadType: 0, encoding: 'PCMU', clockRate: 8000 }],
  [8, { payloadType: 8, encoding: 'PCMA', clockRate: 8000 }],
  [9, { payloadType: 9, encoding: 'G722', clockRate: 8000 }],
])

export const staticRtpMap = (payloadType: number): RtpMap | undefined => staticPayloadTypes.get(payloadType)

/** `a=fmtp` parameters (`key=value;key2=value2`), keys in lower case. */
export const fmtpParams = (fmtp: string | undefined): ReadonlyMap<string, string> => {
  const params = new Map<string, string>()
  for (const item of (fmtp ?? '').split(';')) {
    const eq = item.indexOf('=')
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase()
    if (key !== '' && !params.has(key)) params.set(key, eq < 0 ? '' : item.slice(eq + 1).trim())
  }
  return params
}

/** RFC 6184 §8.1: absent means mode 0; mode 2 (interleaved) is not supported. */
const h264PacketizationSupported = (fmtp: string | undefined): boolean => {
  const mode = fmtpParams(fmtp).get('packetization-mode') ?? '0'
  return mode === '0' || mode === '1'
}

const mono = (map: RtpMap): boolean => map.channels === undefined || map.channels === 1

/** The Parley codec an offered format is, if it is one. */
export const codecOf = (map: RtpMap, fmtp: string | undefined): CodecName | undefined => {
  switch (map.encoding.toUpperCase()) {
    case 'PCMU':
      return map.clockRate === 8000 && mono(map) ? 'PCMU' : undefined
    case 'PCMA':
      return map.clockRate === 8000 && mono(map) ? 'PCMA' : undefined
    // G.722's RTP clock is 8000 though it samples at 16 kHz (RFC 3551 §4.5.2); `G722/8000/2` (SfB) is stereo.
    case 'G722':
      return map.clockRate === 8000 && mono(map) ? 'G722' : undefined
    // RFC 7587 §7: always `opus/48000/2`.
    case 'OPUS':
      return map.clockRate === 48000 && map.channels === 2 ? 'opus' : undefined
    case 'H264':
      return map.clockRate === 90000 && h264PacketizationSupported(fmtp) ? 'H264' : undefined
    // [MS-SDPEXT] / [MS-H264PF]: SfB offers it as `packetization-mode=1;mst-mode=NI-TC`; Parley sends and takes one layer.
    case 'X-H264UC':
      return map.clockRate === 90000 && fmtpParams(fmtp).get('packetization-mode') === '1' ? 'X-H264UC' : undefined
    default:
      return undefined
  }
}

export const isTelephoneEvent = (map: RtpMap): boolean => map.encoding.toLowerCase() === 'telephone-event'

/** The DTMF events Parley reads and sends (RFC 4733 §3.2: 0-9, *, #, A-D). */
const parleyEvents = { first: 0, last: 15 }

/**
 * The events of an offered `telephone-event` fmtp that Parley handles, written as ranges
 * (`0-15`), or undefined if none. No fmtp means 0-15 (RFC 4733 §7.1.1).
 */
export const sharedTelephoneEvents = (fmtp: string | undefined): string | undefined => {
  const offered = new Set<number>()
  const text = fmtp === undefined || fmtp.trim() === '' ? `${parleyEvents.first}-${parleyEvents.last}` : fmtp
  for (const item of text.split(',')) {
    const range = /^\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*$/.exec(item)
    if (range === null) continue
    const from = Number(range[1])
    const to = range[2] === undefined ? from : Number(range[2])
    for (let e = Math.max(from, parleyEvents.first); e <= Math.min(to, parleyEvents.last); e += 1) offered.add(e)
  }
  const events = [...offered].sort((a, b) => a - b)
  const ranges: string[] = []
  for (let i = 0; i < events.length; ) {
    let j = i
    while (j + 1 < events.length && (events[j + 1] ?? 0) === (events[j] ?? 0) + 1) j += 1
    ranges.push(i === j ? `${events[i]}` : `${events[i]}-${events[j]}`)
    i = j + 1
  }
  return ranges.length === 0 ? undefined : ranges.join(',')
}

/** Payload types and parameters Parley uses in its own offers. */
export interface OwnFormat {
  readonly name: CodecName | 'telephone-event'
  readonly payloadType: number
  readonly encoding: string
  readonly clockRate: number
  readonly channels?: number
  readonly fmtp?: string
}

export const ownAudioFormats: ReadonlyArray<OwnFormat> = [
  { name: 'opus', payloadType: 111, encoding: 'opus', clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' },
  { name: 'G722', payloadType: 9, encoding: 'G722', clockRate: 8000 },
  { name: 'PCMU', payloadType: 0, encoding: 'PCMU', clockRate: 8000 },
  { name: 'PCMA', payloadType: 8, encoding: 'PCMA', clockRate: 8000 },
]

/** SfB sends DTMF as PT 101 (PROTOCOLS 1.4); the 48 kHz one goes with Opus (RFC 4733 §2.3.1). */
export const ownTelephoneEvents: ReadonlyArray<OwnFormat> = [
  { name: 'telephone-event', payloadType: 101, encoding: 'telephone-event', clockRate: 8000, fmtp: '0-15' },
  { name: 'telephone-event', payloadType: 110, encoding: 'telephone-event', clockRate: 48000, fmtp: '0-15' },
]

/** Constrained Baseline level 3.1, both packetization modes (RFC 6184). */
export const ownVideoFormats: ReadonlyArray<OwnFormat> = [
  { name: 'H264', payloadType: 96, encoding: 'H264', clockRate: 90000, fmtp: 'profile-level-id=42e01f;packetization-mode=1' },
  { name: 'H264', payloadType: 97, encoding: 'H264', clockRate: 90000, fmtp: 'profile-level-id=42e01f' },
]

/**
 * SfB's X-H264UC ([MS-H264PF]), offered to SfB peers beside plain H.264 for clients that take
 * only it: one layer, mode 1, `mst-mode=NI-TC` as SfB itself offers it (decision 0006). 122 is
 * the payload type SfB clients give it in their own offers.
 */
export const ownSfbVideoFormat: OwnFormat = { name: 'X-H264UC', payloadType: 122, encoding: 'X-H264UC', clockRate: 90000, fmtp: 'packetization-mode=1;mst-mode=NI-TC' }

