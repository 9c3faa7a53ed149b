/**
 * One write per API verb, as steps of a store transaction: the checks that can name the field
 * at fault before anything is written (unique names and aliases, relations that must exist),
 * then the SQL. Whatever else could be wrong is found when the store validates the whole
 * resulting configuration before it commits; `Blame` says which object of the request each
 * written row stands for, so that such a problem is reported at the request's own field.
 */
import * as E from 'fp-ts/lib/Either.js'
import { configuredAliasKey, resourceUri } from '../../core/config/codecs.js'
import type {
  AutomaticParticipantResource,
  ConferenceAliasResource,
  ConferenceResource,
  ConfigProblem,
  GatewayRoutingRuleResource,
  GlobalResource,
  ResourceName,
} from '../../core/config/codecs.js'
import type { ConfigTables, StoredImage } from './config-tables.js'

export type StoreWriteError =
  | { readonly _tag: 'NotFound'; readonly resource: ResourceName; readonly id: number }
  /** Paths are relative to the object written (`aliases[1].alias`); `''` = not one field. */
  | { readonly _tag: 'Rejected'; readonly problems: ReadonlyArray<ConfigProblem> }
  | { readonly _tag: 'StoreFailed'; readonly reason: string }

/** A written row and where in the request it came from (`''` = the object itself). */
export interface Blame {
  readonly resource: ResourceName | 'global'
  readonly id: number
  readonly prefix: string
}

export interface Written {
  readonly id: number
  readonly blame: ReadonlyArray<Blame>
}

/** The decoded object each resource is written from. */
export interface ResourceValues {
  readonly conference: ConferenceResource
  readonly conference_alias: ConferenceAliasResource
  readonly automatic_participant: AutomaticParticipantResource
  readonly gateway_routing_rule: GatewayRoutingRuleResource
}

export interface ResourceWriter<R extends ResourceName> {
  readonly create: (tables: ConfigTables, value: ResourceValues[R]) => E.Either<StoreWriteError, Written>
  readonly replace: (tables: ConfigTables, id: number, value: ResourceValues[R]) => E.Either<StoreWriteError, Written>
}

const rejected = (problems: ReadonlyArray<ConfigProblem>): StoreWriteError => ({ _tag: 'Rejected', problems })
const notFound = (resource: ResourceName, id: number): StoreWriteError => ({ _tag: 'NotFound', resource, id })
const quoted = (s: string): string => JSON.stringify(s)

interface PlannedAlias {
  readonly alias: string
  readonly description: string
  readonly key: string
}

/**
 * Aliases must be dialable and unique across all VMRs by their matching key (DESIGN §2, §6 "a
 * duplicate alias is a 400"); `owner` is the conference that may already hold them.
 */
const planAliases = (
  tables: ConfigTables,
  aliases: ReadonlyArray<{ readonly alias: string; readonly description: string }>,
  owner: number | undefined,
  pathOf: (index: number) => string,
  problems: ConfigProblem[],
): ReadonlyArray<PlannedAlias> => {
  const listed = new Map<string, number>()
  return aliases.flatMap((a, j): PlannedAlias[] => {
    const path = pathOf(j)
    const key = configuredAliasKey(a.alias)
    if (E.isLeft(key)) {
      problems.push({ path, message: key.left })
      return []
    }
    const earlier = listed.get(key.right)
    if (earlier !== undefined) {
      problems.push({ path, message: `the alias ${quoted(a.alias)} is already listed at ${pathOf(earlier)}` })
      return []
    }
    listed.set(key.right, j)
    const holder = tables.aliasWithKey(key.right)
    if (holder !== undefined && holder.conference_id !== owner) {
      problems.push({
        path,
        message: `the alias ${quoted(a.alias)} is already used by ${resourceUri('conference', holder.conference_id)} (as ${quoted(holder.alias)})`,
      })
      return []
    }
    return [{ alias: a.alias, description: a.description, key: key.right }]
  })
}

const checkConferenceName = (tables: ConfigTables, name: string, self: number | undefined, problems: ConfigProblem[]): void => {
  const other = tables.conferenceNamed(name)
  if (other !== undefined && other.id !== self)
    problems.push({ path: 'name', message: `the name ${quoted(name)} is already used by ${resourceUri('conference', other.id)}` })
}

/** A conference's aliases become exactly `planned`; an alias kept by key keeps its id. */
const setConferenceAliases = (tables: ConfigTables, conference: number, planned: ReadonlyArray<PlannedAlias>): ReadonlyArray<Blame> => {
  const existing = new Map(tables.aliasesOf(conference).map((row) => [row.alias_key, row.id]))
  const wanted = new Set(planned.map((a) => a.key))
  for (const [key, id] of existing) if (!wanted.has(key)) tables.delete('conference_alias', id)
  return planned.map((a, j): Blame => {
    const value = { conference, alias: a.alias, description: a.description }
    const kept = existing.get(a.key)
    if (kept !== undefined) tables.updateAlias(kept, value, a.key)
    const id = kept ?? tables.insertAlias(value, a.key)
    return { resource: 'conference_alias', id, prefix: `aliases[${j}]` }
  })
}

const conferenceWriter: ResourceWriter<'conference'> = {
  create: (tables, c) => {
    const problems: ConfigProblem[] = []
    checkConferenceName(tables, c.name, undefined, problems)
    const planned = planAliases(tables, c.aliases, undefined, (j) => `aliases[${j}].alias`, problems)
    if (problems.length > 0) return E.left(rejected(problems))
    const id = tables.insertConference(c)
    return E.right({ id, blame: [{ resource: 'conference', id, prefix: '' }, ...setConferenceAliases(tables, id, planned)] })
  },
  replace: (tables, id, c) => {
    if (!tables.exists('conference', id)) return E.left(notFound('conference', id))
    const problems: ConfigProblem[] = []
    checkConferenceName(tables, c.name, id, problems)
    const planned = planAliases(tables, c.aliases, id, (j) => `aliases[${j}].alias`, problems)
    if (problems.length > 0) return E.left(rejected(problems))
    tables.updateConference(id, c)
    return E.right({ id, blame: [{ resource: 'conference', id, prefix: '' }, ...setConferenceAliases(tables, id, planned)] })
  },
}

const aliasChecks = (tables: ConfigTables, a: ConferenceAliasResource, self: number | undefined): E.Either<StoreWriteError, string> => {
  const problems: ConfigProblem[] = []
  if (!tables.exists('conference', a.conference))
    problems.push({ path: 'conference', message: `there is no conference with id ${a.conference}` })
  const key = configuredAliasKey(a.alias)
  if (E.isLeft(key)) problems.push({ path: 'alias', message: key.left })
  else {
    const holder = tables.aliasWithKey(key.right)
    if (holder !== undefined && holder.id !== self)
      problems.push({
        path: 'alias',
        message: `the alias ${quoted(a.alias)} is already used by ${resourceUri('conference', holder.conference_id)} (${resourceUri('conference_alias', holder.id)})`,
      })
  }
  return problems.length > 0 || E.isLeft(key) ? E.left(rejected(problems)) : E.right(key.right)
}

const aliasWriter: ResourceWriter<'conference_alias'> = {
  create: (tables, a) =>
    E.map((key: string): Written => {
      const id = tables.insertAlias(a, key)
      return { id, blame: [{ resource: 'conference_alias', id, prefix: '' }] }
    })(aliasChecks(tables, a, undefined)),
  replace: (tables, id, a) => {
    if (!tables.exists('conference_alias', id)) return E.left(notFound('conference_alias', id))
    return E.map((key: string): Written => {
      tables.updateAlias(id, a, key)
      return { id, blame: [{ resource: 'conference_alias', id, prefix: '' }] }
    })(aliasChecks(tables, a, id))
  },
}

/** The conferences an ADP joins, each once, in the order given; all must exist. */
const adpConferences = (tables: ConfigTables, a: AutomaticParticipantResource): E.Either<StoreWriteError, ReadonlyArray<number>> => {
  const problems = a.conference.flatMap((id, j): ConfigProblem[] =>
    tables.exists('conference', id) ? [] : [{ path: `conference[${j}]`, message: `there is no conference with id ${id}` }],
  )
  return problems.length > 0 ? E.left(rejected(problems)) : E.right([...new Set(a.conference)])
}

const adpWriter: ResourceWriter<'automatic_participant'> = {
  create: (tables, a) =>
    E.map((conferences: ReadonlyArray<number>): Written => {
      const id = tables.insertAdp(a, conferences)
      return { id, blame: [{ resource: 'automatic_participant', id, prefix: '' }] }
    })(adpConferences(tables, a)),
  replace: (tables, id, a) => {
    if (!tables.exists('automatic_participant', id)) return E.left(notFound('automatic_participant', id))
    return E.map((conferences: ReadonlyArray<number>): Written => {
      tables.updateAdp(id, a, conferences)
      return { id, blame: [{ resource: 'automatic_participant', id, prefix: '' }] }
    })(adpConferences(tables, a))
  },
}

/** A rule's regex is checked with the rest of the configuration (compileConfig, RE2). */
const ruleWriter: ResourceWriter<'gateway_routing_rule'> = {
  create: (tables, r) => {
    const id = tables.insertRule(r)
    return E.right({ id, blame: [{ resource: 'gateway_routing_rule', id, prefix: '' }] })
  },
  replace: (tables, id, r) => {
    if (!tables.exists('gateway_routing_rule', id)) return E.left(notFound('gateway_routing_rule', id))
    tables.updateRule(id, r)
    return E.right({ id, blame: [{ resource: 'gateway_routing_rule', id, prefix: '' }] })
  },
}

export const writers: { readonly [R in ResourceName]: ResourceWriter<R> } = {
  conference: conferenceWriter,
  conference_alias: aliasWriter,
  automatic_participant: adpWriter,
  gateway_routing_rule: ruleWriter,
}

export const removeResource = (tables: ConfigTables, resource: ResourceName, id: number): E.Either<StoreWriteError, Written> =>
  tables.delete(resource, id) ? E.right({ id, blame: [] }) : E.left(notFound(resource, id))

export const writeGlobal = (tables: ConfigTables, g: GlobalResource): E.Either<StoreWriteError, Written> => {
  tables.writeGlobal(g)
  return E.right({ id: 1, blame: [{ resource: 'global', id: 1, prefix: '' }] })
}

export const writeAvatar = (tables: ConfigTables, conference: number, image: StoredImage | undefined): E.Either<StoreWriteError, Written> => {
  if (!tables.exists('conference', conference)) return E.left(notFound('conference', conference))
  if (image === undefined) tables.deleteAvatar(conference)
  else tables.setAvatar(conference, image)
  return E.right({ id: conference, blame: [{ resource: 'conference', id: conference, prefix: '' }] })
}
