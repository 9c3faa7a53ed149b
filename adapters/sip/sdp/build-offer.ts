/**
 * Parley's own offers:
 *
 * - `Initial`: a dial-out (ADP, gateway b-leg, call to an SfB user). Audio with Opus, G.722,
 *   G.711 and telephone-event 101; H.264 video (for `mssip` also X-H264UC, payload type 122,
 *   [MS-H264PF], decision 0006); for `sip` an optional content video with a
 *   BFCP line (Parley as floor control server, RFC 8856); for `mssip` RTP/SAVP with an SDES key
 *   (SfB requires SRTP when encryption is required) and ICE-lite host candidates, SfB labels
 *   (`main-audio`, `main-video`), and `m=message … sip null` for an IM session (PROTOCOLS 1.3).
 * - `Update`: a re-INVITE within a dialog (RFC 3264 §8): Parley's previous SDP with its
 *   m-lines kept in order, a stream the core no longer wants set to port 0, directions
 *   updated, new streams appended (e.g. `sendonly` video for an audio-only caller, DESIGN §2),
 *   and the `o=` version one higher.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { MediaDescription, SessionDescription } from 'sdp-transform'
import { parse as parseWithTransform, write } from 'sdp-transform'
import type { Direction, MediaAnswer } from '../../../core/model/call.js'
import type { CodecName, OwnFormat } from './codecs.js'
import { allCodecNames, ownAudioFormats, ownSfbVideoFormat, ownTelephoneEvents, ownVideoFormats } from './codecs.js'
import type { HostAddress, IceCredentials, LocalMedia, LocalStream } from './local-media.js'
import { defaultFloorControlIds, hostAddressOf, newIceCredentials } from './local-media.js'
import { offeredFeedbackAttributes } from './rtcp-feedback.js'
import type { SdpError } from './sdp-error.js'
import { splitSdp } from './sdp-text.js'
import { directionAttribute, disabledMedia, iceAttributes, parleyAcceptTypes, sessionDescription } from './sdp-writer.js'
import { newInlineKey } from './srtp.js'

export type OfferDialect = 'sip' | 'mssip'

export type OfferRequest =
  | { readonly _tag: 'Initial'; readonly dialect: OfferDialect; readonly media: MediaAnswer; readonly local: LocalMedia }
  /** `previous` is the last SDP Parley sent in this dialog (its answer or its offer). */
  | { readonly _tag: 'Update'; readonly previous: string; readonly media: MediaAnswer; readonly local: LocalMedia }

export type OfferError = SdpError | { readonly _tag: 'NoLocalPort'; readonly stream: LocalStream }

/** How new m-lines look in a session: what the dialect or the previous SDP established. */
interface Style {
  /** `RTP/SAVP` where SRTP is required (SfB), else `RTP/AVP`. */
  readonly protocol: string
  /** Whether lines carry an SDES key (also with RTP/AVP when a session already does: SfB "encryption supported"). */
  readonly crypto: boolean
  readonly ice?: IceCredentials
  /** SfB names its streams `main-audio`/`main-video` ([MS-SDPEXT]). */
  readonly sfbLabels: boolean
  /** SfB shares content by RDP/VbSS, not BFCP (DESIGN §2). */
  readonly floorControl: boolean
}

/** Labels Parley gives its main and content video in its own offers (RFC 4574, RFC 8856 `mstrm`). */
const mainVideoLabel = '1'
const contentLabel = '2'

type Role = 'audio' | 'video' | 'content'

const formatsFor = (role: Role, codecs: ReadonlyArray<CodecName>, style: Style): ReadonlyArray<OwnFormat> => {
  if (role !== 'audio') {
    const h264 = ownVideoFormats.filter((f) => codecs.includes('H264') && f.name === 'H264')
    // Plain H.264 first (it needs no [MS-H264PF] framing); X-H264UC for SfB clients that take only it (decision 0006).
    return style.sfbLabels && role === 'video' && codecs.includes('X-H264UC') ? [...h264, ownSfbVideoFormat] : h264
  }
  const audio = ownAudioFormats.filter((f) => f.name !== 'telephone-event' && codecs.includes(f.name))
  const withOpus = audio.some((f) => f.name === 'opus')
  return [...audio, ...ownTelephoneEvents.filter((e) => e.clockRate === 8000 || withOpus)]
}

/** Labels SfB's own streams, or (with content) tells main video from slides (RFC 4796). */
const labelsFor = (role: Role, style: Style, withContent: boolean): { readonly label?: string; readonly content?: string } => {
  if (style.sfbLabels) return role === 'audio' ? { label: 'main-audio' } : role === 'video' ? { label: 'main-video' } : {}
  if (role === 'content') return { label: contentLabel, content: 'slides' }
  return role === 'video' && withContent ? { label: mainVideoLabel, content: 'main' } : {}
}

const rtpLine = (role: Role, direction: Direction, port: number, style: Style, local: LocalMedia, host: HostAddress, withContent: boolean): MediaDescription => {
  const formats = formatsFor(role, local.codecs ?? allCodecNames, style)
  const { label, content } = labelsFor(role, style, withContent)
  return {
    type: role === 'audio' ? 'audio' : 'video',
    port,
    protocol: style.protocol,
    payloads: formats.map((f) => f.payloadType).join(' '),
    rtp: formats.map((f) => ({ payload: f.payloadType, codec: f.encoding, rate: f.clockRate, ...(f.channels === undefined ? {} : { encoding: f.channels }) })),
    fmtp: formats.flatMap((f) => (f.fmtp === undefined ? [] : [{ payload: f.payloadType, config: f.fmtp }])),
    ...(style.crypto ? { crypto: [{ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80', config: `inline:${newInlineKey('AES_CM_128_HMAC_SHA1_80', local.randomBytes)}|2^31` }] } : {}),
    ...directionAttribute(direction),
    ...iceAttributes(host, style.ice, port, false),
    // RTCP feedback the media worker runs on plain RTP video (rtcp-feedback.ts): not with SRTP (SfB), X-H264UC, or ICE without mux.
    ...(role === 'audio' || style.crypto || style.ice !== undefined ? {} : offeredFeedbackAttributes(formats)),
    ...(label === undefined ? {} : { label }),
    ...(content === undefined ? {} : { invalid: [{ value: `content:${content}` }] }),
  }
}

/** Parley as floor control server, listening (RFC 4145 `passive`), BFCP 1 or 2 over TCP. */
const floorControlLine = (port: number, local: LocalMedia): MediaDescription => {
  const ids = local.floorControl ?? defaultFloorControlIds
  return {
    type: 'application',
    port,
    protocol: 'TCP/BFCP',
    payloads: '*',
    rtp: [],
    fmtp: [],
    setup: 'passive',
    connectionType: 'new',
    bfcpFloorCtrl: 's-only',
    bfcpConfId: String(ids.conferenceId),
    bfcpUserId: String(ids.userId),
    invalid: [{ value: `floorid:${ids.floorId} mstrm:${contentLabel}` }, { value: 'bfcpver:1 2' }],
  }
}

/** An SfB IM session offer: the offerer's URI stays `null` until the answer (PROTOCOLS 1.3). */
const messageLine = (): MediaDescription => ({
  type: 'message',
  port: 5060,
  protocol: 'sip',
  payloads: 'null',
  rtp: [],
  fmtp: [],
  invalid: [{ value: `accept-types:${parleyAcceptTypes}` }],
})

const portFor = (local: LocalMedia, stream: LocalStream): E.Either<OfferError, number> => {
  const port = local.ports[stream]
  return port === undefined ? E.left({ _tag: 'NoLocalPort', stream }) : E.right(port)
}

/** New m-lines for the streams `wanted` asks for and `present` does not have, in a fixed order. */
const newLines = (wanted: MediaAnswer, present: ReadonlySet<string>, style: Style, local: LocalMedia, host: HostAddress): E.Either<OfferError, ReadonlyArray<MediaDescription>> => {
  const lines: MediaDescription[] = []
  for (const role of ['audio', 'video', 'content'] as const) {
    const direction = wanted[role]
    if (direction === undefined || present.has(role)) continue
    // SfB content is RDP or VbSS, not a BFCP-governed video (DESIGN §2): no content line towards it.
    if (role === 'content' && !style.floorControl) continue
    const port = portFor(local, role)
    if (E.isLeft(port)) return port
    lines.push(rtpLine(role, direction, port.right, style, local, host, wanted.content !== undefined && style.floorControl))
    if (role === 'content' && !present.has('floor-control')) {
      const floorPort = portFor(local, 'floorControl')
      if (E.isLeft(floorPort)) return floorPort
      lines.push(floorControlLine(floorPort.right, local))
    }
  }
  if (wanted.chat === true && !present.has('chat') && !style.floorControl) lines.push(messageLine())
  return E.right(lines)
}

const initialOffer = (dialect: OfferDialect, media: MediaAnswer, local: LocalMedia): E.Either<OfferError, string> => {
  const host = hostAddressOf(local.publicHost)
  const sfb = dialect === 'mssip'
  const ice = sfb && host.isIp ? (local.iceCredentials ?? newIceCredentials(local.randomBytes)) : undefined
  const style: Style = { protocol: sfb ? 'RTP/SAVP' : 'RTP/AVP', crypto: sfb, sfbLabels: sfb, floorControl: !sfb, ...(ice === undefined ? {} : { ice }) }
  const lines = newLines(media, new Set(), style, local, host)
  if (E.isLeft(lines)) return lines
  return E.right(write(sessionDescription(local, host, local.session.version, lines.right, ice !== undefined)))
}

/** Which of Parley's streams an m-line of its own previous SDP is. */
const roleOfLine = (m: MediaDescription): string => {
  const type = m.type.toLowerCase()
  if (type === 'audio') return 'audio'
  if (type === 'video') return String((m as { content?: unknown }).content ?? '').toLowerCase() === 'slides' ? 'content' : 'video'
  if (type === 'application' && /BFCP$/i.test(m.protocol)) return 'floor-control'
  if (type === 'message') return 'chat'
  return 'other'
}

const wantedDirection = (media: MediaAnswer, role: string): Direction | undefined =>
  role === 'audio' || role === 'video' || role === 'content' ? media[role] : undefined

const updatedOffer = (previous: string, media: MediaAnswer, local: LocalMedia): E.Either<OfferError, string> => {
  const checked = splitSdp(previous)
  if (E.isLeft(checked)) return checked
  let session: SessionDescription
  try {
    session = parseWithTransform(previous)
  } catch (e) {
    return E.left({ _tag: 'MalformedSdp', reason: e instanceof Error ? e.message : String(e) })
  }
  const host = hostAddressOf(local.publicHost)
  const present = new Set<string>()
  const kept = session.media.map((m): MediaDescription => {
    const role = roleOfLine(m)
    if (m.port === 0) return m
    const direction = wantedDirection(media, role)
    const keep = direction !== undefined || (role === 'floor-control' && media.content !== undefined) || (role === 'chat' && media.chat === true)
    if (!keep) return disabledMedia(m.type, m.protocol, String(m.payloads ?? '').split(' ').filter((p) => p !== ''))
    present.add(role)
    return direction === undefined ? m : { ...m, direction }
  })
  const firstRtp = session.media.find((m) => m.port !== 0 && (m.type === 'audio' || m.type === 'video'))
  const ufrag = firstRtp?.iceUfrag ?? session.iceUfrag
  const pwd = firstRtp?.icePwd ?? session.icePwd
  const sfbLabels = session.media.some((m) => String(m.label ?? '').startsWith('main-'))
  const style: Style = {
    protocol: /SAVP/i.test(firstRtp?.protocol ?? '') ? 'RTP/SAVP' : 'RTP/AVP',
    crypto: (firstRtp?.crypto ?? []).length > 0,
    sfbLabels,
    floorControl: !sfbLabels,
    ...(ufrag === undefined || pwd === undefined ? {} : { ice: { ufrag: String(ufrag), pwd: String(pwd) } }),
  }
  const appended = newLines(media, present, style, local, host)
  if (E.isLeft(appended)) return appended
  // RFC 3264 §8: same origin, version one higher.
  const next: SessionDescription = {
    ...session,
    origin: { ...session.origin, sessionVersion: Number(session.origin.sessionVersion) + 1 },
    media: [...kept, ...appended.right],
  }
  return E.right(write(next))
}

export const buildOffer = (request: OfferRequest): E.Either<OfferError, string> =>
  request._tag === 'Initial' ? initialOffer(request.dialect, request.media, request.local) : updatedOffer(request.previous, request.media, request.local)
