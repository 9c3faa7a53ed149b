/**
 * The Conference aggregate's state: one per VMR with anyone in it or at its PIN prompt
 * (DESIGN §1). Everything here is sized by this one conference.
 */
import type { Adp, KeepConferenceAlive, Vmr } from '../config/model.js'
import type { Party, Protocol, Role } from '../model/call.js'
import type { ConferenceId, LegId } from '../model/ids.js'
import type { View } from '../node/effect.js'
import type { ParticipantMedia } from '../node/messages.js'

export interface AdpMembership {
  readonly id: string
  readonly keepAlive: KeepConferenceAlive
}

export interface Participant {
  readonly leg: LegId
  readonly role: Role
  readonly party: Party
  /** Normalized address (aliasKey), to know whether an ADP's alias is already here. */
  readonly addressKey: string
  readonly protocol: Protocol
  readonly media: ParticipantMedia
  /** An IM-only session: in the roster and the chat, never in the mix or the layouts. */
  readonly chatOnly: boolean
  /** At the "Waiting for the host" screen, not in the mix. */
  readonly waiting: boolean
  /** Its own leg takes chat: SfB IM, web client, or it has itself sent chat (DESIGN §2 IM). */
  readonly chatCapable: boolean
  /** An SfB IM session of the same conversation, attached for chat: messages go there. */
  readonly chatLeg?: LegId
  readonly conversationId?: string
  readonly adp?: AdpMembership
  /** What the leg was last shown, so that only changes are sent. */
  readonly shown?: View
}

/** An ADP leg dialled in this conference instance and not gone yet. */
export interface AdpLeg {
  readonly adpId: string
  readonly leg: LegId
  readonly keepAlive: KeepConferenceAlive
  readonly answered: boolean
}

/** `idle`: not started; `scheduled`: the ADP delay runs; `dialled`: done for this instance. */
export type AdpStage = 'idle' | 'scheduled' | 'dialled'

export interface ConferenceState {
  readonly id: ConferenceId
  /** The VMR as it was when this conference started: a running meeting keeps its rules (choice). */
  readonly vmr: Vmr
  readonly adps: ReadonlyArray<Adp>
  /** Admitted legs (joined or waiting), in order of arrival. */
  readonly participants: ReadonlyArray<Participant>
  /** Legs at the PIN prompt: not in the conference, but it is not empty either. */
  readonly pending: ReadonlyArray<LegId>
  /** Legs in the mix (not chat-only), most recent active speaker first, then by arrival. */
  readonly order: ReadonlyArray<LegId>
  readonly presenter?: LegId
  /** A Host has joined this instance: Guests no longer wait (DESIGN §2 host gating). */
  readonly activated: boolean
  /** Someone has been admitted in this instance (for the ConferenceEnded observation). */
  readonly inUse: boolean
  readonly adpStage: AdpStage
  readonly adpLegs: ReadonlyArray<AdpLeg>
  /** Names of the timers this conference runs (`conf:<id>:<name>`). */
  readonly timers: ReadonlyArray<string>
}

export const newConference = (vmr: Vmr, adps: ReadonlyArray<Adp>): ConferenceState => ({
  id: vmr.id,
  vmr,
  adps,
  participants: [],
  pending: [],
  order: [],
  activated: false,
  inUse: false,
  adpStage: 'idle',
  adpLegs: [],
  timers: [],
})

/** Nothing left: the router forgets the conference (its timers are all cancelled by then). */
export const isIdle = (c: ConferenceState): boolean =>
  c.participants.length === 0 && c.pending.length === 0 && c.adpLegs.length === 0

export const participantOn = (c: ConferenceState, leg: LegId): Participant | undefined =>
  c.participants.find((p) => p.leg === leg)

/** The participant that `leg` speaks for: its own leg or its attached IM session. */
export const participantFor = (c: ConferenceState, leg: LegId): Participant | undefined =>
  c.participants.find((p) => p.leg === leg || p.chatLeg === leg)

export const replaceParticipant = (c: ConferenceState, p: Participant): ConferenceState => ({
  ...c,
  participants: c.participants.map((q) => (q.leg === p.leg ? p : q)),
})

export const hostWaitTimer = (leg: LegId): string => `host-wait:${leg}`
export const hostWaitLeg = (name: string): string | undefined =>
  name.startsWith('host-wait:') ? name.slice('host-wait:'.length) : undefined
