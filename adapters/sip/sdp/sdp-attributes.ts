/**
 * The SDP attributes parse-sdp.ts reads, taken from the lines splitSdp already split, with
 * sdp-transform's own grammar for each (the same regular expressions, the same
 * `toIntIfInt`, the same "last one wins" and "push one record per line") but looked up by
 * attribute name: sdp-transform tries its ~50 attribute expressions in turn on every line,
 * after parse-sdp had joined the lines back into a text for it to split again. Under the
 * call-rate load that was ~25-35 µs of the ~90 µs an offer took (docs/decisions/0002-sip-hot-path.md).
 *
 * Exactness: every expression of sdp-transform's `a=` grammar starts with a literal attribute
 * name, so the first one that matches a line is the one for the line's name, or none (its
 * catch-all `invalid` then takes the line, which sets nothing read here). A name in other
 * letter case matches none of them either (they are case-sensitive). A property test
 * (sdp-attributes.property.spec.ts) holds parseSdp over this reader to parseSdp over
 * sdp-transform on fixtures and generated offers.
 */
import type { MediaDescription, SessionDescription } from 'sdp-transform'

/** What parse-sdp.ts reads of a media section (sdp-transform's field names and types). */
export type MediaAttributes = Pick<
  MediaDescription,
  'rtp' | 'fmtp' | 'rtcp' | 'rtcpFb' | 'crypto' | 'candidates' | 'iceUfrag' | 'icePwd' | 'direction' | 'rtcpMux' | 'label' | 'setup' | 'bfcpFloorCtrl' | 'bfcpConfId' | 'bfcpUserId'
> & { readonly content?: unknown }

/** What parse-sdp.ts reads of the session part, and the media sections in order. */
export type SessionAttributes = Pick<SessionDescription, 'iceUfrag' | 'icePwd' | 'direction' | 'icelite'> & { readonly media: ReadonlyArray<MediaAttributes> }

type Slot = Record<string, unknown>

/** sdp-transform's number conversion: only what reads back as the same text becomes a number. */
const toIntIfInt = (v: string): string | number => (String(Number(v)) === v ? Number(v) : v)

/** One grammar entry: where its match goes (a list, an object, or one value) and under which names. */
interface Rule {
  readonly reg: RegExp
  readonly key: string
  readonly shape: 'push' | 'object' | 'value'
  readonly names?: ReadonlyArray<string>
}

/** sdp-transform 2.15 lib/grammar.js, the entries for the attributes read here (by attribute name). */
const rules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['rtpmap', { reg: /^rtpmap:(\d*) ([\w\-.]*)(?:\s*\/(\d*)(?:\s*\/(\S*))?)?/, key: 'rtp', shape: 'push', names: ['payload', 'codec', 'rate', 'encoding'] }],
  ['fmtp', { reg: /^fmtp:(\d*) ([\S| ]*)/, key: 'fmtp', shape: 'push', names: ['payload', 'config'] }],
  ['rtcp', { reg: /^rtcp:(\d*)(?: (\S*) IP(\d) (\S*))?/, key: 'rtcp', shape: 'object', names: ['port', 'netType', 'ipVer', 'address'] }],
  ['crypto', { reg: /^crypto:(\d*) ([\w_]*) (\S*)(?: (\S*))?/, key: 'crypto', shape: 'push', names: ['id', 'suite', 'config', 'sessionConfig'] }],
  ['setup', { reg: /^setup:(\w*)/, key: 'setup', shape: 'value' }],
  ['sendrecv', { reg: /^(sendrecv|recvonly|sendonly|inactive)/, key: 'direction', shape: 'value' }],
  ['sendonly', { reg: /^(sendrecv|recvonly|sendonly|inactive)/, key: 'direction', shape: 'value' }],
  ['recvonly', { reg: /^(sendrecv|recvonly|sendonly|inactive)/, key: 'direction', shape: 'value' }],
  ['inactive', { reg: /^(sendrecv|recvonly|sendonly|inactive)/, key: 'direction', shape: 'value' }],
  ['ice-lite', { reg: /^(ice-lite)/, key: 'icelite', shape: 'value' }],
  ['ice-ufrag', { reg: /^ice-ufrag:(\S*)/, key: 'iceUfrag', shape: 'value' }],
  ['ice-pwd', { reg: /^ice-pwd:(\S*)/, key: 'icePwd', shape: 'value' }],
  [
    'candidate',
    {
      reg: /^candidate:(\S*) (\d*) (\S*) (\d*) (\S*) (\d*) typ (\S*)(?: raddr (\S*) rport (\d*))?(?: tcptype (\S*))?(?: generation (\d*))?(?: network-id (\d*))?(?: network-cost (\d*))?/,
      key: 'candidates',
      shape: 'push',
      names: ['foundation', 'component', 'transport', 'priority', 'ip', 'port', 'type', 'raddr', 'rport', 'tcptype', 'generation', 'network-id', 'network-cost'],
    },
  ],
  // sdp-transform tries its `trr-int` entry first: a line it takes is no `rtcpFb` record.
  ['rtcp-fb', { reg: /^rtcp-fb:(\*|\d*) (?!trr-int )([\w\-_]*)(?: ([\w\-_]*))?/, key: 'rtcpFb', shape: 'push', names: ['payload', 'type', 'subtype'] }],
  ['rtcp-mux', { reg: /^(rtcp-mux)/, key: 'rtcpMux', shape: 'value' }],
  ['label', { reg: /^label:(.+)/, key: 'label', shape: 'value' }],
  ['content', { reg: /^content:(.+)/, key: 'content', shape: 'value' }],
  ['floorctrl', { reg: /^floorctrl:(c-only|s-only|c-s)/, key: 'bfcpFloorCtrl', shape: 'value' }],
  ['confid', { reg: /^confid:(\d+)/, key: 'bfcpConfId', shape: 'value' }],
  ['userid', { reg: /^userid:(\d+)/, key: 'bfcpUserId', shape: 'value' }],
])

const attach = (match: RegExpExecArray, target: Slot, names: ReadonlyArray<string>): void => {
  for (let i = 0; i < names.length; i++) {
    const value = match[i + 1]
    if (value !== undefined) target[names[i]!] = toIntIfInt(value)
  }
}

/** Reads one `a=` line (without `a=`) into `slot` as sdp-transform would. */
const readAttribute = (content: string, slot: Slot): void => {
  const colon = content.indexOf(':')
  const rule = rules.get(colon < 0 ? content : content.slice(0, colon))
  if (rule === undefined) return
  const match = rule.reg.exec(content)
  if (match === null) return
  switch (rule.shape) {
    case 'value':
      slot[rule.key] = toIntIfInt(match[1] ?? '')
      return
    case 'object': {
      const target = (slot[rule.key] ??= {}) as Slot
      attach(match, target, rule.names ?? [])
      return
    }
    case 'push': {
      const record: Slot = {}
      attach(match, record, rule.names ?? [])
      ;((slot[rule.key] ??= []) as Slot[]).push(record)
    }
  }
}

/** SfB lists IPv6 candidates as `a=x-candidate-ipv6` in the `a=candidate` grammar ([MS-SDPEXT]; sdp-text.ts `forTransform`). */
const sfbIpv6Candidate = 'x-candidate-ipv6'

const readLines = (lines: ReadonlyArray<string>, slot: Slot): void => {
  for (const line of lines) {
    if (line.charCodeAt(0) !== 0x61 /* a */ || line.charCodeAt(1) !== 0x3d /* = */) continue
    const colon = line.indexOf(':')
    if (colon === 2 + sfbIpv6Candidate.length && line.slice(2, colon).toLowerCase() === sfbIpv6Candidate) readAttribute(`candidate:${line.slice(colon + 1)}`, slot)
    else readAttribute(line.slice(2), slot)
  }
}

/** The attributes of a split SDP: session lines into the session, each section's into its media entry. */
export const readAttributes = (session: ReadonlyArray<string>, media: ReadonlyArray<{ readonly lines: ReadonlyArray<string> }>): SessionAttributes => {
  const sessionSlot: Slot = {}
  readLines(session, sessionSlot)
  const sections: MediaAttributes[] = []
  for (const section of media) {
    const slot: Slot = { rtp: [], fmtp: [] }
    readLines(section.lines, slot)
    sections.push(slot as unknown as MediaAttributes)
  }
  return { ...(sessionSlot as Partial<SessionAttributes>), media: sections }
}
