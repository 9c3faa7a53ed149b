/**
 * SDP text split into its session part and media sections, with the structure RFC 4566 §5
 * requires checked by hand (version first, an origin, well-formed `m=` and `c=` lines), so
 * that a body that is not SDP is a tagged error and never half-read.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SdpError } from './sdp-error.js'

/** `m=<media> <port>[/<count>] <proto> <fmt> …` */
export interface MLine {
  readonly media: string
  readonly port: number
  readonly protocol: string
  readonly formats: ReadonlyArray<string>
}

export interface RawMedia {
  readonly mLine: MLine
  /** The section's lines after its `m=` line, `x=value` each. */
  readonly lines: ReadonlyArray<string>
}

export interface RawSdp {
  /** Lines before the first `m=`, including `v=`. */
  readonly session: ReadonlyArray<string>
  readonly media: ReadonlyArray<RawMedia>
}

/** Real offers are a few kilobytes (an SfB multipart A/V offer is about 7 KiB). */
export const maxSdpChars = 128 * 1024

const malformed = (reason: string): E.Either<SdpError, never> => E.left({ _tag: 'MalformedSdp', reason })

const typedLine = /^([a-z])=(.*)$/
const mLinePattern = /^(\S+) (\d{1,5})(?:\/\d{1,5})? (\S+)((?: +\S+)+)$/
const originPattern = /^\S+ \S+ \S+ \S+ \S+ \S+$/
const connectionPattern = /^IN IP([46]) ([^\s/]+)(?:\/\d+){0,2}$/

export const parseMLine = (value: string): MLine | undefined => {
  const m = mLinePattern.exec(value.trim())
  if (m === null) return undefined
  const port = Number(m[2])
  if (port > 65535) return undefined
  return { media: m[1] ?? '', port, protocol: m[3] ?? '', formats: (m[4] ?? '').trim().split(/ +/) }
}

export interface Connection {
  readonly ipVersion: 4 | 6
  readonly address: string
}

export const parseConnection = (value: string): Connection | undefined => {
  const m = connectionPattern.exec(value.trim())
  return m === null ? undefined : { ipVersion: m[1] === '6' ? 6 : 4, address: m[2] ?? '' }
}

export const splitSdp = (text: string): E.Either<SdpError, RawSdp> => {
  if (text.length > maxSdpChars) return malformed(`longer than ${maxSdpChars} characters`)
  // Trailing blanks are no part of any value we read (SfB ends candidate lines with a space).
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.trimEnd()).filter((l) => l !== '')
  if (lines[0] !== 'v=0') return malformed('does not start with v=0')
  const session: string[] = []
  const media: Array<{ mLine: MLine; lines: string[] }> = []
  let sawOrigin = false
  for (const [n, line] of lines.entries()) {
    const typed = typedLine.exec(line)
    if (typed === null) return malformed(`line ${n + 1} is not <type>=<value>`)
    const [, type = '', value = ''] = typed
    if (type === 'm') {
      const mLine = parseMLine(value)
      if (mLine === undefined) return malformed(`line ${n + 1}: bad m= line`)
      media.push({ mLine, lines: [] })
      continue
    }
    if (type === 'c' && parseConnection(value) === undefined) return malformed(`line ${n + 1}: bad c= line`)
    const current = media[media.length - 1]
    if (current === undefined) {
      if (type === 'o') {
        if (!originPattern.test(value)) return malformed(`line ${n + 1}: bad o= line`)
        sawOrigin = true
      }
      session.push(line)
    } else current.lines.push(line)
  }
  if (!sawOrigin) return malformed('no o= line')
  return E.right({ session, media })
}

const attributeName = (line: string): string | undefined => {
  if (!line.startsWith('a=')) return undefined
  const colon = line.indexOf(':')
  return (colon < 0 ? line.slice(2) : line.slice(2, colon)).toLowerCase()
}

/** Values of `a=<name>:<value>` lines (attribute names compared case-insensitively). */
export const attributeValues = (lines: ReadonlyArray<string>, name: string): ReadonlyArray<string> =>
  lines.filter((l) => attributeName(l) === name).map((l) => {
    const colon = l.indexOf(':')
    return colon < 0 ? '' : l.slice(colon + 1).trim()
  })

export const hasAttribute = (lines: ReadonlyArray<string>, name: string): boolean => lines.some((l) => attributeName(l) === name)

/** The first `c=` of a section. */
export const connectionOf = (lines: ReadonlyArray<string>): Connection | undefined => {
  const line = lines.find((l) => l.startsWith('c='))
  return line === undefined ? undefined : parseConnection(line.slice(2))
}

/**
 * The lines sdp-transform reads for us. Everything else stays as raw text: it is either read
 * here by hand or not needed, and keeping sdp-transform to these grammars keeps its regexes
 * away from attributes we never use.
 */
const transformedAttributes: ReadonlySet<string> = new Set([
  'rtpmap', 'fmtp', 'crypto', 'candidate', 'ice-ufrag', 'ice-pwd', 'ice-lite', 'sendrecv', 'sendonly', 'recvonly', 'inactive',
  'rtcp', 'rtcp-fb', 'rtcp-mux', 'setup', 'connection', 'label', 'content', 'floorctrl', 'confid', 'userid', 'fingerprint',
])

export const forTransform = (line: string): string | undefined => {
  if (!line.startsWith('a=')) return /^[vostcbm]=/.test(line) ? line : undefined
  // SfB lists IPv6 candidates as a=x-candidate-ipv6 in the a=candidate grammar ([MS-SDPEXT] 3.1.5.x, PROTOCOLS 1.5).
  if (attributeName(line) === 'x-candidate-ipv6') return `a=candidate:${line.slice(line.indexOf(':') + 1)}`
  return transformedAttributes.has(attributeName(line) ?? '') ? line : undefined
}
