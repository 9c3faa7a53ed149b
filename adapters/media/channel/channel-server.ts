/**
 * The child's end of a typed channel: decodes each request's parameters with the method's codec,
 * runs its handler, and answers with the same id; `emit` sends an event. A handler's Left, a
 * throw, a rejected promise and parameters the codec refuses all come back as the request's
 * error, so the parent always gets an answer. When the parent goes (disconnect: `close()` or
 * the parent's death), `onDisconnect` runs so that the child can leave.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { RequestFrame } from './envelope.js'
import type { EventFrame, ResponseFrame } from './envelope.js'
import type { EventOf, MethodName, Methods, ParamsOf, Protocol, ResultOf } from './protocol.js'
import { describeDecodeErrors } from './protocol.js'

export type Handlers<M extends Methods> = {
  readonly [K in MethodName<M>]: (params: ParamsOf<M, K>) => E.Either<string, ResultOf<M, K>> | Promise<E.Either<string, ResultOf<M, K>>>
}

export interface ChannelServer<V extends t.Mixed> {
  readonly emit: (event: EventOf<V>) => void
}

export interface ServeOptions {
  /** The parent is gone; the child should release what it holds and exit. */
  readonly onDisconnect: () => void
}

const ignoreBrokenChannel = (): void => undefined

const describeThrown = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export const serveChannel = <M extends Methods, V extends t.Mixed>(
  protocol: Protocol<M, V>,
  handlers: Handlers<M>,
  options: ServeOptions,
): ChannelServer<V> => {
  const send = process.send?.bind(process)
  if (send === undefined) throw new Error('serveChannel: this process was not started with an IPC channel')
  const post = (frame: ResponseFrame | EventFrame): void => {
    // The parent may have gone between the request and the answer; nobody is left to tell. The
    // channel can also break while a frame is on its way (EPIPE as the parent stops): with a
    // callback Node hands that error to it instead of raising an unhandled 'error' on process.
    if (process.connected) send(frame, undefined, {}, ignoreBrokenChannel)
  }

  const answer = async (frame: RequestFrame): Promise<ResponseFrame> => {
    const codecs = protocol.methods[frame.method]
    const handler = (handlers as Readonly<Record<string, (p: unknown) => E.Either<string, unknown> | Promise<E.Either<string, unknown>>>>)[frame.method]
    if (codecs === undefined || handler === undefined) return { kind: 'response', id: frame.id, ok: false, error: `unknown method ${frame.method}` }
    const params = codecs.params.decode(frame.params)
    if (E.isLeft(params)) return { kind: 'response', id: frame.id, ok: false, error: `bad parameters for ${frame.method}: ${describeDecodeErrors(params.left)}` }
    try {
      const outcome = await handler(params.right)
      return E.isLeft(outcome)
        ? { kind: 'response', id: frame.id, ok: false, error: outcome.left }
        : { kind: 'response', id: frame.id, ok: true, result: codecs.result.encode(outcome.right) ?? null }
    } catch (error) {
      return { kind: 'response', id: frame.id, ok: false, error: `${frame.method} threw: ${describeThrown(error)}` }
    }
  }

  process.on('message', (message: unknown) => {
    const frame = RequestFrame.decode(message)
    // Without an id there is nobody to answer; the parent never sends such frames.
    if (E.isLeft(frame)) return
    void answer(frame.right).then(post)
  })
  process.once('disconnect', options.onDisconnect)

  return { emit: (event) => post({ kind: 'event', event: protocol.event.encode(event) }) }
}
