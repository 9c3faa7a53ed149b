/**
 * Where a request goes next (RFC 3261 §8.1.2, §12.2.1.1, §16.12): the first Route when there is
 * a route set, else the Request-URI. Transport from the URI's `transport` parameter (`sips:`
 * means TLS), port from the URI or the protocol default, host from `maddr` or the host part.
 *
 * Names are handed to the transport as they are (node resolves A/AAAA records); RFC 3263
 * NAPTR/SRV lookups are not done: SfB static routes and trunk peers name host and port.
 */
import type { URI } from 'sip.js/lib/grammar/uri.js'
import { defaultPort, type TransportProtocol } from '../transport/transport-types.js'
import { parseHeaderValue } from './fast-header-values.js'
import type { ParseMemo } from './parse-memo.js'

export interface Destination {
  readonly protocol: TransportProtocol
  readonly host: string
  readonly port: number
  readonly serverName?: string
}

/**
 * The URI of a header value (Route, Contact): inside `<...>`, or up to the first `;` of a bare
 * addr-spec, whose `;params` are header parameters (RFC 3261 §20.10).
 */
export const uriText = (nameAddrOrUri: string): string => {
  const open = nameAddrOrUri.indexOf('<')
  if (open === -1) {
    const semi = nameAddrOrUri.indexOf(';')
    return (semi === -1 ? nameAddrOrUri : nameAddrOrUri.slice(0, semi)).trim()
  }
  const close = nameAddrOrUri.indexOf('>', open)
  return nameAddrOrUri.slice(open + 1, close === -1 ? undefined : close).trim()
}

const protocolOf = (uri: URI, available: ReadonlySet<TransportProtocol>): TransportProtocol | undefined => {
  const param = uri.getParam('transport')
  if (uri.scheme === 'sips') return 'tls'
  if (typeof param === 'string') {
    const p = param.toLowerCase()
    return p === 'udp' || p === 'tcp' || p === 'tls' ? p : undefined
  }
  // RFC 3263 §4.1 without NAPTR: UDP for sip:, falling back to what we listen on.
  if (available.has('udp')) return 'udp'
  if (available.has('tcp')) return 'tcp'
  return available.has('tls') ? 'tls' : undefined
}

/** Destination for a URI (a Request-URI, or `uriText` of a Route); undefined when it is not a usable sip(s) URI. */
export const destinationOf = (uri: string, memo: ParseMemo, available: ReadonlySet<TransportProtocol>): Destination | undefined => {
  const parsed = parseHeaderValue(uri, 'SIP_URI', memo)
  if (parsed === -1 || parsed === null || typeof parsed !== 'object') return undefined
  const sipUri = parsed as URI
  const protocol = protocolOf(sipUri, available)
  if (protocol === undefined) return undefined
  const maddr = sipUri.getParam('maddr')
  const rawHost = typeof maddr === 'string' && maddr !== '' ? maddr : sipUri.host
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost
  return { protocol, host, port: sipUri.port ?? defaultPort(protocol), serverName: sipUri.host }
}

/** A route entry without `lr` names a strict router (RFC 3261 §12.2.1.1). */
export const isLooseRoute = (route: string, memo: ParseMemo): boolean => {
  const parsed = parseHeaderValue(uriText(route), 'SIP_URI', memo)
  return parsed !== -1 && parsed !== null && typeof parsed === 'object' && (parsed as URI).hasParam('lr')
}
