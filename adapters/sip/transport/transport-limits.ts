/**
 * Bounds that keep one peer from exhausting the node (memory, file descriptors), named in one
 * place as configuration rather than scattered literals (CONVENTIONS 9).
 */
export interface TransportLimits {
  /** Largest message accepted or sent, head and body together (UDP cannot carry more than 65507). */
  readonly maxMessageBytes: number
  /** Most header lines in one message; more is treated as an attack or a broken peer. */
  readonly maxHeaderCount: number
  /** A TCP/TLS connection with no traffic either way for this long is closed. */
  readonly idleConnectionMs: number
  /** Opening an outbound TCP connection or finishing a TLS handshake may take this long. */
  readonly connectTimeoutMs: number
  /** Most simultaneous TCP plus TLS connections per listener. */
  readonly maxConnections: number
  /** Most connections one source address may hold open to one listener; more are closed at once. */
  readonly maxConnectionsPerSource: number
  /**
   * A message begun on a connection must be complete within this long, however slowly its bytes
   * keep coming (a slow-read "slowloris" peer would otherwise hold the connection and its buffer).
   */
  readonly partialMessageMs: number
  /** SO_RCVBUF for the UDP socket: bursts of presence traffic must not be dropped by the kernel. */
  readonly udpReceiveBufferBytes: number
}

export const defaultTransportLimits: TransportLimits = {
  maxMessageBytes: 64 * 1024,
  maxHeaderCount: 256,
  // Long enough for peers that keep a connection up with RFC 5626 CRLF pings every 30-120 s.
  idleConnectionMs: 10 * 60 * 1000,
  connectTimeoutMs: 10_000,
  maxConnections: 4096,
  // An SfB Front End pool or an SBC opens a few; a hundred from one address is an attack.
  maxConnectionsPerSource: 64,
  // A 64 KB message over a slow link arrives in well under this.
  partialMessageMs: 30_000,
  udpReceiveBufferBytes: 4 * 1024 * 1024,
}
