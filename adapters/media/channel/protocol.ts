/**
 * What a typed channel carries (CONVENTIONS 14, after mediasoup's `node/src/Channel.ts`): each
 * method names the io-ts codecs of its parameters and result, and one codec covers every event
 * the child may send. Both sides decode what they receive with these codecs, so a bug on one side
 * shows up as a tagged error with a path on the other, never as a wrong value in a handler.
 */
import * as t from 'io-ts'

/** One method: what the parent sends and what the child answers. */
export interface MethodCodecs<P extends t.Mixed = t.Mixed, R extends t.Mixed = t.Mixed> {
  readonly params: P
  readonly result: R
}

export type Methods = Readonly<Record<string, MethodCodecs>>

export interface Protocol<M extends Methods, V extends t.Mixed> {
  readonly methods: M
  /** Every event the child may send, usually a `t.union` of tagged shapes. */
  readonly event: V
}

export type MethodName<M extends Methods> = keyof M & string
export type ParamsOf<M extends Methods, K extends MethodName<M>> = t.TypeOf<M[K]['params']>
export type ResultOf<M extends Methods, K extends MethodName<M>> = t.TypeOf<M[K]['result']>
export type EventOf<V extends t.Mixed> = t.TypeOf<V>

export const defineProtocol = <M extends Methods, V extends t.Mixed>(methods: M, event: V): Protocol<M, V> => ({ methods, event })

/** `undefined` results travel as JSON `null`; this codec takes either. */
export const nothing = new t.Type<void, null, unknown>(
  'nothing',
  (u): u is void => u === undefined || u === null,
  (u, c) => (u === undefined || u === null ? t.success(undefined) : t.failure(u, c)),
  () => null,
)

/** io-ts errors as one line each: `path.to.field: expected type`. */
export const describeDecodeErrors = (errors: t.Errors): string =>
  errors
    .map((e) => {
      const path = e.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.')
      return `${path === '' ? '(value)' : path}: ${e.message ?? `expected ${e.context.at(-1)?.type.name ?? 'a valid value'}`}`
    })
    .join('; ')
