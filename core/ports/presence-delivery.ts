/** Sends presence answers and NOTIFYs to watchers, in the format each one asked for. */
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { PresenceAnswer, PresenceNotify } from '../node/effect.js'
import type { Input } from '../node/input.js'

export type PresenceDeliveryError = { readonly _tag: 'SubscriptionGone'; readonly subscription: string }

export interface PresenceDelivery {
  readonly perform: (effect: PresenceAnswer | PresenceNotify) => TaskEither<PresenceDeliveryError, void>
  readonly onInput: (deliver: (input: Input) => void) => void
}
