/**
 * The SIP application: requests outside any dialog go to calls (INVITE) or presence
 * (SUBSCRIBE); in-dialog requests reach the handlers those set on their dialogs. What the stack
 * does not answer itself (OPTIONS, REFER 405, 420, 481 for unknown dialogs, malformed requests)
 * and neither of them takes is answered here:
 *
 * - MESSAGE outside a dialog: 403. Chat in a meeting room belongs to a call in it (DESIGN §2
 *   "Instant messaging": chat-capable legs are calls and IM sessions); a page-mode MESSAGE has
 *   no leg to come from, so it would reach no one. The reason phrase says so.
 * - INFO, NOTIFY outside a dialog: 481, there is no dialog they could belong to (RFC 6086 §4.2.1).
 */
import type { ServerRequest } from '../stack/stack-types.js'
import { header } from '../stack/message-writer.js'
import type { CallSignalling } from './call-signalling.js'
import type { PresenceSubscriptions } from './presence-subscriptions.js'
import { reasonHeader } from './request-reading.js'

export const outOfDialogMessageReason = 'Chat with a meeting room needs a call to it'

export const routeRequest =
  (calls: CallSignalling, presence: PresenceSubscriptions) =>
  (incoming: ServerRequest): void => {
    switch (incoming.request.method) {
      case 'INVITE':
        return calls.receiveInvite(incoming)
      case 'SUBSCRIBE':
        return presence.receiveSubscribe(incoming)
      case 'MESSAGE':
        incoming.respond({ status: 403, reason: outOfDialogMessageReason, headers: [reasonHeader(403, outOfDialogMessageReason)] })
        return
      case 'INFO':
      case 'NOTIFY':
        incoming.respond({ status: 481 })
        return
      default:
        incoming.respond({ status: 405, headers: [header('Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, SUBSCRIBE, NOTIFY')] })
    }
  }
