/**
 * The Conference aggregate's state: one per VMR with anyone in it or at its PIN prompt
 * (DESIGN §1). Everything here is sized by this one conference.
 *
 * Every record keeps one shape: a field that may be empty is present and `undefined`, never
 * absent, so that V8 sees one hidden class per record type and updates by spread stay on its
 * fast path (measured in bench/step.bench.ts: absent-or-present fields made steps several
 * times slower).
 */
import type { Adp, KeepConferenceAlive, Vmr } from '../config/model.js'
import type { Party, Protocol, Role } from '../model/call.js'
import type { ConferenceId, LegId } from '../model/ids.js'
import type { View } from '../node/effect.js'
import type { ParticipantMedia } from '../node/messages.js'
import { vmrParty } from '../call/address.js'

export interface AdpMembership {
  readonly id: string
  readonly keepAlive: KeepConferenceAlive
}

export interface Participant {
  readonly leg: LegId
  readonly role: Role
  readonly party: Party
  readonly protocol: Protocol
  readonly media: ParticipantMedia
  /**
   * `media`'s two flags again, as fields of the participant: every view refresh reads them for
   * each participant, and reaching them through `media` was a pointer chase (a cache miss in a
   * node of thousands of legs) per participant (bench/profile-step.ts). Always equal to `media`'s.
   */
  readonly sendsVideo: boolean
  readonly receivesVideo: boolean
  /** An IM-only session: in the roster and the chat, never in the mix or the layouts. */
  readonly chatOnly: boolean
  /** At the "Waiting for the host" screen, not in the mix. */
  readonly waiting: boolean
  /** Its own leg takes chat: SfB IM, web client, or it has itself sent chat (DESIGN §2 IM). */
  readonly chatCapable: boolean
  /** An SfB IM session of the same conversation, attached for chat: messages go there. */
  readonly chatLeg: LegId | undefined
  readonly conversationId: string | undefined
  readonly adp: AdpMembership | undefined
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
  /** The VMR as a contact, which chat and content come from (`vmrParty`): worked out once, not per message. */
  readonly room: Party
  readonly adps: ReadonlyArray<Adp>
  /** Admitted legs (joined or waiting), in order of arrival. */
  readonly participants: ReadonlyArray<Participant>
  /**
   * What each participant (same index) was last shown, so that only changes are sent. Kept
   * beside the participants rather than in them: a new screen then copies one array instead of
   * cloning every participant whose screen changed.
   */
  readonly screens: ReadonlyArray<View | undefined>
  /** Legs at the PIN prompt: not in the conference, but it is not empty either. */
  readonly pending: ReadonlyArray<LegId>
  /** Legs in the mix (not chat-only), most recent active speaker first, then by arrival. */
  readonly order: ReadonlyArray<LegId>
  readonly presenter: LegId | undefined
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
  room: vmrParty(vmr),
  adps,
  participants: [],
  screens: [],
  pending: [],
  order: [],
  presenter: undefined,
  activated: false,
  inUse: false,
  adpStage: 'idle',
  adpLegs: [],
  timers: [],
})

/** Nothing left: the router forgets the conference (its timers are all cancelled by then). */
export const isIdle = (c: ConferenceState): boolean =>
  c.participants.length === 0 && c.pending.length === 0 && c.adpLegs.length === 0

export const participantOn = (c: ConferenceState, leg: LegId): Participant | undefined => {
  for (const p of c.participants) if (p.leg === leg) return p
  return undefined
}

/** The participant that `leg` speaks for: its own leg or its attached IM session. */
export const participantFor = (c: ConferenceState, leg: LegId): Participant | undefined => {
  for (const p of c.participants) if (p.leg === leg || p.chatLeg === leg) return p
  return undefined
}

/**
 * Adds a participant at the end, with what it is shown now; `inMix`: it joins the mix at once,
 * last in the speaker order (one update for both, on the path every join takes).
 */
export const addParticipant = (c: ConferenceState, p: Participant, screen: View | undefined, inMix: boolean): ConferenceState =>
  rebuilt(
    c,
    [...c.participants, p],
    [...c.screens, screen],
    c.pending,
    inMix ? [...c.order, p.leg] : c.order,
    c.presenter,
    c.activated,
    true,
    c.adpStage,
    c.adpLegs,
    c.timers,
  )

/** Drops the participant on `leg` and its screen. */
export const dropParticipant = (c: ConferenceState, leg: LegId): ConferenceState => {
  const i = c.participants.findIndex((p) => p.leg === leg)
  if (i === -1) return c
  return withParticipants(c, c.participants.toSpliced(i, 1), c.screens.toSpliced(i, 1))
}

export const replaceParticipant = (c: ConferenceState, p: Participant): ConferenceState => {
  const participants = c.participants.slice()
  for (let i = 0; i < participants.length; i++) if (participants[i]!.leg === p.leg) participants[i] = p
  return withParticipants(c, participants, c.screens)
}

/*
 * Updates are written out field by field rather than as `{ ...record, field }`: V8 builds such a
 * literal from a boilerplate, while these spreads fell to its slow path and made a step several
 * times slower (bench/step.bench.ts). The frequent updates have their own setters: a patch
 * object read field by field is a megamorphic load per field, since every caller's patch has
 * another shape (bench/profile-step.ts).
 */

export type ParticipantPatch = Partial<Pick<Participant, 'role' | 'media' | 'waiting' | 'chatCapable' | 'chatLeg'>>

export const patchParticipant = (p: Participant, patch: ParticipantPatch): Participant => ({
  leg: p.leg,
  role: patch.role ?? p.role,
  party: p.party,
  protocol: p.protocol,
  media: patch.media ?? p.media,
  sendsVideo: patch.media === undefined ? p.sendsVideo : patch.media.sendsVideo,
  receivesVideo: patch.media === undefined ? p.receivesVideo : patch.media.receivesVideo,
  chatOnly: p.chatOnly,
  waiting: patch.waiting ?? p.waiting,
  chatCapable: patch.chatCapable ?? p.chatCapable,
  chatLeg: 'chatLeg' in patch ? patch.chatLeg : p.chatLeg,
  conversationId: p.conversationId,
  adp: p.adp,
})

/** The one constructor of an updated conference: every field, in one order, so one shape. */
const rebuilt = (
  c: ConferenceState,
  participants: ReadonlyArray<Participant>,
  screens: ReadonlyArray<View | undefined>,
  pending: ReadonlyArray<LegId>,
  order: ReadonlyArray<LegId>,
  presenter: LegId | undefined,
  activated: boolean,
  inUse: boolean,
  adpStage: AdpStage,
  adpLegs: ReadonlyArray<AdpLeg>,
  timers: ReadonlyArray<string>,
): ConferenceState => ({
  id: c.id,
  vmr: c.vmr,
  room: c.room,
  adps: c.adps,
  participants,
  screens,
  pending,
  order,
  presenter,
  activated,
  inUse,
  adpStage,
  adpLegs,
  timers,
})

/** New participants with their screens (same indices). */
export const withParticipants = (
  c: ConferenceState,
  participants: ReadonlyArray<Participant>,
  screens: ReadonlyArray<View | undefined>,
): ConferenceState =>
  rebuilt(c, participants, screens, c.pending, c.order, c.presenter, c.activated, c.inUse, c.adpStage, c.adpLegs, c.timers)

export const withScreens = (c: ConferenceState, screens: ReadonlyArray<View | undefined>): ConferenceState =>
  rebuilt(c, c.participants, screens, c.pending, c.order, c.presenter, c.activated, c.inUse, c.adpStage, c.adpLegs, c.timers)

export const withPending = (c: ConferenceState, pending: ReadonlyArray<LegId>): ConferenceState =>
  rebuilt(c, c.participants, c.screens, pending, c.order, c.presenter, c.activated, c.inUse, c.adpStage, c.adpLegs, c.timers)

export const withOrder = (c: ConferenceState, order: ReadonlyArray<LegId>): ConferenceState =>
  rebuilt(c, c.participants, c.screens, c.pending, order, c.presenter, c.activated, c.inUse, c.adpStage, c.adpLegs, c.timers)

export const withTimers = (c: ConferenceState, timers: ReadonlyArray<string>): ConferenceState =>
  rebuilt(c, c.participants, c.screens, c.pending, c.order, c.presenter, c.activated, c.inUse, c.adpStage, c.adpLegs, timers)

export type ConferencePatch = Partial<
  Pick<
    ConferenceState,
    'participants' | 'screens' | 'pending' | 'order' | 'presenter' | 'activated' | 'inUse' | 'adpStage' | 'adpLegs' | 'timers'
  >
>

/** Any other update (the rarer ones: floor, activation, ADPs). */
export const patchConference = (c: ConferenceState, patch: ConferencePatch): ConferenceState =>
  rebuilt(
    c,
    patch.participants ?? c.participants,
    patch.screens ?? c.screens,
    patch.pending ?? c.pending,
    patch.order ?? c.order,
    'presenter' in patch ? patch.presenter : c.presenter,
    patch.activated ?? c.activated,
    patch.inUse ?? c.inUse,
    patch.adpStage ?? c.adpStage,
    patch.adpLegs ?? c.adpLegs,
    patch.timers ?? c.timers,
  )

export const hostWaitTimer = (leg: LegId): string => `host-wait:${leg}`
export const hostWaitLeg = (name: string): string | undefined =>
  name.startsWith('host-wait:') ? name.slice('host-wait:'.length) : undefined
