/** The child for the channel specs (see fake-protocol.ts). */
import * as E from 'fp-ts/lib/Either.js'
import { serveChannel } from '../channel-server.js'
import { fakeProtocol } from './fake-protocol.js'

let stubborn = false

const server = serveChannel(
  fakeProtocol,
  {
    echo: ({ text, delayMs }) => new Promise((resolve) => setTimeout(() => resolve(E.right({ text })), delayMs)),
    fail: ({ reason }) => E.left(reason),
    explode: () => {
      throw new Error('boom')
    },
    hang: () => new Promise(() => undefined),
    exit: ({ code }) => process.exit(code),
    tick: ({ count }) => {
      for (let n = 1; n <= count; n++) server.emit({ _tag: 'Tick', n })
      return E.right({ emitted: count })
    },
    misbehave: () => {
      process.send?.({ kind: 'event', event: { _tag: 'Tick', n: 'one' } })
      return E.right({ n: 'not a number' } as unknown as { n: number })
    },
    stubborn: () => {
      stubborn = true
      process.on('SIGTERM', () => undefined)
      // Something must keep the process alive once the IPC channel is gone.
      setInterval(() => undefined, 1_000)
      return E.right(undefined)
    },
  },
  {
    onDisconnect: () => {
      if (!stubborn) process.exit(0)
    },
  },
)

server.emit({ _tag: 'Started', pid: process.pid })
