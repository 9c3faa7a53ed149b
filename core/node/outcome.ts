/**
 * What every aggregate's step returns (DESIGN §1): its next state (`undefined` once it is over
 * and should be forgotten), the effects for the world, and messages for other aggregates.
 */
import type { CompiledConfig } from '../config/compiled.js'
import type { Millis } from '../model/ids.js'
import type { Effect } from './effect.js'
import type { NodeMessage } from './messages.js'

/** What a step may read besides its own state: the input's time and the current configuration. */
export interface StepContext {
  readonly at: Millis
  readonly config: CompiledConfig
}

export interface Outcome<S> {
  readonly state: S | undefined
  readonly effects: ReadonlyArray<Effect>
  readonly messages: ReadonlyArray<NodeMessage>
}

/**
 * Collects one step's effects and messages in order. It is created and filled inside a single
 * step function and never escapes it, so the step stays pure from the outside.
 */
export class Out {
  readonly effects: Effect[] = []
  readonly messages: NodeMessage[] = []

  emit(...effects: ReadonlyArray<Effect>): void {
    for (const e of effects) this.effects.push(e)
  }

  send(...messages: ReadonlyArray<NodeMessage>): void {
    for (const m of messages) this.messages.push(m)
  }

  done<S>(state: S | undefined): Outcome<S> {
    return { state, effects: this.effects, messages: this.messages }
  }
}
