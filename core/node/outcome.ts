/**
 * What every aggregate's step produces (DESIGN §1): it returns its next state (`undefined` once
 * it is over and should be forgotten) and writes the effects for the world and the messages for
 * other aggregates into the one `Out` of the node step (one collector per step, not per
 * aggregate: fewer allocations on the hottest path, see bench/step.bench.ts).
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

/**
 * Collects one node step's effects and messages in order. `stepNode` creates it, the aggregates
 * fill it, and it never escapes the step, so the step stays pure from the outside. The router
 * reads `messages` as its queue while aggregates append to it.
 */
export class Out {
  readonly effects: Effect[] = []
  readonly messages: NodeMessage[] = []

  emit(effect: Effect, ...more: ReadonlyArray<Effect>): void {
    this.effects.push(effect)
    for (const e of more) this.effects.push(e)
  }

  send(message: NodeMessage, ...more: ReadonlyArray<NodeMessage>): void {
    this.messages.push(message)
    for (const m of more) this.messages.push(m)
  }
}
