/**
 * HTTP Basic authentication as `admin` (RFC 7617; DESIGN §6: everything under `/api/` needs
 * it). A failure answers 401 with `WWW-Authenticate: Basic realm="parley"`.
 *
 * The stored password is an scrypt hash, tens of milliseconds of CPU per check; a client that
 * polls would pay that on every request. So the last credentials that passed are remembered as a
 * keyed SHA-256 (the key random per process, compared in constant time) until the stored hash
 * changes. Checks that do run go one at a time, so a flood of wrong passwords occupies one
 * thread of libuv's pool (which the rest of the node shares for files and DNS), not all of them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface AdminCredentialCheck {
  readonly verifyAdmin: (user: string, password: string) => Promise<boolean>
  /** Changes whenever the stored password does. */
  readonly credentialVersion: () => string | undefined
}

export interface BasicCredentials {
  readonly user: string
  readonly password: string
}

export const basicChallenge = 'Basic realm="parley"'

/** RFC 7617 §2: `Basic base64(user-id ":" password)`; the scheme is case-insensitive. */
export const parseBasicAuthorization = (header: string | undefined): BasicCredentials | undefined => {
  const m = /^basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(header ?? '')
  if (m === null) return undefined
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/**
 * Whether a request path is under `/api/`, read the way a lenient router might: %-escapes
 * decoded, repeated slashes collapsed, any case. A path that cannot be decoded is treated as
 * protected.
 */
export const requiresAdmin = (url: string): boolean => {
  const path = url.split('?', 1)[0] ?? ''
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return true
  }
  const normal = decoded.replace(/\/{2,}/g, '/').toLowerCase()
  return normal === '/api' || normal.startsWith('/api/')
}

export class AdminAuthenticator {
  private readonly key = randomBytes(32)
  private remembered: { readonly version: string; readonly digest: Buffer } | undefined
  private pending: Promise<unknown> = Promise.resolve()

  constructor(private readonly check: AdminCredentialCheck) {}

  private digest(c: BasicCredentials): Buffer {
    return createHmac('sha256', this.key).update(c.user).update('\0').update(c.password).digest()
  }

  async accepts(credentials: BasicCredentials | undefined): Promise<boolean> {
    if (credentials === undefined) return false
    const version = this.check.credentialVersion()
    if (version === undefined) return false
    const digest = this.digest(credentials)
    const remembered = this.remembered
    if (remembered !== undefined && remembered.version === version && timingSafeEqual(remembered.digest, digest)) return true
    const verified = this.pending.then(() => this.check.verifyAdmin(credentials.user, credentials.password))
    this.pending = verified.catch(() => false)
    const ok = await verified
    if (ok) this.remembered = { version, digest }
    return ok
  }

  /** A fastify `onRequest` hook: requests under /api/ without valid credentials end here. */
  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!requiresAdmin(request.url)) return undefined
    if (await this.accepts(parseBasicAuthorization(request.headers.authorization))) return undefined
    // Returning the reply ends the request here (fastify: an async hook that has sent).
    return reply.code(401).header('www-authenticate', basicChallenge).send({ error: 'authentication required: HTTP Basic as admin' })
  }
}
