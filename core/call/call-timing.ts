/**
 * The Call's own timings, named (CONVENTIONS 9). The configurable ones (PIN entry timeout,
 * host wait, guests-only, ADP delay) are in the global settings.
 */
import type { GlobalSettings } from '../config/model.js'
import type { Millis } from '../model/ids.js'

/** Entry ends this long after the last digit (DESIGN §2 PIN prompt: 5 s). */
export const pinDigitPauseMs: Millis = 5_000
/** Time to show and play a farewell (invalid PIN, conference ending) before hanging up (choice). */
export const farewellNoticeMs: Millis = 4_000
/** A `,` in an ADP DTMF sequence (PROTOCOLS 3.5: 2 s). */
export const dtmfCommaPauseMs: Millis = 2_000

export const seconds = (s: number): Millis => s * 1_000

/**
 * How long a dial-out (ADP, gateway outgoing leg) may go unanswered before Parley cancels it
 * (choice: Pexip cancels an ADP or outgoing call that is not answered in a bounded time, and
 * 60 s is what SIP phones and PBXs commonly ring for). Global `ring_timeout_s` overrides it.
 */
export const defaultRingTimeoutS = 60

export const ringTimeoutMs = (global: GlobalSettings): Millis => seconds(global.ringTimeoutS ?? defaultRingTimeoutS)
