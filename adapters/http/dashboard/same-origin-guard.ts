/**
 * Cross-site request forgery guard for the whole HTTP server. The dashboard's forms write
 * through the management API with the browser's Basic credentials, which a browser would also
 * attach to a request another site makes it send; so a state-changing request (anything but
 * GET, HEAD, OPTIONS) that a browser marks as coming from another site is refused with 403:
 *
 * - `Sec-Fetch-Site: cross-site` or `same-site` (Fetch Metadata; every current browser sends it);
 * - an `Origin` whose host and port differ from the request's `Host` (RFC 6454 §7; browsers send
 *   Origin on every POST/PUT/PATCH/DELETE), or the opaque origin `null`;
 * - without Origin, a `Referer` from another host and port.
 *
 * A request with none of these headers is not from a browser page (curl, scripts, Pexip API
 * clients) and cannot carry a victim's credentials by accident; it passes. Parley sets no
 * cookies, so there is no cookie for SameSite to protect.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).host.toLowerCase()
  } catch {
    return undefined
  }
}

/** Why the request looks cross-site, or undefined when it does not. */
export const crossSiteReason = (method: string, headers: FastifyRequest['headers']): string | undefined => {
  if (safeMethods.has(method.toUpperCase())) return undefined
  const host = (headers.host ?? '').toLowerCase()
  const site = headers['sec-fetch-site']
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`
  const origin = headers.origin
  if (origin !== undefined) return origin === 'null' || hostOf(origin) !== host ? `Origin ${origin} is not ${host}` : undefined
  const referer = headers.referer
  if (referer !== undefined && hostOf(referer) !== host) return `Referer from another site`
  return undefined
}

const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
  const reason = crossSiteReason(request.method, request.headers)
  if (reason === undefined) return undefined
  request.log.warn({ method: request.method, url: request.url, reason }, 'cross-site request refused')
  return reply.code(403).send({ error: `cross-site request refused (${reason})` })
}

/** As a plugin on the server itself (`skip-override`), so that it covers every route. */
export const sameOriginGuard: FastifyPluginAsync = Object.assign(
  async (app: Parameters<FastifyPluginAsync>[0]) => {
    app.addHook('onRequest', guard)
  },
  { [Symbol.for('skip-override')]: true },
)
