/**
 * IPv6 torture messages after RFC 5118 §4 (one per case it describes; the text is ours, written
 * to the shapes each section tests, with Content-Length counted here). Valid ones must be
 * processed; the one with an unbracketed IPv6 reference must be refused with 400 (§4.2).
 */
import type { TortureExpectation } from './rfc4475-cases.js'

export interface Ipv6Case {
  readonly name: string
  readonly section: string
  readonly expect: TortureExpectation
  readonly bytes: Buffer
}

const sdp6 = ['v=0', 'o=assistant 971731711378798081 0 IN IP6 2001:db8::20', 's=Live video feed', 'c=IN IP6 2001:db8::20', 't=0 0', 'm=audio 6000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n')
const sdpMixed = ['v=0', 'o=bob 280744730 28977631 IN IP4 192.0.2.130', 's=', 't=0 0', 'm=audio 22334 RTP/AVP 0', 'c=IN IP4 192.0.2.130', 'm=video 6024 RTP/AVP 96', 'c=IN IP6 2001:db8::1', 'a=rtpmap:96 H264/90000', ''].join('\r\n')

const message = (lines: ReadonlyArray<string>, body = '', contentType = 'application/sdp'): Buffer =>
  Buffer.from([...lines, ...(body === '' ? [] : [`Content-Type: ${contentType}`]), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'), 'latin1')

/** Each case has its own branch: two INVITEs on one branch would be one transaction (RFC 3261 §17.2.3). */
const common = (id: string, method: string, via = `Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bK${id}`): string[] => [
  via,
  'Max-Forwards: 70',
  `From: "Caller" <sip:caller@[2001:db8::1]>;tag=${id}`,
  'To: <sip:user@[2001:db8::10]>',
  `Call-ID: ${id}.rfc5118@[2001:db8::1]`,
  `CSeq: 1 ${method}`,
  'Contact: <sip:caller@[2001:db8::1]>',
]

const processed: TortureExpectation = { _tag: 'Processed' }

export const rfc5118Cases: ReadonlyArray<Ipv6Case> = [
  { name: 'ipv6-good', section: '4.1', expect: processed, bytes: message(['OPTIONS sip:[2001:db8::10] SIP/2.0', ...common('ipv6good', 'OPTIONS')]) },
  {
    name: 'ipv6-bad',
    section: '4.2',
    expect: { _tag: 'Refused', statuses: [400] },
    bytes: message(['OPTIONS sip:2001:db8::10 SIP/2.0', 'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-112', 'Max-Forwards: 70', 'From: "Caller" <sip:caller@[2001:db8::1]>;tag=ipv6bad', 'To: sip:user@2001:db8::10', 'Call-ID: ipv6bad.rfc5118@[2001:db8::1]', 'CSeq: 1 OPTIONS']),
  },
  { name: 'port-ambiguous', section: '4.3', expect: processed, bytes: message(['OPTIONS sip:[2001:db8::10:5070] SIP/2.0', ...common('portamb', 'OPTIONS')]) },
  { name: 'port-unambiguous', section: '4.4', expect: processed, bytes: message(['OPTIONS sip:[2001:db8::10]:5070 SIP/2.0', ...common('portunamb', 'OPTIONS')]) },
  {
    name: 'via-received-param-with-delim',
    section: '4.5',
    expect: processed,
    bytes: message(['OPTIONS sip:[2001:db8::10] SIP/2.0', ...common('viadelim', 'OPTIONS', 'Via: SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-113')]),
  },
  {
    name: 'via-received-param-no-delim',
    section: '4.5',
    expect: processed,
    bytes: message(['OPTIONS sip:[2001:db8::10] SIP/2.0', ...common('vianodelim', 'OPTIONS', 'Via: SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3-114')]),
  },
  { name: 'ipv6-in-sdp', section: '4.6', expect: processed, bytes: message(['INVITE sip:meet.bob@example.com SIP/2.0', ...common('sdp6', 'INVITE')], sdp6) },
  {
    name: 'mult-ip-in-header',
    section: '4.7',
    expect: processed,
    bytes: message([
      'OPTIONS sip:user@[2001:db8::10] SIP/2.0',
      'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-115',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKjhja8781hjuaij65144',
      'Via: SIP/2.0/TCP [2001:db8::9:255];branch=z9hG4bK451jj;received=192.0.2.200',
      ...common('multhdr', 'OPTIONS').slice(1),
    ]),
  },
  { name: 'mult-ip-in-sdp', section: '4.8', expect: processed, bytes: message(['INVITE sip:meet.bob@example.com SIP/2.0', ...common('multsdp', 'INVITE')], sdpMixed) },
  { name: 'ipv4-mapped-ipv6', section: '4.9', expect: processed, bytes: message(['OPTIONS sip:[::ffff:192.0.2.10] SIP/2.0', ...common('mapped', 'OPTIONS')]) },
  { name: 'ipv6-reference-bug-abnf', section: '4.10', expect: processed, bytes: message(['OPTIONS sip:[2001:db8::10:5070];transport=tcp SIP/2.0', ...common('abnf', 'OPTIONS')]) },
]
