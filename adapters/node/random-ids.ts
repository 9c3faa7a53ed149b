/** The Ids port for the live node: random UUIDs, unique across restarts and nodes. */
import { randomUUID } from 'node:crypto'
import type { Ids } from '../../core/ports/ids.js'
import { LegId, SubscriptionId } from '../../core/model/ids.js'

export const randomIds: Ids = {
  leg: () => LegId(randomUUID()),
  subscription: () => SubscriptionId(randomUUID()),
}
