/**
 * The composition root (CONVENTIONS 8): the only place that knows which adapter implements
 * which port. One ContainerModule per assembly — `live` (real clock, real sockets, RE2) and
 * `sim` (virtual clock, in-memory fakes) — over the same shell bindings. Every binding states
 * its scope; constant values are one instance by construction.
 *
 * What needs I/O before anything can be bound (environment, the configuration store, TLS pair)
 * is done first, in serve.ts, and handed in as `Boot`, so that a bad value stops the process
 * before a single port is opened.
 *
 * The HTTP server carries, besides health and avatars: the same-origin guard, the management
 * API over the store, the status API and the dashboard over the running core (LiveCore), and
 * `/metrics` over the Prometheus registry the runtime and the SIP service count into.
 */
import 'reflect-metadata'
import { Container, ContainerModule } from 'inversify'
import type { ContainerModuleLoadOptions } from 'inversify'
import type { CompiledConfig } from '../../core/config/compiled.js'
import type { Clock } from '../../core/ports/clock.js'
import type { Ids } from '../../core/ports/ids.js'
import type { PatternEngine } from '../../core/ports/pattern-engine.js'
import { jsPatternEngine } from '../../core/ports/fakes/js-pattern-engine.js'
import { FakeMedia, FakePresenceDelivery, FakeSignalling, sequentialIds } from '../../core/ports/fakes/recording-ports.js'
import { VirtualClock } from '../../core/ports/fakes/virtual-clock.js'
import { configurationApi } from '../http/api/configuration-api.js'
import { dashboardRoutes } from '../http/dashboard/dashboard-routes.js'
import { sameOriginGuard } from '../http/dashboard/same-origin-guard.js'
import { createHttpServer } from '../http/http-server.js'
import type { HttpServer } from '../http/http-server.js'
import type { Image } from '../http/logo/product-logo.js'
import { metricsRoutes, PrometheusMetrics } from '../http/metrics/prometheus-metrics.js'
import { statusApi } from '../http/status/status-api.js'
import { re2PatternEngine } from '../regex/re2-pattern-engine.js'
import { createSipService } from '../sip/app/sip-service.js'
import type { LiveSipService } from '../sip/app/sip-service.js'
import type { ConfigStore } from '../store/config-store.js'
import type { Environment } from './env.js'
import { ChangeHub, liveGauges, liveSource, noLiveCore } from './live-core.js'
import type { LiveCore } from './live-core.js'
import type { Logger } from './logger.js'
import { mediaFactoryFor } from './node-media.js'
import type { NodeMediaFactory } from './node-media.js'
import { ParleyNode } from './parley-node.js'
import { randomIds } from './random-ids.js'
import type { SipService } from './sip-service.js'
import { systemClock } from './system-clock.js'
import type { TlsCredentials } from './tls-certificate.js'
import * as Token from './tokens.js'
import type { Versions } from './versions.js'

export type Assembly = 'live' | 'sim'

/** The engine each assembly compiles operator regexes with (also used at boot). */
export const patternEngines: Readonly<Record<Assembly, PatternEngine>> = { live: re2PatternEngine, sim: jsPatternEngine }

export interface Boot {
  readonly env: Environment
  readonly logger: Logger
  readonly versions: Versions
  /** Opened (and seeded if it was empty) by serve; serve closes it after the node stops. */
  readonly store: ConfigStore
  readonly tls: TlsCredentials
  readonly logo: Image
  /** Seconds since the process started. */
  readonly uptime: () => number
}

const bindShell = ({ bind }: ContainerModuleLoadOptions, boot: Boot, assembly: Assembly): void => {
  bind(Token.Environment).toConstantValue(boot.env)
  bind(Token.Logger).toConstantValue(boot.logger)
  bind(Token.Versions).toConstantValue(boot.versions)
  bind(Token.ConfigStore).toConstantValue(boot.store)
  // The core starts with the store's configuration as it is when SIP starts; ParleyNode feeds
  // it every later change.
  bind(Token.CompiledConfig).toDynamicValue(() => boot.store.compiledConfig()).inTransientScope()
  bind(Token.TlsCredentials).toConstantValue(boot.tls)
  bind(Token.ProductLogo).toConstantValue(boot.logo)
  bind(Token.PatternEngine).toConstantValue(patternEngines[assembly])
  bind(Token.AvatarLookup).toConstantValue(boot.store.avatarLookup)
  bind(Token.LiveChanges).toDynamicValue(() => new ChangeHub()).inSingletonScope()
  bind(Token.Metrics)
    .toDynamicValue((ctx) => {
      // Read at scrape time: the live core exists once SIP has started (and in the live
      // assembly it is built from the SIP service, which itself counts into these metrics).
      let core: LiveCore | undefined
      return new PrometheusMetrics({ gauges: () => liveGauges((core ??= ctx.get<LiveCore>(Token.LiveCore))) })
    })
    .inSingletonScope()
  bind(Token.HttpServer)
    .toDynamicValue((ctx): HttpServer => {
      const store = ctx.get<ConfigStore>(Token.ConfigStore)
      const live = liveSource(ctx.get<LiveCore>(Token.LiveCore))
      const changes = ctx.get<ChangeHub>(Token.LiveChanges)
      return createHttpServer({
        logger: ctx.get<Logger>(Token.Logger),
        uptime: boot.uptime,
        versions: { ...ctx.get<Versions>(Token.Versions) },
        logo: ctx.get<Image>(Token.ProductLogo),
        avatars: ctx.get(Token.AvatarLookup),
        routes: [
          sameOriginGuard,
          configurationApi({ store }),
          statusApi({ live }),
          dashboardRoutes({ credentials: store, live, onLiveChange: changes.subscribe, onConfigChange: (listener) => store.subscribe(listener) }),
          metricsRoutes(ctx.get<PrometheusMetrics>(Token.Metrics)),
        ],
      })
    })
    .inSingletonScope()
  bind(Token.ParleyNode).to(ParleyNode).inSingletonScope()
}

/**
 * The node as it runs in production: the SIP adapter (adapters/sip/app/) is bound with one
 * binding, and ParleyNode starts it after HTTP. The media port is what PARLEY_MEDIA names
 * (node-media.ts): the GStreamer worker, or the loopback sink; SIP starts it with the RTP range.
 */
export const live = (boot: Boot): ContainerModule =>
  new ContainerModule((options) => {
    bindShell(options, boot, 'live')
    options.bind(Token.Clock).toConstantValue(systemClock)
    options.bind(Token.Ids).toConstantValue(randomIds)
    options.bind(Token.Media)
      .toDynamicValue((ctx): NodeMediaFactory => {
        const clock = ctx.get<Clock>(Token.Clock)
        return mediaFactoryFor(ctx.get<Environment>(Token.Environment).media, { logger: ctx.get<Logger>(Token.Logger).child({ component: 'media' }), now: () => clock.now() })
      })
      .inSingletonScope()
    options.bind(Token.SipService)
      .toDynamicValue((ctx): SipService =>
        createSipService({
          env: ctx.get<Environment>(Token.Environment), // sipBind, sipPort (UDP+TCP), sipsPort, publicHost
          tls: ctx.get<TlsCredentials>(Token.TlsCredentials), // cert and key PEM for the TLS listener
          logger: ctx.get<Logger>(Token.Logger).child({ component: 'sip' }),
          config: ctx.get<CompiledConfig>(Token.CompiledConfig),
          clock: ctx.get<Clock>(Token.Clock),
          ids: ctx.get<Ids>(Token.Ids),
          metrics: ctx.get<PrometheusMetrics>(Token.Metrics),
          media: ctx.get<NodeMediaFactory>(Token.Media),
        }))
      .inSingletonScope()
    options.bind(Token.LiveCore)
      .toDynamicValue((ctx): LiveCore => {
        const sip = ctx.get<LiveSipService>(Token.SipService)
        return { runtime: () => sip.runtime, media: () => sip.media?.snapshot() ?? [] }
      })
      .inSingletonScope()
  })

/** The same shell over in-memory ports: a virtual clock, sequential ids, recording fakes. */
export const sim = (boot: Boot): ContainerModule =>
  new ContainerModule((options) => {
    bindShell(options, boot, 'sim')
    options.bind(Token.Clock).toDynamicValue(() => new VirtualClock(0)).inSingletonScope()
    options.bind(Token.Ids).toDynamicValue(() => sequentialIds('sim-')).inSingletonScope()
    options.bind(Token.Signalling).toDynamicValue(() => new FakeSignalling()).inSingletonScope()
    options.bind(Token.Media).toDynamicValue(() => new FakeMedia()).inSingletonScope()
    options.bind(Token.PresenceDelivery).toDynamicValue(() => new FakePresenceDelivery()).inSingletonScope()
    // No core runs in this assembly's node (nothing carries calls): status and dashboard are empty.
    options.bind(Token.LiveCore).toConstantValue(noLiveCore)
  })

export const createContainer = (assembly: Assembly, boot: Boot): Container => {
  const container = new Container()
  container.load(assembly === 'live' ? live(boot) : sim(boot))
  return container
}
