/**
 * The frames on the wire between parent and child: a request carries an id the response
 * repeats; an event carries no id. The payloads inside are decoded separately, per method.
 * Frames travel over Node's IPC channel as JSON (one process boundary, no shared memory).
 */
import * as t from 'io-ts'

export const RequestFrame = t.type({ kind: t.literal('request'), id: t.number, method: t.string, params: t.unknown })
export type RequestFrame = t.TypeOf<typeof RequestFrame>

export const ResponseFrame = t.union([
  t.type({ kind: t.literal('response'), id: t.number, ok: t.literal(true), result: t.unknown }),
  t.type({ kind: t.literal('response'), id: t.number, ok: t.literal(false), error: t.string }),
])
export type ResponseFrame = t.TypeOf<typeof ResponseFrame>

export const EventFrame = t.type({ kind: t.literal('event'), event: t.unknown })
export type EventFrame = t.TypeOf<typeof EventFrame>

/** What the child sends. */
export const ChildFrame = t.union([ResponseFrame, EventFrame])
export type ChildFrame = t.TypeOf<typeof ChildFrame>
