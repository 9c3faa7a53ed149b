/**
 * Building blocks for the SDP Parley writes (answers and offers), as sdp-transform
 * descriptions. Attributes sdp-transform has no grammar for go in `invalid`, which it writes
 * verbatim after the others.
 */
import type { MediaDescription, SessionDescription } from 'sdp-transform'
import type { Direction } from '../../../core/model/call.js'
import type { HostAddress, IceCredentials, LocalMedia } from './local-media.js'
import { hostCandidatePriority } from './local-media.js'

export type Candidates = NonNullable<MediaDescription['candidates']>

/** Host candidates for RTP (component 1) and, unless RTCP is muxed, RTCP on the next port (component 2). */
export const hostCandidates = (host: HostAddress, port: number, rtcpMux: boolean): Candidates =>
  (rtcpMux ? [1] : [1, 2]).map((component) => ({
    foundation: '1',
    component,
    transport: 'UDP',
    priority: hostCandidatePriority(component),
    ip: host.address,
    port: port + component - 1,
    type: 'host',
  }))

export const iceAttributes = (host: HostAddress, ice: IceCredentials | undefined, port: number, rtcpMux: boolean): Partial<MediaDescription> =>
  ice === undefined || !host.isIp ? {} : { iceUfrag: ice.ufrag, icePwd: ice.pwd, candidates: hostCandidates(host, port, rtcpMux) }

/** An m-line answered or offered with port 0: no attributes, the formats kept (RFC 3264 §6, §8.2). */
export const disabledMedia = (media: string, protocol: string, formats: ReadonlyArray<string>): MediaDescription => ({
  type: media,
  port: 0,
  protocol,
  payloads: formats.join(' '),
  rtp: [],
  fmtp: [],
})

export const directionAttribute = (direction: Direction): Pick<MediaDescription, 'direction'> => ({ direction })

export const sessionDescription = (local: LocalMedia, host: HostAddress, version: number, media: ReadonlyArray<MediaDescription>, iceLite: boolean): SessionDescription => ({
  version: 0,
  origin: { username: '-', sessionId: local.session.id, sessionVersion: version, netType: 'IN', ipVer: host.ipVersion, address: host.address },
  name: 'Parley',
  connection: { version: host.ipVersion, ip: host.address },
  timing: { start: 0, stop: 0 },
  // RFC 8445 §2.5: a lite agent says so at session level; it only answers checks.
  ...(iceLite ? { icelite: 'ice-lite' as const } : {}),
  media: [...media],
})

/** The formats of IM Parley reads (im/message-body.ts) and sends. */
export const parleyAcceptTypes = 'text/plain multipart/alternative text/html text/rtf'
