/**
 * The parent's end of a typed channel to a child process (CONVENTIONS 14; modelled on mediasoup's
 * `node/src/Channel.ts` and `Worker.ts`):
 *
 * - a request gets a fresh id; the child's response with that id settles it, whatever the order
 *   responses come back in; its result is decoded with the method's codec;
 * - events are decoded with the protocol's event codec and handed to listeners in arrival order;
 *   a malformed one is logged and dropped (it names no request to fail);
 * - when the child exits, or `close()` is called, every pending request settles as a tagged
 *   `ChannelClosed`, and so does every later request: nothing hangs on a dead process;
 * - `close()` cascades: pending requests end, the IPC channel is disconnected (the child's
 *   server ends on that), and if the child does not leave within a grace period it gets SIGTERM,
 *   then SIGKILL; `close()` resolves once the child has exited.
 *
 * The child's stdout and stderr are read line by line into the parent's log, so that one log
 * tells what both processes did.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import type { Logger } from 'pino'
import { ChildFrame } from './envelope.js'
import type { RequestFrame } from './envelope.js'
import type { EventOf, MethodName, Methods, ParamsOf, Protocol, ResultOf } from './protocol.js'
import { describeDecodeErrors } from './protocol.js'

export type ChannelError =
  /** The child is gone (exited, killed, or the channel was closed): the request was not, or may not have been, carried out. */
  | { readonly _tag: 'ChannelClosed'; readonly reason: string }
  /** The child carried the request and refused it. */
  | { readonly _tag: 'RequestFailed'; readonly method: string; readonly reason: string }
  /** No response within the request timeout; a late response is ignored. */
  | { readonly _tag: 'RequestTimedOut'; readonly method: string; readonly afterMs: number }
  /** The child answered with something the method's result codec refuses (a bug on one side). */
  | { readonly _tag: 'MalformedReply'; readonly method: string; readonly reason: string }

export interface ChildExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface ChannelClosure {
  /** True when `close()` was called; false when the child died on its own. */
  readonly expected: boolean
  readonly exit: ChildExit
  readonly reason: string
}

export interface ChannelOptions {
  readonly logger: Logger
  /** How long a request may wait for its response. */
  readonly requestTimeoutMs?: number
  /** How long `close()` waits after each step (disconnect, SIGTERM) before the next one. */
  readonly closeGraceMs?: number
}

export interface SpawnChannelOptions extends ChannelOptions {
  /** The child's entry module; TypeScript is run through tsx. */
  readonly entry: string
  readonly args?: ReadonlyArray<string>
  readonly env?: NodeJS.ProcessEnv
}

interface Pending {
  readonly method: string
  readonly settle: (outcome: E.Either<ChannelError, unknown>) => void
}

const defaultRequestTimeoutMs = 10_000
const defaultCloseGraceMs = 2_000

const describeExit = (exit: ChildExit): string =>
  exit.signal !== null ? `killed by ${exit.signal}` : exit.code === null ? 'gone' : `exited with code ${exit.code}`

/** Spawns `entry` as a Node child (through tsx) with an IPC channel, and opens a typed channel on it. */
export const spawnChannel = <M extends Methods, V extends t.Mixed>(protocol: Protocol<M, V>, options: SpawnChannelOptions): Channel<M, V> => {
  const tsx = import.meta.resolve('tsx')
  const child = spawn(process.execPath, ['--import', tsx, options.entry, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
    env: options.env ?? process.env,
  })
  return new Channel(child, protocol, options)
}

export class Channel<M extends Methods, V extends t.Mixed> {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly eventListeners = new Set<(event: EventOf<V>) => void>()
  private readonly closeListeners = new Set<(closure: ChannelClosure) => void>()
  private closure: ChannelClosure | undefined
  private closing = false
  private readonly logger: Logger
  private readonly requestTimeoutMs: number
  private readonly closeGraceMs: number
  /** Settles once the child process has exited (or could not be started). */
  readonly exited: Promise<ChildExit>

  constructor(
    private readonly child: ChildProcess,
    private readonly protocol: Protocol<M, V>,
    options: ChannelOptions,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs
    this.closeGraceMs = options.closeGraceMs ?? defaultCloseGraceMs
    this.logger = options.logger.child({ worker: child.pid })
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }))
      // Spawning failed (ENOENT, EACCES): there will be no exit event.
      child.once('error', (error) => {
        if (child.pid === undefined) resolve({ code: null, signal: null })
        this.logger.error({ err: error.message }, 'worker process error')
      })
    })
    void this.exited.then((exit) => this.closed(exit))
    child.on('message', (message: unknown) => this.receive(message))
    this.forward(child.stdout, 'info')
    this.forward(child.stderr, 'warn')
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get isClosed(): boolean {
    return this.closure !== undefined || this.closing
  }

  /** Sends one request each time the task is run. */
  request<K extends MethodName<M>>(method: K, params: ParamsOf<M, K>): TaskEither<ChannelError, ResultOf<M, K>> {
    return () =>
      new Promise((resolve) => {
        if (this.closure !== undefined || this.closing || !this.child.connected) {
          resolve(E.left({ _tag: 'ChannelClosed', reason: this.closure?.reason ?? 'channel closed' }))
          return
        }
        const id = this.nextId++
        const timer = setTimeout(() => {
          this.pending.delete(id)
          resolve(E.left({ _tag: 'RequestTimedOut', method, afterMs: this.requestTimeoutMs }))
        }, this.requestTimeoutMs)
        this.pending.set(id, {
          method,
          settle: (outcome) => {
            clearTimeout(timer)
            this.pending.delete(id)
            resolve(outcome as E.Either<ChannelError, ResultOf<M, K>>)
          },
        })
        const codec = this.protocol.methods[method]
        const frame: RequestFrame = { kind: 'request', id, method, params: codec === undefined ? params : codec.params.encode(params) }
        this.child.send(frame, (error) => {
          if (error !== null) this.pending.get(id)?.settle(E.left({ _tag: 'ChannelClosed', reason: error.message }))
        })
      })
  }

  /** Listens to the child's events; returns a function that stops listening. */
  onEvent(listener: (event: EventOf<V>) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  /** Called once, when the channel closes (at once if it already has). */
  onClose(listener: (closure: ChannelClosure) => void): () => void {
    if (this.closure !== undefined) {
      listener(this.closure)
      return () => undefined
    }
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /**
   * Ends every pending request with ChannelClosed, then makes the child leave: disconnect (its
   * server exits on that), SIGTERM after the grace period, SIGKILL after another. Resolves when
   * the child has exited.
   */
  async close(): Promise<ChildExit> {
    if (this.closure === undefined && !this.closing) {
      this.closing = true
      this.failPending('channel closed')
      if (this.child.connected) this.child.disconnect()
      const term = setTimeout(() => {
        this.logger.warn({ afterMs: this.closeGraceMs }, 'worker did not leave after disconnect; SIGTERM')
        this.child.kill('SIGTERM')
      }, this.closeGraceMs)
      const kill = setTimeout(() => {
        this.logger.warn({ afterMs: 2 * this.closeGraceMs }, 'worker did not leave after SIGTERM; SIGKILL')
        this.child.kill('SIGKILL')
      }, 2 * this.closeGraceMs)
      void this.exited.then(() => {
        clearTimeout(term)
        clearTimeout(kill)
      })
    }
    return this.exited
  }

  private closed(exit: ChildExit): void {
    if (this.closure !== undefined) return
    const expected = this.closing
    const reason = expected ? 'channel closed' : `worker ${describeExit(exit)}`
    this.closure = { expected, exit, reason }
    this.failPending(reason)
    if (!expected) this.logger.error({ exit }, `worker ${describeExit(exit)}`)
    const listeners = [...this.closeListeners]
    this.closeListeners.clear()
    this.eventListeners.clear()
    for (const listener of listeners) listener(this.closure)
  }

  private failPending(reason: string): void {
    for (const p of [...this.pending.values()]) p.settle(E.left({ _tag: 'ChannelClosed', reason }))
  }

  private receive(message: unknown): void {
    const frame = ChildFrame.decode(message)
    if (E.isLeft(frame)) {
      this.logger.error({ problem: describeDecodeErrors(frame.left) }, 'malformed frame from worker dropped')
      return
    }
    const f = frame.right
    if (f.kind === 'event') return this.deliverEvent(f.event)
    const pending = this.pending.get(f.id)
    // Timed out already, or an id we never sent: nothing waits for it.
    if (pending === undefined) {
      this.logger.debug({ id: f.id }, 'response to no pending request')
      return
    }
    if (!f.ok) return pending.settle(E.left({ _tag: 'RequestFailed', method: pending.method, reason: f.error }))
    const codec = this.protocol.methods[pending.method]
    if (codec === undefined) return pending.settle(E.right(f.result))
    const result = codec.result.decode(f.result)
    pending.settle(
      E.isLeft(result) ? E.left({ _tag: 'MalformedReply', method: pending.method, reason: describeDecodeErrors(result.left) }) : E.right(result.right),
    )
  }

  private deliverEvent(raw: unknown): void {
    const event = this.protocol.event.decode(raw)
    if (E.isLeft(event)) {
      this.logger.error({ problem: describeDecodeErrors(event.left) }, 'malformed event from worker dropped')
      return
    }
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event.right)
      } catch (error) {
        this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'event listener threw')
      }
    }
  }

  /** The child's output into the parent's log; pino lines keep their level and fields. */
  private forward(stream: NodeJS.ReadableStream | null, fallback: 'info' | 'warn'): void {
    if (stream === null) return
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim() === '') return
      const record = parseLogLine(line)
      if (record === undefined) this.logger[fallback]({ output: line }, 'worker output')
      else this.logger[record.level]({ ...record.fields, from: 'worker' }, record.msg)
    })
  }
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
const levels: ReadonlySet<string> = new Set<Level>(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])

/** A pino line with a label level (as adapters/node/logger.ts writes them), or undefined. */
const parseLogLine = (line: string): { readonly level: Level; readonly msg: string; readonly fields: Readonly<Record<string, unknown>> } | undefined => {
  if (!line.startsWith('{')) return undefined
  try {
    const parsed: unknown = JSON.parse(line)
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, name: _name, ...fields } = parsed as Record<string, unknown>
    if (typeof level !== 'string' || !levels.has(level)) return undefined
    return { level: level as Level, msg: typeof msg === 'string' ? msg : '', fields }
  } catch {
    return undefined
  }
}
