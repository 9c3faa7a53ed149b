/**
 * Test support: the SIP application over the fake network with the real core behind it — the
 * stack, calls and presence, the node runtime stepping the demo configuration (or another),
 * a virtual clock, recording media, an in-memory RTP port allocator, and scripted peers that
 * write SIP by hand. The inputs the SIP side gives the core are recorded on the way.
 */
import { Writable } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import type { CompiledConfig } from '../../../../core/config/compiled.js'
import type { LegId } from '../../../../core/model/ids.js'
import type { Input } from '../../../../core/node/input.js'
import { FakeMedia, sequentialIds } from '../../../../core/ports/fakes/recording-ports.js'
import { VirtualClock } from '../../../../core/ports/fakes/virtual-clock.js'
import { demoPresenceConfig } from '../../../../core/presence/presence-test-config.js'
import type { RtpPortAllocator, RtpPorts, RtpStream } from '../../../media/loopback/loopback-media.js'
import type { FloorControlHook } from '../../../bfcp/floor-control.js'
import type { LegMediaAttacher } from '../../../media/worker/exchange-plan.js'
import { createLogger } from '../../../node/logger.js'
import { NodeRuntime } from '../../../node/node-runtime.js'
import { SipStack } from '../../stack/sip-stack.js'
import type { SipRequest, SipResponse } from '../../stack/sip-message.js'
import { RawPeer, settle } from '../../stack/testing/raw-peer.js'
import { FakeNetwork } from '../../transport/fake-network.js'
import { CallSignalling } from '../call-signalling.js'
import type { SubscriptionLimits } from '../presence-subscriptions.js'
import { PresenceSubscriptions } from '../presence-subscriptions.js'
import { ownHostCheck } from '../request-reading.js'
import { routeRequest } from '../sip-app.js'

/** Ports from a counter; `exhausted` makes every allocation fail. */
export class FakeRtpPorts implements RtpPortAllocator {
  private next = 40000
  exhausted = false
  readonly held = new Map<LegId, Map<RtpStream, number>>()
  readonly released: LegId[] = []

  readonly allocate = async (leg: LegId, streams: ReadonlyArray<RtpStream>): Promise<E.Either<{ readonly _tag: 'NoFreeRtpPort'; readonly min: number; readonly max: number; readonly stream: RtpStream }, RtpPorts>> => {
    if (this.exhausted) return E.left({ _tag: 'NoFreeRtpPort', min: 40000, max: 40001, stream: streams[0] ?? 'audio' })
    const mine = this.held.get(leg) ?? new Map<RtpStream, number>()
    this.held.set(leg, mine)
    for (const s of streams) {
      if (!mine.has(s)) {
        mine.set(s, this.next)
        this.next += 2
      }
    }
    return E.right(Object.fromEntries(streams.map((s) => [s, mine.get(s)])))
  }

  readonly release = (leg: LegId): void => {
    this.held.delete(leg)
    this.released.push(leg)
  }
}

export const parleyAddress = { host: '192.0.2.10', port: 5060 }

export interface AppOptions {
  readonly config?: CompiledConfig
  readonly limits?: Partial<SubscriptionLimits>
  /** What takes each leg's negotiated audio (the media worker); none by default. */
  readonly mediaAttacher?: LegMediaAttacher
  /** BFCP floor control as the SIP side sees it; none by default (BFCP lines get port 0, offers carry no content). */
  readonly floorControl?: FloorControlHook
}

export const startApp = (options: AppOptions = {}) => {
  const network = new FakeNetwork()
  const clock = new VirtualClock(1_000_000)
  const logLines: Array<Record<string, unknown>> = []
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') logLines.push(JSON.parse(line) as Record<string, unknown>)
        done()
      },
    }),
  )
  const stack = new SipStack({ transport: network.endpoint(parleyAddress.host, { udp: 5060, tcp: 5060 }), clock, publicHost: parleyAddress.host, logger })
  const ports = new FakeRtpPorts()
  const media = new FakeMedia()
  const ids = sequentialIds()
  const config = options.config ?? demoPresenceConfig
  const cell: { runtime?: NodeRuntime } = {}
  const trustedPeers = (): ReadonlyArray<string> => (cell.runtime?.config ?? config).source.global.trustedPeers
  const isOwnHost = ownHostCheck([parleyAddress.host])
  const calls = new CallSignalling({ stack, ports, ...(options.mediaAttacher === undefined ? {} : { media: options.mediaAttacher }), ...(options.floorControl === undefined ? {} : { floorControl: options.floorControl }), clock, ids, logger, publicHost: parleyAddress.host, trustedPeers, isOwnHost, randomBytes: (n) => new Uint8Array(n).fill(7) })
  const presence = new PresenceSubscriptions({ clock, ids, logger, trustedPeers, isOwnHost, ...(options.limits === undefined ? {} : { limits: options.limits }) })
  presence.setAvatarSource({ baseUrl: 'http://192.0.2.10:8080', productLogoHash: 'dd90ba47a84f7cfb41d0e9cf6fed420e074d1434' })
  const inputs: Input[] = []
  const recorded = <P extends { readonly onInput: (deliver: (input: Input) => void) => void }>(port: P): P => ({
    ...port,
    onInput: (deliver: (input: Input) => void) =>
      port.onInput((input) => {
        inputs.push(input)
        deliver(input)
      }),
  })
  const runtime = new NodeRuntime({
    config,
    clock,
    signalling: recorded({ onInput: calls.onInput, perform: calls.perform }),
    media,
    presence: recorded({ onInput: presence.onInput, perform: presence.perform }),
    logger,
  })
  cell.runtime = runtime
  stack.onRequest(routeRequest(calls, presence))
  const peer = (host: string, port = 5060) => RawPeer.on(network, host, port)
  const observations = (): ReadonlyArray<Record<string, unknown>> =>
    logLines.filter((l) => l['msg'] === 'observation').map((l) => l['observation'] as Record<string, unknown>)
  return { network, clock, stack, ports, media, calls, presence, runtime, inputs, logLines, observations, peer, settle: () => settle(network) }
}

export type App = ReturnType<typeof startApp>

let callSeq = 0

/** The lines of a request from `peer` to Parley; `extra` headers go before Content-Type. */
export const requestLines = (
  peer: RawPeer,
  method: string,
  uri: string,
  options: { readonly callId?: string; readonly cseq?: number; readonly from?: string; readonly to?: string; readonly extra?: ReadonlyArray<string>; readonly contentType?: string; readonly branch?: string } = {},
): string[] => [
  `${method} ${uri} SIP/2.0`,
  `Via: SIP/2.0/UDP ${peer.host}:${peer.port};branch=${options.branch ?? `z9hG4bK${method}${++callSeq}`}`,
  'Max-Forwards: 70',
  `From: ${options.from ?? `"Carol" <sip:carol@${peer.host}>;tag=c${callSeq}`}`,
  `To: ${options.to ?? `<${uri}>`}`,
  `Call-ID: ${options.callId ?? `call-${callSeq}@${peer.host}`}`,
  `CSeq: ${options.cseq ?? 1} ${method}`,
  `Contact: <sip:carol@${peer.host}:${peer.port}>`,
  ...(options.extra ?? []),
  ...(options.contentType === undefined ? [] : [`Content-Type: ${options.contentType}`]),
]

/** The in-dialog request lines answering `answer` (a 2xx to the peer's INVITE/SUBSCRIBE). */
export const inDialogLines = (peer: RawPeer, answer: SipResponse, method: string, cseq: number, extra: ReadonlyArray<string> = [], contentType?: string): string[] => {
  const contact = /<([^>]+)>/.exec(answer.getHeader('Contact') ?? '')?.[1] ?? `sip:${parleyAddress.host}:${parleyAddress.port}`
  return [
    `${method} ${contact} SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.host}:${peer.port};branch=z9hG4bK${method}${++callSeq}`,
    'Max-Forwards: 70',
    `From: ${answer.getHeader('From') ?? ''}`,
    `To: ${answer.getHeader('To') ?? ''}`,
    `Call-ID: ${answer.callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:carol@${peer.host}:${peer.port}>`,
    ...extra,
    ...(contentType === undefined ? [] : [`Content-Type: ${contentType}`]),
  ]
}

/** Answers a request Parley sent to `peer` with `status`, a To tag and, optionally, a body. */
export const answerRequest = (peer: RawPeer, request: SipRequest, status: number, body?: { readonly contentType: string; readonly content: string }): void => {
  const to = request.getHeader('To') ?? ''
  peer.reply(
    [
      `SIP/2.0 ${status} Answer`,
      ...request.getHeaders('Via').map((v) => `Via: ${v}`),
      `From: ${request.getHeader('From') ?? ''}`,
      `To: ${request.toTag === '' || request.toTag === undefined ? `${to};tag=peer${++callSeq}` : to}`,
      `Call-ID: ${request.callId}`,
      `CSeq: ${request.cseq} ${request.method}`,
      `Contact: <sip:${peer.host}:${peer.port}>`,
      ...(body === undefined ? [] : [`Content-Type: ${body.contentType}`]),
    ],
    body?.content ?? '',
  )
}

export const finalResponses = (peer: RawPeer, method: string): SipResponse[] => peer.responses().filter((r) => r.method === method && r.status >= 200)

export const requestsOf = (peer: RawPeer, method: string): SipRequest[] => peer.requests().filter((r) => r.method === method)
