/**
 * All presence resources of the node, and which resource each subscription watches. The router
 * (core/node/router.ts) can keep one `PresenceTable` and hand it every presence input with
 * `stepPresenceTable`, or keep the resources itself and call `stepPresence` (presence-resource.ts)
 * per resource plus `fanOutConfigChange` for a new configuration.
 *
 * A configuration change touches only the resources whose document can have changed:
 * - gateway rules unchanged (same table, or rules equal field by field): only the aliases whose
 *   VMR appeared, disappeared, or changed name or avatar — found by one pass over the two alias
 *   indexes, O(aliases in the configuration), independent of watchers;
 * - gateway rules changed: a rule can start or stop matching any address, so every resource is
 *   recomputed (one map lookup and one route lookup each).
 * Then each affected resource notifies its watchers only if its document really changed. So the
 * cost is O(aliases + affected resources + their watchers) in the common case (a VMR renamed,
 * added or removed), and the resources and watchers untouched are shared, not copied.
 */
import type { CompiledConfig } from '../config/compiled.js'
import type { GatewayRule } from '../config/model.js'
import { PersistentMap } from '../node/persistent-map.js'
import type { SubscriptionId } from '../model/ids.js'
import { samePresence, unknownPresence, vmrPresence } from './presence-document.js'
import type { PresenceEffect, PresenceInput, PresenceResource, PresenceStep } from './presence-resource.js'
import { presenceAnswer, presenceKey, refreshPresence, stepPresence } from './presence-resource.js'

export interface PresenceTable {
  /** By key (normalized alias). */
  readonly resources: PersistentMap<PresenceResource>
  /** Subscription id → the key of the resource it watches. */
  readonly subscriptions: PersistentMap<string>
}

export const emptyPresenceTable: PresenceTable = { resources: PersistentMap.empty(), subscriptions: PersistentMap.empty() }

const sameRule = (a: GatewayRule, b: GatewayRule): boolean =>
  a.id === b.id &&
  a.priority === b.priority &&
  a.enabled === b.enabled &&
  a.matchIncomingCalls === b.matchIncomingCalls &&
  a.matchOutgoingCalls === b.matchOutgoingCalls &&
  a.matchIncomingOnlyIfRegistered === b.matchIncomingOnlyIfRegistered &&
  a.matchString === b.matchString &&
  a.matchIncomingProtocols.length === b.matchIncomingProtocols.length &&
  a.matchIncomingProtocols.every((p, i) => b.matchIncomingProtocols[i] === p)

/**
 * Whether every address routes (for presence: matches or not) the same under both. Only the
 * fields that decide a match are compared; a rule's proxy or call type does not change presence.
 */
export const sameGatewayMatching = (previous: CompiledConfig, next: CompiledConfig): boolean =>
  previous.routing === next.routing ||
  (previous.source.rules.length === next.source.rules.length &&
    previous.source.rules.every((r, i) => {
      const other = next.source.rules[i]
      return other !== undefined && sameRule(r, other)
    }))

/** Aliases whose VMR presence differs between the two configurations. */
export const changedVmrAliases = (previous: CompiledConfig, next: CompiledConfig): ReadonlyArray<string> => {
  if (previous.vmrByAlias === next.vmrByAlias) return []
  const changed: string[] = []
  for (const [alias, vmr] of next.vmrByAlias) {
    const before = previous.vmrByAlias.get(alias)
    if (before === undefined || (before !== vmr && !samePresence(vmrPresence(before), vmrPresence(vmr)))) changed.push(alias)
  }
  for (const alias of previous.vmrByAlias.keys()) if (!next.vmrByAlias.has(alias)) changed.push(alias)
  return changed
}

/**
 * Recomputes what a new configuration changes and notifies exactly the watchers whose document
 * changed. Returns the same `resources` when nothing changed.
 */
export const fanOutConfigChange = (
  resources: PersistentMap<PresenceResource>,
  previous: CompiledConfig,
  next: CompiledConfig,
): PresenceStep<PersistentMap<PresenceResource>> => {
  const candidates: Iterable<string> = sameGatewayMatching(previous, next) ? changedVmrAliases(previous, next) : Array.from(resources.keys())
  let updated = resources
  const effects: PresenceEffect[] = []
  for (const key of candidates) {
    const resource = updated.get(key)
    if (resource === undefined) continue
    const step = refreshPresence(resource, next)
    if (step.state !== resource) {
      updated = updated.set(key, step.state)
      effects.push(...step.effects)
    }
  }
  return { state: updated, effects }
}

const unsubscribe = (table: PresenceTable, subscription: SubscriptionId, config: CompiledConfig): PresenceTable => {
  const key = table.subscriptions.get(subscription)
  if (key === undefined) return table
  const step = stepPresence(table.resources.get(key), { _tag: 'PresenceUnsubscribed', at: 0, subscription }, config)
  return { resources: table.resources.put(key, step.state), subscriptions: table.subscriptions.delete(subscription) }
}

/**
 * One presence input for the whole table. `config` is the configuration in force before the
 * input; a `ConfigChanged` carries the new one, and the caller keeps that from now on.
 * A repeated `PresenceSubscribed` for a live subscription (a refresh) answers it again; if it
 * names another address (it cannot in SIP, the dialog's target is fixed) it moves.
 */
export const stepPresenceTable = (table: PresenceTable, input: PresenceInput, config: CompiledConfig): PresenceStep<PresenceTable> => {
  switch (input._tag) {
    case 'PresenceSubscribed': {
      const key = presenceKey(input.target)
      const current = table.subscriptions.get(input.subscription)
      const base = current !== undefined && current !== key ? unsubscribe(table, input.subscription, config) : table
      if (key === undefined) return { state: base, effects: [presenceAnswer(input.subscription, unknownPresence)] }
      const step = stepPresence(base.resources.get(key), input, config)
      return {
        state: { resources: base.resources.put(key, step.state), subscriptions: base.subscriptions.set(input.subscription, key) },
        effects: step.effects,
      }
    }
    case 'PresenceUnsubscribed':
      return { state: unsubscribe(table, input.subscription, config), effects: [] }
    case 'ConfigChanged': {
      const step = fanOutConfigChange(table.resources, config, input.config)
      return { state: step.state === table.resources ? table : { ...table, resources: step.state }, effects: step.effects }
    }
  }
}
