/**
 * The configuration file of DESIGN §6 and the objects of the management API: io-ts codecs with
 * Pexip's field names, enums and defaults (PROTOCOLS 3.5 `automatic_participant`, 3.6
 * `gateway_routing_rule`, 3.7 `conference`), and `decodeConfigFile` / `encodeConfigFile`
 * between that file and the NodeConfig the core reads (model.ts).
 *
 * Shapes follow Pexip's API so that its exports can be read: `id` (optional in a file; missing
 * ids are numbered after the largest given), `resource_uri`, relations as resource URIs
 * (`/api/admin/configuration/v1/conference/7/`), a `conference` may carry nested
 * `aliases: [{ alias }]`, and an unset field may be missing or `null` (or `""` for a PIN, as
 * Pexip writes it). Fields Parley does not model are ignored, as they would be in a Pexip export.
 *
 * Every problem is reported at once, each with the path of the field at fault
 * (`conference[0].pin`, `conference_alias[2].alias`), for `parley config check` and for the
 * API's 400 answers.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { aliasKey, parseDialString, type DialStringErrorReason } from '../dial-string/dial-string.js'
import { PinCodec, pinsEqual, type Pin } from '../dial-string/pin.js'
import type { CallType, Layout, OutgoingProtocol, Protocol, RuleCallType } from '../model/call.js'
import { ConferenceId } from '../model/ids.js'
import type { Adp, GatewayRule, GlobalSettings, KeepConferenceAlive, NodeConfig, Vmr } from './model.js'

export interface ConfigProblem {
  /** The field at fault, e.g. `conference[0].pin`; `''` for the document itself. */
  readonly path: string
  readonly message: string
}

export interface ConfigError {
  readonly _tag: 'ConfigInvalid'
  readonly problems: ReadonlyArray<ConfigProblem>
}

export const configInvalid = (problems: ReadonlyArray<ConfigProblem>): ConfigError => ({ _tag: 'ConfigInvalid', problems })

// ---------------------------------------------------------------------------------------------
// Field codecs

const show = (u: unknown): string => {
  const text = JSON.stringify(u) ?? String(u)
  return text.length > 60 ? text.slice(0, 57) + '...' : text
}

/** A failure that says "is required" when the field is missing, whatever the codec expected. */
const refuse = <A>(u: unknown, c: t.Context, message: string): t.Validation<A> =>
  t.failure(u, c, u === undefined ? 'is required' : message)

/** Missing or `null`: the default (Pexip writes `null` for an unset field). */
const withDefault = <A, O>(codec: t.Type<A, O, unknown>, fallback: A): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === undefined || u === null ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  )

/** Missing, `null` or `""`: absent. Written back as `null`, as Pexip does. */
const optional = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | undefined, O | null, unknown> =>
  new t.Type<A | undefined, O | null, unknown>(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined || u === null || u === '' ? t.success(undefined) : codec.validate(u, c)),
    (a) => (a === undefined ? null : codec.encode(a)),
  )

/** A PIN field: `""`, `null` or missing is no PIN, and no PIN is written `""` (Pexip's form). */
const optionalPin = new t.Type<Pin | undefined, string, unknown>(
  'Pin',
  (u): u is Pin | undefined => u === undefined || PinCodec.is(u),
  (u, c) => (u === undefined || u === null || u === '' ? t.success(undefined) : PinCodec.validate(u, c)),
  (p) => p ?? '',
)

const integerIn = (min: number, max: number): t.Type<number, number, unknown> => {
  const is = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max
  return new t.Type<number, number, unknown>(
    'integer',
    is,
    (u, c) => (is(u) ? t.success(u) : refuse(u, c, `expected an integer from ${min} to ${max}, got ${show(u)}`)),
    (n) => n,
  )
}

/** Seconds may have a fraction, so that tests can make timers short (DESIGN §5 `wire`). */
const secondsIn = (min: number, max: number): t.Type<number, number, unknown> => {
  const is = (u: unknown): u is number => typeof u === 'number' && Number.isFinite(u) && u >= min && u <= max
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`
  return new t.Type<number, number, unknown>(
    'seconds',
    is,
    (u, c) => (is(u) ? t.success(u) : refuse(u, c, `expected a number of seconds ${range}, got ${show(u)}`)),
    (n) => n,
  )
}
const unbounded = Number.MAX_SAFE_INTEGER
const oneDayS = 86400

const text = (minLength: number, maxLength: number): t.Type<string, string, unknown> => {
  const is = (u: unknown): u is string => typeof u === 'string' && u.length >= minLength && u.length <= maxLength
  return new t.Type<string, string, unknown>(
    'string',
    is,
    (u, c) =>
      is(u)
        ? t.success(u)
        : refuse(
            u,
            c,
            typeof u !== 'string'
              ? `expected a string, got ${show(u)}`
              : u.length < minLength
                ? 'must not be empty'
                : `must be at most ${maxLength} characters`,
          ),
    (s) => s,
  )
}

const oneOf = <V extends string>(values: ReadonlyArray<V>, why?: string): t.Type<V, V, unknown> => {
  const is = (u: unknown): u is V => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u)
  return new t.Type<V, V, unknown>(
    values.map((v) => JSON.stringify(v)).join(' | '),
    is,
    (u, c) =>
      is(u)
        ? t.success(u)
        : refuse(u, c, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(u)}${why === undefined ? '' : ` (${why})`}`),
    (v) => v,
  )
}

export const apiPrefix = '/api/admin/configuration/v1/'
export type ResourceName = 'conference' | 'conference_alias' | 'automatic_participant' | 'gateway_routing_rule'
export const resourceUri = (resource: ResourceName, id: number): string => `${apiPrefix}${resource}/${id}/`

const maxId = Number.MAX_SAFE_INTEGER
const IdCodec = integerIn(1, maxId)

/** A resource URI decoded to the id it names: `/api/admin/configuration/v1/conference/7/` is 7. */
export const ResourceUriCodec = (resource: ResourceName): t.Type<number, string, unknown> => {
  const prefix = `${apiPrefix}${resource}/`
  const idOf = (u: unknown): number | undefined => {
    if (typeof u !== 'string' || !u.startsWith(prefix) || !u.endsWith('/')) return undefined
    const digits = u.slice(prefix.length, -1)
    if (!/^[1-9][0-9]{0,15}$/.test(digits)) return undefined
    const id = Number(digits)
    return id <= maxId ? id : undefined
  }
  return new t.Type<number, string, unknown>(
    `${resource} URI`,
    (u): u is number => IdCodec.is(u),
    (u, c) => {
      const id = idOf(u)
      return id === undefined ? refuse(u, c, `expected a resource URI like ${prefix}1/, got ${show(u)}`) : t.success(id)
    },
    (id) => resourceUri(resource, id),
  )
}

export const callTypes: ReadonlyArray<CallType> = ['video', 'audio', 'video-only']
export const ruleCallTypes: ReadonlyArray<RuleCallType> = ['video', 'audio', 'video-only', 'auto']
export const layouts: ReadonlyArray<Layout> = [
  'one_main_zero_pips',
  'one_main_seven_pips',
  'one_main_twentyone_pips',
  'two_mains_twentyone_pips',
  'four_mains_zero_pips',
  'nine_mains_zero_pips',
  'sixteen_mains_zero_pips',
  'twentyfive_mains_zero_pips',
  'five_mains_seven_pips',
]
export const outgoingProtocols: ReadonlyArray<OutgoingProtocol> = ['sip', 'h323', 'mssip']
export const enableChatValues = ['default', 'yes', 'no'] as const
export const audioOnlyViews = ['room', 'avatar'] as const
export const adpRoles = ['guest', 'chair'] as const
export const keepConferenceAliveValues = [
  'keep_conference_alive',
  'keep_conference_alive_if_multiple',
  'keep_conference_alive_never',
] as const
export const adpRoutings = ['manual', 'routing_rule'] as const

const unsupportedProtocol = 'Parley places calls over sip, h323 and mssip'
const CallTypeCodec = oneOf(callTypes)
const LayoutCodec = oneOf(layouts)
const OutgoingProtocolCodec = oneOf(outgoingProtocols, unsupportedProtocol)

/** Digits, `*`, `#`, A-D (RFC 4733 events) and `,` for a 2 s pause (PROTOCOLS 3.5). */
const DtmfSequenceCodec = new t.Type<string, string, unknown>(
  'dtmf_sequence',
  (u): u is string => typeof u === 'string' && /^[0-9*#A-D,]{0,250}$/.test(u),
  (u, c) =>
    typeof u === 'string' && /^[0-9*#A-D,]{0,250}$/.test(u)
      ? t.success(u)
      : refuse(u, c, `expected DTMF digits 0-9, *, #, A-D and , (a 2 s pause), got ${show(u)}`),
  (s) => s,
)

const NameCodec = text(1, 250)
const AliasCodec = text(1, 250)
const Description = withDefault(t.string, '')

// ---------------------------------------------------------------------------------------------
// Resource codecs (reused by the management API)

export const PinLockoutCodec = t.type({
  failures: withDefault(integerIn(1, 1_000_000), 10),
  window_s: withDefault(secondsIn(1, unbounded), 60),
  block_s: withDefault(secondsIn(0, unbounded), 300),
})

/** `global` (DESIGN §6), every key optional with its default. */
export const GlobalCodec = t.type({
  pin_entry_timeout_s: withDefault(secondsIn(0, unbounded), 60),
  host_wait_timeout_s: withDefault(secondsIn(0, unbounded), 1800),
  guests_only_timeout_s: withDefault(secondsIn(0, oneDayS), 60),
  only_one_participant_timeout_s: withDefault(secondsIn(0, oneDayS), 0),
  adp_delay_s: withDefault(secondsIn(10, unbounded), 10),
  trusted_peers: withDefault(t.array(text(1, 250)), ['127.0.0.1', '::1']),
  rtp_port_min: withDefault(integerIn(1, 65535), 40000),
  rtp_port_max: withDefault(integerIn(1, 65535), 49999),
  pin_lockout: withDefault(PinLockoutCodec, { failures: 10, window_s: 60, block_s: 300 }),
  default_sip_proxy: optional(text(1, 250)),
  default_mssip_proxy: optional(text(1, 250)),
  /** Absent: 60 s (core/call/call-timing.ts); see GlobalSettings.ringTimeoutS. */
  ring_timeout_s: optional(secondsIn(1, oneDayS)),
})

/** An alias nested in a `conference` (Pexip accepts `"aliases": [{"alias": "..."}]`). */
export const NestedAliasCodec = t.type({
  alias: AliasCodec,
  description: Description,
})

export const ConferenceCodec = t.type({
  id: optional(IdCodec),
  resource_uri: optional(ResourceUriCodec('conference')),
  name: NameCodec,
  description: Description,
  service_type: withDefault(oneOf(['conference'] as const, 'Parley serves Virtual Meeting Rooms only'), 'conference'),
  pin: optionalPin,
  guest_pin: optionalPin,
  allow_guests: withDefault(t.boolean, false),
  call_type: withDefault(CallTypeCodec, 'video'),
  host_view: withDefault(LayoutCodec, 'one_main_seven_pips'),
  guest_view: withDefault(LayoutCodec, 'one_main_seven_pips'),
  guests_can_present: withDefault(t.boolean, true),
  enable_chat: withDefault(oneOf(enableChatValues), 'default'),
  audio_only_view: withDefault(oneOf(audioOnlyViews), 'room'),
  /** Content hash of the uploaded image; none = the product logo. */
  avatar: optional(text(1, 250)),
  aliases: withDefault(t.array(NestedAliasCodec), []),
})

export const ConferenceAliasCodec = t.type({
  id: optional(IdCodec),
  resource_uri: optional(ResourceUriCodec('conference_alias')),
  alias: AliasCodec,
  conference: ResourceUriCodec('conference'),
  description: Description,
})

export const AutomaticParticipantCodec = t.type({
  id: optional(IdCodec),
  resource_uri: optional(ResourceUriCodec('automatic_participant')),
  alias: AliasCodec,
  description: Description,
  conference: withDefault(t.array(ResourceUriCodec('conference')), []),
  protocol: withDefault(OutgoingProtocolCodec, 'sip'),
  call_type: withDefault(CallTypeCodec, 'video'),
  role: withDefault(oneOf(adpRoles), 'guest'),
  dtmf_sequence: withDefault(DtmfSequenceCodec, ''),
  keep_conference_alive: withDefault(oneOf(keepConferenceAliveValues), 'keep_conference_alive_if_multiple'),
  routing: withDefault(oneOf(adpRoutings), 'manual'),
  remote_display_name: withDefault(text(0, 250), ''),
})

export const GatewayRoutingRuleCodec = t.type({
  id: optional(IdCodec),
  resource_uri: optional(ResourceUriCodec('gateway_routing_rule')),
  name: NameCodec,
  description: Description,
  priority: integerIn(1, 200),
  enable: withDefault(t.boolean, true),
  match_incoming_calls: withDefault(t.boolean, true),
  match_outgoing_calls: withDefault(t.boolean, false),
  match_incoming_sip: withDefault(t.boolean, true),
  match_incoming_h323: withDefault(t.boolean, true),
  match_incoming_mssip: withDefault(t.boolean, true),
  match_incoming_webrtc: withDefault(t.boolean, true),
  match_incoming_only_if_registered: withDefault(t.boolean, false),
  match_string: text(1, 250),
  replace_string: withDefault(text(0, 250), ''),
  outgoing_protocol: withDefault(OutgoingProtocolCodec, 'sip'),
  call_type: withDefault(oneOf(ruleCallTypes), 'video'),
  /** Where the call is sent (`host[:port]`); Pexip names a proxy object here, Parley its address. */
  sip_proxy: optional(text(1, 250)),
  mssip_proxy: optional(text(1, 250)),
  h323_gatekeeper: optional(text(1, 250)),
  treat_as_trusted: withDefault(t.boolean, false),
})

export const ConfigFileCodec = t.type({
  global: withDefault(GlobalCodec, {
    pin_entry_timeout_s: 60,
    host_wait_timeout_s: 1800,
    guests_only_timeout_s: 60,
    only_one_participant_timeout_s: 0,
    adp_delay_s: 10,
    trusted_peers: ['127.0.0.1', '::1'],
    rtp_port_min: 40000,
    rtp_port_max: 49999,
    pin_lockout: { failures: 10, window_s: 60, block_s: 300 },
    default_sip_proxy: undefined,
    default_mssip_proxy: undefined,
    ring_timeout_s: undefined,
  }),
  conference: withDefault(t.array(ConferenceCodec), []),
  conference_alias: withDefault(t.array(ConferenceAliasCodec), []),
  automatic_participant: withDefault(t.array(AutomaticParticipantCodec), []),
  gateway_routing_rule: withDefault(t.array(GatewayRoutingRuleCodec), []),
})

export type GlobalResource = t.TypeOf<typeof GlobalCodec>
export type ConferenceResource = t.TypeOf<typeof ConferenceCodec>
export type ConferenceAliasResource = t.TypeOf<typeof ConferenceAliasCodec>
export type AutomaticParticipantResource = t.TypeOf<typeof AutomaticParticipantCodec>
export type GatewayRoutingRuleResource = t.TypeOf<typeof GatewayRoutingRuleCodec>
export type ConfigFile = t.TypeOf<typeof ConfigFileCodec>
/** The JSON document, as `encodeConfigFile` writes it (every field present). */
export type ConfigFileJson = t.OutputOf<typeof ConfigFileCodec>

// ---------------------------------------------------------------------------------------------
// Decoding problems

/** `conference[0].pin` from io-ts's context: numeric keys index arrays, others name fields. */
const pathOf = (context: t.Context): string => {
  let path = ''
  for (let i = 1; i < context.length; i++) {
    const key = context[i]!.key
    if (key === '') continue
    path += /^[0-9]+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`
  }
  return path
}

export const problemOf = (error: t.ValidationError): ConfigProblem => {
  const last = error.context[error.context.length - 1]
  const message =
    error.message ?? (error.value === undefined ? 'is required' : `expected ${last?.type.name ?? 'something else'}, got ${show(error.value)}`)
  return { path: pathOf(error.context), message }
}

const dialStringReasons: Record<DialStringErrorReason, string> = {
  empty: 'is empty',
  'unterminated-quote': 'has an unterminated quote',
  'missing-angle-bracket': 'needs <...> after the display name',
  'unterminated-angle-bracket': 'has no closing >',
  'text-after-uri': 'has text after the address',
  'unsupported-scheme': 'has a scheme other than sip, sips, h323 or tel',
  'missing-user': 'has no user part',
  'invalid-user-character': 'has a character not allowed in a user part',
  'invalid-escape': 'has a broken %-escape',
  'missing-domain': 'has nothing after @',
  'invalid-domain': 'has an invalid domain',
  'invalid-port': 'has an invalid port',
  'invalid-parameter': 'has an invalid ;parameter',
  'invalid-header': 'has an invalid ?header',
}

/**
 * The key a configured alias is matched by (DESIGN §2), or why it cannot be one. An alias that
 * ends in `**` and a valid PIN could never be dialled: callers' `**1234` is read as a PIN.
 */
export const configuredAliasKey = (alias: string): E.Either<string, string> => {
  const parsed = parseDialString(alias)
  if (E.isLeft(parsed)) return E.left(`${show(alias)} is not a valid alias: it ${dialStringReasons[parsed.left.reason]}`)
  if (parsed.right.pin !== undefined)
    return E.left(`${show(alias)} ends in **${parsed.right.pin}, which callers' devices would send as a PIN`)
  return E.right(aliasKey(parsed.right))
}

// ---------------------------------------------------------------------------------------------
// File -> NodeConfig

const protocolOrder: ReadonlyArray<Protocol> = ['sip', 'mssip', 'h323', 'webrtc']

const keepAliveFromFile: Record<(typeof keepConferenceAliveValues)[number], KeepConferenceAlive> = {
  keep_conference_alive: 'always',
  keep_conference_alive_if_multiple: 'if_multiple',
  keep_conference_alive_never: 'never',
}

interface Identified {
  readonly id: number | undefined
  readonly resource_uri: number | undefined
}

/**
 * The id of each object: its `id`, else the one its `resource_uri` names, else the next after
 * the largest given, in file order. Disagreeing and repeated ids are problems.
 */
const assignIds = (resource: ResourceName, objects: ReadonlyArray<Identified>, problems: ConfigProblem[]): ReadonlyArray<number> => {
  const given = objects.map((o, i) => {
    if (o.id !== undefined && o.resource_uri !== undefined && o.id !== o.resource_uri)
      problems.push({ path: `${resource}[${i}].resource_uri`, message: `names ${resource} ${o.resource_uri} but id is ${o.id}` })
    return o.id ?? o.resource_uri
  })
  let next = Math.max(0, ...given.map((id) => id ?? 0)) + 1
  const firstUse = new Map<number, number>()
  return given.map((id, i) => {
    if (id === undefined) return next++
    const earlier = firstUse.get(id)
    if (earlier === undefined) firstUse.set(id, i)
    else problems.push({ path: `${resource}[${i}].id`, message: `id ${id} is already used by ${resource}[${earlier}]` })
    return id
  })
}

const checkGlobal = (g: GlobalResource, problems: ConfigProblem[]): GlobalSettings => {
  if (g.rtp_port_min >= g.rtp_port_max)
    problems.push({ path: 'global.rtp_port_max', message: `must be greater than rtp_port_min (${g.rtp_port_min})` })
  return {
    pinEntryTimeoutS: g.pin_entry_timeout_s,
    hostWaitTimeoutS: g.host_wait_timeout_s,
    guestsOnlyTimeoutS: g.guests_only_timeout_s,
    onlyOneParticipantTimeoutS: g.only_one_participant_timeout_s,
    adpDelayS: g.adp_delay_s,
    trustedPeers: g.trusted_peers,
    rtpPortMin: g.rtp_port_min,
    rtpPortMax: g.rtp_port_max,
    pinLockout: { failures: g.pin_lockout.failures, windowS: g.pin_lockout.window_s, blockS: g.pin_lockout.block_s },
    ...(g.default_sip_proxy === undefined ? {} : { defaultSipProxy: g.default_sip_proxy }),
    ...(g.default_mssip_proxy === undefined ? {} : { defaultMssipProxy: g.default_mssip_proxy }),
    ...(g.ring_timeout_s === undefined ? {} : { ringTimeoutS: g.ring_timeout_s }),
  }
}

/** DESIGN §2 "PINs, roles and host gating". */
const checkPins = (c: ConferenceResource, i: number, problems: ConfigProblem[]): void => {
  if (c.allow_guests && c.pin === undefined)
    problems.push({ path: `conference[${i}].pin`, message: 'a VMR that allows guests needs a Host PIN' })
  if (!c.allow_guests && c.guest_pin !== undefined)
    problems.push({ path: `conference[${i}].guest_pin`, message: 'a Guest PIN needs allow_guests: true' })
  if (c.pin !== undefined && c.guest_pin !== undefined && pinsEqual(c.pin, c.guest_pin))
    problems.push({ path: `conference[${i}].guest_pin`, message: 'the Guest PIN must differ from the Host PIN' })
}

const buildConfig = (file: ConfigFile): E.Either<ConfigError, NodeConfig> => {
  const problems: ConfigProblem[] = []
  const global = checkGlobal(file.global, problems)

  const conferenceIds = assignIds('conference', file.conference, problems)
  const conferenceIndexById = new Map<number, number>()
  conferenceIds.forEach((id, i) => {
    if (!conferenceIndexById.has(id)) conferenceIndexById.set(id, i)
  })
  const nameUsedBy = new Map<string, number>()
  file.conference.forEach((c, i) => {
    const earlier = nameUsedBy.get(c.name)
    if (earlier === undefined) nameUsedBy.set(c.name, i)
    else problems.push({ path: `conference[${i}].name`, message: `the name ${show(c.name)} is already used by conference[${earlier}]` })
    checkPins(c, i, problems)
  })

  // Aliases: nested ones first, then the conference_alias objects, each once per conference (a
  // Pexip export lists an alias both ways); unique across all VMRs by their matching key.
  const aliasesOf = file.conference.map((): string[] => [])
  const keyUsedBy = new Map<string, { readonly path: string; readonly conference: number }>()
  const addAlias = (alias: string, conference: number, path: string): void => {
    const key = configuredAliasKey(alias)
    if (E.isLeft(key)) {
      problems.push({ path, message: key.left })
      return
    }
    const earlier = keyUsedBy.get(key.right)
    if (earlier !== undefined) {
      if (earlier.conference === conference && aliasesOf[conference]!.includes(alias)) return
      const where = earlier.conference === conference ? 'this VMR' : `conference[${earlier.conference}]`
      problems.push({ path, message: `the alias ${show(alias)} is already used by ${where} (${earlier.path})` })
      return
    }
    keyUsedBy.set(key.right, { path, conference })
    aliasesOf[conference]!.push(alias)
  }
  file.conference.forEach((c, i) => c.aliases.forEach((a, j) => addAlias(a.alias, i, `conference[${i}].aliases[${j}].alias`)))
  const aliasIds = assignIds('conference_alias', file.conference_alias, problems)
  void aliasIds // ids of alias objects are checked, not kept: the model holds aliases as text
  file.conference_alias.forEach((a, k) => {
    const conference = conferenceIndexById.get(a.conference)
    if (conference === undefined)
      problems.push({ path: `conference_alias[${k}].conference`, message: `there is no conference with id ${a.conference}` })
    else addAlias(a.alias, conference, `conference_alias[${k}].alias`)
  })

  const vmrs = file.conference.map(
    (c, i): Vmr => ({
      id: ConferenceId(String(conferenceIds[i]!)),
      name: c.name,
      description: c.description,
      aliases: aliasesOf[i]!,
      ...(c.pin === undefined ? {} : { pin: c.pin }),
      ...(c.guest_pin === undefined ? {} : { guestPin: c.guest_pin }),
      allowGuests: c.allow_guests,
      callType: c.call_type,
      hostView: c.host_view,
      guestView: c.guest_view,
      guestsCanPresent: c.guests_can_present,
      // `default` follows the global chat setting, which is on (PROTOCOLS 3.8).
      enableChat: c.enable_chat !== 'no',
      audioOnlyView: c.audio_only_view,
      ...(c.avatar === undefined ? {} : { avatarHash: c.avatar }),
    }),
  )

  const adpIds = assignIds('automatic_participant', file.automatic_participant, problems)
  const adps = file.automatic_participant.map((a, i): Adp => {
    a.conference.forEach((id, j) => {
      if (!conferenceIndexById.has(id))
        problems.push({ path: `automatic_participant[${i}].conference[${j}]`, message: `there is no conference with id ${id}` })
    })
    const target = parseDialString(a.alias)
    if (E.isLeft(target))
      problems.push({
        path: `automatic_participant[${i}].alias`,
        message: `${show(a.alias)} cannot be dialled: it ${dialStringReasons[target.left.reason]}`,
      })
    return {
      id: String(adpIds[i]!),
      conferenceIds: a.conference.map((id) => ConferenceId(String(id))),
      alias: a.alias,
      protocol: a.protocol,
      callType: a.call_type,
      role: a.role === 'chair' ? 'host' : 'guest',
      dtmfSequence: a.dtmf_sequence,
      keepConferenceAlive: keepAliveFromFile[a.keep_conference_alive],
      remoteDisplayName: a.remote_display_name,
      routing: a.routing,
    }
  })

  const ruleIds = assignIds('gateway_routing_rule', file.gateway_routing_rule, problems)
  const rules = file.gateway_routing_rule.map(
    (r, i): GatewayRule => ({
      id: String(ruleIds[i]!),
      name: r.name,
      priority: r.priority,
      enabled: r.enable,
      matchIncomingCalls: r.match_incoming_calls,
      matchOutgoingCalls: r.match_outgoing_calls,
      matchIncomingProtocols: protocolOrder.filter(
        (p) =>
          (p === 'sip' && r.match_incoming_sip) ||
          (p === 'mssip' && r.match_incoming_mssip) ||
          (p === 'h323' && r.match_incoming_h323) ||
          (p === 'webrtc' && r.match_incoming_webrtc),
      ),
      matchIncomingOnlyIfRegistered: r.match_incoming_only_if_registered,
      matchString: r.match_string,
      replaceString: r.replace_string,
      outgoingProtocol: r.outgoing_protocol,
      callType: r.call_type,
      ...(r.sip_proxy === undefined ? {} : { sipProxy: r.sip_proxy }),
      ...(r.mssip_proxy === undefined ? {} : { mssipProxy: r.mssip_proxy }),
      ...(r.h323_gatekeeper === undefined ? {} : { h323Gatekeeper: r.h323_gatekeeper }),
      treatAsTrusted: r.treat_as_trusted,
    }),
  )

  return problems.length > 0 ? E.left(configInvalid(problems)) : E.right({ global, vmrs, adps, rules })
}

/** Reads a configuration document (already parsed from JSON), applying defaults and checking it. */
export const decodeConfigFile = (json: unknown): E.Either<ConfigError, NodeConfig> => {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return E.left(configInvalid([{ path: '', message: `expected a JSON object, got ${show(json)}` }]))
  const file = ConfigFileCodec.decode(json)
  return E.isLeft(file) ? E.left(configInvalid(file.left.map(problemOf))) : buildConfig(file.right)
}

/** The `global` settings of a configuration file that says nothing (DESIGN §6 defaults). */
export const defaultGlobalSettings: GlobalSettings = E.match(
  (error: ConfigError): GlobalSettings => {
    throw new Error(`bug: the empty configuration file does not decode: ${JSON.stringify(error)}`)
  },
  (config: NodeConfig) => config.global,
)(decodeConfigFile({}))

// ---------------------------------------------------------------------------------------------
// NodeConfig -> file

/**
 * Pexip ids are integers. A model built elsewhere with other ids (a test's `vmr-a`) still
 * encodes: those get the next free integers, and relations follow them.
 */
const integerIds = (ids: ReadonlyArray<string>): ((id: string) => number) => {
  const numeric = (id: string): number | undefined => (/^[1-9][0-9]{0,15}$/.test(id) && Number(id) <= maxId ? Number(id) : undefined)
  const mapping = new Map<string, number>()
  let next = Math.max(0, ...ids.map((id) => numeric(id) ?? 0)) + 1
  for (const id of ids) if (!mapping.has(id)) mapping.set(id, numeric(id) ?? next++)
  return (id) => mapping.get(id) ?? numeric(id) ?? 0
}

const keepAliveToFile: Record<KeepConferenceAlive, (typeof keepConferenceAliveValues)[number]> = {
  always: 'keep_conference_alive',
  if_multiple: 'keep_conference_alive_if_multiple',
  never: 'keep_conference_alive_never',
}

/** The file form of a configuration: every field written, aliases nested in their conference. */
export const encodeConfigFile = (config: NodeConfig): ConfigFileJson => {
  const g = config.global
  const conferenceId = integerIds(config.vmrs.map((v) => v.id))
  const adpId = integerIds(config.adps.map((a) => a.id))
  const ruleId = integerIds(config.rules.map((r) => r.id))
  const file: ConfigFile = {
    global: {
      pin_entry_timeout_s: g.pinEntryTimeoutS,
      host_wait_timeout_s: g.hostWaitTimeoutS,
      guests_only_timeout_s: g.guestsOnlyTimeoutS,
      only_one_participant_timeout_s: g.onlyOneParticipantTimeoutS,
      adp_delay_s: g.adpDelayS,
      trusted_peers: [...g.trustedPeers],
      rtp_port_min: g.rtpPortMin,
      rtp_port_max: g.rtpPortMax,
      pin_lockout: { failures: g.pinLockout.failures, window_s: g.pinLockout.windowS, block_s: g.pinLockout.blockS },
      default_sip_proxy: g.defaultSipProxy,
      default_mssip_proxy: g.defaultMssipProxy,
      ring_timeout_s: g.ringTimeoutS,
    },
    conference: config.vmrs.map((v) => ({
      id: conferenceId(v.id),
      resource_uri: conferenceId(v.id),
      name: v.name,
      description: v.description,
      service_type: 'conference',
      pin: v.pin,
      guest_pin: v.guestPin,
      allow_guests: v.allowGuests,
      call_type: v.callType,
      host_view: v.hostView,
      guest_view: v.guestView,
      guests_can_present: v.guestsCanPresent,
      enable_chat: v.enableChat ? 'yes' : 'no',
      audio_only_view: v.audioOnlyView,
      avatar: v.avatarHash,
      aliases: v.aliases.map((alias) => ({ alias, description: '' })),
    })),
    conference_alias: [],
    automatic_participant: config.adps.map((a) => ({
      id: adpId(a.id),
      resource_uri: adpId(a.id),
      alias: a.alias,
      description: '',
      conference: a.conferenceIds.map(conferenceId),
      protocol: a.protocol,
      call_type: a.callType,
      role: a.role === 'host' ? 'chair' : 'guest',
      dtmf_sequence: a.dtmfSequence,
      keep_conference_alive: keepAliveToFile[a.keepConferenceAlive],
      routing: a.routing,
      remote_display_name: a.remoteDisplayName,
    })),
    gateway_routing_rule: config.rules.map((r) => ({
      id: ruleId(r.id),
      resource_uri: ruleId(r.id),
      name: r.name,
      description: '',
      priority: r.priority,
      enable: r.enabled,
      match_incoming_calls: r.matchIncomingCalls,
      match_outgoing_calls: r.matchOutgoingCalls,
      match_incoming_sip: r.matchIncomingProtocols.includes('sip'),
      match_incoming_h323: r.matchIncomingProtocols.includes('h323'),
      match_incoming_mssip: r.matchIncomingProtocols.includes('mssip'),
      match_incoming_webrtc: r.matchIncomingProtocols.includes('webrtc'),
      match_incoming_only_if_registered: r.matchIncomingOnlyIfRegistered,
      match_string: r.matchString,
      replace_string: r.replaceString,
      outgoing_protocol: r.outgoingProtocol,
      call_type: r.callType,
      sip_proxy: r.sipProxy,
      mssip_proxy: r.mssipProxy,
      h323_gatekeeper: r.h323Gatekeeper,
      treat_as_trusted: r.treatAsTrusted,
    })),
  }
  return ConfigFileCodec.encode(file)
}
