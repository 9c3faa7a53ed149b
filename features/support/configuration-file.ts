/**
 * A scenario's configuration as the node's configuration file (DESIGN §6): one JSON document
 * `{ global, conference, conference_alias, automatic_participant, gateway_routing_rule }` with
 * Pexip-shaped objects. Every scenario starts from the demo configuration; Given steps change it
 * here in the administrator's terms. The sim world decodes and compiles this document exactly as
 * the node does; the wire world writes it to the file a real node starts with.
 */

type JsonObject = Record<string, unknown>

interface Document {
  global: JsonObject
  conference: JsonObject[]
  conference_alias: JsonObject[]
  automatic_participant: JsonObject[]
  gateway_routing_rule: JsonObject[]
}

const apiBase = '/api/admin/configuration/v1'

/** Fields whose table text is a number or a boolean in the file. */
const numberFields = new Set(['priority', 'pin_entry_timeout_s', 'host_wait_timeout_s', 'guests_only_timeout_s', 'only_one_participant_timeout_s', 'adp_delay_s', 'ring_timeout_s'])
const booleanFields = new Set([
  'enable',
  'match_incoming_calls',
  'match_outgoing_calls',
  'match_incoming_sip',
  'match_incoming_h323',
  'match_incoming_mssip',
  'match_incoming_webrtc',
  'match_incoming_only_if_registered',
  'treat_as_trusted',
  'allow_guests',
  'guests_can_present',
])

/** A value as a feature's table writes it, typed as the file wants it. */
export const fieldValue = (field: string, text: string): unknown => {
  if (numberFields.has(field)) return Number(text)
  if (booleanFields.has(field)) {
    if (text !== 'true' && text !== 'false') throw new Error(`${field} is true or false, not "${text}"`)
    return text === 'true'
  }
  return text
}

const asObjects = (value: unknown): JsonObject[] =>
  Array.isArray(value) ? value.map((v) => ({ ...(v as JsonObject) })) : []

const idOf = (o: JsonObject): number => Number(o['id'] ?? 0)

/** `/api/.../conference/7/` or 7 → 7. */
const referencedId = (ref: unknown): number | undefined => {
  if (typeof ref === 'number') return ref
  if (typeof ref !== 'string') return undefined
  const m = /\/(\d+)\/?$/.exec(ref)
  return m?.[1] === undefined ? undefined : Number(m[1])
}

export class ConfigurationFile {
  private readonly doc: Document

  constructor(start: unknown) {
    const source = (typeof start === 'object' && start !== null ? structuredClone(start) : {}) as JsonObject
    this.doc = {
      global: { ...((source['global'] as JsonObject | undefined) ?? {}) },
      conference: asObjects(source['conference']),
      conference_alias: asObjects(source['conference_alias']),
      automatic_participant: asObjects(source['automatic_participant']),
      gateway_routing_rule: asObjects(source['gateway_routing_rule']),
    }
  }

  /** The document to decode, or to write to the node's file. */
  get document(): unknown {
    return structuredClone(this.doc)
  }

  setGlobal(field: string, value: unknown): void {
    this.doc.global[field] = value
  }

  /** A new VMR with one alias: no PIN, no Guests (everyone is a Host), everything else default. */
  addRoom(name: string, alias: string): void {
    if (this.doc.conference.some((c) => c['name'] === name)) throw new Error(`a room "${name}" exists already`)
    const id = Math.max(0, ...this.doc.conference.map(idOf)) + 1
    this.doc.conference.push({ id, name, service_type: 'conference', resource_uri: `${apiBase}/conference/${id}/` })
    this.addAlias(name, alias)
  }

  addAlias(room: string, alias: string): void {
    const id = Math.max(0, ...this.doc.conference_alias.map(idOf)) + 1
    this.doc.conference_alias.push({ id, alias, conference: this.uriOf(room), resource_uri: `${apiBase}/conference_alias/${id}/` })
  }

  updateRoom(room: string, fields: JsonObject): void {
    Object.assign(this.room(room), fields)
  }

  /** Removes a VMR with its aliases, and takes it off its automatic participants' lists. */
  removeRoom(room: string): void {
    const id = idOf(this.room(room))
    this.doc.conference = this.doc.conference.filter((c) => idOf(c) !== id)
    this.doc.conference_alias = this.doc.conference_alias.filter((a) => referencedId(a['conference']) !== id)
    this.doc.automatic_participant = this.doc.automatic_participant
      .map((p) => ({ ...p, conference: (Array.isArray(p['conference']) ? p['conference'] : []).filter((ref) => referencedId(ref) !== id) }))
      .filter((p) => (p['conference'] as unknown[]).length > 0)
  }

  addAutomaticParticipant(room: string, alias: string, fields: JsonObject): void {
    const id = Math.max(0, ...this.doc.automatic_participant.map(idOf)) + 1
    this.doc.automatic_participant.push({
      id,
      alias,
      conference: [this.uriOf(room)],
      resource_uri: `${apiBase}/automatic_participant/${id}/`,
      ...fields,
    })
  }

  /** A new gateway rule; what the table leaves out takes Pexip's defaults (PROTOCOLS 3.6). */
  addRule(name: string, fields: JsonObject): void {
    if (this.doc.gateway_routing_rule.some((r) => r['name'] === name)) throw new Error(`a rule "${name}" exists already`)
    const id = Math.max(0, ...this.doc.gateway_routing_rule.map(idOf)) + 1
    this.doc.gateway_routing_rule.push({ id, name, resource_uri: `${apiBase}/gateway_routing_rule/${id}/`, ...fields })
  }

  updateRule(name: string, fields: JsonObject): void {
    const rule = this.doc.gateway_routing_rule.find((r) => r['name'] === name)
    if (rule === undefined) throw new Error(`no gateway rule "${name}" in the configuration`)
    Object.assign(rule, fields)
  }

  private room(name: string): JsonObject {
    const room = this.doc.conference.find((c) => c['name'] === name)
    if (room === undefined) throw new Error(`no room "${name}" in the configuration`)
    return room
  }

  private uriOf(room: string): string {
    const found = this.room(room)
    return typeof found['resource_uri'] === 'string' ? found['resource_uri'] : `${apiBase}/conference/${idOf(found)}/`
  }
}
