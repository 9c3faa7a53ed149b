/**
 * Rows of the store's tables to and from the management API's objects (DESIGN §6, PROTOCOLS
 * 3.5-3.7). The JSON written here is what the API answers and what `config export` writes, so
 * both are the same shape by construction: `id`, `resource_uri`, relations as resource URIs,
 * unset fields as `null` and no PIN as `""` (Pexip's forms).
 *
 * Translation only: values reach these functions already decoded by the codecs of
 * core/config/codecs.ts, and the store validates the whole configuration after every write.
 */
import { apiPrefix, resourceUri } from '../../core/config/codecs.js'
import type { AutomaticParticipantResource, ConferenceResource, GatewayRoutingRuleResource, GlobalResource } from '../../core/config/codecs.js'

export type JsonObject = { readonly [key: string]: unknown }

export const globalResourceUri = `${apiPrefix}global/1/`

type SqlValue = string | number | null

// ---------------------------------------------------------------------------------------------
// Rows as SQLite returns them

export interface ConferenceRow {
  readonly id: number
  readonly name: string
  readonly description: string
  readonly service_type: string
  readonly pin: string
  readonly guest_pin: string
  readonly allow_guests: number
  readonly call_type: string
  readonly host_view: string
  readonly guest_view: string
  readonly guests_can_present: number
  readonly enable_chat: string
  readonly audio_only_view: string
}

export interface AliasRow {
  readonly id: number
  readonly conference_id: number
  readonly alias: string
  readonly alias_key: string
  readonly description: string
}

export interface AdpRow {
  readonly id: number
  readonly alias: string
  readonly description: string
  readonly protocol: string
  readonly call_type: string
  readonly role: string
  readonly dtmf_sequence: string
  readonly keep_conference_alive: string
  readonly routing: string
  readonly remote_display_name: string
}

export type RuleRow = { readonly id: number } & { readonly [column in (typeof ruleColumns)[number]]: SqlValue }

export interface GlobalRow {
  readonly pin_entry_timeout_s: number
  readonly host_wait_timeout_s: number
  readonly guests_only_timeout_s: number
  readonly only_one_participant_timeout_s: number
  readonly adp_delay_s: number
  readonly trusted_peers: string
  readonly rtp_port_min: number
  readonly rtp_port_max: number
  readonly pin_lockout_failures: number
  readonly pin_lockout_window_s: number
  readonly pin_lockout_block_s: number
  readonly default_sip_proxy: string | null
  readonly default_mssip_proxy: string | null
  readonly ring_timeout_s: number | null
}

// ---------------------------------------------------------------------------------------------
// Columns written from decoded resources

export const conferenceColumns = [
  'name',
  'description',
  'service_type',
  'pin',
  'guest_pin',
  'allow_guests',
  'call_type',
  'host_view',
  'guest_view',
  'guests_can_present',
  'enable_chat',
  'audio_only_view',
] as const

export const adpColumns = [
  'alias',
  'description',
  'protocol',
  'call_type',
  'role',
  'dtmf_sequence',
  'keep_conference_alive',
  'routing',
  'remote_display_name',
] as const

export const ruleColumns = [
  'name',
  'description',
  'priority',
  'enable',
  'match_incoming_calls',
  'match_outgoing_calls',
  'match_incoming_sip',
  'match_incoming_h323',
  'match_incoming_mssip',
  'match_incoming_webrtc',
  'match_incoming_only_if_registered',
  'match_string',
  'replace_string',
  'outgoing_protocol',
  'call_type',
  'sip_proxy',
  'mssip_proxy',
  'h323_gatekeeper',
  'treat_as_trusted',
] as const

const ruleBooleans: ReadonlySet<string> = new Set([
  'enable',
  'match_incoming_calls',
  'match_outgoing_calls',
  'match_incoming_sip',
  'match_incoming_h323',
  'match_incoming_mssip',
  'match_incoming_webrtc',
  'match_incoming_only_if_registered',
  'treat_as_trusted',
])

const sqlBoolean = (b: boolean): number => (b ? 1 : 0)

export const conferenceParams = (c: ConferenceResource): Record<(typeof conferenceColumns)[number], SqlValue> => ({
  name: c.name,
  description: c.description,
  service_type: c.service_type,
  pin: c.pin ?? '',
  guest_pin: c.guest_pin ?? '',
  allow_guests: sqlBoolean(c.allow_guests),
  call_type: c.call_type,
  host_view: c.host_view,
  guest_view: c.guest_view,
  guests_can_present: sqlBoolean(c.guests_can_present),
  enable_chat: c.enable_chat,
  audio_only_view: c.audio_only_view,
})

export const adpParams = (a: AutomaticParticipantResource): Record<(typeof adpColumns)[number], SqlValue> => ({
  alias: a.alias,
  description: a.description,
  protocol: a.protocol,
  call_type: a.call_type,
  role: a.role,
  dtmf_sequence: a.dtmf_sequence,
  keep_conference_alive: a.keep_conference_alive,
  routing: a.routing,
  remote_display_name: a.remote_display_name,
})

export const ruleParams = (r: GatewayRoutingRuleResource): Record<(typeof ruleColumns)[number], SqlValue> => ({
  name: r.name,
  description: r.description,
  priority: r.priority,
  enable: sqlBoolean(r.enable),
  match_incoming_calls: sqlBoolean(r.match_incoming_calls),
  match_outgoing_calls: sqlBoolean(r.match_outgoing_calls),
  match_incoming_sip: sqlBoolean(r.match_incoming_sip),
  match_incoming_h323: sqlBoolean(r.match_incoming_h323),
  match_incoming_mssip: sqlBoolean(r.match_incoming_mssip),
  match_incoming_webrtc: sqlBoolean(r.match_incoming_webrtc),
  match_incoming_only_if_registered: sqlBoolean(r.match_incoming_only_if_registered),
  match_string: r.match_string,
  replace_string: r.replace_string,
  outgoing_protocol: r.outgoing_protocol,
  call_type: r.call_type,
  sip_proxy: r.sip_proxy ?? null,
  mssip_proxy: r.mssip_proxy ?? null,
  h323_gatekeeper: r.h323_gatekeeper ?? null,
  treat_as_trusted: sqlBoolean(r.treat_as_trusted),
})

export const globalParams = (g: GlobalResource): GlobalRow => ({
  pin_entry_timeout_s: g.pin_entry_timeout_s,
  host_wait_timeout_s: g.host_wait_timeout_s,
  guests_only_timeout_s: g.guests_only_timeout_s,
  only_one_participant_timeout_s: g.only_one_participant_timeout_s,
  adp_delay_s: g.adp_delay_s,
  trusted_peers: JSON.stringify(g.trusted_peers),
  rtp_port_min: g.rtp_port_min,
  rtp_port_max: g.rtp_port_max,
  pin_lockout_failures: g.pin_lockout.failures,
  pin_lockout_window_s: g.pin_lockout.window_s,
  pin_lockout_block_s: g.pin_lockout.block_s,
  default_sip_proxy: g.default_sip_proxy ?? null,
  default_mssip_proxy: g.default_mssip_proxy ?? null,
  ring_timeout_s: g.ring_timeout_s ?? null,
})

// ---------------------------------------------------------------------------------------------
// Rows to API objects

export const aliasJson = (row: AliasRow): JsonObject => ({
  id: row.id,
  resource_uri: resourceUri('conference_alias', row.id),
  alias: row.alias,
  conference: resourceUri('conference', row.conference_id),
  description: row.description,
})

export const adpJson = (row: AdpRow, conferenceIds: ReadonlyArray<number>): JsonObject => ({
  id: row.id,
  resource_uri: resourceUri('automatic_participant', row.id),
  alias: row.alias,
  description: row.description,
  conference: conferenceIds.map((id) => resourceUri('conference', id)),
  protocol: row.protocol,
  call_type: row.call_type,
  role: row.role,
  dtmf_sequence: row.dtmf_sequence,
  keep_conference_alive: row.keep_conference_alive,
  routing: row.routing,
  remote_display_name: row.remote_display_name,
})

/** Pexip lists a conference's aliases and automatic participants as whole objects. */
export const conferenceJson = (
  row: ConferenceRow,
  related: {
    readonly aliases: ReadonlyArray<JsonObject>
    readonly automaticParticipants: ReadonlyArray<JsonObject>
    readonly avatarSha1: string | undefined
  },
): JsonObject => ({
  id: row.id,
  resource_uri: resourceUri('conference', row.id),
  name: row.name,
  description: row.description,
  service_type: row.service_type,
  pin: row.pin,
  guest_pin: row.guest_pin,
  allow_guests: row.allow_guests === 1,
  call_type: row.call_type,
  host_view: row.host_view,
  guest_view: row.guest_view,
  guests_can_present: row.guests_can_present === 1,
  enable_chat: row.enable_chat,
  audio_only_view: row.audio_only_view,
  avatar: related.avatarSha1 ?? null,
  aliases: related.aliases,
  automatic_participants: related.automaticParticipants,
})

export const ruleJson = (row: RuleRow): JsonObject => {
  const fields: Record<string, unknown> = { id: row.id, resource_uri: resourceUri('gateway_routing_rule', row.id) }
  for (const column of ruleColumns) fields[column] = ruleBooleans.has(column) ? row[column] === 1 : row[column]
  return fields
}

export const globalJson = (row: GlobalRow): JsonObject => ({
  id: 1,
  resource_uri: globalResourceUri,
  pin_entry_timeout_s: row.pin_entry_timeout_s,
  host_wait_timeout_s: row.host_wait_timeout_s,
  guests_only_timeout_s: row.guests_only_timeout_s,
  only_one_participant_timeout_s: row.only_one_participant_timeout_s,
  adp_delay_s: row.adp_delay_s,
  trusted_peers: JSON.parse(row.trusted_peers) as unknown,
  rtp_port_min: row.rtp_port_min,
  rtp_port_max: row.rtp_port_max,
  pin_lockout: { failures: row.pin_lockout_failures, window_s: row.pin_lockout_window_s, block_s: row.pin_lockout_block_s },
  default_sip_proxy: row.default_sip_proxy,
  default_mssip_proxy: row.default_mssip_proxy,
  ring_timeout_s: row.ring_timeout_s,
})

