/**
 * The imperative shell around the pure core (DESIGN §1, CONVENTIONS 2 and 9): it holds the
 * NodeState, stamps each input with the Clock's time, runs `stepNode`, schedules the core's
 * timers on the Clock, and hands every other effect to the port that carries it.
 *
 * - One input at a time, in arrival order: an input that arrives while another is being stepped
 *   (a port delivering from inside `perform`) waits in the queue; `stepNode` is synchronous.
 * - Effects are started in the order the core emitted them, each as soon as it is emitted; the
 *   runtime does not wait for the wire (one slow peer must not hold up the node). A port keeps
 *   the order of the effects it is given for one leg (the SIP adapter queues them per leg).
 * - Time is monotonic for the core: a clock that steps back (NTP) stamps the last time again.
 * - Nothing a port or the core throws stops the runtime: it is logged with the input or effect
 *   it came from, and the next input is taken. A core exception leaves the state as it was.
 */
import type { CompiledConfig } from '../../core/config/compiled.js'
import type { LegId, Millis, TimerId } from '../../core/model/ids.js'
import type { Effect } from '../../core/node/effect.js'
import type { Input } from '../../core/node/input.js'
import type { NodeState } from '../../core/node/router.js'
import { initialNodeState, stepNode } from '../../core/node/router.js'
import type { Clock } from '../../core/ports/clock.js'
import type { Media } from '../../core/ports/media.js'
import type { PresenceDelivery } from '../../core/ports/presence-delivery.js'
import type { Signalling } from '../../core/ports/signalling.js'
import type { Logger } from './logger.js'
import type { NodeMetricsSink } from './metrics-sink.js'
import { noMetrics } from './metrics-sink.js'

export interface NodeRuntimeOptions {
  readonly config: CompiledConfig
  readonly clock: Clock
  readonly signalling: Signalling
  readonly media: Media
  readonly presence: PresenceDelivery
  readonly logger: Logger
  /** Where Observe effects are counted (GET /metrics); nothing is counted when absent. */
  readonly metrics?: NodeMetricsSink
}

/** Counts for status and tests. */
export interface RuntimeCounts {
  readonly inputs: number
  readonly effects: number
  /** Inputs the core threw on (a bug), and effects a port failed or threw on. */
  readonly coreFailures: number
  readonly effectFailures: number
  readonly timers: number
}

type Task = () => Promise<{ readonly _tag: 'Left'; readonly left: unknown } | { readonly _tag: 'Right'; readonly right: unknown }>

const describeError = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export class NodeRuntime {
  private state: NodeState
  private readonly queue: Input[] = []
  private head = 0
  private draining = false
  private stopped = false
  private lastAt: Millis = Number.NEGATIVE_INFINITY
  private readonly timers = new Map<TimerId, () => void>()
  private inputs = 0
  private effects = 0
  private coreFailures = 0
  private effectFailures = 0
  private readonly clock: Clock
  private readonly signalling: Signalling
  private readonly media: Media
  private readonly presence: PresenceDelivery
  private readonly logger: Logger
  private readonly metrics: NodeMetricsSink
  /**
   * When each leg was answered (Parley's 200 to it, or the far end's to Parley): the status
   * API's `connect_time`. The core keeps no wall-clock times of its own, so this one fact lives
   * here, beside the state it annotates; entries go with the leg (Hangup, Reject, CallEnded,
   * CallFailed) and any left over are pruned against the core's legs.
   */
  private readonly answeredAt = new Map<LegId, Millis>()
  private readonly changeListeners = new Set<() => void>()

  constructor(options: NodeRuntimeOptions) {
    this.state = initialNodeState(options.config)
    this.clock = options.clock
    this.signalling = options.signalling
    this.media = options.media
    this.presence = options.presence
    this.logger = options.logger
    this.metrics = options.metrics ?? noMetrics
    const submit = (input: Input): void => this.submit(input)
    this.signalling.onInput(submit)
    this.media.onInput(submit)
    this.presence.onInput(submit)
  }

  /** Takes an input from the world. Its `at` is replaced by the time the runtime takes it. */
  submit(input: Input): void {
    if (this.stopped) return
    this.queue.push(input)
    if (!this.draining) this.drain()
  }

  /** The operator changed the configuration (already validated and compiled). */
  changeConfig(config: CompiledConfig): void {
    this.submit({ _tag: 'ConfigChanged', at: 0, config })
  }

  /** The configuration in force. */
  get config(): CompiledConfig {
    return this.state.config
  }

  /**
   * The core's state, read-only (status API, dashboard, metrics, tests): persistent data, so
   * a reader holds a consistent snapshot however long it takes, and nothing is copied.
   */
  get nodeState(): NodeState {
    return this.state
  }

  /** When `leg` was answered (clock time), if it has been and is still known. */
  connectedAt(leg: LegId): Millis | undefined {
    return this.answeredAt.get(leg)
  }

  /**
   * Called after a run of inputs that changed the core's state (once per run, not per input):
   * the dashboard's live view. Returns the unsubscribe.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  get counts(): RuntimeCounts {
    return {
      inputs: this.inputs,
      effects: this.effects,
      coreFailures: this.coreFailures,
      effectFailures: this.effectFailures,
      timers: this.timers.size,
    }
  }

  /** Cancels every timer and ignores inputs from now on. */
  stop(): void {
    this.stopped = true
    for (const cancel of this.timers.values()) cancel()
    this.timers.clear()
    this.queue.length = 0
    this.head = 0
    this.changeListeners.clear()
  }

  private drain(): void {
    this.draining = true
    const before = this.state
    try {
      while (this.head < this.queue.length && !this.stopped) {
        const next = this.queue[this.head]!
        this.head++
        try {
          this.step(next)
        } catch (error) {
          this.logger.error({ input: next._tag, err: describeError(error) }, 'an input could not be handled')
        }
      }
    } finally {
      this.queue.length = 0
      this.head = 0
      this.draining = false
    }
    if (this.state !== before) this.changed()
  }

  private changed(): void {
    if (this.answeredAt.size > this.state.calls.size + 1024) {
      for (const leg of this.answeredAt.keys()) if (!this.state.calls.has(leg)) this.answeredAt.delete(leg)
    }
    for (const listener of this.changeListeners) {
      try {
        listener()
      } catch (error) {
        this.logger.error({ err: describeError(error) }, 'a state change listener failed')
      }
    }
  }

  /** Keeps `answeredAt` in step with the legs' lives. */
  private noteInput(input: Input): void {
    switch (input._tag) {
      case 'CallAnswered':
        this.answeredAt.set(input.leg, input.at)
        return
      case 'CallEnded':
      case 'CallFailed':
        this.answeredAt.delete(input.leg)
        return
      default:
        return
    }
  }

  private step(raw: Input): void {
    const at = Math.max(this.lastAt, this.clock.now())
    this.lastAt = at
    const input = { ...raw, at } as Input
    this.inputs++
    this.noteInput(input)
    let effects: ReadonlyArray<Effect>
    try {
      const step = stepNode(this.state, input)
      this.state = step.state
      effects = step.effects
    } catch (error) {
      this.coreFailures++
      this.logger.error({ input: input._tag, err: describeError(error) }, 'the core failed on an input; state kept as it was')
      return
    }
    for (const effect of effects) this.dispatch(effect)
  }

  private dispatch(effect: Effect): void {
    this.effects++
    switch (effect._tag) {
      case 'StartTimer':
        return this.startTimer(effect.timer, effect.due)
      case 'CancelTimer': {
        this.timers.get(effect.timer)?.()
        this.timers.delete(effect.timer)
        return
      }
      case 'Observe':
        // A PIN lockout is a security event: logged where a node under load (at warn) still logs it.
        if (effect.observation._tag === 'SourceLockedOut') this.logger.warn({ observation: effect.observation }, 'source locked out for wrong PINs')
        else this.logger.info({ observation: effect.observation }, 'observation')
        this.metrics.observed(effect.observation)
        return
      case 'Show':
      case 'Play':
      case 'JoinMix':
      case 'LeaveMix':
      case 'Bridge':
      case 'GrantFloor':
      case 'RevokeFloor':
        return this.run(effect, () => this.media.perform(effect))
      case 'PresenceAnswer':
      case 'PresenceNotify':
        return this.run(effect, () => this.presence.perform(effect))
      case 'Answer':
        if (!this.answeredAt.has(effect.leg)) this.answeredAt.set(effect.leg, this.lastAt)
        return this.run(effect, () => this.signalling.perform(effect))
      case 'Reject':
      case 'Hangup':
        this.answeredAt.delete(effect.leg)
        return this.run(effect, () => this.signalling.perform(effect))
      case 'Ring':
      case 'Reoffer':
      case 'DialOut':
      case 'SendDtmf':
      case 'DeliverChat':
        return this.run(effect, () => this.signalling.perform(effect))
    }
  }

  private startTimer(timer: TimerId, due: Millis): void {
    // The core cancels before it restarts a timer; a repeat is replaced all the same.
    this.timers.get(timer)?.()
    const cancel = this.clock.schedule(due, () => {
      if (this.timers.get(timer) !== cancel) return
      this.timers.delete(timer)
      this.submit({ _tag: 'TimerFired', at: 0, timer })
    })
    this.timers.set(timer, cancel)
  }

  /** Starts the port's task now; a failure is logged, never thrown. */
  private run(effect: Effect, perform: () => Task): void {
    const failed = (reason: unknown): void => {
      this.effectFailures++
      const context = { effect: effect._tag, ...('leg' in effect ? { leg: effect.leg } : {}), reason }
      // A leg or subscription that ended while the effect was on its way is late news, not a fault.
      const gone = typeof reason === 'object' && reason !== null && /Gone$/.test(String((reason as { _tag?: unknown })._tag))
      if (gone) this.logger.debug(context, 'effect for something already gone')
      else this.logger.warn(context, 'effect not carried out')
    }
    try {
      perform()().then(
        (result) => {
          if (result._tag === 'Left') failed(result.left)
        },
        (error: unknown) => failed(describeError(error)),
      )
    } catch (error) {
      failed(describeError(error))
    }
  }
}
