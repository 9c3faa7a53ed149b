/** A small protocol for the channel's own specs: no GStreamer, so it runs anywhere. */
import * as t from 'io-ts'
import { defineProtocol, nothing } from '../protocol.js'

export const fakeProtocol = defineProtocol(
  {
    /** Answers with the text after `delayMs`, so that answers can come back out of order. */
    echo: { params: t.type({ text: t.string, delayMs: t.number }), result: t.type({ text: t.string }) },
    /** Refuses with the reason. */
    fail: { params: t.type({ reason: t.string }), result: nothing },
    /** Throws inside the handler. */
    explode: { params: t.type({}), result: nothing },
    /** Never answers. */
    hang: { params: t.type({}), result: nothing },
    /** Exits the process with `code` without answering (a crash). */
    exit: { params: t.type({ code: t.number }), result: nothing },
    /** Emits `count` ticks, then answers. */
    tick: { params: t.type({ count: t.number }), result: t.type({ emitted: t.number }) },
    /** Answers with a result its codec refuses, and emits an event the event codec refuses. */
    misbehave: { params: t.type({}), result: t.type({ n: t.number }) },
    /** From now on ignores disconnect and SIGTERM: only SIGKILL ends it. */
    stubborn: { params: t.type({}), result: nothing },
  },
  t.union([t.type({ _tag: t.literal('Tick'), n: t.number }), t.type({ _tag: t.literal('Started'), pid: t.number })]),
)
