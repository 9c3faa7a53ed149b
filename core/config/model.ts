/**
 * The node's configuration as the core reads it: decoded, validated and defaulted from the
 * Pexip-shaped objects of DESIGN §6 (see codecs in this folder). Field meanings: DESIGN §2 and
 * PROTOCOLS 3.5-3.7.
 */
import type { CallType, Layout, OutgoingProtocol, Protocol, Role, RuleCallType } from '../model/call.js'
import type { ConferenceId } from '../model/ids.js'
import type { Pin } from '../dial-string/pin.js'

export interface PinLockout {
  readonly failures: number
  readonly windowS: number
  readonly blockS: number
}

/** `global` of the configuration file; defaults in DESIGN §6. */
export interface GlobalSettings {
  readonly pinEntryTimeoutS: number
  readonly hostWaitTimeoutS: number
  /** 0 s (end at once) to 1 day. */
  readonly guestsOnlyTimeoutS: number
  /** 0 = off. */
  readonly onlyOneParticipantTimeoutS: number
  /** At least 10 s (Pexip: ADPs are dialled >= 10 s after the trigger). */
  readonly adpDelayS: number
  readonly trustedPeers: ReadonlyArray<string>
  readonly rtpPortMin: number
  readonly rtpPortMax: number
  readonly pinLockout: PinLockout
  readonly defaultSipProxy?: string
  readonly defaultMssipProxy?: string
  /**
   * How long a dial-out (ADP, gateway outgoing leg) may go unanswered before it is cancelled
   * (Pexip cancels an unanswered ADP or outgoing call; RFC 3261 §9.1). Absent: the default of
   * core/call/call-timing.ts (60 s).
   */
  readonly ringTimeoutS?: number
}

export type AudioOnlyView = 'room' | 'avatar'

/** A Virtual Meeting Room (Pexip `conference` with `service_type: conference`). */
export interface Vmr {
  readonly id: ConferenceId
  readonly name: string
  readonly description: string
  /** Aliases as configured (`conference_alias.alias`), e.g. `meet.alice@example.com`. */
  readonly aliases: ReadonlyArray<string>
  /** With `allowGuests` false: the single optional PIN. With `allowGuests` true: the Host PIN. */
  readonly pin?: Pin
  readonly guestPin?: Pin
  readonly allowGuests: boolean
  readonly callType: CallType
  readonly hostView: Layout
  readonly guestView: Layout
  readonly guestsCanPresent: boolean
  readonly enableChat: boolean
  readonly audioOnlyView: AudioOnlyView
  /** Content hash of an uploaded avatar image; absent = the product logo. */
  readonly avatarHash?: string
}

export type KeepConferenceAlive = 'always' | 'if_multiple' | 'never'

/** An Automatically Dialled Participant (Pexip `automatic_participant`). */
export interface Adp {
  readonly id: string
  readonly conferenceIds: ReadonlyArray<ConferenceId>
  readonly alias: string
  readonly protocol: OutgoingProtocol
  readonly callType: CallType
  readonly role: Role
  /** Sent after the call is answered; `,` is a 2 s pause. */
  readonly dtmfSequence: string
  readonly keepConferenceAlive: KeepConferenceAlive
  readonly remoteDisplayName: string
  /** `routing_rule`: the dial-out goes through the gateway rules (outgoing direction). */
  readonly routing: 'manual' | 'routing_rule'
}

/** A Distributed Gateway rule (Pexip `gateway_routing_rule`). */
export interface GatewayRule {
  readonly id: string
  readonly name: string
  /** 1 to 200; ascending order, first enabled match wins. */
  readonly priority: number
  readonly enabled: boolean
  readonly matchIncomingCalls: boolean
  readonly matchOutgoingCalls: boolean
  readonly matchIncomingProtocols: ReadonlyArray<Protocol>
  readonly matchIncomingOnlyIfRegistered: boolean
  /** A regular expression that must match the whole normalized alias. */
  readonly matchString: string
  /** Rewrite with back-references (`\1`); empty = unchanged. */
  readonly replaceString: string
  readonly outgoingProtocol: OutgoingProtocol
  readonly callType: RuleCallType
  readonly sipProxy?: string
  readonly mssipProxy?: string
  readonly h323Gatekeeper?: string
  readonly treatAsTrusted: boolean
}

export interface NodeConfig {
  readonly global: GlobalSettings
  readonly vmrs: ReadonlyArray<Vmr>
  readonly adps: ReadonlyArray<Adp>
  readonly rules: ReadonlyArray<GatewayRule>
}
