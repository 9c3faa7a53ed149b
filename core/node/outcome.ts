/**
 * What every aggregate's step produces (DESIGN §1): it returns its next state (`undefined` once
 * it is over and should be forgotten) and writes the effects for the world and the messages for
 * other aggregates into the one `Out` of the node step (one collector for the step, not one per
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
 * Collects one node step's effects and messages in order. The router fills one per step through
 * the aggregates and hands the world a copy of the effects, so the step stays pure from the
 * outside; the router reads the messages as its queue while aggregates append to it.
 *
 * Its storage is kept from one step to the next (`reset`): a fresh array per step grew from
 * nothing to 17 slots on its first push, twice per step, which was a tenth of what a step
 * allocated (bench/profile-step.ts).
 */
export class Out {
  private effectSlots: Array<Effect | undefined> = []
  private effectCount = 0
  private messageSlots: Array<NodeMessage | undefined> = []
  private messageCount = 0
  private pinFailureCount = 0

  /** Ready for a new step: the last step's slots are cleared, their storage kept unless it grew large. */
  reset(): void {
    // Cleared slot by slot: Array.prototype.fill is a runtime call, dearer than the few stores.
    if (this.effectSlots.length > retainedSlots) this.effectSlots = []
    else for (let i = 0; i < this.effectCount; i++) this.effectSlots[i] = undefined
    if (this.messageSlots.length > retainedSlots) this.messageSlots = []
    else for (let i = 0; i < this.messageCount; i++) this.messageSlots[i] = undefined
    this.effectCount = 0
    this.messageCount = 0
    this.pinFailureCount = 0
  }

  /** One effect, or two in order (no caller needs more; a rest parameter was an array per call). */
  emit(effect: Effect, then?: Effect): void {
    this.effectSlots[this.effectCount++] = effect
    if (isPinFailure(effect)) this.pinFailureCount++
    if (then === undefined) return
    this.effectSlots[this.effectCount++] = then
    if (isPinFailure(then)) this.pinFailureCount++
  }

  /**
   * PinFailed observations emitted so far in this step. Counted as they are emitted, where V8
   * knows each effect's shape (emit is inlined into its callers), so that the router scans the
   * step's effects for the PIN lockout only in the steps that have one: the scan read every
   * effect's tag, ~8 % of a step's instructions (docs/decisions/0003-core-step-rate.md).
   */
  get pinFailures(): number {
    return this.pinFailureCount
  }

  send(message: NodeMessage, then?: NodeMessage): void {
    this.messageSlots[this.messageCount++] = message
    if (then !== undefined) this.messageSlots[this.messageCount++] = then
  }

  /** Messages sent so far in this step (the queue grows while it is read). */
  get messageTotal(): number {
    return this.messageCount
  }

  messageAt(i: number): NodeMessage {
    const m = this.messageSlots[i]
    if (m === undefined || i >= this.messageCount) throw new Error(`Out: no message ${i}`)
    return m
  }

  /** The step's effects, in an array of their own. */
  takeEffects(): ReadonlyArray<Effect> {
    return this.effectSlots.slice(0, this.effectCount) as ReadonlyArray<Effect>
  }
}

const isPinFailure = (effect: Effect): boolean => effect._tag === 'Observe' && effect.observation._tag === 'PinFailed'

/** Slots kept between steps; a step that needed more (a conference ending for hundreds) frees them. */
const retainedSlots = 256
