/**
 * Reading what the core needs out of a request: the dialled address, the caller, the network
 * source, trust, and the few header values the call and presence handling look at. Pure
 * functions over the parsed request, so that they are specified without sockets.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Party } from '../../../core/model/call.js'
import { parseNameAddr } from '../dialect/name-addr.js'
import { isTrustedPeer } from '../dialect/trusted-peer.js'
import { splitHeaderList } from '../stack/header-list.js'
import type { SipRequest } from '../stack/sip-message.js'
import { header } from '../stack/message-writer.js'
import type { SipHeader } from '../dialect/sip-headers.js'
import type { Flow } from '../transport/transport-types.js'

/** The host of a URI written as text (`sip:user@host:port;params`), without brackets, lower case. */
export const hostOfUri = (uri: string): string | undefined => {
  const withoutScheme = uri.replace(/^[a-z][a-z0-9+.-]*:/i, '')
  const at = withoutScheme.lastIndexOf('@')
  const rest = at < 0 ? withoutScheme : withoutScheme.slice(at + 1)
  const host = rest.startsWith('[') ? rest.slice(1, rest.indexOf(']')) : (rest.split(/[:;?>]/, 1)[0] ?? '')
  return host === '' ? undefined : host.toLowerCase()
}

const hasUser = (uri: string): boolean => /^[a-z][a-z0-9+.-]*:[^@;?]+@/i.test(uri)

/**
 * The address the caller dialled: the Request-URI as received (DESIGN §2 resolution works on
 * it), unless its host is this node itself — a static route with `-ReplaceHostInRequestUri`
 * (PROTOCOLS 1.7) or a softphone dialling `user@<node IP>` puts our own address there — and
 * the To header names a user at another host: then the To URI is what was dialled.
 */
export const dialledAddress = (request: SipRequest, isOwnHost: (host: string) => boolean): string => {
  const requestUri = request.requestUri
  const requestHost = hostOfUri(requestUri)
  if (requestHost === undefined || !isOwnHost(requestHost)) return requestUri
  const to = parseNameAddr(request.getHeader('To') ?? '')
  if (E.isLeft(to)) return requestUri
  const toHost = hostOfUri(to.right.uri)
  return toHost !== undefined && !isOwnHost(toHost) && hasUser(to.right.uri) ? to.right.uri : requestUri
}

/** Hosts that name this node whatever the configuration: loopback. */
const loopbackHosts = ['127.0.0.1', '::1', 'localhost']

export const ownHostCheck =
  (names: ReadonlyArray<string>) =>
  (host: string): boolean => {
    const h = host.toLowerCase()
    return loopbackHosts.includes(h) || names.some((n) => n.toLowerCase() === h)
  }

/** The network address a request came from (no port): what lockouts and `trusted_peers` look at. */
export const sourceOf = (flow: Flow): string => flow.remote.host

/**
 * Trust (DESIGN §2, §3) is a configured peer, never the dialect: SfB-shaped requests from
 * elsewhere are answered in SfB's shapes, but what they assert about identity is not believed.
 * Parley has no user accounts, so no one is challenged: trust only decides whose
 * P-Asserted-Identity (RFC 3325) names the caller.
 */
export const isTrusted = (flow: Flow, trustedPeers: ReadonlyArray<string>): boolean => isTrustedPeer(sourceOf(flow), trustedPeers)

const partyOf = (value: string | undefined): Party | undefined => {
  if (value === undefined) return undefined
  const parsed = parseNameAddr(value)
  return E.isLeft(parsed) ? undefined : { displayName: parsed.right.displayName ?? '', uri: parsed.right.uri }
}

/**
 * The caller: the trusted peer's asserted identity (its first sip/sips one, else its tel one: RFC
 * 3325 §9.1 allows one of each, and a PSTN gateway may assert the number alone), else the From header.
 */
export const callerParty = (request: SipRequest, trusted: boolean): Party => {
  if (trusted) {
    const asserted = request
      .getHeaders('P-Asserted-Identity')
      .flatMap(splitHeaderList)
      .map(partyOf)
      .filter((p): p is Party => p !== undefined)
    const identity = asserted.find((p) => /^sips?:/i.test(p.uri)) ?? asserted.find((p) => /^tel:/i.test(p.uri))
    // The asserted URI is the identity; a gateway that asserts a bare number leaves the name to From (choice).
    if (identity !== undefined) return identity.displayName !== '' ? identity : { displayName: partyOf(request.getHeader('From'))?.displayName ?? '', uri: identity.uri }
  }
  return partyOf(request.getHeader('From')) ?? { displayName: '', uri: '' }
}

/** The watcher of a subscription: the From URI. */
export const fromUri = (request: SipRequest): string => partyOf(request.getHeader('From'))?.uri ?? ''

/** Option tags of every Supported header (long or compact form), lower case. */
export const supportedTags = (request: SipRequest): ReadonlySet<string> =>
  new Set(request.getHeaders('Supported').flatMap(splitHeaderList).map((t) => t.toLowerCase()))

/** The event package of an `Event` header (RFC 6665 §8.2.1), lower case, without parameters. */
export const eventPackage = (request: SipRequest): string | undefined => {
  const value = request.getHeader('Event')
  if (value === undefined) return undefined
  const name = (value.split(';', 1)[0] ?? '').trim().toLowerCase()
  return name === '' ? undefined : name
}

export type ExpiresValue = { readonly _tag: 'Absent' } | { readonly _tag: 'Seconds'; readonly seconds: number } | { readonly _tag: 'Malformed'; readonly value: string }

/** `Expires: <delta-seconds>` (RFC 3261 §20.19). */
export const expiresOf = (request: SipRequest): ExpiresValue => {
  const value = request.getHeader('Expires')
  if (value === undefined) return { _tag: 'Absent' }
  const trimmed = value.trim()
  return /^\d{1,10}$/.test(trimmed) ? { _tag: 'Seconds', seconds: Number(trimmed) } : { _tag: 'Malformed', value }
}

/** RFC 3326 Reason, allowed in responses by RFC 6432: the text says why, for people reading traces. */
export const reasonHeader = (status: number, text: string): SipHeader => header('Reason', `SIP ;cause=${status} ;text="${text.replace(/["\\\r\n]/g, '')}"`)

/** A name-addr for a party: `"Display" <uri>` with the display name quoted (RFC 3261 §25.1). */
export const nameAddrOf = (party: Party): string => {
  const uri = party.uri.includes(':') ? party.uri : `sip:${party.uri}`
  if (party.displayName === '') return `<${uri}>`
  return `"${party.displayName.replace(/[\r\n]/g, ' ').replace(/(["\\])/g, '\\$1')}" <${uri}>`
}
