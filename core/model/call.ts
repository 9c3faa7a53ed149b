/** Vocabulary shared by calls, conferences and the gateway (DESIGN §2). */

/** How a leg reached (or is reached by) Parley. `mssip` is the SfB/Lync dialect. */
export type Protocol = 'sip' | 'mssip' | 'h323' | 'webrtc'
/** Protocols Parley can place an outgoing call with (WebRTC is incoming only, as in Pexip). */
export type OutgoingProtocol = 'sip' | 'mssip' | 'h323'

/** A media ceiling: participants cannot escalate beyond it (Pexip `call_type`). */
export type CallType = 'video' | 'audio' | 'video-only'
/** Gateway rules add `auto`: the ceiling is whatever the caller offered. */
export type RuleCallType = CallType | 'auto'

export type Role = 'host' | 'guest'

/** RFC 3264 stream direction, from Parley's point of view. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

/**
 * What a leg offers or has, abstracted from SDP by the adapter. `content` is a second video
 * stream for presentations (BFCP `a=content:slides`, H.239, SfB VbSS); `chat` an SfB IM
 * session (`m=message`) or a web client's chat channel.
 */
export interface MediaOffer {
  readonly audio: boolean
  readonly video: boolean
  readonly content: boolean
  readonly chat: boolean
}

/** What Parley answers or re-offers: a direction per stream, or absent (port 0 / no m-line). */
export interface MediaAnswer {
  readonly audio?: Direction
  readonly video?: Direction
  readonly content?: Direction
  readonly chat?: boolean
}

/** Layouts of Pexip `host_view`/`guest_view` (DESIGN §2; PROTOCOLS 3.7). */
export type Layout =
  | 'one_main_zero_pips'
  | 'one_main_seven_pips'
  | 'one_main_twentyone_pips'
  | 'two_mains_twentyone_pips'
  | 'four_mains_zero_pips'
  | 'nine_mains_zero_pips'
  | 'sixteen_mains_zero_pips'
  | 'twentyfive_mains_zero_pips'
  | 'five_mains_seven_pips'

/** RFC 4733 events Parley acts on: digits, `*`, `#`, A-D. */
export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D'

/** A party as a user sees it: a display name and an address. */
export interface Party {
  readonly displayName: string
  readonly uri: string
}
