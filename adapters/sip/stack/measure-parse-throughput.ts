/**
 * Messages parsed per second, side by side in one run (DESIGN §5 benchmarks): SIP.js's own
 * `Parser.parseMessage` (before), our parser with the memo off, and with it on (after). Every
 * variant starts from the datagram bytes and ends with the same headers parsed (SIP.js parses
 * Contact, Record-Route, Content-Type and Max-Forwards eagerly; ours does when asked, so they
 * are asked for). The corpus is SfB- and SIP-shaped traffic from 40 peers: values repeat per
 * peer (To, Contact, Record-Route, CSeq, start lines) and change per call or transaction
 * (Call-ID, Via branch, From tag), as they do on a node.
 *
 * Why the memo pays so much: SIP.js's generated PEG parser rebuilds its table of several hundred
 * constants (regexes, expectation objects) on every `Grammar.parse` call, 100-400 µs each.
 *
 * Run: `node --import tsx adapters/sip/stack/measure-parse-throughput.ts` (bench/ may import
 * `measureParseThroughput`).
 */
import { Parser } from 'sip.js/lib/core/messages/parser.js'
import type { Logger as SipJsLogger } from 'sip.js/lib/core/log/logger.js'
import { frameDatagram } from '../transport/datagram-framer.js'
import { defaultTransportLimits } from '../transport/transport-limits.js'
import { parseMessage } from './message-parser.js'
import { createParseMemo } from './parse-memo.js'

export interface ThroughputResult {
  readonly name: string
  readonly messagesPerSecond: number
}

const sdp = 'v=0\r\no=- 0 0 IN IP4 10.1.1.20\r\ns=session\r\nc=IN IP4 10.1.1.20\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n'

const corpus = (): Buffer[] => {
  const messages: string[] = []
  // 4000 calls: the values unique to a call or a transaction (about 28 000) far outnumber the
  // memo's 4096 entries, so they miss every time, as fresh traffic does; per-peer values hit.
  for (let call = 0; call < 4000; call++) {
    const peer = call % 40
    const user = `user${peer}`
    const tag = `t${peer}x${call}`
    const callId = `c${call}d9e8f7a6b5c4@10.1.${peer}.20`
    const via = (n: number) => `Via: SIP/2.0/TLS 10.1.1.5:5061;branch=z9hG4bK${call}n${n}a7f;ms-received-port=5061;ms-received-cid=${peer}A00`
    const from = `From: "User ${peer}" <sip:${user}@contoso.com>;tag=${tag};epid=${peer}e1d2`
    const common = [
      'Max-Forwards: 70',
      `Record-Route: <sip:fe0${peer % 3}.contoso.com:5061;transport=tls;opaque=state:T;lr;ms-route-sig=aa${peer}QsN3Gz>`,
      `Contact: <sip:${user}@contoso.com;opaque=user:epid:Zt9T${peer}EcJq;gruu>`,
      'User-Agent: UCCAPI/16.0.4549.1000 OC/16.0.4549.1000 (Skype for Business)',
    ]
    const req = (method: string, n: number, to: string, extra: string[], body = '') =>
      [`${method} sip:meet.alice@example.com SIP/2.0`, via(n), from, to, `Call-ID: ${callId}`, `CSeq: ${n} ${method}`, ...common, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n')
    const toNoTag = 'To: <sip:meet.alice@example.com>'
    const toTag = `To: <sip:meet.alice@example.com>;tag=r${call}`
    messages.push(req('INVITE', 1, toNoTag, ['Content-Type: application/sdp', 'Supported: ms-dialog-route-set-update, timer'], sdp))
    messages.push(['SIP/2.0 200 OK', via(1), from, toTag, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', 'Contact: <sip:meet.alice@192.0.2.10:5061;transport=tls>', 'Content-Length: 0', '', ''].join('\r\n'))
    messages.push(req('ACK', 1, toTag, []))
    messages.push(req('INFO', 2, toTag, ['Content-Type: application/dtmf-relay'], 'Signal=5\r\nDuration=160\r\n'))
    messages.push(req('SUBSCRIBE', 3, toNoTag, ['Event: presence', 'Require: adhoclist, categoryList', 'Supported: eventlist']))
    messages.push(req('BYE', 4, toTag, []))
  }
  return messages.map((m) => Buffer.from(m, 'utf8'))
}

const silent: SipJsLogger = { error: () => undefined, warn: () => undefined, log: () => undefined, debug: () => undefined } as unknown as SipJsLogger

const rate = (name: string, messages: ReadonlyArray<Buffer>, parseOne: (bytes: Buffer) => void, seconds: number): ThroughputResult => {
  // Warm-up on messages the timed run does not start with: values unique to them stay unseen.
  for (let i = messages.length - 300; i < messages.length; i++) parseOne(messages[i] ?? Buffer.alloc(0))
  let parsed = 0
  const start = process.hrtime.bigint()
  const budget = BigInt(Math.round(seconds * 1e9))
  while (process.hrtime.bigint() - start < budget && parsed < messages.length - 300) {
    for (let i = 0; i < 50; i++) parseOne(messages[parsed++] ?? Buffer.alloc(0))
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9
  return { name, messagesPerSecond: Math.round(parsed / elapsed) }
}

const ours = (memoCapacity: number) => {
  const memo = createParseMemo(memoCapacity)
  return (bytes: Buffer): void => {
    const frame = frameDatagram(bytes, defaultTransportLimits)
    if (frame._tag !== 'Message') throw new Error('corpus message did not frame')
    const parsed = parseMessage(frame.head, frame.body, memo)
    if (parsed._tag === 'Left') throw new Error(`corpus message did not parse: ${parsed.left.problem._tag}`)
    const message = parsed.right
    message.parseHeader('Contact')
    message.parseHeader('Record-Route')
    message.parseHeader('Content-Type')
    message.parseHeader('Max-Forwards')
  }
}

export const measureParseThroughput = (secondsEach = 1): ReadonlyArray<ThroughputResult> => {
  const messages = corpus()
  return [
    rate('SIP.js Parser.parseMessage', messages, (bytes) => {
      if (Parser.parseMessage(bytes.toString('utf8'), silent) === undefined) throw new Error('SIP.js did not parse the corpus')
    }, secondsEach),
    rate('Parley parser, memo off', messages, ours(0), secondsEach),
    rate('Parley parser, memo 4096', messages, ours(4096), secondsEach),
  ]
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const results = measureParseThroughput(Number(process.env['SECONDS_EACH'] ?? 2))
  const base = results[0]?.messagesPerSecond ?? 1
  for (const r of results) process.stdout.write(`${r.name.padEnd(30)} ${String(r.messagesPerSecond).padStart(9)} msg/s  x${(r.messagesPerSecond / base).toFixed(2)}\n`)
}
