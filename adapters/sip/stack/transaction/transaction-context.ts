/**
 * What a transaction needs from its surroundings: a clock for its timers (CONVENTIONS 9: tests
 * move a virtual clock), the timer configuration, and the transport.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { Clock } from '../../../../core/ports/clock.js'
import type { Flow, SendTarget, TransportError } from '../../transport/transport-types.js'
import type { SipTimerConfig } from '../sip-timers.js'

export interface TransactionContext {
  readonly clock: Clock
  readonly timers: SipTimerConfig
  readonly send: (target: SendTarget, bytes: Buffer) => Promise<E.Either<TransportError, Flow>>
  readonly logger: Logger
}

/**
 * Tries targets in order (RFC 3261 §18.2.2: a response whose connection is gone goes to the
 * Via address instead) and reports the flow that carried the bytes, or the last failure.
 */
export const sendToFirst = async (
  context: TransactionContext,
  targets: ReadonlyArray<SendTarget>,
  bytes: Buffer,
): Promise<E.Either<TransportError, Flow>> => {
  let last: E.Either<TransportError, Flow> = E.left({ _tag: 'SendFailed', reason: 'no target' })
  for (const target of targets) {
    last = await context.send(target, bytes)
    if (E.isRight(last)) return last
  }
  return last
}
