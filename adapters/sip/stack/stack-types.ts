/**
 * The SIP stack as the call, presence and IM handling sees it. Requests arrive as
 * `ServerRequest`s to answer; dialogs carry in-dialog traffic both ways; outgoing requests
 * resolve with their final response. Everything RFC 3261 requires below the transaction user
 * (retransmissions, ACK for failures, CANCEL matching, stateless answers, 481/405/420) is done
 * by the stack and never reaches these callbacks.
 *
 * Outgoing requests return `Promise<Either<…>>` and are sent at once; wrap them in a
 * TaskEither (`() => dialog.request(spec)`) where laziness is wanted.
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { SipHeaders } from '../dialect/sip-headers.js'
import type { Flow, TransportError } from '../transport/transport-types.js'
import type { SipBody } from './message-writer.js'
import type { Destination } from './next-hop.js'
import type { ResponseSpec } from './response-builder.js'
import type { SipRequest, SipResponse } from './sip-message.js'

export type { SipBody } from './message-writer.js'
export type { ResponseSpec } from './response-builder.js'
export type { Destination } from './next-hop.js'
export type { SipRequest, SipResponse } from './sip-message.js'

/** Why an outgoing request produced no 2xx. */
export type RequestFailure =
  | { readonly _tag: 'Rejected'; readonly response: SipResponse }
  /** Timer B or F: no final response (RFC 3261 §17.1.1.2, §17.1.2.2). */
  | { readonly _tag: 'Timeout' }
  | { readonly _tag: 'TransportFailure'; readonly error: TransportError }
  /** No usable next hop: the Request-URI or Route is not a sip(s) URI we can reach. */
  | { readonly _tag: 'NoRoute'; readonly uri: string }
  /** The dialog had ended before the request could be sent. */
  | { readonly _tag: 'DialogTerminated' }
  /** A re-INVITE while another INVITE transaction is pending in the dialog (RFC 3261 §14.1). */
  | { readonly _tag: 'InviteInProgress' }
  /** An INVITE that was cancelled (whatever the far end answered). */
  | { readonly _tag: 'Cancelled' }
  | { readonly _tag: 'StackClosed' }

export type RespondError =
  | { readonly _tag: 'AlreadyAnswered'; readonly status: number }
  | { readonly _tag: 'InvalidStatus'; readonly status: number }

export interface ServerRequest {
  readonly request: SipRequest
  /** The flow it came on: protocol, addresses, connection and (TLS) the peer's certificate. */
  readonly flow: Flow
  /** The dialog an in-dialog request belongs to; undefined for a request outside any dialog. */
  readonly dialog: Dialog | undefined
  /**
   * Sends a response: provisional ones (101-199) any number of times, then one final one. A
   * 101-199 with our To tag, or a 2xx, to an INVITE outside a dialog creates the dialog (early,
   * then confirmed); a 2xx to a SUBSCRIBE creates the subscription dialog. The dialog is
   * returned when there is one. Contact defaults to the stack's own on dialog-creating and
   * target-refresh responses.
   */
  readonly respond: (spec: ResponseSpec) => E.Either<RespondError, Dialog | undefined>
  /** INVITE only: the caller sent CANCEL. The stack has already answered 200 and 487. */
  readonly onCancel: (handler: () => void) => void
}

export type DialogUsage = 'invite' | 'subscription'
export type DialogState = 'early' | 'confirmed' | 'terminated'

export interface DialogId {
  readonly callId: string
  readonly localTag: string
  readonly remoteTag: string
}

export type DialogEnd =
  | { readonly _tag: 'ByeReceived'; readonly request: SipRequest }
  | { readonly _tag: 'ByeSent' }
  /** Our 2xx was never acknowledged (64*T1); the stack sent BYE (RFC 3261 §13.3.1.4). */
  | { readonly _tag: 'AckTimeout' }
  /** An early dialog ended by a failure response (or CANCEL) to its INVITE. */
  | { readonly _tag: 'EarlyDialogFailed'; readonly status: number }
  /** `terminate()` was called, e.g. after a NOTIFY with Subscription-State: terminated. */
  | { readonly _tag: 'Local' }
  /** The far end answered an in-dialog request with 481 (or 408, RFC 5057 §5.2). */
  | { readonly _tag: 'RemoteGone'; readonly status: number }
  | { readonly _tag: 'StackClosed' }

export interface DialogHandler {
  /**
   * In-dialog requests other than ACK, CANCEL and BYE (INFO, MESSAGE, NOTIFY, re-INVITE,
   * SUBSCRIBE refreshes, OPTIONS are answered by the stack). The handler must answer each.
   * Without a handler the stack answers 501.
   */
  readonly onRequest?: (request: ServerRequest) => void
  /** The ACK for our 2xx (it may carry the SDP answer to an offerless INVITE). */
  readonly onAck?: (ack: SipRequest) => void
  /** Called once when the dialog ends, whoever ended it. */
  readonly onTerminated?: (end: DialogEnd) => void
}

export interface InDialogRequestSpec {
  /** BYE, INFO, MESSAGE, NOTIFY, OPTIONS…; re-INVITE goes through `reinvite`. */
  readonly method: string
  readonly headers?: SipHeaders
  readonly body?: SipBody
}

export interface ReinviteSpec {
  readonly headers?: SipHeaders
  readonly body?: SipBody
  /** The ACK body for an offerless re-INVITE (the answer to the 2xx's offer). */
  readonly ackBody?: (response: SipResponse) => SipBody | undefined
}

export interface Dialog {
  readonly id: DialogId
  readonly usage: DialogUsage
  readonly state: DialogState
  /** From/To header values of our requests in this dialog (with tags). */
  readonly localParty: string
  readonly remoteParty: string
  /** The remote target URI (the far end's Contact). */
  readonly remoteTarget: string
  readonly routeSet: ReadonlyArray<string>
  /** The flow the dialog was created on; in-dialog requests reuse it while it is open. */
  readonly flow: Flow | undefined
  readonly setHandler: (handler: DialogHandler) => void
  /** A request within the dialog. Resolves with the 2xx, or why there was none. */
  readonly request: (spec: InDialogRequestSpec) => Promise<E.Either<RequestFailure, SipResponse>>
  /** A re-INVITE (RFC 3261 §14); the stack sends the ACK. A 491 comes back as Rejected. */
  readonly reinvite: (spec: ReinviteSpec) => Promise<E.Either<RequestFailure, SipResponse>>
  /** Sends BYE and ends the dialog at once (RFC 3261 §15.1.1). */
  readonly bye: (headers?: SipHeaders) => Promise<E.Either<RequestFailure, SipResponse>>
  /** Forgets the dialog without sending anything (a subscription ended by NOTIFY). */
  readonly terminate: () => void
}

export interface OutgoingRequestSpec {
  readonly method: string
  readonly requestUri: string
  /** name-addr without a tag, e.g. `"Alice's meeting room" <sip:meet.alice@example.com>`; the stack adds the tag. */
  readonly from: string
  /** name-addr without a tag. */
  readonly to: string
  readonly callId?: string
  readonly cseq?: number
  readonly headers?: SipHeaders
  readonly body?: SipBody
  /** Contact header value; the stack's own (for the chosen transport) when absent on INVITE/SUBSCRIBE. */
  readonly contact?: string
  /** A preloaded route set (Route header values, e.g. an outbound proxy `<sip:fe.contoso.com;transport=tls;lr>`). */
  readonly route?: ReadonlyArray<string>
  /** Where to send, overriding next-hop selection from the Route or Request-URI. */
  readonly destination?: Destination
}

export type InviteSpec = Omit<OutgoingRequestSpec, 'method'> & {
  /** The ACK body for an offerless INVITE. */
  readonly ackBody?: (response: SipResponse) => SipBody | undefined
}

export interface InviteEvents {
  /** 1xx responses; a 101-199 with a To tag comes with its early dialog. */
  readonly onProgress?: (response: SipResponse, earlyDialog: Dialog | undefined) => void
  /** The first 2xx; the stack has sent the ACK. Later 2xx from other forks are ACKed and BYEd. */
  readonly onAnswered: (response: SipResponse, dialog: Dialog) => void
  readonly onFailed: (failure: RequestFailure) => void
}

export interface InviteHandle {
  readonly callId: string
  /**
   * CANCEL (RFC 3261 §9.1), sent once a provisional response has arrived. The outcome is
   * `onFailed(Cancelled)`; if a 2xx crosses the CANCEL the stack ACKs it and sends BYE.
   */
  readonly cancel: () => void
}
