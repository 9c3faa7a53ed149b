/**
 * The Call aggregate: one per leg, for the leg's whole life (DESIGN §1). It resolves an incoming
 * call (VMR alias first, then the gateway rules, else 404), answers it with the media the VMR's
 * ceiling allows, runs PIN entry and its attempts (at the prompt and, for a waiting Guest, on the
 * holding screen), plays farewells before hanging up, sends an ADP's DTMF sequence, and forwards
 * everything else that happens on the leg to the aggregate that owns it (its Conference or
 * Gateway call). Its timers are `leg:<leg>:<name>` and it cancels them whenever it ends.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { CallType, DtmfDigit, MediaOffer, Party, Protocol, Role } from '../model/call.js'
import type { ConferenceId, LegId } from '../model/ids.js'
import type { Vmr } from '../config/model.js'
import type { Pin } from '../dial-string/pin.js'
import type { Effect, Observation } from '../node/effect.js'
import type { CallOffered } from '../node/input.js'
import type { Admission, CallMessage, Farewell, LegInput, NodeMessage } from '../node/messages.js'
import { toConference, toGateway } from '../node/messages.js'
import type { Out, StepContext } from '../node/outcome.js'
import { legTimer } from '../node/timer-key.js'
import { aliasKey, parseDialString } from '../dial-string/dial-string.js'
import { findRoute } from '../gateway/routing-table.js'
import { dtmfCommaPauseMs, farewellNoticeMs, pinDigitPauseMs, ringTimeoutMs, seconds } from './call-timing.js'
import { nextDtmfStep } from './dtmf-sequence.js'
import {
  answerUnder,
  carriesCall,
  isChatOnly,
  needsRoomVideoReoffer,
  participantMediaIn,
  roomVideoReoffer,
} from './media.js'
import type { PinEntry } from './pin-entry.js'
import { freshEntry, pressKey, submitOnPause } from './pin-entry.js'
import { isOpen, judgeDialled, judgeTyped, judgeWhileWaiting, maxPinAttempts, roleWithoutPin } from './pin-policy.js'

export type CallTimerName = 'pin-entry' | 'pin-digit' | 'farewell' | 'dtmf-pause' | 'ring'

interface CallCommon {
  readonly leg: LegId
  readonly party: Party
  readonly protocol: Protocol
  /** Timers this Call has started and neither cancelled nor seen fire. */
  readonly timers: ReadonlyArray<CallTimerName>
}

interface VmrLeg {
  readonly conference: ConferenceId
  /** The VMR as it was when the call arrived: a running call keeps its rules (choice). */
  readonly vmr: Vmr
  readonly source: string
}

/** Answered, at the PIN prompt. */
export interface PinEntryCall extends CallCommon, VmrLeg {
  readonly phase: 'pin-entry'
  readonly offer: MediaOffer
  readonly conversationId: string | undefined
  readonly entry: PinEntry
}

/** An SfB IM session offered to a VMR, until its Conference takes it in or refuses it. */
export interface ChatSessionCall extends CallCommon, VmrLeg {
  readonly phase: 'chat-session-offered'
}

/** In a conference (joined, or waiting for the Host). */
export interface ParticipantCall extends CallCommon, VmrLeg {
  readonly phase: 'participant'
  readonly offer: MediaOffer
  readonly chatOnly: boolean
  readonly wrong: number
  /** Present while the leg waits for the Host: what it types there is a Host PIN attempt. */
  readonly hostPin?: PinEntry
  /** Set once the leg's source was locked out for wrong PINs: this leg may no longer try the Host PIN. */
  readonly pinRefused?: true
}

/** One half of a gateway call: everything is forwarded to the Gateway call keyed by `gateway`. */
export interface GatewayLegCall extends CallCommon {
  readonly phase: 'gateway'
  readonly gateway: LegId
  readonly side: 'a' | 'b'
}

/** An automatically dialled participant's leg. */
export interface AdpCall extends CallCommon {
  readonly phase: 'adp'
  readonly conference: ConferenceId
  readonly adpId: string
  readonly callType: CallType
  readonly answered: boolean
  /** The rest of the DTMF sequence, to send after the running pause. */
  readonly dtmfAfterPause?: string
}

/** Showing a farewell; hung up when its timer fires. */
export interface FarewellCall extends CallCommon {
  readonly phase: 'farewell'
  readonly reason: string
}

export type CallState = PinEntryCall | ChatSessionCall | ParticipantCall | GatewayLegCall | AdpCall | FarewellCall

export type CallEvent = LegInput | CallMessage | { readonly _tag: 'CallTimerFired'; readonly name: string }

const noTimers: ReadonlyArray<CallTimerName> = []

type Writable<T> = { -readonly [K in keyof T]: T[K] }

const invalidPinFarewell: Farewell = { screen: 'invalid-pin', sound: 'invalid-pin' }

const observe = (observation: Observation): Effect => ({ _tag: 'Observe', observation })

// ---- timers -------------------------------------------------------------------------------

/** `timers` with `name` started (or restarted: cancel first, so that no adapter semantics are assumed). */
const restarted = (
  ctx: StepContext,
  leg: LegId,
  timers: ReadonlyArray<CallTimerName>,
  name: CallTimerName,
  afterMs: number,
  out: Out,
): ReadonlyArray<CallTimerName> => {
  const timer = legTimer(leg, name)
  const running = timers.includes(name)
  if (running) out.emit({ _tag: 'CancelTimer', timer })
  out.emit({ _tag: 'StartTimer', timer, due: ctx.at + afterMs })
  return running ? timers : [...timers, name]
}

/** `timers` without `name`, cancelled if it was running. */
const stopped = (leg: LegId, timers: ReadonlyArray<CallTimerName>, name: CallTimerName, out: Out): ReadonlyArray<CallTimerName> => {
  if (!timers.includes(name)) return timers
  out.emit({ _tag: 'CancelTimer', timer: legTimer(leg, name) })
  return timers.filter((t) => t !== name)
}

const withTimer = <C extends CallState>(ctx: StepContext, call: C, name: CallTimerName, afterMs: number, out: Out): C => {
  const timers = restarted(ctx, call.leg, call.timers, name, afterMs, out)
  return timers === call.timers ? call : { ...call, timers }
}

const withoutTimer = <C extends CallState>(call: C, name: CallTimerName, out: Out): C => {
  const timers = stopped(call.leg, call.timers, name, out)
  return timers === call.timers ? call : { ...call, timers }
}

/**
 * The PIN prompt's next state, written out field by field: every digit typed makes one, and a
 * spread over the Call union here is a polymorphic clone (bench/profile-step.ts).
 */
const pinEntryWith = (call: PinEntryCall, timers: ReadonlyArray<CallTimerName>, entry: PinEntry): PinEntryCall => ({
  phase: 'pin-entry',
  leg: call.leg,
  party: call.party,
  protocol: call.protocol,
  timers,
  conference: call.conference,
  vmr: call.vmr,
  source: call.source,
  offer: call.offer,
  conversationId: call.conversationId,
  entry,
})

const cancelAllTimers = (call: CallState, out: Out): void => {
  for (const name of call.timers) out.emit({ _tag: 'CancelTimer', timer: legTimer(call.leg, name) })
}

// ---- ending ---------------------------------------------------------------------------------

/** Hangs up now, or first shows and plays `farewell` for `farewellNoticeMs`. */
const farewell = (
  ctx: StepContext,
  call: CallState,
  reason: string,
  notice: Farewell | undefined,
  out: Out,
): CallState | undefined => {
  cancelAllTimers(call, out)
  if (notice === undefined) {
    out.emit({ _tag: 'Hangup', leg: call.leg, reason })
    return undefined
  }
  out.emit(
    { _tag: 'Show', leg: call.leg, view: { _tag: 'Splash', screen: notice.screen } },
    { _tag: 'Play', leg: call.leg, sound: notice.sound },
  )
  const leaving: FarewellCall = { phase: 'farewell', leg: call.leg, party: call.party, protocol: call.protocol, timers: [], reason }
  return withTimer(ctx, leaving, 'farewell', farewellNoticeMs, out)
}

const reject = (out: Out, leg: LegId, status: 404 | 488, reason: string): undefined => {
  out.emit({ _tag: 'Reject', leg, status, reason }, observe({ _tag: 'CallResolved', leg, result: 'rejected' }))
  return undefined
}

// ---- arrival --------------------------------------------------------------------------------

/** A new incoming call: resolve what was dialled (DESIGN §2 resolution order) and act on it. */
export const offerCall = (ctx: StepContext, offered: CallOffered, out: Out): CallState | undefined => {
  const parsed = parseDialString(offered.dialled)
  if (E.isLeft(parsed)) return reject(out, offered.leg, 404, `"${offered.dialled}" is not an address (${parsed.left.reason})`)
  const alias = aliasKey(parsed.right)
  const vmr = ctx.config.vmrByAlias.get(alias)
  if (vmr !== undefined) return offerToVmr(ctx, offered, vmr, parsed.right.pin, out)
  const route = findRoute(ctx.config.routing, {
    alias,
    direction: 'incoming',
    protocol: offered.protocol,
    registered: offered.registered,
  })
  // No VMR and no rule: no open relay, no toll fraud (DESIGN §2 Gateway).
  if (route === undefined) return reject(out, offered.leg, 404, `no meeting room or gateway rule matches ${alias}`)
  out.emit(observe({ _tag: 'CallResolved', leg: offered.leg, result: 'gateway' }))
  out.send({
    _tag: 'StartGateway',
    start: { a: offered.leg, party: offered.caller, protocol: offered.protocol, offer: offered.offer, route },
  })
  return {
    phase: 'gateway',
    leg: offered.leg,
    party: offered.caller,
    protocol: offered.protocol,
    timers: [],
    gateway: offered.leg,
    side: 'a',
  }
}

const offerToVmr = (
  ctx: StepContext,
  offered: CallOffered,
  vmr: Vmr,
  dialledPin: Pin | undefined,
  out: Out,
): CallState | undefined => {
  const leg = offered.leg

  if (isChatOnly(offered.offer)) {
    // An IM session cannot type digits (choice, DESIGN §2 IM): it attaches to its conversation's
    // AV participant, else it joins alone with the role it can have without typing (a PIN in
    // its dial string counts, once), else the Conference refuses it.
    let standaloneRole: Role | undefined
    if (!isOpen(vmr) && dialledPin !== undefined) {
      const verdict = judgeDialled(vmr, dialledPin)
      standaloneRole = verdict._tag === 'Accepted' ? verdict.role : undefined
      out.emit(
        observe(
          verdict._tag === 'Accepted'
            ? { _tag: 'PinAccepted', leg, conference: vmr.id, role: verdict.role }
            : { _tag: 'PinFailed', leg, conference: vmr.id, source: offered.source },
        ),
      )
    } else standaloneRole = roleWithoutPin(vmr)
    const admission: Admission = {
      leg,
      role: standaloneRole ?? 'guest',
      party: offered.caller,
      protocol: offered.protocol,
      media: { sendsVideo: false, receivesVideo: false },
      chatCapable: true,
      chatOnly: true,
      ...(offered.conversationId === undefined ? {} : { conversationId: offered.conversationId }),
    }
    out.emit(observe({ _tag: 'CallResolved', leg, result: 'conference' }))
    out.send(
      toConference(vmr.id, {
        _tag: 'ChatSessionOffered',
        admission,
        standaloneRole,
        ...(offered.firstMessage === undefined ? {} : { firstMessage: offered.firstMessage }),
      }),
    )
    return {
      phase: 'chat-session-offered',
      leg,
      party: offered.caller,
      protocol: offered.protocol,
      timers: noTimers,
      conference: vmr.id,
      vmr,
      source: offered.source,
    }
  }

  const answer = answerUnder(offered.offer, vmr.callType)
  if (!carriesCall(answer)) return reject(out, leg, 488, `${vmr.name} takes audio or video calls; none was offered`)
  out.emit(observe({ _tag: 'CallResolved', leg, result: 'conference' }), { _tag: 'Answer', leg, answer })

  const call: PinEntryCall = {
    phase: 'pin-entry',
    leg,
    party: offered.caller,
    protocol: offered.protocol,
    timers: noTimers,
    conference: vmr.id,
    vmr,
    source: offered.source,
    offer: offered.offer,
    conversationId: offered.conversationId,
    entry: freshEntry(),
  }
  if (isOpen(vmr)) return admit(call, 'host', out)
  if (dialledPin === undefined) return prompt(ctx, call, out)
  // The dial-string PIN is one attempt made before the prompt (DESIGN §2).
  const verdict = judgeDialled(vmr, dialledPin)
  if (verdict._tag === 'Accepted') {
    out.emit(observe({ _tag: 'PinAccepted', leg, conference: vmr.id, role: verdict.role }))
    return admit(call, verdict.role, out)
  }
  out.emit(observe({ _tag: 'PinFailed', leg, conference: vmr.id, source: offered.source }))
  return prompt(ctx, pinEntryWith(call, call.timers, freshEntry(1)), out)
}

/** The PIN prompt: splash, prompt sound, and the entry timeout (global `pin_entry_timeout_s`). */
const prompt = (ctx: StepContext, call: PinEntryCall, out: Out): PinEntryCall => {
  out.emit(
    { _tag: 'Show', leg: call.leg, view: { _tag: 'Splash', screen: 'pin-entry' } },
    { _tag: 'Play', leg: call.leg, sound: 'pin-prompt' },
  )
  out.send(toConference(call.conference, { _tag: 'LegArrived', leg: call.leg }))
  const timers = restarted(ctx, call.leg, call.timers, 'pin-entry', seconds(ctx.config.source.global.pinEntryTimeoutS), out)
  return pinEntryWith(call, timers, call.entry)
}

/** Into the conference with `role`; an audio-only leg of a `room` VMR gets the room's video. */
const admit = (call: PinEntryCall, role: Role, out: Out): ParticipantCall => {
  const timers = stopped(call.leg, stopped(call.leg, call.timers, 'pin-entry', out), 'pin-digit', out)
  if (needsRoomVideoReoffer(call.vmr, call.offer))
    out.emit({ _tag: 'Reoffer', leg: call.leg, offer: roomVideoReoffer(call.offer) })
  // Built by assignment, not by a conditional spread into the literal (V8's slow path): every
  // admission takes this line.
  const admission: Writable<Admission> = {
    leg: call.leg,
    role,
    party: call.party,
    protocol: call.protocol,
    media: participantMediaIn(call.vmr, call.offer),
    // DESIGN §2 IM: SfB clients are chat-capable even on an AV call without an IM session;
    // the SfB adapter opens the IM session towards them when the first message comes.
    chatCapable: call.offer.chat || call.protocol === 'webrtc' || call.protocol === 'mssip',
    chatOnly: false,
  }
  if (call.conversationId !== undefined) admission.conversationId = call.conversationId
  out.send(toConference(call.conference, { _tag: 'Admit', admission }))
  return {
    phase: 'participant',
    leg: call.leg,
    party: call.party,
    protocol: call.protocol,
    timers,
    conference: call.conference,
    vmr: call.vmr,
    source: call.source,
    offer: call.offer,
    chatOnly: false,
    wrong: call.entry.wrong,
  }
}

/**
 * A dial-out placed by a Conference (ADP) or a Gateway call; its DialOut is already emitted. It
 * rings for at most the ring timeout (global `ring_timeout_s`): unanswered by then, it is
 * cancelled (RFC 3261 §9.1) and counts as a call that failed.
 */
export const placeCall = (
  ctx: StepContext,
  leg: LegId,
  party: Party,
  protocol: Protocol,
  owner: Extract<NodeMessage, { readonly _tag: 'TrackDialOut' }>['owner'],
  out: Out,
): CallState => {
  const timers = restarted(ctx, leg, noTimers, 'ring', ringTimeoutMs(ctx.config.source.global), out)
  return owner._tag === 'Adp'
    ? {
        phase: 'adp',
        leg,
        party,
        protocol,
        timers,
        conference: owner.conference,
        adpId: owner.adpId,
        callType: owner.callType,
        answered: false,
        ...(owner.dtmfSequence === '' ? {} : { dtmfAfterPause: owner.dtmfSequence }),
      }
    : { phase: 'gateway', leg, party, protocol, timers, gateway: owner.gateway, side: 'b' }
}

// ---- PIN entry ------------------------------------------------------------------------------

const pinKey = (ctx: StepContext, call: PinEntryCall, key: DtmfDigit, out: Out): CallState | undefined => {
  const r = pressKey(call.entry, key)
  switch (r._tag) {
    case 'Ignored':
      return call
    case 'Typing': {
      // Something was entered: the entry timeout no longer applies, the digit pause does.
      const timers = restarted(ctx, call.leg, stopped(call.leg, call.timers, 'pin-entry', out), 'pin-digit', pinDigitPauseMs, out)
      return pinEntryWith(call, timers, r.entry)
    }
    case 'Submitted':
      return promptAttempt(ctx, pinEntryWith(call, stopped(call.leg, call.timers, 'pin-digit', out), r.entry), r.typed, out)
  }
}

const promptAttempt = (ctx: StepContext, call: PinEntryCall, typed: string, out: Out): CallState | undefined => {
  const verdict = judgeTyped(call.vmr, typed)
  if (verdict._tag === 'Accepted') {
    out.emit(observe({ _tag: 'PinAccepted', leg: call.leg, conference: call.conference, role: verdict.role }))
    return admit(call, verdict.role, out)
  }
  out.emit(observe({ _tag: 'PinFailed', leg: call.leg, conference: call.conference, source: call.source }))
  const wrong = call.entry.wrong + 1
  if (wrong >= maxPinAttempts) {
    out.send(toConference(call.conference, { _tag: 'LegLeft', leg: call.leg }))
    return farewell(ctx, call, 'three wrong PIN attempts', invalidPinFarewell, out)
  }
  out.emit({ _tag: 'Play', leg: call.leg, sound: 'pin-prompt' })
  const timers = restarted(ctx, call.leg, call.timers, 'pin-entry', seconds(ctx.config.source.global.pinEntryTimeoutS), out)
  return pinEntryWith(call, timers, freshEntry(wrong))
}

const waitingKey = (ctx: StepContext, call: ParticipantCall, entry: PinEntry, key: DtmfDigit, out: Out): CallState | undefined => {
  const r = pressKey(entry, key)
  switch (r._tag) {
    case 'Ignored':
      return call
    case 'Typing':
      return { ...withTimer(ctx, call, 'pin-digit', pinDigitPauseMs, out), hostPin: r.entry }
    case 'Submitted':
      return waitingAttempt(ctx, withoutTimer(call, 'pin-digit', out), r.typed, out)
  }
}

/** A Host PIN attempt on the holding screen (DESIGN §2: counts toward the same three). */
const waitingAttempt = (ctx: StepContext, call: ParticipantCall, typed: string, out: Out): CallState | undefined => {
  switch (judgeWhileWaiting(call.vmr, typed)) {
    case 'host':
      out.emit(observe({ _tag: 'PinAccepted', leg: call.leg, conference: call.conference, role: 'host' }))
      out.send(toConference(call.conference, { _tag: 'Promote', leg: call.leg }))
      return { ...call, hostPin: freshEntry(call.wrong) }
    case 'unchanged':
      return { ...call, hostPin: freshEntry(call.wrong) }
    case 'wrong': {
      out.emit(observe({ _tag: 'PinFailed', leg: call.leg, conference: call.conference, source: call.source }))
      const wrong = call.wrong + 1
      if (wrong >= maxPinAttempts) {
        out.send(toConference(call.conference, { _tag: 'LegLeft', leg: call.leg }))
        return farewell(ctx, call, 'three wrong PIN attempts', invalidPinFarewell, out)
      }
      return { ...call, wrong, hostPin: freshEntry(wrong) }
    }
  }
}

/**
 * The leg's source was just locked out (core/lockout/, DESIGN §6 `pin_lockout`). Its legs opened
 * before the block would otherwise keep their three attempts each, so a guesser who opened many
 * calls first would get three guesses per call whatever the policy: a leg at the PIN prompt ends
 * as after three wrong attempts, and a Guest (waiting or not) may no longer try the Host PIN on
 * this leg, though it stays in the conference (it is in, as a Guest, by the VMR's own rules).
 */
const pinLockedOut = (ctx: StepContext, call: CallState, out: Out): CallState | undefined => {
  switch (call.phase) {
    case 'pin-entry':
      out.send(toConference(call.conference, { _tag: 'LegLeft', leg: call.leg }))
      return farewell(ctx, call, 'source locked out for wrong PINs', invalidPinFarewell, out)
    case 'participant': {
      if (call.pinRefused === true) return call
      const { hostPin: _, ...refused } = withoutTimer(call, 'pin-digit', out)
      return { ...refused, pinRefused: true }
    }
    default:
      return call
  }
}

// ---- ADP DTMF -------------------------------------------------------------------------------

const continueDtmf = (ctx: StepContext, call: AdpCall, sequence: string | undefined, out: Out): AdpCall => {
  const { dtmfAfterPause: _, ...rest } = call
  if (sequence === undefined) return rest
  const step = nextDtmfStep(sequence)
  if (step.send !== '') out.emit({ _tag: 'SendDtmf', leg: call.leg, digits: step.send })
  if (step.afterPause === undefined) return rest
  return { ...withTimer(ctx, rest, 'dtmf-pause', dtmfCommaPauseMs, out), dtmfAfterPause: step.afterPause }
}

// ---- step -----------------------------------------------------------------------------------

/** One event for one Call: its next state (`undefined`: the leg is over), effects and messages into `out`. */
export const stepCall = (ctx: StepContext, call: CallState, event: CallEvent, out: Out): CallState | undefined =>
  react(ctx, call, event, out)

const forwardToGateway = (call: GatewayLegCall, input: LegInput, out: Out): void => {
  out.send(toGateway(call.gateway, { _tag: 'GatewayLegInput', side: call.side, input }))
}

const react = (ctx: StepContext, call: CallState, event: CallEvent, out: Out): CallState | undefined => {
  switch (event._tag) {
    case 'CallEnded':
      cancelAllTimers(call, out)
      // The media side lost the leg (its worker died) or the wire could not carry it: the far end
      // may still be in the call, hearing nothing, so the node ends it (BYE) rather than leave a
      // silent call up (DESIGN §4). When the dialog is already gone the adapter answers LegGone.
      if (event.reason === 'transport') out.emit({ _tag: 'Hangup', leg: call.leg, reason: 'media lost' })
      switch (call.phase) {
        case 'pin-entry':
        case 'chat-session-offered':
        case 'participant':
        case 'adp':
          out.send(toConference(call.conference, { _tag: 'LegLeft', leg: call.leg }))
          break
        case 'gateway':
          forwardToGateway(call, event, out)
          break
        case 'farewell':
          break
      }
      return undefined

    case 'CallFailed':
      if (call.phase === 'adp' && !call.answered) {
        cancelAllTimers(call, out)
        // Dialled once, no retry (PROTOCOLS 3.5).
        out.send(toConference(call.conference, { _tag: 'AdpFailed', leg: call.leg, adpId: call.adpId }))
        return undefined
      }
      if (call.phase === 'gateway' && call.side === 'b') {
        cancelAllTimers(call, out)
        forwardToGateway(call, event, out)
        return undefined
      }
      return call

    case 'CallAnswered':
      if (call.phase === 'adp' && !call.answered) {
        out.send(toConference(call.conference, { _tag: 'AdpAnswered', leg: call.leg, adpId: call.adpId, answer: event.answer }))
        return continueDtmf(ctx, { ...withoutTimer(call, 'ring', out), answered: true }, call.dtmfAfterPause, out)
      }
      if (call.phase === 'gateway' && call.side === 'b') {
        forwardToGateway(call, event, out)
        return withoutTimer(call, 'ring', out)
      }
      return call

    case 'MediaChanged':
      return mediaChanged(call, event.offer, event, out)

    case 'DtmfReceived':
      if (call.phase === 'pin-entry') return pinKey(ctx, call, event.digit, out)
      if (call.phase === 'participant' && call.hostPin !== undefined) return waitingKey(ctx, call, call.hostPin, event.digit, out)
      if (call.phase === 'gateway') forwardToGateway(call, event, out)
      return call

    case 'ChatReceived':
      if (call.phase === 'participant' || (call.phase === 'adp' && call.answered))
        out.send(toConference(call.conference, { _tag: 'ParticipantChat', leg: call.leg, text: event.text }))
      else if (call.phase === 'gateway') forwardToGateway(call, event, out)
      return call

    case 'ContentRequested':
    case 'ContentReleased': {
      const wantsFloor = event._tag === 'ContentRequested'
      if ((call.phase === 'participant' && !call.chatOnly) || (call.phase === 'adp' && call.answered))
        out.send(toConference(call.conference, { _tag: 'ParticipantContent', leg: call.leg, wantsFloor }))
      else if (call.phase === 'gateway') forwardToGateway(call, event, out)
      return call
    }

    case 'CallTimerFired':
      return timerFired(ctx, call, event.name, out)

    case 'AwaitHost':
      return call.phase === 'participant' && call.pinRefused !== true ? { ...call, hostPin: freshEntry(call.wrong) } : call

    case 'PinLockedOut':
      return pinLockedOut(ctx, call, out)

    case 'Released': {
      if (call.phase !== 'participant') return call
      const { hostPin: _, ...released } = withoutTimer(call, 'pin-digit', out)
      return released
    }

    case 'ChatSessionAccepted':
      return call.phase === 'chat-session-offered'
        ? { ...call, phase: 'participant', offer: { audio: false, video: false, content: false, chat: true }, chatOnly: true, wrong: 0 }
        : call

    case 'Dismiss':
      if (call.phase === 'chat-session-offered') {
        // Never answered: refuse it rather than hang up.
        cancelAllTimers(call, out)
        out.emit({ _tag: 'Reject', leg: call.leg, status: 404, reason: event.reason })
        return undefined
      }
      if (call.phase === 'farewell') return call
      // A chat-only leg has no screen or sound to say goodbye with.
      return farewell(ctx, call, event.reason, call.phase === 'participant' && call.chatOnly ? undefined : event.farewell, out)

    case 'Forget':
      cancelAllTimers(call, out)
      return undefined
  }
}

const mediaChanged = (call: CallState, offer: MediaOffer, event: LegInput, out: Out): CallState => {
  switch (call.phase) {
    case 'pin-entry':
      out.emit({ _tag: 'Answer', leg: call.leg, answer: answerUnder(offer, call.vmr.callType) })
      return { ...call, offer }
    case 'participant': {
      if (call.chatOnly) return call
      // Escalation up to the VMR's ceiling (DESIGN §2); video beyond it is refused (port 0).
      const answer = answerUnder(offer, call.vmr.callType)
      const video = answer.video !== undefined
      out.emit({ _tag: 'Answer', leg: call.leg, answer })
      out.send(
        toConference(call.conference, {
          _tag: 'ParticipantMediaChanged',
          leg: call.leg,
          media: { sendsVideo: video, receivesVideo: video },
        }),
      )
      return { ...call, offer }
    }
    case 'adp': {
      if (!call.answered) return call
      const answer = answerUnder(offer, call.callType)
      const video = answer.video !== undefined
      out.emit({ _tag: 'Answer', leg: call.leg, answer })
      out.send(
        toConference(call.conference, {
          _tag: 'ParticipantMediaChanged',
          leg: call.leg,
          media: { sendsVideo: video, receivesVideo: video },
        }),
      )
      return call
    }
    case 'gateway':
      forwardToGateway(call, event, out)
      return call
    case 'chat-session-offered':
    case 'farewell':
      return call
  }
}

const timerFired = (ctx: StepContext, running: CallState, name: string, out: Out): CallState | undefined => {
  // A timer this Call no longer runs (cancelled while its firing was on the way) means nothing.
  if (!running.timers.some((t) => t === name)) return running
  const call = { ...running, timers: running.timers.filter((t) => t !== name) }
  switch (call.phase) {
    case 'pin-entry':
      if (name === 'pin-entry') {
        // Nothing entered in time (DESIGN §2): disconnect.
        cancelAllTimers(call, out)
        out.emit({ _tag: 'Hangup', leg: call.leg, reason: 'no PIN was entered in time' })
        out.send(toConference(call.conference, { _tag: 'LegLeft', leg: call.leg }))
        return undefined
      }
      if (name === 'pin-digit') {
        const submitted = submitOnPause(call.entry)
        return submitted === undefined ? call : promptAttempt(ctx, pinEntryWith(call, call.timers, submitted.entry), submitted.typed, out)
      }
      return call
    case 'participant':
      if (name === 'pin-digit' && call.hostPin !== undefined) {
        const submitted = submitOnPause(call.hostPin)
        return submitted === undefined ? call : waitingAttempt(ctx, { ...call, hostPin: submitted.entry }, submitted.typed, out)
      }
      return call
    case 'adp':
      if (name === 'ring' && !call.answered) {
        // Unanswered in time: cancelled, and failed as an unanswered ADP does (dialled once, no retry).
        cancelAllTimers(call, out)
        out.emit({ _tag: 'Hangup', leg: call.leg, reason: ringTimeoutReason(ctx) })
        out.send(toConference(call.conference, { _tag: 'AdpFailed', leg: call.leg, adpId: call.adpId }))
        return undefined
      }
      return name === 'dtmf-pause' ? continueDtmf(ctx, call, call.dtmfAfterPause, out) : call
    case 'gateway':
      if (name === 'ring' && call.side === 'b') {
        // The caller hears what an unanswered far end gives (408 Request Timeout, mapped to 480).
        cancelAllTimers(call, out)
        const reason = ringTimeoutReason(ctx)
        out.emit({ _tag: 'Hangup', leg: call.leg, reason })
        forwardToGateway(call, { _tag: 'CallFailed', at: ctx.at, leg: call.leg, status: 408, reason }, out)
        return undefined
      }
      return call
    case 'farewell':
      if (name !== 'farewell') return call
      cancelAllTimers(call, out)
      out.emit({ _tag: 'Hangup', leg: call.leg, reason: call.reason })
      return undefined
    case 'chat-session-offered':
      return call
  }
}

const ringTimeoutReason = (ctx: StepContext): string => `not answered within ${ringTimeoutMs(ctx.config.source.global) / 1_000} s`

/** The Call's pending timers, for tests that check nothing outlives its leg. */
export const pendingCallTimers = (call: CallState): ReadonlyArray<CallTimerName> => call.timers
