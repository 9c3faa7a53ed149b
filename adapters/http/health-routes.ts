/** `GET /healthz` (DESIGN §6 "Ready means"): 200 with status, uptime and versions; no auth. */
import type { FastifyPluginAsync } from 'fastify'

export interface Health {
  readonly status: 'ok'
  /** Seconds since the node started. */
  readonly uptime: number
  readonly versions: Readonly<Record<string, string>>
}

export const healthRoutes =
  (health: () => Health): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send(health()))
  }
