/**
 * One SDP body (offer or answer) read into a `ParsedOffer`. Structure is checked by
 * sdp-text.ts; attribute grammars are sdp-transform's, applied by name (sdp-attributes.ts; the
 * same reading through sdp-transform's own parser is kept as `parseSdpWithTransform`, the
 * reference a property test holds it to); SfB's extensions ([MS-SDPEXT]:
 * `a=x-*`, `a=cryptoscale`, `a=x-candidate-ipv6`) and BFCP's `a=floorid`/`a=bfcpver`
 * (RFC 8856) are read by hand.
 */
import * as E from 'fp-ts/lib/Either.js'
import { parse as parseWithTransform } from 'sdp-transform'
import type { Direction } from '../../../core/model/call.js'
import type { CodecName, OfferedCodec, RtpMap, TelephoneEvent } from './codecs.js'
import { audioCodecNames, codecOf, isTelephoneEvent, sharedTelephoneEvents, staticRtpMap, videoCodecNames } from './codecs.js'
import type {
  FloorControlRole,
  FloorControlStream,
  FloorControlTransport,
  IceParameters,
  MessageStream,
  OfferedStream,
  OtherStream,
  ParsedOffer,
  RemoteEndpoint,
  RtcpFeedback,
  RtpRole,
  RtpStream,
  Unusable,
} from './parsed-offer.js'
import type { SdpError } from './sdp-error.js'
import type { MediaAttributes, SessionAttributes } from './sdp-attributes.js'
import { readAttributes } from './sdp-attributes.js'
import type { SdesCrypto } from './srtp.js'
import { isSupportedSuite, readInlineKey } from './srtp.js'
import type { Connection, RawMedia, RawSdp } from './sdp-text.js'
import { attributeValues, connectionOf, forTransform, splitSdp } from './sdp-text.js'
// SfB's VbSS content video is named by its label ([MS-SDPEXT] a=label; decision 0007).
import { sfbSharingVideoLabel } from './sfb-sharing.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const malformed = (reason: string): E.Either<SdpError, never> => E.left({ _tag: 'MalformedSdp', reason })

const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v))

const directions: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive'])
const asDirection = (v: unknown): Direction | undefined => (typeof v === 'string' && directions.has(v) ? (v as Direction) : undefined)

const rtpProfile = /^RTP\/S?AVPF?$/i
const bfcpProtocols: ReadonlyMap<string, FloorControlTransport> = new Map([
  ['TCP/BFCP', 'tcp'],
  ['TCP/TLS/BFCP', 'tls'],
  ['UDP/BFCP', 'udp'],
  ['UDP/TLS/BFCP', 'dtls'],
])

/** RFC 3264 §8.4 / RFC 2543 hold: a connection address of all zeros means "do not send to me". */
const isHoldAddress = (c: Connection): boolean => c.address === '0.0.0.0' || c.address === '::'

const withoutReceive = (d: Direction): Direction => (d === 'sendrecv' ? 'sendonly' : d === 'recvonly' ? 'inactive' : d)

const rtpMapsOf = (desc: MediaAttributes | undefined): ReadonlyMap<number, RtpMap> => {
  const maps = new Map<number, RtpMap>()
  for (const r of desc?.rtp ?? []) {
    const channels = r.encoding === undefined ? undefined : Number(r.encoding)
    const map: Mutable<RtpMap> = { payloadType: Number(r.payload), encoding: String(r.codec), clockRate: Number(r.rate ?? 0) }
    if (channels !== undefined && !Number.isNaN(channels)) map.channels = channels
    maps.set(map.payloadType, map)
  }
  return maps
}

const fmtpsOf = (desc: MediaAttributes | undefined): ReadonlyMap<number, string> => {
  const fmtps = new Map<number, string>()
  for (const f of desc?.fmtp ?? []) if (!fmtps.has(Number(f.payload))) fmtps.set(Number(f.payload), String(f.config))
  return fmtps
}

interface Formats {
  readonly codecs: ReadonlyArray<OfferedCodec>
  readonly telephoneEvents: ReadonlyArray<TelephoneEvent>
}

/** Parley's codecs and telephone-events among the m-line's formats, in the m-line's order. */
const formatsOf = (raw: RawMedia, desc: MediaAttributes | undefined, allowed: ReadonlyArray<CodecName>): Formats => {
  const rtpMaps = rtpMapsOf(desc)
  const fmtps = fmtpsOf(desc)
  const codecs: OfferedCodec[] = []
  const telephoneEvents: TelephoneEvent[] = []
  for (const format of raw.mLine.formats) {
    if (!/^\d{1,3}$/.test(format) || Number(format) > 127) continue
    const payloadType = Number(format)
    const map = rtpMaps.get(payloadType) ?? staticRtpMap(payloadType)
    if (map === undefined) continue
    const fmtp = fmtps.get(payloadType)
    if (isTelephoneEvent(map)) {
      const events = sharedTelephoneEvents(fmtp)
      if (events !== undefined) telephoneEvents.push({ payloadType, clockRate: map.clockRate, events })
      continue
    }
    const name = codecOf(map, fmtp)
    if (name === undefined || !allowed.includes(name)) continue
    const codec: Mutable<OfferedCodec> = { name, payloadType, encoding: map.encoding, clockRate: map.clockRate }
    if (map.channels !== undefined) codec.channels = map.channels
    if (fmtp !== undefined) codec.fmtp = fmtp
    codecs.push(codec)
  }
  return { codecs, telephoneEvents }
}

const cryptoOf = (desc: MediaAttributes | undefined): ReadonlyArray<SdesCrypto> =>
  (desc?.crypto ?? []).flatMap((c) => {
    const suite = String(c.suite)
    // Session parameters (UNENCRYPTED_SRTP, KDR, …: RFC 4568 §6.3) change the SRTP transform; Parley runs the default one.
    if (!isSupportedSuite(suite) || c.sessionConfig !== undefined) return []
    const crypto = readInlineKey(Number(c.id), suite, String(c.config))
    return crypto === undefined ? [] : [crypto]
  })

const iceOf = (desc: MediaAttributes | undefined, session: SessionAttributes): IceParameters | undefined => {
  const ufrag = text(desc?.iceUfrag ?? session.iceUfrag)
  const pwd = text(desc?.icePwd ?? session.icePwd)
  if (ufrag === undefined || pwd === undefined) return undefined
  const candidates = (desc?.candidates ?? []).map((c) => ({
    foundation: String(c.foundation),
    component: Number(c.component),
    transport: String(c.transport),
    priority: Number(c.priority),
    address: String(c.ip),
    port: Number(c.port),
    type: String(c.type),
  }))
  return { ufrag, pwd, candidates }
}

/** `a=floorid:<id> mstrm:<label> [<label>…]` (RFC 8856 §6; `m-stream:` in RFC 4583 drafts). */
const floorsOf = (lines: ReadonlyArray<string>): FloorControlStream['floors'] =>
  attributeValues(lines, 'floorid').flatMap((value) => {
    const [floorId = '', ...rest] = value.split(/\s+/)
    if (floorId === '') return []
    const streamLabels: string[] = []
    let inLabels = false
    for (const token of rest) {
      const m = /^(?:mstrm|m-stream):(.*)$/i.exec(token)
      if (m !== null) {
        inLabels = true
        if (m[1] !== undefined && m[1] !== '') streamLabels.push(m[1])
      } else if (inLabels && token !== '') streamLabels.push(token)
    }
    return [{ floorId, streamLabels }]
  })

const floorControlRoles: ReadonlySet<string> = new Set(['c-only', 's-only', 'c-s'])

/** `a=rtcp-fb` records as read (sdp-transform's payload is a number, or `*`). */
const rtcpFeedbackOf = (records: NonNullable<MediaAttributes['rtcpFb']>): ReadonlyArray<RtcpFeedback> =>
  records.map((r) => ({
    payload: typeof r.payload === 'number' ? r.payload : r.payload === '*' ? '*' : Number(r.payload),
    type: String(r.type),
    ...(r.subtype === undefined ? {} : { subtype: String(r.subtype) }),
  }))

const remoteOf = (connection: Connection | undefined, port: number, rtcpPort: number): RemoteEndpoint | undefined =>
  connection === undefined || port === 0 ? undefined : { ipVersion: connection.ipVersion, address: connection.address, port, rtcpPort }


type Unclassified = Mutable<RtpStream> | Omit<FloorControlStream, 'primary'> | Omit<MessageStream, 'primary'> | OtherStream

const readStream = (index: number, raw: RawMedia, desc: MediaAttributes | undefined, session: SessionAttributes, sessionConnection: Connection | undefined, sessionDirection: Direction): E.Either<SdpError, Unclassified> => {
  const { media, port, protocol, formats } = raw.mLine
  const connection = connectionOf(raw.lines) ?? sessionConnection
  // RFC 4566 §5.7: every active stream needs a c= line, its own or the session's.
  if (port !== 0 && connection === undefined) return malformed(`m-line ${index + 1} has no connection address`)
  const label = text(desc?.label)
  const disabled = port === 0
  const kind = media.toLowerCase()

  if (kind === 'audio' || kind === 'video') {
    const { codecs, telephoneEvents } = formatsOf(raw, desc, kind === 'audio' ? audioCodecNames : videoCodecNames)
    const crypto = cryptoOf(desc)
    const secure = /SAVP/i.test(protocol)
    const rtcpMux = desc?.rtcpMux !== undefined
    const offered = asDirection(desc?.direction) ?? sessionDirection
    const direction = connection !== undefined && isHoldAddress(connection) ? withoutReceive(offered) : offered
    const rtcpPort = desc?.rtcp?.port !== undefined ? Number(desc.rtcp.port) : rtcpMux ? port : port + 1
    const remote = remoteOf(connection, port, rtcpPort)
    const ice = iceOf(desc, session)
    const content = text((desc as { content?: unknown } | undefined)?.content)
    const unusable: Unusable | undefined = disabled
      ? 'disabled-by-offerer'
      : !rtpProfile.test(protocol)
        ? 'unsupported-transport'
        : codecs.length === 0
          ? 'no-common-codec'
          : secure && crypto.length === 0
            ? 'srtp-without-usable-sdes'
            : undefined
    // One literal of a fixed shape, optional fields assigned after: conditional spreads made
    // each stream a dictionary-mode copy (~15 µs of an offer's ~30 under the call-rate load).
    // `role` and `primary` are set by `classify`, which needs every stream first.
    const stream: Mutable<RtpStream> = { index, media, port, protocol, formats, kind: 'rtp', role: 'audio', primary: false, secure, direction, rtcpMux, codecs, telephoneEvents, crypto }
    if (label !== undefined) stream.label = label
    if (remote !== undefined) stream.remote = remote
    if (ice !== undefined) stream.ice = ice
    if (desc?.rtcpFb !== undefined) stream.rtcpFeedback = rtcpFeedbackOf(desc.rtcpFb)
    if (content !== undefined) stream.content = content
    if (unusable !== undefined) stream.unusable = unusable
    return E.right(stream)
  }

  const base = { index, media, port, protocol, formats, ...(label === undefined ? {} : { label }) }
  const bfcpTransport = kind === 'application' ? bfcpProtocols.get(protocol.toUpperCase()) : undefined
  if (bfcpTransport !== undefined) {
    const role = text(desc?.bfcpFloorCtrl)
    const floorControl = role !== undefined && floorControlRoles.has(role) ? (role as FloorControlRole) : undefined
    const conferenceId = text(desc?.bfcpConfId)
    const userId = text(desc?.bfcpUserId)
    const setup = text(desc?.setup)
    const versions = attributeValues(raw.lines, 'bfcpver').flatMap((v) => v.split(/\s+/)).filter((v) => /^\d{1,2}$/.test(v)).map(Number)
    const remote = remoteOf(connection, port, port)
    // Parley is always the floor control server (DESIGN §2): an offerer that must be the server cannot be answered.
    const unusable: Unusable | undefined = disabled ? 'disabled-by-offerer' : floorControl === 's-only' ? 'offerer-insists-on-floor-control' : undefined
    return E.right({
      ...base,
      kind: 'floor-control',
      transport: bfcpTransport,
      floors: floorsOf(raw.lines),
      versions,
      ...(floorControl === undefined ? {} : { floorControl }),
      ...(conferenceId === undefined ? {} : { conferenceId }),
      ...(userId === undefined ? {} : { userId }),
      ...(setup === undefined ? {} : { setup }),
      ...(remote === undefined ? {} : { remote }),
      ...(unusable === undefined ? {} : { unusable }),
    })
  }

  if (kind === 'message') {
    const acceptTypes = attributeValues(raw.lines, 'accept-types').flatMap((v) => v.split(/\s+/)).filter((t) => t !== '')
    const readable = acceptTypes.length === 0 || acceptTypes.some((t) => ['text/plain', 'text/*', '*/*', '*'].includes(t.toLowerCase()))
    // SfB IM (PROTOCOLS 1.3) puts `sip` in the proto field; MSRP (`TCP/MSRP`) is not spoken here.
    const unusable: Unusable | undefined = disabled
      ? 'disabled-by-offerer'
      : protocol.toLowerCase() !== 'sip'
        ? 'unsupported-transport'
        : readable
          ? undefined
          : 'no-common-message-format'
    return E.right({ ...base, kind: 'message', acceptTypes, ...(unusable === undefined ? {} : { unusable }) })
  }

  return E.right({ ...base, kind: 'other', unusable: disabled ? 'disabled-by-offerer' : 'unsupported-media' })
}

/** Assigns video lines to main video or content, and marks the first usable line of each role. */
const classify = (streams: ReadonlyArray<Unclassified>): ReadonlyArray<OfferedStream> => {
  const floorLabels = new Set(streams.flatMap((s) => (s.kind === 'floor-control' ? s.floors.flatMap((f) => f.streamLabels) : [])))
  const taken = new Set<string>()
  const claim = (key: string, usable: boolean): boolean => {
    if (!usable || taken.has(key)) return false
    taken.add(key)
    return true
  }
  return streams.map((s): OfferedStream => {
    switch (s.kind) {
      case 'rtp': {
        const isContent =
          s.media.toLowerCase() === 'video' &&
          (s.content?.toLowerCase() === 'slides' || (s.label !== undefined && (floorLabels.has(s.label) || s.label === sfbSharingVideoLabel)))
        const role: RtpRole = s.media.toLowerCase() === 'audio' ? 'audio' : isContent ? 'content' : 'video'
        // The stream was made by readStream for this offer alone: completed in place, not copied.
        s.role = role
        s.primary = claim(role, s.unusable === undefined)
        return s
      }
      case 'floor-control':
        return { ...s, primary: claim('floor-control', s.unusable === undefined) }
      case 'message':
        return { ...s, primary: claim('message', s.unusable === undefined) }
      case 'other':
        return s
    }
  })
}

const originOf = (session: ReadonlyArray<string>): ParsedOffer['origin'] => {
  const [username = '-', sessionId = '0', version = '0'] = (session.find((l) => l.startsWith('o='))?.slice(2) ?? '').split(' ')
  return { username, sessionId, version }
}

/** Reads one SDP text. Never throws: whatever the input, a `ParsedOffer` or a tagged error. */
export const parseSdp = (sdp: string, variants = 1): E.Either<SdpError, ParsedOffer> => {
  const split = splitSdp(sdp)
  if (E.isLeft(split)) return split
  return readSplit(sdp, split.right, readAttributes(split.right.session, split.right.media), variants)
}

/** parseSdp with sdp-transform's parser over the text rebuilt from the split lines: the reference for sdp-attributes.ts. */
export const parseSdpWithTransform = (sdp: string, variants = 1): E.Either<SdpError, ParsedOffer> => {
  const split = splitSdp(sdp)
  if (E.isLeft(split)) return split
  const raw = split.right
  const transformText = [
    ...raw.session,
    ...raw.media.flatMap((m) => [`m=${m.mLine.media} ${m.mLine.port} ${m.mLine.protocol} ${m.mLine.formats.join(' ')}`, ...m.lines]),
  ]
    .map(forTransform)
    .filter((l): l is string => l !== undefined)
    .join('\r\n')
  let session: SessionAttributes
  try {
    session = parseWithTransform(`${transformText}\r\n`)
  } catch (e) {
    return malformed(`attribute grammar: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (session.media.length !== raw.media.length) return malformed('m-lines could not be matched to their attributes')
  return readSplit(sdp, raw, session, variants)
}

const readSplit = (sdp: string, raw: RawSdp, session: SessionAttributes, variants: number): E.Either<SdpError, ParsedOffer> => {
  const sessionConnection = connectionOf(raw.session)
  const sessionDirection = asDirection(session.direction) ?? 'sendrecv'
  const unclassified: Unclassified[] = []
  for (const [index, m] of raw.media.entries()) {
    const stream = readStream(index, m, session.media[index], session, sessionConnection, sessionDirection)
    if (E.isLeft(stream)) return stream
    unclassified.push(stream.right)
  }
  const streams = classify(unclassified)
  const primaryRole = (role: RtpRole): boolean => streams.some((s) => s.kind === 'rtp' && s.primary && s.role === role)
  return E.right({
    sdp,
    origin: originOf(raw.session),
    iceLite: session.icelite !== undefined,
    streams,
    media: {
      audio: primaryRole('audio'),
      video: primaryRole('video'),
      content: primaryRole('content'),
      chat: streams.some((s) => s.kind === 'message' && s.primary),
    },
    applicationSharing: streams.some((s) => s.media.toLowerCase() === 'applicationsharing' && s.port !== 0),
    variants,
  })
}
