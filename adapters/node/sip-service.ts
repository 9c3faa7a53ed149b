/**
 * The seam between the node shell and the SIP side (adapters/sip/): the composition root binds
 * one SipService and the node starts it with the HTTP listener, then logs `ready` with the ports
 * it reports (DESIGN §6 "Ready means"). Until a SIP adapter is bound, the node runs without SIP.
 */

import type { MediaStatus } from './node-media.js'

/** The ports actually bound, per transport (PARLEY_SIP_PORT=0 picks each one separately). */
export interface SipPorts {
  readonly udp: number
  readonly tcp: number
  readonly tls: number
  /** What carries the calls' RTP (PARLEY_MEDIA) and how its start went, for the ready line. */
  readonly media?: MediaStatus
}

/** What is already listening when SIP starts (HTTP starts first). */
export interface NodeListening {
  /** The HTTP port actually bound. */
  readonly http: number
  /**
   * `http://<PARLEY_PUBLIC_HOST>:<http port>`: the base of the avatar URLs put in contactCard
   * `photo/uri` and CIPID `icon` (DESIGN §6 "Avatars"; adapters/sip/presence/avatar-link.ts).
   */
  readonly avatarBaseUrl: string
}

export interface SipService {
  /**
   * Opens the UDP, TCP and TLS listeners on PARLEY_BIND and starts handling calls; resolves once
   * every listener answers OPTIONS. Rejects (with every listener it opened closed again) when
   * one cannot be opened, e.g. the port is taken.
   */
  readonly start: (listening: NodeListening) => Promise<SipPorts>
  /** Ends calls and subscriptions as cleanly as it can and closes the listeners. */
  readonly stop: () => Promise<void>
}
