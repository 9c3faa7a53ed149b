/**
 * The administrator's hand on a running wire node: the management API (DESIGN §6,
 * `/api/admin/configuration/v1/`, Basic auth as `admin`). Two uses:
 *
 * - a VMR's own picture is an uploaded image (`PUT .../conference/<id>/avatar/`); the
 *   configuration file only names one by its hash, and the node keeps a hash only for an image
 *   it holds, so the wire world uploads one image per room that has a picture;
 * - a change made while the scenario runs ("the administrator disables the gateway rule") is
 *   sent as the API calls that turn the node's configuration into the new one: objects are
 *   matched by id (the node keeps the ids of the file it was seeded from), removed ones
 *   deleted, changed fields patched, new ones created, the global settings patched.
 */
import { encodePng } from '../../adapters/http/logo/png-encoder.js'

type JsonObject = Record<string, unknown>

const apiBase = '/api/admin/configuration/v1'
const resources = ['conference', 'conference_alias', 'automatic_participant', 'gateway_routing_rule'] as const
type Resource = (typeof resources)[number]

/** A 2×2 PNG of one colour, drawn from `seed`: one distinct picture per room. */
export const pictureFor = (seed: string): Buffer => {
  const hash = [...seed].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
  const pixels = new Uint8Array(16)
  for (let i = 0; i < 4; i += 1) pixels.set([hash & 255, (hash >> 8) & 255, (hash >> 16) & 255, 255], i * 4)
  return encodePng({ width: 2, height: 2, pixels })
}

const objectsOf = (document: unknown, resource: Resource): ReadonlyArray<JsonObject> => {
  const list = (document as Record<string, unknown>)[resource]
  return Array.isArray(list) ? (list as JsonObject[]) : []
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Fields the API computes or takes elsewhere: never sent in a body. */
const notSent = new Set(['id', 'resource_uri', 'avatar'])

export interface ApiCall {
  readonly method: 'POST' | 'PATCH' | 'DELETE' | 'PUT'
  readonly path: string
  readonly body?: JsonObject
  /** An image for `PUT .../avatar/`. */
  readonly image?: Buffer
}

/**
 * The API calls that make a node holding `before` hold `after`. Deletions first (an alias
 * goes before its conference is re-aliased), then changes, then creations; pictures last.
 */
export const changesBetween = (before: unknown, after: unknown): ReadonlyArray<ApiCall> => {
  const calls: ApiCall[] = []
  const beforeGlobal = ((before as JsonObject)['global'] ?? {}) as JsonObject
  const afterGlobal = ((after as JsonObject)['global'] ?? {}) as JsonObject
  const globalChanges = Object.fromEntries(Object.entries(afterGlobal).filter(([k, v]) => !same(beforeGlobal[k], v)))
  if (Object.keys(globalChanges).length > 0) calls.push({ method: 'PATCH', path: `${apiBase}/global/1/`, body: globalChanges })
  for (const resource of [...resources].reverse()) {
    const kept = new Set(objectsOf(after, resource).map((o) => String(o['id'])))
    for (const o of objectsOf(before, resource)) if (!kept.has(String(o['id']))) calls.push({ method: 'DELETE', path: `${apiBase}/${resource}/${String(o['id'])}/` })
  }
  for (const resource of resources) {
    const earlier = new Map(objectsOf(before, resource).map((o) => [String(o['id']), o] as const))
    for (const o of objectsOf(after, resource)) {
      const previous = earlier.get(String(o['id']))
      const fields = Object.fromEntries(Object.entries(o).filter(([k, v]) => !notSent.has(k) && (previous === undefined || !same(previous[k], v))))
      if (previous === undefined) calls.push({ method: 'POST', path: `${apiBase}/${resource}/`, body: { id: o['id'], ...fields } })
      else if (Object.keys(fields).length > 0) calls.push({ method: 'PATCH', path: `${apiBase}/${resource}/${String(o['id'])}/`, body: fields })
    }
  }
  const earlierRooms = new Map(objectsOf(before, 'conference').map((o) => [String(o['id']), o] as const))
  for (const room of objectsOf(after, 'conference')) {
    const picture = room['avatar']
    if (same(earlierRooms.get(String(room['id']))?.['avatar'], picture)) continue
    const path = `${apiBase}/conference/${String(room['id'])}/avatar/`
    calls.push(typeof picture === 'string' ? { method: 'PUT', path, image: pictureFor(picture) } : { method: 'DELETE', path })
  }
  return calls
}

/** The picture uploads a freshly seeded node needs: one per room the document gives a picture. */
export const picturesOf = (document: unknown): ReadonlyArray<ApiCall> =>
  objectsOf(document, 'conference').flatMap((room) =>
    typeof room['avatar'] === 'string' ? [{ method: 'PUT' as const, path: `${apiBase}/conference/${String(room['id'])}/avatar/`, image: pictureFor(room['avatar']) }] : [],
  )

export class AdminApi {
  constructor(
    private readonly baseUrl: string,
    private readonly password: string,
  ) {}

  private get authorization(): string {
    return `Basic ${Buffer.from(`admin:${this.password}`).toString('base64')}`
  }

  /** A GET under the API (the status API's lists), as parsed JSON. */
  async get(path: string): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: this.authorization } })
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`)
    return response.json()
  }

  async send(call: ApiCall): Promise<void> {
    const headers: Record<string, string> = { authorization: this.authorization }
    let body: string | Buffer | undefined
    if (call.image !== undefined) {
      headers['content-type'] = 'image/png'
      body = call.image
    } else if (call.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(call.body)
    }
    const response = await fetch(`${this.baseUrl}${call.path}`, { method: call.method, headers, ...(body === undefined ? {} : { body }) })
    if (!response.ok) throw new Error(`${call.method} ${call.path} ${call.body === undefined ? '' : JSON.stringify(call.body)}: ${response.status} ${await response.text()}`)
  }

  async sendAll(calls: ReadonlyArray<ApiCall>): Promise<void> {
    for (const call of calls) await this.send(call)
  }
}
