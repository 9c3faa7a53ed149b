/**
 * Carries call-control effects onto the wire (SIP today; H.323 later) and feeds the far ends'
 * events back as inputs. Narrow on purpose (CONVENTIONS 2): the core decides, this translates.
 */
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { Answer, DeliverChat, DialOut, Hangup, Reject, Reoffer, Ring, SendDtmf } from '../node/effect.js'
import type { Input } from '../node/input.js'

/** The leg is unknown to the signalling side (already gone), or the wire refused the request. */
export type SignallingError =
  | { readonly _tag: 'LegGone'; readonly leg: string }
  | { readonly _tag: 'WireFailure'; readonly leg: string; readonly reason: string }

export type CallControlEffect = Ring | Answer | Reject | Reoffer | Hangup | DialOut | SendDtmf | DeliverChat

export interface Signalling {
  readonly perform: (effect: CallControlEffect) => TaskEither<SignallingError, void>
  /** Registers the single consumer of call inputs (CallOffered, DtmfReceived, ChatReceived…). */
  readonly onInput: (deliver: (input: Input) => void) => void
}
