/**
 * The status API (DESIGN §6): `/api/admin/status/v1/conference/` and `/participant/`, lists in
 * the Tastypie shape of the configuration API (`meta` with paging, `objects`), `<id>/` for one
 * object, and exact-match filters on the fields an operator looks things up by
 * (`?name=` for conferences; `?conference=`, `?service_type=`, `?role=`, `?protocol=` for
 * participants). Read-only; everything under `/api/` needs Basic auth as admin (the
 * configuration API's guard covers this plugin's routes too).
 *
 * The objects are built at request time from the running core (live-status.ts); nothing is
 * stored. While no core runs (no SIP adapter bound) the lists are empty.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { defaultLimit, listMeta } from '../api/list-query.js'
import type { ListQuery, QueryParams } from '../api/list-query.js'
import { conferenceStatuses, participantStatuses, statusPrefix } from './live-status.js'
import type { JsonValue, LiveSource, LiveView } from './live-status.js'

type Row = { readonly [key: string]: JsonValue }

interface StatusResource {
  readonly name: 'conference' | 'participant'
  readonly rows: (live: LiveView) => ReadonlyArray<Row>
  readonly filters: ReadonlyArray<string>
}

const resources: ReadonlyArray<StatusResource> = [
  { name: 'conference', rows: conferenceStatuses, filters: ['name', 'id'] },
  { name: 'participant', rows: participantStatuses, filters: ['conference', 'conference_id', 'service_type', 'role', 'protocol', 'display_name', 'id'] },
]

const nonNegative = /^(0|[1-9][0-9]{0,8})$/

type Parsed = { readonly query: ListQuery; readonly filters: ReadonlyArray<readonly [string, string]> } | { readonly problems: Record<string, string[]> }

const parse = (resource: StatusResource, params: QueryParams): Parsed => {
  const problems: Record<string, string[]> = {}
  const filters: Array<readonly [string, string]> = []
  let limit = defaultLimit
  let offset = 0
  for (const [key, raw] of Object.entries(params)) {
    if (raw === undefined || key === 'format') continue
    if (typeof raw !== 'string') {
      problems[key] = ['may be given once']
      continue
    }
    if (key === 'limit' || key === 'offset') {
      if (!nonNegative.test(raw)) problems[key] = [`expected a whole number, got ${JSON.stringify(raw)}`]
      else if (key === 'limit') limit = Number(raw)
      else offset = Number(raw)
    } else if (resource.filters.includes(key)) filters.push([key, raw])
    else problems[key] = [`cannot filter on ${JSON.stringify(key)}; filters: ${resource.filters.join(', ')}`]
  }
  if (Object.keys(problems).length > 0) return { problems }
  return { query: { limit: limit === 0 ? undefined : limit, offset, filters: [], filterParams: filters }, filters }
}

const matches = (row: Row, filters: ReadonlyArray<readonly [string, string]>): boolean =>
  filters.every(([field, value]) => String(row[field]) === value)

export interface StatusApiDeps {
  readonly live: LiveSource
}

export const statusApi =
  (deps: StatusApiDeps): FastifyPluginAsync =>
  async (app) => {
    for (const resource of resources) {
      const listPath = `${statusPrefix}${resource.name}/`
      const list = async (params: QueryParams, reply: FastifyReply): Promise<FastifyReply> => {
        const parsed = parse(resource, params)
        if ('problems' in parsed) return reply.code(400).send({ [resource.name]: parsed.problems })
        const live = deps.live()
        const all = live === undefined ? [] : resource.rows(live).filter((row) => matches(row, parsed.filters))
        const { limit, offset } = parsed.query
        const objects = limit === undefined ? all.slice(offset) : all.slice(offset, offset + limit)
        return reply.header('cache-control', 'no-store').send({ meta: listMeta(listPath, parsed.query, all.length), objects })
      }
      const one = async (id: string, reply: FastifyReply): Promise<FastifyReply> => {
        const live = deps.live()
        const row = live === undefined ? undefined : resource.rows(live).find((r) => r['id'] === id)
        return row === undefined ? reply.code(404).send({ error: `there is no ${resource.name} with id ${id}` }) : reply.header('cache-control', 'no-store').send(row)
      }
      for (const path of [listPath, listPath.slice(0, -1)]) app.get(path, async (request, reply) => list(request.query as QueryParams, reply))
      for (const path of [`${listPath}:id/`, `${listPath}:id`])
        app.get<{ Params: { id: string } }>(path, async (request, reply) => one(request.params.id, reply))
    }
  }
