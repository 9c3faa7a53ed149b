/**
 * Header names as the stack files them: compact forms expanded (RFC 3261 §7.3.3 and the IANA
 * registry) and spelled the way SIP.js's `headerize` spells them, so that
 * `message.getHeader('Supported')` finds a header that arrived as `k:`.
 */
import { headerize } from 'sip.js/lib/core/messages/utils.js'

/** Compact forms registered with IANA ("SIP Parameters", Header Fields). */
const compactForms: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
}

const cache = new Map<string, string>()
const cacheLimit = 1024

/** `v` → `Via`, `call-id` → `Call-ID`, `ms-keep-alive` → `Ms-Keep-Alive`. */
export const canonicalHeaderName = (name: string): string => {
  const known = cache.get(name)
  if (known !== undefined) return known
  const lower = name.toLowerCase()
  const canonical = lower.length === 1 ? compactForms[lower] ?? headerize(lower) : headerize(lower)
  // Header names come from the network: keep the cache from growing without bound.
  if (cache.size < cacheLimit) cache.set(name, canonical)
  return canonical
}
