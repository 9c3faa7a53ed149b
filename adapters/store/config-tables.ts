/**
 * The SQL over the store's tables (schema.ts): reads that answer API objects, the writes the
 * store's transactions are made of, and the whole configuration as one document. No decision is
 * taken here; config-store.ts decides what may be written and validates the result.
 */
import type { Database, Statement } from 'better-sqlite3'
import type {
  AutomaticParticipantResource,
  ConferenceAliasResource,
  ConferenceResource,
  GatewayRoutingRuleResource,
  GlobalResource,
  ResourceName,
} from '../../core/config/codecs.js'
import {
  adpColumns,
  adpJson,
  adpParams,
  aliasJson,
  conferenceColumns,
  conferenceJson,
  conferenceParams,
  globalJson,
  globalParams,
  ruleColumns,
  ruleJson,
  ruleParams,
} from './resource-rows.js'
import type { AdpRow, AliasRow, ConferenceRow, GlobalRow, JsonObject, RuleRow } from './resource-rows.js'

/** How a list may be narrowed (Tastypie's filters as Pexip offers them). */
export type FilterOperator = 'exact' | 'contains' | 'icontains' | 'startswith'

export interface ListFilter {
  readonly field: string
  readonly operator: FilterOperator
  readonly value: string | number
}

/**
 * The fields each list can be filtered on, and what their values are: text, or a conference
 * (given as its resource URI or id).
 */
export const filterableFields: Readonly<Record<ResourceName, Readonly<Record<string, 'text' | 'conference'>>>> = {
  conference: { name: 'text', description: 'text' },
  conference_alias: { alias: 'text', description: 'text', conference: 'conference' },
  automatic_participant: { alias: 'text', description: 'text' },
  gateway_routing_rule: { name: 'text', description: 'text', match_string: 'text' },
}

export interface StoredImage {
  readonly contentType: 'image/png' | 'image/jpeg'
  readonly bytes: Buffer
  readonly sha1: string
}

/** The configuration document, in the shape of DESIGN §6 (every object as the API shows it). */
export interface ConfigDocument {
  readonly global: JsonObject
  readonly conference: ReadonlyArray<JsonObject>
  readonly conference_alias: ReadonlyArray<JsonObject>
  readonly automatic_participant: ReadonlyArray<JsonObject>
  readonly gateway_routing_rule: ReadonlyArray<JsonObject>
}

const tableOf: Readonly<Record<ResourceName, string>> = {
  conference: 'conference',
  conference_alias: 'conference_alias',
  automatic_participant: 'automatic_participant',
  gateway_routing_rule: 'gateway_routing_rule',
}

const columnOf = (field: string): string => (field === 'conference' ? 'conference_id' : field)

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const likeLiteral = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`)

const whereClause = (filters: ReadonlyArray<ListFilter>): { readonly sql: string; readonly params: ReadonlyArray<string | number> } => {
  const parts: string[] = []
  const params: Array<string | number> = []
  for (const f of filters) {
    const column = columnOf(f.field)
    switch (f.operator) {
      case 'exact':
        parts.push(`${column} = ?`)
        params.push(f.value)
        break
      case 'contains':
        parts.push(`instr(${column}, ?) > 0`)
        params.push(f.value)
        break
      case 'icontains':
        parts.push(`lower(${column}) LIKE ? ESCAPE '\\'`)
        params.push(`%${likeLiteral(String(f.value).toLowerCase())}%`)
        break
      case 'startswith':
        parts.push(`substr(${column}, 1, length(?)) = ?`)
        params.push(f.value, f.value)
        break
    }
  }
  return { sql: parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`, params }
}

const insertSql = (table: string, columns: ReadonlyArray<string>): string =>
  `INSERT INTO ${table} (id, ${columns.join(', ')}) VALUES (@id, ${columns.map((c) => `@${c}`).join(', ')})`
const updateSql = (table: string, columns: ReadonlyArray<string>): string =>
  `UPDATE ${table} SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`

export class ConfigTables {
  private readonly statements = new Map<string, Statement>()

  constructor(private readonly db: Database) {}

  /** Prepared once per SQL text (better-sqlite3 statements are reusable). */
  private sql(text: string): Statement {
    let statement = this.statements.get(text)
    if (statement === undefined) {
      statement = this.db.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }

  // -------------------------------------------------------------------------------------------
  // Reading API objects

  count(resource: ResourceName, filters: ReadonlyArray<ListFilter>): number {
    const where = whereClause(filters)
    return (this.sql(`SELECT COUNT(*) AS n FROM ${tableOf[resource]}${where.sql}`).get(...where.params) as { n: number }).n
  }

  /** Ascending ids; `limit` undefined = all. */
  page(resource: ResourceName, filters: ReadonlyArray<ListFilter>, limit: number | undefined, offset: number): ReadonlyArray<JsonObject> {
    const where = whereClause(filters)
    const ids = this.sql(`SELECT id FROM ${tableOf[resource]}${where.sql} ORDER BY id LIMIT ? OFFSET ?`)
      .pluck()
      .all(...where.params, limit ?? -1, offset) as number[]
    return ids.flatMap((id) => {
      const object = this.get(resource, id)
      return object === undefined ? [] : [object]
    })
  }

  get(resource: ResourceName, id: number): JsonObject | undefined {
    switch (resource) {
      case 'conference': {
        const row = this.sql('SELECT * FROM conference WHERE id = ?').get(id) as ConferenceRow | undefined
        return row === undefined ? undefined : this.conferenceObject(row)
      }
      case 'conference_alias': {
        const row = this.sql('SELECT * FROM conference_alias WHERE id = ?').get(id) as AliasRow | undefined
        return row === undefined ? undefined : aliasJson(row)
      }
      case 'automatic_participant': {
        const row = this.sql('SELECT * FROM automatic_participant WHERE id = ?').get(id) as AdpRow | undefined
        return row === undefined ? undefined : adpJson(row, this.adpConferenceIds(id))
      }
      case 'gateway_routing_rule': {
        const row = this.sql('SELECT * FROM gateway_routing_rule WHERE id = ?').get(id) as RuleRow | undefined
        return row === undefined ? undefined : ruleJson(row)
      }
    }
  }

  exists(resource: ResourceName, id: number): boolean {
    return this.sql(`SELECT 1 FROM ${tableOf[resource]} WHERE id = ?`).get(id) !== undefined
  }

  private conferenceObject(row: ConferenceRow): JsonObject {
    const aliases = this.sql('SELECT * FROM conference_alias WHERE conference_id = ? ORDER BY id').all(row.id) as AliasRow[]
    const adpIds = this.sql(
      'SELECT automatic_participant_id FROM automatic_participant_conference WHERE conference_id = ? ORDER BY automatic_participant_id',
    )
      .pluck()
      .all(row.id) as number[]
    return conferenceJson(row, {
      aliases: aliases.map(aliasJson),
      automaticParticipants: adpIds.flatMap((id) => {
        const adp = this.get('automatic_participant', id)
        return adp === undefined ? [] : [adp]
      }),
      avatarSha1: this.avatarSha1(row.id),
    })
  }

  private adpConferenceIds(adpId: number): ReadonlyArray<number> {
    return this.sql('SELECT conference_id FROM automatic_participant_conference WHERE automatic_participant_id = ? ORDER BY position')
      .pluck()
      .all(adpId) as number[]
  }

  global(): JsonObject | undefined {
    const row = this.sql('SELECT * FROM global WHERE id = 1').get() as GlobalRow | undefined
    return row === undefined ? undefined : globalJson(row)
  }

  // -------------------------------------------------------------------------------------------
  // Lookups the store's checks need

  conferenceNamed(name: string): { readonly id: number } | undefined {
    return this.sql('SELECT id FROM conference WHERE name = ?').get(name) as { id: number } | undefined
  }

  aliasWithKey(key: string): { readonly id: number; readonly conference_id: number; readonly alias: string } | undefined {
    return this.sql('SELECT id, conference_id, alias FROM conference_alias WHERE alias_key = ?').get(key) as
      | { id: number; conference_id: number; alias: string }
      | undefined
  }

  aliasesOf(conferenceId: number): ReadonlyArray<AliasRow> {
    return this.sql('SELECT * FROM conference_alias WHERE conference_id = ? ORDER BY id').all(conferenceId) as AliasRow[]
  }

  // -------------------------------------------------------------------------------------------
  // Writes (inside the store's transactions). `id` undefined = the next one.

  insertConference(c: ConferenceResource, id?: number): number {
    return Number(this.sql(insertSql('conference', conferenceColumns)).run({ id: id ?? null, ...conferenceParams(c) }).lastInsertRowid)
  }

  updateConference(id: number, c: ConferenceResource): void {
    this.sql(updateSql('conference', conferenceColumns)).run({ id, ...conferenceParams(c) })
  }

  insertAlias(a: Omit<ConferenceAliasResource, 'id' | 'resource_uri'>, key: string, id?: number): number {
    return Number(
      this.sql(
        'INSERT INTO conference_alias (id, conference_id, alias, alias_key, description) VALUES (@id, @conference, @alias, @key, @description)',
      ).run({ id: id ?? null, conference: a.conference, alias: a.alias, key, description: a.description }).lastInsertRowid,
    )
  }

  updateAlias(id: number, a: Omit<ConferenceAliasResource, 'id' | 'resource_uri'>, key: string): void {
    this.sql(
      'UPDATE conference_alias SET conference_id = @conference, alias = @alias, alias_key = @key, description = @description WHERE id = @id',
    ).run({ id, conference: a.conference, alias: a.alias, key, description: a.description })
  }

  insertAdp(a: AutomaticParticipantResource, conferenceIds: ReadonlyArray<number>, id?: number): number {
    const adpId = Number(this.sql(insertSql('automatic_participant', adpColumns)).run({ id: id ?? null, ...adpParams(a) }).lastInsertRowid)
    this.setAdpConferences(adpId, conferenceIds)
    return adpId
  }

  updateAdp(id: number, a: AutomaticParticipantResource, conferenceIds: ReadonlyArray<number>): void {
    this.sql(updateSql('automatic_participant', adpColumns)).run({ id, ...adpParams(a) })
    this.setAdpConferences(id, conferenceIds)
  }

  private setAdpConferences(adpId: number, conferenceIds: ReadonlyArray<number>): void {
    this.sql('DELETE FROM automatic_participant_conference WHERE automatic_participant_id = ?').run(adpId)
    const insert = this.sql(
      'INSERT INTO automatic_participant_conference (automatic_participant_id, conference_id, position) VALUES (?, ?, ?)',
    )
    conferenceIds.forEach((conferenceId, position) => insert.run(adpId, conferenceId, position))
  }

  insertRule(r: GatewayRoutingRuleResource, id?: number): number {
    return Number(this.sql(insertSql('gateway_routing_rule', ruleColumns)).run({ id: id ?? null, ...ruleParams(r) }).lastInsertRowid)
  }

  updateRule(id: number, r: GatewayRoutingRuleResource): void {
    this.sql(updateSql('gateway_routing_rule', ruleColumns)).run({ id, ...ruleParams(r) })
  }

  /** Answers whether there was such an object; relations go with it (ON DELETE CASCADE). */
  delete(resource: ResourceName, id: number): boolean {
    return this.sql(`DELETE FROM ${tableOf[resource]} WHERE id = ?`).run(id).changes > 0
  }

  writeGlobal(g: GlobalResource): void {
    const params = globalParams(g)
    const columns = Object.keys(params)
    this.sql(
      `INSERT INTO global (id, ${columns.join(', ')}) VALUES (1, ${columns.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    ).run(params)
  }

  /** Empties every configuration table (the credential and the store's notes stay). */
  clearConfiguration(): void {
    for (const table of ['automatic_participant_conference', 'automatic_participant', 'avatar', 'conference_alias', 'conference', 'gateway_routing_rule', 'global'])
      this.sql(`DELETE FROM ${table}`).run()
  }

  // -------------------------------------------------------------------------------------------
  // Avatars

  avatar(conferenceId: number): StoredImage | undefined {
    const row = this.sql('SELECT content_type, bytes, sha1 FROM avatar WHERE conference_id = ?').get(conferenceId) as
      | { content_type: 'image/png' | 'image/jpeg'; bytes: Buffer; sha1: string }
      | undefined
    return row === undefined ? undefined : { contentType: row.content_type, bytes: row.bytes, sha1: row.sha1 }
  }

  private avatarSha1(conferenceId: number): string | undefined {
    return this.sql('SELECT sha1 FROM avatar WHERE conference_id = ?').pluck().get(conferenceId) as string | undefined
  }

  setAvatar(conferenceId: number, image: StoredImage): void {
    this.sql(
      `INSERT INTO avatar (conference_id, content_type, bytes, sha1) VALUES (?, ?, ?, ?)
       ON CONFLICT (conference_id) DO UPDATE SET content_type = excluded.content_type, bytes = excluded.bytes, sha1 = excluded.sha1`,
    ).run(conferenceId, image.contentType, image.bytes, image.sha1)
  }

  deleteAvatar(conferenceId: number): boolean {
    return this.sql('DELETE FROM avatar WHERE conference_id = ?').run(conferenceId).changes > 0
  }

  // -------------------------------------------------------------------------------------------
  // The whole configuration

  /**
   * Every object, ascending ids. `nestAliases` false leaves each conference's `aliases` empty so
   * that every alias appears once, as a `conference_alias`: the store validates that form, so a
   * problem with an alias is reported at the alias object that holds it.
   */
  document(options: { readonly nestAliases: boolean }): ConfigDocument {
    const aliasRows = this.sql('SELECT * FROM conference_alias ORDER BY id').all() as AliasRow[]
    const adpRows = this.sql('SELECT * FROM automatic_participant ORDER BY id').all() as AdpRow[]
    const links = this.sql(
      'SELECT automatic_participant_id AS adp, conference_id AS conference FROM automatic_participant_conference ORDER BY automatic_participant_id, position',
    ).all() as Array<{ adp: number; conference: number }>
    const sha1s = new Map(
      (this.sql('SELECT conference_id, sha1 FROM avatar').all() as Array<{ conference_id: number; sha1: string }>).map((r) => [r.conference_id, r.sha1]),
    )

    const aliasesByConference = new Map<number, JsonObject[]>()
    const aliases = aliasRows.map((row) => {
      const object = aliasJson(row)
      const list = aliasesByConference.get(row.conference_id)
      if (list === undefined) aliasesByConference.set(row.conference_id, [object])
      else list.push(object)
      return object
    })
    const conferencesByAdp = new Map<number, number[]>()
    const adpsByConference = new Map<number, number[]>()
    for (const link of links) {
      const conferences = conferencesByAdp.get(link.adp)
      if (conferences === undefined) conferencesByAdp.set(link.adp, [link.conference])
      else conferences.push(link.conference)
      const adps = adpsByConference.get(link.conference)
      if (adps === undefined) adpsByConference.set(link.conference, [link.adp])
      else adps.push(link.adp)
    }
    const adpById = new Map(adpRows.map((row) => [row.id, adpJson(row, conferencesByAdp.get(row.id) ?? [])]))

    const conferences = (this.sql('SELECT * FROM conference ORDER BY id').all() as ConferenceRow[]).map((row) =>
      conferenceJson(row, {
        aliases: options.nestAliases ? (aliasesByConference.get(row.id) ?? []) : [],
        automaticParticipants: options.nestAliases
          ? [...new Set(adpsByConference.get(row.id) ?? [])].sort((a, b) => a - b).flatMap((id): JsonObject[] => { const adp = adpById.get(id); return adp === undefined ? [] : [adp] })
          : [],
        avatarSha1: sha1s.get(row.id),
      }),
    )
    return {
      global: this.global() ?? {},
      conference: conferences,
      conference_alias: aliases,
      automatic_participant: [...adpById.values()],
      gateway_routing_rule: (this.sql('SELECT * FROM gateway_routing_rule ORDER BY id').all() as RuleRow[]).map(ruleJson),
    }
  }
}
