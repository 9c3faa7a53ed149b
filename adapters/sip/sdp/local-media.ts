/**
 * What Parley's side of a session is made of, handed in by the caller so that building SDP
 * stays a pure function: the address and ports the media side listens on, the session id and
 * version, and a source of random bytes for SRTP keys and ICE credentials.
 */
import { isIP } from 'node:net'
import type { CodecName } from './codecs.js'

/** Parley's streams that need a local port. */
export type LocalStream = 'audio' | 'video' | 'content' | 'floorControl'

export interface IceCredentials {
  readonly ufrag: string
  readonly pwd: string
}

/** The BFCP identifiers Parley, as floor control server, gives a participant (RFC 8856 §4-6). */
export interface FloorControlIds {
  readonly conferenceId: number
  readonly userId: number
  readonly floorId: number
}

export interface LocalMedia {
  /** The address announced in `o=`, `c=` and ICE host candidates (`PARLEY_PUBLIC_HOST`). */
  readonly publicHost: string
  /** Ports the media side listens on; a stream without one is answered with port 0. */
  readonly ports: Readonly<Partial<Record<LocalStream, number>>>
  /** Cryptographically random bytes (SRTP master keys, ICE credentials when none are given). */
  readonly randomBytes: (length: number) => Uint8Array
  readonly iceCredentials?: IceCredentials
  /** `o=` session id and version (RFC 4566 §5.2); the version grows with every new offer. */
  readonly session: { readonly id: string; readonly version: number }
  /** The address Parley answers as (the VMR or gateway alias): SfB IM's `m=message … sip <uri>`. */
  readonly localUri: string
  /** Defaults to conference 1, user 1, floor 1. */
  readonly floorControl?: FloorControlIds
  /** RFC 8122 fingerprint of Parley's certificate, needed for BFCP over TLS/DTLS. */
  readonly fingerprint?: { readonly algorithm: string; readonly value: string }
  /** The codecs the media side runs; all of Parley's by default. */
  readonly codecs?: ReadonlyArray<CodecName>
}

export const defaultFloorControlIds: FloorControlIds = { conferenceId: 1, userId: 1, floorId: 1 }

/**
 * Values written into SDP come from configuration; one with a space or a line break would
 * split a line, which is a bug upstream (configuration is validated before it gets here).
 */
export const assertSdpValue = (what: string, value: string): string => {
  const unsafe = [...value].some((c) => /\s/.test(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  if (value === '' || unsafe) throw new Error(`${what} cannot go into SDP: ${JSON.stringify(value)}`)
  return value
}

export interface HostAddress {
  readonly ipVersion: 4 | 6
  /** Only an IP address can be an ICE candidate (RFC 8445 §5.1.1.1); a host name means no ICE. */
  readonly isIp: boolean
  readonly address: string
}

export const hostAddressOf = (publicHost: string): HostAddress => {
  const host = assertSdpValue('publicHost', publicHost)
  const family = isIP(host)
  return { ipVersion: family === 6 ? 6 : 4, isIp: family !== 0, address: host }
}

/** ICE credentials from random bytes: 8 and 24 ice-chars (RFC 8839 §5.4 asks for 4 and 22 at least). */
export const newIceCredentials = (randomBytes: (length: number) => Uint8Array): IceCredentials => {
  const ufrag = Buffer.from(randomBytes(6)).toString('base64')
  const pwd = Buffer.from(randomBytes(18)).toString('base64')
  if (ufrag.length !== 8 || pwd.length !== 24) throw new Error('randomBytes returned the wrong number of bytes')
  return { ufrag, pwd }
}

/**
 * RFC 8445 §5.1.2.1 priority of a host candidate with the highest local preference:
 * 2^24 * 126 + 2^8 * 65535 + (256 - component).
 */
export const hostCandidatePriority = (component: number): number => 126 * 2 ** 24 + 65535 * 2 ** 8 + (256 - component)
