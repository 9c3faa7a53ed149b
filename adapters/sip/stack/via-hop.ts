/**
 * The top Via of a message: what transaction matching (RFC 3261 §17.1.3, §17.2.3) and response
 * routing (§18.2.2, RFC 3581) need, read through SIP.js's Via grammar. Unknown parameters
 * (SfB's `ms-received-port`, `ms-received-cid`) are kept in the text and ignored.
 */
import type { ParseMemo } from './parse-memo.js'

export interface ViaHop {
  /** `UDP`, `TCP`, `TLS` (upper case as sent). */
  readonly transport: string
  /** sent-by host; IPv6 references keep their brackets. */
  readonly host: string
  readonly port: number | undefined
  readonly branch: string | undefined
  readonly received: string | undefined
  /** The `rport` value once filled in (by us, RFC 3581 §4, or a previous hop). */
  readonly rport: number | undefined
  /** `rport` present without a value: the client asks for RFC 3581 symmetric response routing. */
  readonly rportRequested: boolean
  /** The via-parm as text, as it will be copied into responses. */
  readonly text: string
}

interface GrammarVia {
  readonly transport?: string
  readonly host?: string
  readonly port?: number
  readonly branch?: string
  readonly received?: string
  readonly rport?: string
}

const valuelessRport = /;\s*rport\s*(?=;|$)/i
const receivedParam = /;\s*received\s*=\s*[^;]*/i

/** RFC 3261 §8.1.1.7 magic cookie: the branch was made by an RFC 3261 client. */
export const magicCookie = 'z9hG4bK'

export const parseViaHop = (text: string, memo: ParseMemo): ViaHop | undefined => {
  const parsed = memo.parse(text, 'Via')
  if (parsed === -1 || parsed === null || typeof parsed !== 'object') return undefined
  const via = parsed as GrammarVia
  if (via.transport === undefined || via.host === undefined) return undefined
  const rportValue = via.rport === undefined || via.rport === '' ? undefined : Number(via.rport)
  return {
    transport: via.transport.toUpperCase(),
    host: via.host,
    port: via.port,
    branch: via.branch,
    received: via.received,
    rport: rportValue,
    rportRequested: rportValue === undefined && (via.rport === '' || valuelessRport.test(text)),
    text,
  }
}

const bare = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase()

/**
 * RFC 3261 §18.2.1: add `received` when the sent-by host is not the packet's source address;
 * RFC 3581 §4: when `rport` came without a value, fill it with the source port and add
 * `received` even if the address matches.
 */
export const stampViaHop = (hop: ViaHop, source: { readonly host: string; readonly port: number }): ViaHop => {
  const needsReceived = hop.rportRequested || bare(hop.host) !== bare(source.host)
  if (!needsReceived) return hop
  let text = hop.text.replace(receivedParam, '')
  if (hop.rportRequested) text = text.replace(valuelessRport, `;rport=${source.port}`)
  text += `;received=${source.host}`
  return {
    ...hop,
    received: source.host,
    rport: hop.rportRequested ? source.port : hop.rport,
    rportRequested: false,
    text,
  }
}
