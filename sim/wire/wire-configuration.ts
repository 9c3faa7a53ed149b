/**
 * The configuration file a wire node starts with: the scenario's document (the demo
 * configuration as the Given steps changed it, features/support/configuration-file.ts) with two
 * changes that only say where things are and how fast time runs, never what the node decides:
 *
 * - Timeouts: every configurable timeout of `global` is written multiplied by the scenario's
 *   time factor (time-plan.ts), the defaults included, since a default left out would run in
 *   real time. The automatic dialling delay cannot go below its 10 s floor (DESIGN §2), nor
 *   the ring timeout below 1 s.
 * - Places: on loopback every host name a call could be sent to is the wire world's edge (what
 *   DNS and the SfB pool's static routes are in a deployment), so the global default proxies
 *   and every rule's own proxies name the edge's listeners.
 *
 * And one change for isolation: a node serves a feature's scenarios one after another, and every
 * SfB caller reaches it relayed by the edge (a trusted peer), so wrong PINs of earlier scenarios
 * would count towards the `pin_lockout` of later ones (ten within a minute lock the caller out).
 * A scenario that does not set `pin_lockout` itself runs with a limit no scenario reaches; one
 * that sets it gets exactly its own, and a changed policy counts afresh (core/lockout/).
 */

type JsonObject = Record<string, unknown>

/** The configurable timeouts of `global` with their defaults (DESIGN §6), in seconds. */
export const timeoutDefaultsS = {
  pin_entry_timeout_s: 60,
  host_wait_timeout_s: 1800,
  guests_only_timeout_s: 60,
  only_one_participant_timeout_s: 0,
  /** How long a dial-out may ring (core/call/call-timing.ts). */
  ring_timeout_s: 60,
} as const

/** The node takes no ring timeout under 1 s (core/config/codecs.ts). */
export const ringTimeoutFloorS = 1

const adpDelayDefaultS = 10
/** DESIGN §2: an automatic participant is dialled at least 10 s after its trigger. */
export const adpDelayFloorS = 10

export interface WireEdgeAddress {
  /** `host:port` where standard SIP calls from the node are received. */
  readonly sip: string
  /** `host:port` where MS-SIP calls from the node (to SfB users) are received. */
  readonly mssip: string
}

/** The lockout a scenario that sets none runs with: not reached by a feature's wrong PINs together. */
export const isolatedPinLockout = { failures: 1_000_000, window_s: 60, block_s: 300 } as const

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback)

/**
 * Seconds to the millisecond (the node takes fractional seconds); a timeout that is on stays on,
 * however small the factor makes it, since 0 means off (or "at once") to the node.
 */
const scaled = (s: number, factor: number): number => (s === 0 ? 0 : Math.max(0.001, Math.round(s * factor * 1000) / 1000))

/** The configurable timeouts the document sets (or defaults to) that are on, in milliseconds. */
export const configuredTimeoutsMs = (document: unknown): ReadonlyArray<number> => {
  const global = isObject(document) && isObject(document['global']) ? document['global'] : {}
  return Object.entries(timeoutDefaultsS)
    .map(([field, fallback]) => numberOr(global[field], fallback) * 1000)
    .filter((ms) => ms > 0)
}

/** The document a wire node is started with; `document` is left as it was. */
export const wireConfiguration = (document: unknown, factor: number, edge: WireEdgeAddress): unknown => {
  if (!isObject(document)) throw new Error('the configuration document is not an object')
  const copy = structuredClone(document)
  const global: JsonObject = isObject(copy['global']) ? copy['global'] : {}
  for (const [field, fallback] of Object.entries(timeoutDefaultsS)) {
    global[field] = scaled(numberOr(global[field], fallback), factor)
  }
  global['adp_delay_s'] = Math.max(adpDelayFloorS, scaled(numberOr(global['adp_delay_s'], adpDelayDefaultS), factor))
  global['ring_timeout_s'] = Math.max(ringTimeoutFloorS, numberOr(global['ring_timeout_s'], ringTimeoutFloorS))
  if (global['pin_lockout'] === undefined) global['pin_lockout'] = isolatedPinLockout
  global['default_sip_proxy'] = edge.sip
  global['default_mssip_proxy'] = edge.mssip
  copy['global'] = global
  const rules = Array.isArray(copy['gateway_routing_rule']) ? (copy['gateway_routing_rule'] as unknown[]) : []
  copy['gateway_routing_rule'] = rules.map((rule) => {
    if (!isObject(rule)) return rule
    const placed: JsonObject = { ...rule }
    if (placed['sip_proxy'] !== undefined) placed['sip_proxy'] = edge.sip
    if (placed['mssip_proxy'] !== undefined) placed['mssip_proxy'] = edge.mssip
    return placed
  })
  return copy
}
