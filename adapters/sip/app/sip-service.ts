/**
 * The live SipService (adapters/node/sip-service.ts): opens the UDP, TCP and TLS listeners
 * (PARLEY_SIP_PORT for UDP and TCP, PARLEY_SIPS_PORT for TLS, 0 = any free port per transport),
 * runs the SIP stack over them, and assembles what carries the core's effects — calls and
 * presence over SIP, the media side (PARLEY_MEDIA: the GStreamer worker or the loopback sink,
 * adapters/node/node-media.ts) — around the node runtime that steps the core.
 */
import { isIP } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { CompiledConfig } from '../../../core/config/compiled.js'
import type { Clock } from '../../../core/ports/clock.js'
import type { Ids } from '../../../core/ports/ids.js'
import { loadProductLogo } from '../../http/logo/product-logo.js'
import type { Environment } from '../../node/env.js'
import type { MediaStatus, NodeMedia, NodeMediaFactory } from '../../node/node-media.js'
import { loopbackMediaFactory } from '../../node/node-media.js'
import type { NodeMetricsSink } from '../../node/metrics-sink.js'
import { noMetrics } from '../../node/metrics-sink.js'
import { NodeRuntime } from '../../node/node-runtime.js'
import type { NodeListening, SipPorts, SipService } from '../../node/sip-service.js'
import type { TlsCredentials } from '../../node/tls-certificate.js'
import { defaultAccept, SipStack } from '../stack/sip-stack.js'
import type { SipTimerConfig } from '../stack/sip-timers.js'
import { NodeSipTransport } from '../transport/node-sip-transport.js'
import type { TransportStartError } from '../transport/transport-start-error.js'
import { FloorControl } from '../../bfcp/floor-control.js'
import { CallSignalling } from './call-signalling.js'
import { countedTransport } from './counted-transport.js'
import type { SubscriptionLimits } from './presence-subscriptions.js'
import { PresenceSubscriptions } from './presence-subscriptions.js'
import { isTrusted, ownHostCheck } from './request-reading.js'
import { routeRequest } from './sip-app.js'
import type { LagProbe } from '../guard/event-loop-lag.js'
import { startLagProbe } from '../guard/event-loop-lag.js'
import type { OverloadBounds } from '../guard/overload-guard.js'
import { refuseWhenOverloaded } from '../guard/overload-guard.js'
import { guardedTransport } from '../guard/guarded-transport.js'
import type { SubscribeRate } from '../guard/subscribe-rate.js'
import { limitSubscribeRate } from '../guard/subscribe-rate.js'

export interface SipServiceDeps {
  readonly env: Environment
  readonly tls: TlsCredentials
  readonly logger: Logger
  readonly config: CompiledConfig
  readonly clock: Clock
  readonly ids: Ids
  /** SHA-1 of the served product logo (contactCard photo hash); read from the logo file when absent. */
  readonly productLogoHash?: string
  readonly subscriptionLimits?: Partial<SubscriptionLimits>
  readonly sipTimers?: Partial<SipTimerConfig>
  /** SIP messages, NOTIFYs and the core's observations are counted here (GET /metrics). */
  readonly metrics?: NodeMetricsSink
  /** What carries RTP (PARLEY_MEDIA, chosen by the composition root); the loopback sink when absent. */
  readonly media?: NodeMediaFactory
  /** BFCP floor control (RFC 8855), UDP and TCP on the SIP bind address; 0 or absent = any free port per transport. */
  readonly bfcpPort?: number
  /** Beyond these, new INVITEs and SUBSCRIBEs get 503 (adapters/sip/guard/overload-guard.ts). */
  readonly overload?: Partial<OverloadBounds>
  /** New SUBSCRIBEs per untrusted source (adapters/sip/guard/subscribe-rate.ts). */
  readonly subscribeRate?: Partial<SubscribeRate>
}

/** Body types Parley reads (OPTIONS Accept): the stack's list plus those of presence lists and typing. */
const accepted: ReadonlyArray<string> = [...defaultAccept, 'application/dtmf', 'text/rtf', 'application/adrl+xml', 'application/xml']

/** How long stopping waits for BYEs and final NOTIFYs to be answered. */
const stopGraceMs = 2_000

const describeStartError = (error: TransportStartError): string =>
  error._tag === 'BindFailed' ? `cannot listen on ${error.protocol} ${error.host}:${error.port}: ${error.reason}` : `TLS: ${error.reason}`

interface Running {
  readonly transport: NodeSipTransport
  readonly stack: SipStack
  readonly media: NodeMedia
  readonly mediaStatus: MediaStatus
  readonly calls: CallSignalling
  readonly presence: PresenceSubscriptions
  readonly runtime: NodeRuntime
  readonly lag: LagProbe
  readonly floorControl: FloorControl
}

export class LiveSipService implements SipService {
  private running: Running | undefined

  constructor(private readonly deps: SipServiceDeps) {}

  /** The runtime stepping the core (for the status API and configuration changes); absent until started. */
  get runtime(): NodeRuntime | undefined {
    return this.running?.runtime
  }

  /** What each leg is shown and played (the status API's participant view, issue 7). */
  get media(): NodeMedia | undefined {
    return this.running?.media
  }

  /** Which media carries the calls, and how its start went (for the ready line); absent until started. */
  get mediaStatus(): MediaStatus | undefined {
    return this.running?.mediaStatus
  }

  readonly start = async (listening: NodeListening): Promise<SipPorts> => {
    if (this.running !== undefined) throw new Error('the SIP service is already started')
    const { env, logger, clock, ids, config } = this.deps
    const opened = await NodeSipTransport.open({
      bindHost: env.sipBind,
      ports: { udp: env.sipPort, tcp: env.sipPort, tls: env.sipsPort },
      tls: { cert: this.deps.tls.cert, key: this.deps.tls.key },
      logger,
    })
    if (E.isLeft(opened)) throw new Error(describeStartError(opened.left))
    const transport = opened.right
    const granted = transport.udpReceiveBufferBytes()
    if (granted !== undefined && granted < 4 * 1024 * 1024) logger.warn({ bytes: granted }, 'the kernel granted a smaller UDP receive buffer than 4 MB (net.core.rmem_max)')
    const metrics = this.deps.metrics ?? noMetrics
    const stack = new SipStack({ transport: guardedTransport(countedTransport(transport, metrics), { logger }), clock, publicHost: env.publicHost, logger, accept: accepted, userAgent: 'Parley', ...(this.deps.sipTimers === undefined ? {} : { timers: this.deps.sipTimers }) })
    const global = config.source.global
    const mediaFactory = this.deps.media ?? loopbackMediaFactory(logger.child({ module: 'media' }))
    const { media, status: mediaStatus } = await mediaFactory({ bindHost: env.sipBind, portMin: global.rtpPortMin, portMax: global.rtpPortMax })
    const floor = await FloorControl.open({ bindHost: env.sipBind, port: this.deps.bfcpPort ?? env.bfcpPort ?? 0, clock, logger: logger.child({ module: 'bfcp' }) })
    if (E.isLeft(floor)) throw new Error(`cannot listen for BFCP on ${floor.left.transport} port ${floor.left.port}: ${floor.left.reason}`)
    const floorControl = floor.right
    const cell: { runtime?: NodeRuntime } = {}
    const trustedPeers = (): ReadonlyArray<string> => (cell.runtime?.config ?? config).source.global.trustedPeers
    const isOwnHost = ownHostCheck([env.publicHost, ...(isIP(env.sipBind) !== 0 && env.sipBind !== '0.0.0.0' && env.sipBind !== '::' ? [env.sipBind] : [])])
    const calls = new CallSignalling({ stack, ports: media, ...(media.attacher === undefined ? {} : { media: media.attacher }), clock, ids, logger, publicHost: env.publicHost, trustedPeers, isOwnHost, floorControl })
    const presence = new PresenceSubscriptions({ clock, ids, logger, trustedPeers, isOwnHost, metrics, ...(this.deps.subscriptionLimits === undefined ? {} : { limits: this.deps.subscriptionLimits }) })
    presence.setAvatarSource({ baseUrl: listening.avatarBaseUrl, productLogoHash: this.deps.productLogoHash ?? loadProductLogo().sha1 })
    const runtime = new NodeRuntime({ config, clock, signalling: calls, media: calls.sfbSharing.media(floorControl.media(media)), presence, logger: logger.child({ module: 'core' }), metrics })
    cell.runtime = runtime
    const lag = startLagProbe()
    const readings = { lagMs: lag.current, serverTransactions: () => stack.counts.serverTransactions }
    stack.onRequest(refuseWhenOverloaded({ readings, logger, now: clock.now, ...(this.deps.overload === undefined ? {} : { bounds: this.deps.overload }) }, limitSubscribeRate({ isTrusted: (flow) => isTrusted(flow, trustedPeers()), now: clock.now, logger, ...(this.deps.subscribeRate === undefined ? {} : { rate: this.deps.subscribeRate }) }, routeRequest(calls, presence))))
    this.running = { transport, stack, media, mediaStatus, calls, presence, runtime, floorControl, lag }
    const ports = transport.ports()
    return { udp: ports.udp ?? 0, tcp: ports.tcp ?? 0, tls: ports.tls ?? 0, media: mediaStatus }
  }

  readonly stop = async (): Promise<void> => {
    const running = this.running
    if (running === undefined) return
    this.running = undefined
    await Promise.all([running.calls.endAll(stopGraceMs), running.presence.endAll(stopGraceMs)])
    running.runtime.stop()
    running.lag.stop()
    running.stack.close()
    await running.transport.close()
    await running.media.close()
    await running.floorControl.close()
  }
}

export const createSipService = (deps: SipServiceDeps): LiveSipService => new LiveSipService(deps)
