/** Fresh identifiers for legs and subscriptions, made at the edge (the core never invents them). */
import type { LegId, SubscriptionId } from '../model/ids.js'

export interface Ids {
  readonly leg: () => LegId
  readonly subscription: () => SubscriptionId
}
