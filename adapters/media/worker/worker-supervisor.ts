/**
 * Keeps one media worker running (DESIGN §4: a media failure cannot take signalling down):
 *
 * - starts the worker, waits for its Ready event and sends it the port range;
 * - when it dies, tells its listener which legs were lost with it (every leg the worker held
 *   media for: their RTP ports and mixes are gone, the far ends hear nothing, so the node ends
 *   them with BYE rather than leave silent calls up) and logs them, then starts a new worker
 *   after a backoff (100 ms doubling to 5 s; back to 100 ms once a worker has lived 30 s);
 * - a lost leg gets nothing more from the new worker but its release: its call is being ended,
 *   and a late request (a view, a floor grant the core made before it heard of the loss) would
 *   bring it back there as a phantom leg (a floor holder whose content is shown to no one's end,
 *   a screen for no one); such requests fail with ChannelClosed;
 * - a request made while a new worker is starting waits for it (bounded by `readyTimeoutMs`);
 * - a worker that exits because GStreamer or node-gtk is missing is not restarted (the same
 *   start would fail the same way); requests then fail with ChannelClosed naming the problem.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { Logger } from 'pino'
import type { Channel, ChannelClosure, ChannelError } from '../channel/channel.js'
import { spawnChannel } from '../channel/channel.js'
import type { MethodName, ParamsOf, ResultOf } from '../channel/protocol.js'
import type { WorkerEvent, WorkerProtocol } from './worker-protocol.js'
import { missingMediaStackExitCode, workerProtocol } from './worker-protocol.js'

type Methods = WorkerProtocol['methods']
type WorkerChannel = Channel<Methods, WorkerProtocol['event']>

export interface WorkerSupervisorOptions {
  readonly logger: Logger
  readonly bindHost: string
  readonly portMin: number
  readonly portMax: number
  /** The worker's entry module; the real worker unless a test says otherwise. */
  readonly entry?: string
  readonly env?: NodeJS.ProcessEnv
  readonly readyTimeoutMs?: number
  readonly requestTimeoutMs?: number
  readonly backoff?: { readonly firstMs: number; readonly maxMs: number; readonly stableMs: number }
}

export interface WorkerLoss {
  readonly legs: ReadonlyArray<string>
  readonly closure: ChannelClosure
}

/** Lost legs remembered (far more than one worker carries, and than arrive while their calls end). */
const maxLostLegs = 10_000
const defaultBackoff = { firstMs: 100, maxMs: 5_000, stableMs: 30_000 }
const defaultEntry = new URL('./media-worker.ts', import.meta.url).pathname

type Generation = { readonly channel: WorkerChannel; readonly startedAt: number; readonly ready: Promise<E.Either<string, void>> }

export class WorkerSupervisor {
  private current: Generation | undefined
  private stopped = false
  private failure: string | undefined
  private attempt = 0
  private restartTimer: ReturnType<typeof setTimeout> | undefined
  private waiting: Array<() => void> = []
  /** Legs the worker holds something for (ports, streams, a mix, a prompt). */
  private readonly legs = new Set<string>()
  /** Legs dead workers took with them (their calls are ending; leg ids are never reused). */
  private readonly lostLegs = new Set<string>()
  private readonly eventListeners = new Set<(event: WorkerEvent) => void>()
  private readonly lossListeners = new Set<(loss: WorkerLoss) => void>()
  private readonly backoff: { readonly firstMs: number; readonly maxMs: number; readonly stableMs: number }
  private restarts = 0

  constructor(private readonly options: WorkerSupervisorOptions) {
    this.backoff = options.backoff ?? defaultBackoff
  }

  /** Starts the first worker; Right once it is ready and configured. */
  async start(): Promise<E.Either<string, { readonly pid: number | undefined; readonly startMs: number }>> {
    const started = performance.now()
    const generation = this.spawn()
    const ready = await generation.ready
    if (E.isLeft(ready)) return ready
    return E.right({ pid: generation.channel.pid, startMs: performance.now() - started })
  }

  /** Sends a request to the current worker, waiting for a restarting one to be ready. */
  request<K extends MethodName<Methods>>(method: K, params: ParamsOf<Methods, K>): TaskEither<ChannelError, ResultOf<Methods, K>> {
    return async () => {
      const lostBefore = this.refuseLost(method, params)
      if (lostBefore !== undefined) return E.left(lostBefore)
      const generation = await this.readyGeneration()
      if (E.isLeft(generation)) return E.left({ _tag: 'ChannelClosed', reason: generation.left })
      // A worker may have died while this waited.
      const lost = this.refuseLost(method, params)
      if (lost !== undefined) return E.left(lost)
      if ('leg' in params && typeof params.leg === 'string') {
        if (method === 'releaseLeg') this.legs.delete(params.leg)
        // Leaving a mix holds nothing; it often comes after the leg's release (the core steps the
        // call's end after the SIP side forgot it) and must not bring the leg back into the list.
        else if (method !== 'leaveMix') this.legs.add(params.leg)
      }
      if (method === 'bridge' && 'a' in params && 'b' in params) {
        this.legs.add(String(params.a))
        this.legs.add(String(params.b))
      }
      return generation.right.channel.request(method, params)()
    }
  }

  onEvent(listener: (event: WorkerEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  /** Called after each worker death with the legs it took with it. */
  onWorkerLost(listener: (loss: WorkerLoss) => void): () => void {
    this.lossListeners.add(listener)
    return () => this.lossListeners.delete(listener)
  }

  get pid(): number | undefined {
    return this.current?.channel.pid
  }

  get restartCount(): number {
    return this.restarts
  }

  /** Stops restarting and closes the worker; resolves once it has exited. */
  async close(): Promise<void> {
    this.stopped = true
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer)
    this.wakeWaiters()
    await this.current?.channel.close()
  }

  private spawn(): Generation {
    const channel: WorkerChannel = spawnChannel(workerProtocol, {
      entry: this.options.entry ?? defaultEntry,
      logger: this.options.logger,
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
      ...(this.options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: this.options.requestTimeoutMs }),
    })
    const ready = new Promise<E.Either<string, void>>((resolve) => {
      const timeoutMs = this.options.readyTimeoutMs ?? 15_000
      const timer = setTimeout(() => {
        resolve(E.left(`media worker not ready after ${timeoutMs} ms`))
        // A hung start counts as a death: killed, it is restarted like a crashed one.
        if (channel.pid !== undefined) process.kill(channel.pid, 'SIGKILL')
      }, timeoutMs)
      channel.onEvent((event) => {
        if (event._tag !== 'Ready') return
        this.options.logger.info({ worker: channel.pid, gstreamer: event.gstreamer, startMs: event.startMs }, 'media worker ready')
        void channel.request('configure', { bindHost: this.options.bindHost, portMin: this.options.portMin, portMax: this.options.portMax })().then((configured) => {
          clearTimeout(timer)
          resolve(E.isLeft(configured) ? E.left(`media worker refused its configuration: ${JSON.stringify(configured.left)}`) : E.right(undefined))
        })
      })
      channel.onClose((closure) => {
        clearTimeout(timer)
        resolve(E.left(closure.exit.code === missingMediaStackExitCode ? 'the media stack (GStreamer, node-gtk) is missing' : `media worker ${closure.reason}`))
      })
    })
    const generation: Generation = { channel, startedAt: performance.now(), ready }
    this.current = generation
    channel.onEvent((event) => {
      if (event._tag === 'Ready') return
      for (const listener of [...this.eventListeners]) listener(event)
    })
    channel.onClose((closure) => this.lost(generation, closure))
    void ready.then(() => this.wakeWaiters())
    return generation
  }

  /** Whether the leg's media went with a dead worker. */
  isLost(leg: string): boolean {
    return this.lostLegs.has(leg)
  }

  /**
   * The refusal of a request for a leg a worker death took (undefined: it may go). Its release
   * and leaving its mix go through: they build nothing, and the new worker answers at once.
   */
  private refuseLost<K extends MethodName<Methods>>(method: K, params: ParamsOf<Methods, K>): ChannelError | undefined {
    if (this.lostLegs.size === 0) return undefined
    const legs = [
      ...('leg' in params && typeof params.leg === 'string' ? [params.leg] : []),
      ...(method === 'bridge' && 'a' in params && 'b' in params ? [String(params.a), String(params.b)] : []),
    ]
    const lost = legs.find((leg) => this.lostLegs.has(leg))
    if (lost === undefined) return undefined
    if (method === 'releaseLeg' || method === 'leaveMix') return undefined
    this.options.logger.debug({ leg: lost, method }, 'request for a leg lost with its media worker refused')
    return { _tag: 'ChannelClosed', reason: `leg ${lost}: its media was lost with the worker; its call is ending` }
  }

  private lost(generation: Generation, closure: ChannelClosure): void {
    if (closure.expected || this.stopped) return
    const legs = [...this.legs]
    this.legs.clear()
    for (const leg of legs) this.lostLegs.add(leg)
    // Bounded, oldest first: a leg that old has long been ended.
    for (const leg of this.lostLegs) {
      if (this.lostLegs.size <= maxLostLegs) break
      this.lostLegs.delete(leg)
    }
    if (closure.exit.code === missingMediaStackExitCode) {
      this.failure = 'the media stack (GStreamer, node-gtk) is missing'
      this.options.logger.fatal({ exit: closure.exit }, 'media worker cannot run: GStreamer or node-gtk is missing; not restarting')
    }
    const livedMs = performance.now() - generation.startedAt
    if (livedMs >= this.backoff.stableMs) this.attempt = 0
    const delayMs = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** this.attempt)
    this.attempt++
    this.options.logger.error(
      { worker: generation.channel.pid, exit: closure.exit, lostLegs: legs, restartInMs: this.failure === undefined ? delayMs : undefined },
      legs.length === 0 ? 'media worker died; no calls had media on it' : `media worker died; ending ${legs.length} call(s) whose media it carried`,
    )
    for (const listener of [...this.lossListeners]) listener({ legs, closure })
    if (this.failure !== undefined) return this.wakeWaiters()
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined
      if (this.stopped) return
      this.restarts++
      this.spawn()
    }, delayMs)
  }

  private async readyGeneration(): Promise<E.Either<string, Generation>> {
    for (;;) {
      if (this.stopped) return E.left('media worker closed')
      if (this.failure !== undefined) return E.left(this.failure)
      const generation = this.current
      if (generation !== undefined && !generation.channel.isClosed) {
        const ready = await generation.ready
        if (E.isRight(ready) && !generation.channel.isClosed) return E.right(generation)
      }
      // Dead or restarting: wait for the next one, but not forever.
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.options.readyTimeoutMs ?? 15_000)
        this.waiting.push(() => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      if (!woken) return E.left('media worker restarting')
    }
  }

  private wakeWaiters(): void {
    const waiting = this.waiting
    this.waiting = []
    for (const wake of waiting) wake()
  }
}
