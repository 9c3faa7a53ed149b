/**
 * The SIP transport layer as the transaction layer sees it (RFC 3261 §18): bytes in and out,
 * with the flow each message travelled on. Narrow on purpose (CONVENTIONS 2), so that the real
 * node:dgram/net/tls transport and the lossy in-memory fake are interchangeable.
 */
import type { Either } from 'fp-ts/lib/Either.js'
import type { Branded } from '../../../core/model/ids.js'

export type TransportProtocol = 'udp' | 'tcp' | 'tls'

export const transportProtocols: ReadonlyArray<TransportProtocol> = ['udp', 'tcp', 'tls']

/** RFC 3261 §18: only UDP needs retransmissions; TCP and TLS deliver or fail. */
export const isReliable = (protocol: TransportProtocol): boolean => protocol !== 'udp'

/** The transport token of a Via sent-protocol (RFC 3261 §20.42). */
export const viaTransportToken = (protocol: TransportProtocol): string => protocol.toUpperCase()

/** RFC 3261 §19.1.2 default ports: 5060 for sip over UDP/TCP, 5061 for TLS. */
export const defaultPort = (protocol: TransportProtocol): number => (protocol === 'tls' ? 5061 : 5060)

export interface HostPort {
  readonly host: string
  readonly port: number
}

/** One TCP or TLS connection, for the lifetime of its socket. */
export type ConnectionId = Branded<string, 'ConnectionId'>
export const ConnectionId = (s: string): ConnectionId => s as ConnectionId

/** What the far end of a TLS connection proved about itself, for the upper layer to judge. */
export interface PeerCertificate {
  /** Distinguished-name fields of the certificate subject (CN, O, …). */
  readonly subject: Readonly<Record<string, string>>
  /** `DNS:a.example.com, DNS:b.example.com` as Node reports it; absent when the cert has none. */
  readonly subjectAltName?: string
  /** Whether the chain verified against the configured CAs (a client cert is requested, not required). */
  readonly authorized: boolean
  readonly authorizationError?: string
  readonly fingerprint256: string
}

/**
 * The path one message took: which of our listeners, which peer, and for TCP/TLS which
 * connection. A response is sent back on the flow its request came on (RFC 3261 §18.2.2).
 */
export interface Flow {
  readonly protocol: TransportProtocol
  readonly local: HostPort
  readonly remote: HostPort
  readonly connectionId?: ConnectionId
  readonly peerCertificate?: PeerCertificate
}

/** Why a received byte sequence could not be taken as one SIP message (RFC 3261 §18.3). */
export type FramingProblem =
  | { readonly _tag: 'MissingContentLength' }
  | { readonly _tag: 'InvalidContentLength'; readonly value: string }
  | { readonly _tag: 'TruncatedBody'; readonly declared: number; readonly received: number }
  | { readonly _tag: 'MessageTooLarge'; readonly limit: number }
  | { readonly _tag: 'TooManyHeaders'; readonly limit: number }
  | { readonly _tag: 'NoEndOfHeaders' }

export type InboundEvent =
  | { readonly _tag: 'Message'; readonly flow: Flow; readonly head: string; readonly body: Buffer }
  /**
   * The bytes could not be framed. `head` is whatever header text was seen, so that a request
   * can still be answered with 400. On a stream the connection is closed right after the
   * handler returns (the stream cannot be resynchronised), so any answer must be sent from
   * within the handler.
   */
  | { readonly _tag: 'Unframeable'; readonly flow: Flow; readonly head: string; readonly problem: FramingProblem }

/** Where to send: back along a flow, or to an address (opening a connection if need be). */
export type SendTarget =
  | { readonly _tag: 'Flow'; readonly flow: Flow }
  | {
      readonly _tag: 'Destination'
      readonly protocol: TransportProtocol
      readonly host: string
      readonly port: number
      /** TLS server name to present (SNI) and verify; defaults to `host`. */
      readonly serverName?: string
    }

export type TransportError =
  | { readonly _tag: 'ProtocolNotEnabled'; readonly protocol: TransportProtocol }
  | { readonly _tag: 'ConnectionGone'; readonly connectionId: ConnectionId }
  | { readonly _tag: 'ConnectFailed'; readonly host: string; readonly port: number; readonly reason: string }
  | { readonly _tag: 'SendFailed'; readonly reason: string }
  | { readonly _tag: 'MessageTooLarge'; readonly bytes: number; readonly limit: number }
  | { readonly _tag: 'TransportClosed' }

export interface SipTransport {
  /** The protocols with a listener, each with the address and port it actually bound. */
  readonly listening: () => ReadonlyMap<TransportProtocol, HostPort>
  /**
   * Sends one serialised message. When the target names an existing flow (or a connection to
   * the destination is already open) the bytes are handed to the socket before this returns,
   * so that ordering is kept; the promise reports the flow that carried them or why it failed.
   */
  readonly send: (target: SendTarget, bytes: Buffer) => Promise<Either<TransportError, Flow>>
  /** Registers the single consumer of inbound messages. */
  readonly onInbound: (deliver: (event: InboundEvent) => void) => void
  readonly close: () => Promise<void>
}

/** A key naming a remote address per protocol, used to find a connection to reuse. */
export const remoteKey = (protocol: TransportProtocol, host: string, port: number): string =>
  `${protocol}|${host.toLowerCase()}|${port}`

export const describeFlow = (flow: Flow): string =>
  `${flow.protocol}:${flow.remote.host}:${flow.remote.port}${flow.connectionId === undefined ? '' : `#${flow.connectionId}`}`
