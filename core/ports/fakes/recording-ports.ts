/**
 * In-memory fakes of the effect-carrying ports (CONVENTIONS 10): they record what they were
 * asked to do and let a test push inputs in, as the wire or the media worker would.
 */
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Input } from '../../node/input.js'
import type { CallControlEffect, Signalling, SignallingError } from '../signalling.js'
import type { Media, MediaEffect, MediaError } from '../media.js'
import type { PresenceDelivery, PresenceDeliveryError } from '../presence-delivery.js'
import type { PresenceAnswer, PresenceNotify } from '../../node/effect.js'
import type { Ids } from '../ids.js'
import { LegId, SubscriptionId } from '../../model/ids.js'

class Recorder<E> {
  readonly performed: E[] = []
  private readonly consumers: Array<(input: Input) => void> = []
  readonly onInput = (deliver: (input: Input) => void): void => {
    this.consumers.push(deliver)
  }
  /** Pushes an input as if it came from the world. */
  emit(input: Input): void {
    for (const c of this.consumers) c(input)
  }
}

export class FakeSignalling extends Recorder<CallControlEffect> implements Signalling {
  readonly perform = (effect: CallControlEffect): TE.TaskEither<SignallingError, void> => {
    this.performed.push(effect)
    return TE.right(undefined)
  }
}

export class FakeMedia extends Recorder<MediaEffect> implements Media {
  readonly perform = (effect: MediaEffect): TE.TaskEither<MediaError, void> => {
    this.performed.push(effect)
    return TE.right(undefined)
  }
}

export class FakePresenceDelivery extends Recorder<PresenceAnswer | PresenceNotify> implements PresenceDelivery {
  readonly perform = (effect: PresenceAnswer | PresenceNotify): TE.TaskEither<PresenceDeliveryError, void> => {
    this.performed.push(effect)
    return TE.right(undefined)
  }
}

/** Sequential ids with a prefix: reproducible across runs. */
export const sequentialIds = (prefix = ''): Ids => {
  let legs = 0
  let subs = 0
  return {
    leg: () => LegId(`${prefix}leg-${++legs}`),
    subscription: () => SubscriptionId(`${prefix}sub-${++subs}`),
  }
}
