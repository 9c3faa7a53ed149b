/**
 * RFC 3261 §17 timers as named configuration (CONVENTIONS 9), named as SIP.js names them in
 * src/core/timers.ts; unlike SIP.js (which assumes a reliable transport and sets D, I, J, K to
 * 0), the values depend on whether the transport is reliable (RFC 3261 Table 4).
 */
import type { Millis } from '../../../core/model/ids.js'

export interface SipTimerConfig {
  /** RTT estimate (500 ms). */
  readonly T1: Millis
  /** Longest retransmit interval for non-INVITE requests and INVITE responses (4 s). */
  readonly T2: Millis
  /** Longest time a message stays in the network (5 s). */
  readonly T4: Millis
  /** Wait time for response retransmissions on an unreliable transport (Timer D, ≥ 32 s). */
  readonly timerDUnreliable: Millis
  /**
   * How long an INVITE waits for its TU's first response before the stack sends 100 Trying
   * itself (RFC 3261 §17.2.1: a server need not send 100 when the TU answers within 200 ms).
   */
  readonly trying: Millis
}

export const defaultSipTimerConfig: SipTimerConfig = { T1: 500, T2: 4000, T4: 5000, timerDUnreliable: 32_000, trying: 100 }

export interface TransactionTimers {
  /** INVITE request retransmit, first interval (doubles each time). */
  readonly A: Millis
  /** INVITE transaction timeout. */
  readonly B: Millis
  /** Wait for INVITE response retransmissions after a failure response. */
  readonly D: Millis
  /** Non-INVITE request retransmit, first interval (doubles up to T2). */
  readonly E: Millis
  /** Non-INVITE transaction timeout. */
  readonly F: Millis
  /** INVITE final response retransmit, first interval (doubles up to T2). */
  readonly G: Millis
  /** Wait time for an ACK. */
  readonly H: Millis
  /** Wait for ACK retransmissions. */
  readonly I: Millis
  /** Wait for non-INVITE request retransmissions. */
  readonly J: Millis
  /** Wait for non-INVITE response retransmissions. */
  readonly K: Millis
  /** RFC 6026: how long an INVITE server transaction stays Accepted after a 2xx. */
  readonly L: Millis
  /** RFC 6026: how long an INVITE client transaction stays Accepted after a 2xx. */
  readonly M: Millis
  readonly T2: Millis
  readonly retransmits: boolean
}

export const transactionTimers = (config: SipTimerConfig, reliable: boolean): TransactionTimers => ({
  A: config.T1,
  B: 64 * config.T1,
  D: reliable ? 0 : config.timerDUnreliable,
  E: config.T1,
  F: 64 * config.T1,
  G: config.T1,
  H: 64 * config.T1,
  I: reliable ? 0 : config.T4,
  J: reliable ? 0 : 64 * config.T1,
  K: reliable ? 0 : config.T4,
  L: 64 * config.T1,
  M: 64 * config.T1,
  T2: config.T2,
  retransmits: !reliable,
})
