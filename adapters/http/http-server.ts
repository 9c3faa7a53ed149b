/**
 * The node's HTTP side (fastify): health and avatars today; the management API and the
 * dashboard (DESIGN §4, §6) are further plugins handed in through `routes`, registered on the
 * same server before it listens.
 */
import Fastify, { LogController } from 'fastify'
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify'
import { avatarRoutes } from './avatar-routes.js'
import type { AvatarLookup } from './avatar-routes.js'
import { healthRoutes } from './health-routes.js'
import type { Health } from './health-routes.js'
import type { Image } from './logo/product-logo.js'

export interface HttpServerOptions {
  readonly logger: FastifyBaseLogger
  readonly uptime: () => number
  readonly versions: Readonly<Record<string, string>>
  readonly logo: Image
  readonly avatars: AvatarLookup
  /** More routes (management API, status, dashboard), each a fastify plugin. */
  readonly routes?: ReadonlyArray<FastifyPluginAsync>
}

export interface HttpServer {
  /** For `inject` in tests and for plugins that need the instance. */
  readonly app: FastifyInstance
  /** Resolves with the port actually bound (`port` 0 = any free port). */
  readonly listen: (host: string, port: number) => Promise<number>
  readonly close: () => Promise<void>
}

export const createHttpServer = (options: HttpServerOptions): HttpServer => {
  // Per-request logging would put every avatar fetch of every SfB client in the log.
  const app = Fastify({ loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }) })
  const health = (): Health => ({
    status: 'ok',
    uptime: Math.round(options.uptime() * 1000) / 1000,
    versions: { ...options.versions, fastify: app.version },
  })
  void app.register(healthRoutes(health))
  void app.register(avatarRoutes({ logo: options.logo, avatars: options.avatars }))
  for (const routes of options.routes ?? []) void app.register(routes)
  return {
    app,
    listen: async (host, port) => {
      await app.listen({ host, port })
      const address = app.server.address()
      if (address === null || typeof address === 'string') throw new Error(`HTTP server bound to ${String(address)}`)
      return address.port
    },
    close: () => app.close(),
  }
}
