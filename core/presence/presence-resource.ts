/**
 * The Presence resource aggregate (DESIGN §1): one per watched address, keyed by the address's
 * normalized alias (`aliasKey`), holding its watchers (subscription ids) and the document they
 * were last told. Pure steps:
 * - subscribe: the watcher joins and gets `PresenceAnswer` with the current document;
 * - unsubscribe: it leaves; a resource nobody watches is dropped (`undefined`);
 * - configuration change: the document is recomputed and every watcher gets `PresenceNotify` —
 *   only when it changed (DESIGN §2 "Presence is kept current").
 *
 * All addresses with the same alias key get the same document (presence-document.ts), so they
 * share one resource: `sip:meet.alice@example.com` and `sip:Meet.Alice**1234@example.com` are
 * one resource. An address that is no dial string at all has no resource: it is Unknown under
 * every configuration, so its watcher is answered once and never needs a NOTIFY.
 *
 * Watchers are a persistent map, so a subscribe costs O(log n) however many watchers the
 * resource already has (everyone watching `meet.alice` is one resource).
 */
import type { CompiledConfig } from '../config/compiled.js'
import type { PresenceAnswer, PresenceDocument, PresenceNotify } from '../node/effect.js'
import type { ConfigChanged, PresenceSubscribed, PresenceUnsubscribed } from '../node/input.js'
import { PersistentMap } from '../node/persistent-map.js'
import type { SubscriptionId } from '../model/ids.js'
import { presenceForAlias, samePresence, unknownPresence, watchedAlias } from './presence-document.js'

export interface PresenceResource {
  /** The normalized alias every watcher of this resource named. */
  readonly key: string
  readonly document: PresenceDocument
  /** Subscription id → itself; a persistent set. Never empty: an unwatched resource is dropped. */
  readonly watchers: PersistentMap<SubscriptionId>
}

export type PresenceInput = PresenceSubscribed | PresenceUnsubscribed | ConfigChanged
export type PresenceEffect = PresenceAnswer | PresenceNotify

export interface PresenceStep<S> {
  readonly state: S
  readonly effects: ReadonlyArray<PresenceEffect>
}

/** The key of the resource a watched address belongs to; `undefined`: no resource (always Unknown). */
export const presenceKey = (target: string): string | undefined => watchedAlias(target)

/** A resource nobody watches yet, with the document `config` gives its key. */
export const initialPresenceResource = (config: CompiledConfig, key: string): PresenceResource => ({
  key,
  document: presenceForAlias(config, key),
  watchers: PersistentMap.empty(),
})

export const presenceAnswer = (subscription: SubscriptionId, document: PresenceDocument): PresenceAnswer => ({
  _tag: 'PresenceAnswer',
  subscription,
  document,
})

const notifyAll = (watchers: PersistentMap<SubscriptionId>, document: PresenceDocument): ReadonlyArray<PresenceNotify> =>
  Array.from(watchers.values(), (subscription): PresenceNotify => ({ _tag: 'PresenceNotify', subscription, document }))

/** Recomputes the document under `config`; watchers hear of it only if it changed. */
export const refreshPresence = (resource: PresenceResource, config: CompiledConfig): PresenceStep<PresenceResource> => {
  const document = presenceForAlias(config, resource.key)
  if (samePresence(document, resource.document)) return { state: resource, effects: [] }
  return { state: { ...resource, document }, effects: notifyAll(resource.watchers, document) }
}

/**
 * One input for one resource. `state` is `undefined` for a resource that does not exist yet (a
 * first subscription creates it); `config` is the configuration in force (a `ConfigChanged`
 * brings its own). The router sends here only inputs whose key names this resource.
 */
export const stepPresence = (
  state: PresenceResource | undefined,
  input: PresenceInput,
  config: CompiledConfig,
): PresenceStep<PresenceResource | undefined> => {
  switch (input._tag) {
    case 'PresenceSubscribed': {
      const key = state?.key ?? presenceKey(input.target)
      if (key === undefined) return { state, effects: [presenceAnswer(input.subscription, unknownPresence)] }
      const resource = state ?? initialPresenceResource(config, key)
      return {
        state: { ...resource, watchers: resource.watchers.set(input.subscription, input.subscription) },
        effects: [presenceAnswer(input.subscription, resource.document)],
      }
    }
    case 'PresenceUnsubscribed': {
      if (state === undefined) return { state, effects: [] }
      const watchers = state.watchers.delete(input.subscription)
      return { state: watchers.size === 0 ? undefined : watchers === state.watchers ? state : { ...state, watchers }, effects: [] }
    }
    case 'ConfigChanged':
      return state === undefined ? { state, effects: [] } : refreshPresence(state, input.config)
  }
}
