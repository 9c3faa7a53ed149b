/** What the gateway decides for one alias (DESIGN §2 "Gateway rules"). */
import type { OutgoingProtocol, Protocol, RuleCallType } from '../model/call.js'

export type RouteDirection = 'incoming' | 'outgoing'

export interface RouteQuery {
  /** The normalized alias (`user@domain`, lower case, no scheme, PIN or parameters). */
  readonly alias: string
  readonly direction: RouteDirection
  /** The protocol the call came in on (incoming) or the conference's side (outgoing: ignored). */
  readonly protocol: Protocol
  /** Whether the caller is registered to Parley (no registrar yet: always false). */
  readonly registered: boolean
}

export interface Route {
  readonly ruleId: string
  readonly ruleName: string
  /** The alias after `replace_string` (unchanged when it is empty). */
  readonly destination: string
  readonly protocol: OutgoingProtocol
  /** The rule's proxy for its protocol, else the global default for it; absent = the host of `destination`. */
  readonly proxy?: string
  readonly callType: RuleCallType
  readonly treatAsTrusted: boolean
}
