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

const token = "[A-Za-z0-9.!%*_+`'~-]+"
/** RFC 3261 §25.1 via-parm in its common shape: sent-protocol, sent-by, `;name[=value]` params. */
const viaShape = new RegExp(
  `^SIP\\s*/\\s*2\\.0\\s*/\\s*(${token})\\s+(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?:\\s*:\\s*([0-9]{1,5}))?` +
    `((?:\\s*;\\s*${token}(?:\\s*=\\s*(?:[A-Za-z0-9.!%*_+\`'~:-]+|"(?:[^"\\\\]|\\\\.)*"))?)*)$`,
)
const viaParam = new RegExp(`;\\s*(${token})(?:\\s*=\\s*("(?:[^"\\\\]|\\\\.)*"|[^;\\s]+))?`, 'g')
const ipv4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/
const wholeToken = new RegExp(`^${token}$`)
const dottedDigits = /^[0-9.]+$/
const ipv6ish = /^[0-9A-Fa-f:.]+$/
const portDigits = /^[0-9]{1,5}$/

/**
 * The top Via is different in every request (its branch), so the memo cannot help with it; SIP.js's
 * grammar costs 100-400 µs a call (it rebuilds its constant table each time). This reads the
 * common shape directly and returns undefined for anything unusual, which then goes to the
 * grammar; a property test holds the two to the same answers.
 */
export const fastViaHop = (text: string): ViaHop | undefined => {
  const m = viaShape.exec(text)
  if (m === null) return undefined
  const [, transport = '', host = '', portText, params = ''] = m
  const port = portText === undefined ? undefined : Number(portText)
  if (port !== undefined && port > 65535) return undefined
  // A dotted-quad must be an IPv4 address; the grammar reads 999.1.1.1 differently.
  if (dottedDigits.test(host) && (!ipv4.test(host) || host.split('.').some((o) => Number(o) > 255))) return undefined
  let branch: string | undefined
  let received: string | undefined
  let rport: number | undefined
  let rportRequested = false
  // Names seen so far, `;`-joined: Vias carry a handful of parameters, so a string beats a Set.
  let seen = ';'
  viaParam.lastIndex = 0
  for (let p = viaParam.exec(params); p !== null; p = viaParam.exec(params)) {
    const name = (p[1] ?? '').toLowerCase()
    const value = p[2]
    if (seen.includes(`;${name};`)) return undefined // a repeated parameter: the grammar decides
    seen += `${name};`
    if (name === 'branch') {
      if (value === undefined || !wholeToken.test(value)) return undefined
      branch = value
    } else if (name === 'received') {
      if (value === undefined || !(ipv4.test(value) || ipv6ish.test(value))) return undefined
      received = value
    } else if (name === 'rport') {
      if (value === undefined) rportRequested = true
      else if (portDigits.test(value) && Number(value) <= 65535) rport = Number(value)
      else return undefined
    } else if (name === 'ttl' || name === 'maddr') {
      return undefined // rare: left to the grammar's stricter rules
    }
  }
  return { transport: transport.toUpperCase(), host, port, branch, received, rport, rportRequested, text }
}

export const parseViaHop = (text: string, memo: ParseMemo): ViaHop | undefined => fastViaHop(text) ?? grammarViaHop(text, memo)

/** The top Via through SIP.js's grammar (behind the memo). */
export const grammarViaHop = (text: string, memo: ParseMemo): ViaHop | undefined => {
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
