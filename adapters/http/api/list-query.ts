/**
 * Paging and filters of the list endpoints, as Pexip's (Tastypie) API has them (DESIGN §6):
 * `?limit=` (default 20; `0` = all) and `?offset=`, filters `?name=`, `?name__contains=`,
 * `?name__icontains=`, `?name__startswith=` on the fields each resource allows, and the `meta`
 * object with the `next` / `previous` page URLs (the same filters kept) or null.
 */
import * as E from 'fp-ts/lib/Either.js'
import { apiPrefix } from '../../../core/config/codecs.js'
import type { ConfigProblem, ResourceName } from '../../../core/config/codecs.js'
import { filterableFields } from '../../store/config-tables.js'
import type { FilterOperator, ListFilter } from '../../store/config-tables.js'

export const defaultLimit = 20

export interface ListQuery {
  /** undefined = no limit (`limit=0`). */
  readonly limit: number | undefined
  readonly offset: number
  readonly filters: ReadonlyArray<ListFilter>
  /** The filter parameters as given, kept in the next/previous URLs. */
  readonly filterParams: ReadonlyArray<readonly [string, string]>
}

export interface ListMeta {
  readonly limit: number
  readonly next: string | null
  readonly offset: number
  readonly previous: string | null
  readonly total_count: number
}

export type QueryParams = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const operators: ReadonlyArray<FilterOperator> = ['exact', 'contains', 'icontains', 'startswith']
const nonNegative = /^(0|[1-9][0-9]{0,8})$/
const conferenceUri = new RegExp(`^${apiPrefix.replace(/\//g, '\\/')}conference\\/([1-9][0-9]{0,15})\\/$`)

/** `?format=json` is what Pexip's own examples send; it is the only format. */
const ignored = new Set(['format'])

export const parseListQuery = (resource: ResourceName, query: QueryParams): E.Either<ReadonlyArray<ConfigProblem>, ListQuery> => {
  const problems: ConfigProblem[] = []
  const single = (key: string): string | undefined => {
    const value = query[key]
    if (value === undefined || typeof value === 'string') return value
    problems.push({ path: key, message: 'may be given once' })
    return undefined
  }
  const count = (key: string, fallback: number): number => {
    const text = single(key)
    if (text === undefined) return fallback
    if (nonNegative.test(text)) return Number(text)
    problems.push({ path: key, message: `expected a whole number, got ${JSON.stringify(text)}` })
    return fallback
  }
  const limit = count('limit', defaultLimit)
  const offset = count('offset', 0)
  if (query['format'] !== undefined && single('format') !== 'json') problems.push({ path: 'format', message: 'only json is offered' })

  const fields = filterableFields[resource]
  const filters: ListFilter[] = []
  const filterParams: Array<readonly [string, string]> = []
  for (const key of Object.keys(query)) {
    if (key === 'limit' || key === 'offset' || ignored.has(key)) continue
    const [field = '', operatorName = 'exact', ...rest] = key.split('__')
    const kind = fields[field]
    const operator = operators.find((o) => o === operatorName)
    if (kind === undefined || operator === undefined || rest.length > 0) {
      problems.push({
        path: key,
        message: `cannot filter on ${JSON.stringify(key)}; filters: ${Object.keys(fields).join(', ')} (exact, or with __${operators.slice(1).join(', __')})`,
      })
      continue
    }
    const value = single(key)
    if (value === undefined) continue
    if (kind === 'conference') {
      const id = /^[1-9][0-9]{0,15}$/.test(value) ? value : conferenceUri.exec(value)?.[1]
      if (id === undefined || operator !== 'exact') {
        problems.push({ path: key, message: `expected a conference resource URI or id, got ${JSON.stringify(value)}` })
        continue
      }
      filters.push({ field, operator, value: Number(id) })
    } else filters.push({ field, operator, value })
    filterParams.push([key, value])
  }
  return problems.length > 0 ? E.left(problems) : E.right({ limit: limit === 0 ? undefined : limit, offset, filters, filterParams })
}

const pageUrl = (path: string, query: ListQuery, limit: number, offset: number): string => {
  const params = new URLSearchParams([...query.filterParams.map(([k, v]): [string, string] => [k, v]), ['limit', String(limit)], ['offset', String(offset)]])
  return `${path}?${params.toString()}`
}

/** `path` is the list's own, e.g. `/api/admin/configuration/v1/conference/`. */
export const listMeta = (path: string, query: ListQuery, total: number): ListMeta => {
  const limit = query.limit
  if (limit === undefined) return { limit: 0, next: null, offset: query.offset, previous: null, total_count: total }
  return {
    limit,
    next: query.offset + limit < total ? pageUrl(path, query, limit, query.offset + limit) : null,
    offset: query.offset,
    previous: query.offset > 0 ? pageUrl(path, query, limit, Math.max(0, query.offset - limit)) : null,
    total_count: total,
  }
}
