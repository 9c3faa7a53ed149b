/**
 * The Conference aggregate (DESIGN §1, §2): one per VMR in use. It admits the legs its Calls
 * send (each with the role its PIN gave), holds Guests at "Waiting for the host" until a Host
 * joins, ends the meeting when only Guests remain (guests-only timeout) or one participant
 * stays alone (only-one timeout), dials the ADPs once the conference starts, keeps the content
 * floor, fans chat out and tells every screen what to show. Its timers are
 * `conf:<id>:adp-delay|guests-only|only-one|host-wait:<leg>`.
 *
 * Host rights come only with the role in an Admission (decided by the Call from the PIN), a
 * Promote (the Host PIN typed while waiting) or a `chair` ADP: nothing here ever raises a
 * Guest on its own.
 */
import type { MediaOffer } from '../model/call.js'
import type { LegId } from '../model/ids.js'
import type { View } from '../node/effect.js'
import type { ActiveSpeakerChanged } from '../node/input.js'
import type { Admission, ConferenceMessage, Farewell } from '../node/messages.js'
import { toCall } from '../node/messages.js'
import type { Out, StepContext } from '../node/outcome.js'
import { conferenceTimer } from '../node/timer-key.js'
import { addressKeyOf, dialUriOf } from '../call/address.js'
import { seconds } from '../call/call-timing.js'
import { ceilingAllowsContent, ceilingAllowsVideo, narrowCallType } from '../call/media.js'
import { everyoneNeedsPin } from '../call/pin-policy.js'
import { keptAliveByAdps, minAdpDelayS, planAdpDial } from './adp-dial.js'
import { relayChat } from './chat.js'
import type { ConferenceState, Participant } from './conference-state.js'
import {
  hostWaitLeg,
  hostWaitTimer,
  isIdle,
  addParticipant,
  dropParticipant,
  newConference,
  participantOn,
  patchConference,
  patchParticipant,
  replaceParticipant,
  withOrder,
  withPending,
  withTimers,
} from './conference-state.js'
import { refreshViews } from './views.js'

export type ConferenceEvent =
  | ConferenceMessage
  | ActiveSpeakerChanged
  | { readonly _tag: 'ConferenceTimerFired'; readonly name: string }

const conferenceEnding: Farewell = { screen: 'conference-ending', sound: 'conference-ending' }

/** Pexip's disconnect reason for Guests whose Host never came (PROTOCOLS 3.4). */
export const hostWaitTimeoutReason = '#pex126: timeout waiting for the conference host to join'

/** One event for one conference: its next state (`undefined`: nothing left), effects and messages into `out`. */
export const stepConference = (ctx: StepContext, conf: ConferenceState, event: ConferenceEvent, out: Out): ConferenceState | undefined => {
  const next = react(ctx, conf, event, out)
  return isIdle(next) ? undefined : next
}

// ---- timers ---------------------------------------------------------------------------------

const startTimer = (ctx: StepContext, c: ConferenceState, name: string, afterMs: number, out: Out): ConferenceState => {
  const timer = conferenceTimer(c.id, name)
  const running = c.timers.includes(name)
  if (running) out.emit({ _tag: 'CancelTimer', timer })
  out.emit({ _tag: 'StartTimer', timer, due: ctx.at + afterMs })
  return running ? c : withTimers(c, [...c.timers, name])
}

const cancelTimer = (c: ConferenceState, name: string, out: Out): ConferenceState => {
  if (!c.timers.includes(name)) return c
  out.emit({ _tag: 'CancelTimer', timer: conferenceTimer(c.id, name) })
  return withTimers(c, c.timers.filter((t) => t !== name))
}

const cancelAllTimers = (c: ConferenceState, out: Out): ConferenceState => {
  for (const name of c.timers) out.emit({ _tag: 'CancelTimer', timer: conferenceTimer(c.id, name) })
  return c.timers.length === 0 ? c : withTimers(c, [])
}

// ---- the event switch -----------------------------------------------------------------------

const react = (ctx: StepContext, c: ConferenceState, event: ConferenceEvent, out: Out): ConferenceState => {
  switch (event._tag) {
    case 'LegArrived':
      if (c.pending.includes(event.leg) || participantOn(c, event.leg) !== undefined) return c
      return triggerAdps(ctx, withPending(c, [...c.pending, event.leg]), 'arrival', out)
    case 'Admit':
      return settle(ctx, admit(ctx, c, event.admission, out), out)
    case 'ChatSessionOffered':
      return settle(ctx, chatSessionOffered(ctx, c, event.admission, event.standaloneRole, event.firstMessage, out), out)
    case 'LegLeft':
      return settle(ctx, refreshViews(legLeft(c, event.leg, out), out), out)
    case 'Promote':
      return settle(ctx, promote(c, event.leg, out), out)
    case 'ParticipantChat':
      return relayChat(c, event.leg, event.text, out)
    case 'ParticipantContent':
      return event.wantsFloor ? takeFloor(c, event.leg, out) : releaseFloor(c, event.leg, out)
    case 'ParticipantMediaChanged': {
      const p = participantOn(c, event.leg)
      return p === undefined ? c : refreshViews(replaceParticipant(c, patchParticipant(p, { media: event.media })), out)
    }
    case 'AdpAnswered':
      return settle(ctx, adpAnswered(ctx, c, event.leg, event.adpId, event.answer, out), out)
    case 'AdpFailed':
      return settle(ctx, patchConference(c, { adpLegs: c.adpLegs.filter((d) => d.leg !== event.leg) }), out)
    case 'VmrRemoved':
      return endConference(c, 'the meeting room was removed from the configuration', true, out)
    case 'ActiveSpeakerChanged':
      return activeSpeaker(c, event.leg, out)
    case 'ConferenceTimerFired':
      return timerFired(ctx, c, event.name, out)
  }
}

// ---- admission and host gating ------------------------------------------------------------

const admit = (ctx: StepContext, conf: ConferenceState, a: Admission, out: Out): ConferenceState => {
  if (participantOn(conf, a.leg) !== undefined) return conf
  let c: ConferenceState = conf.pending.includes(a.leg) ? withPending(conf, conf.pending.filter((l) => l !== a.leg)) : conf
  // An SfB IM session of this conversation that joined on its own becomes this leg's chat.
  let chatLeg: LegId | undefined
  if (!a.chatOnly && a.conversationId !== undefined) {
    const im = c.participants.find((p) => p.chatOnly && p.conversationId === a.conversationId)
    if (im !== undefined) {
      c = removeParticipant(c, im, out)
      if (im.waiting) out.send(toCall(im.leg, { _tag: 'Released' }))
      chatLeg = im.leg
    }
  }
  const p: Participant = {
    leg: a.leg,
    role: a.role,
    party: a.party,
    protocol: a.protocol,
    media: a.media,
    sendsVideo: a.media.sendsVideo,
    receivesVideo: a.media.receivesVideo,
    chatOnly: a.chatOnly,
    waiting: false,
    chatCapable: a.chatCapable,
    chatLeg,
    conversationId: a.conversationId,
    adp: undefined,
  }
  return enter(ctx, triggerAdps(ctx, c, 'admission', out), p, out)
}

/** A participant enters: it waits for the Host (Guests before any Host), or joins. */
const enter = (ctx: StepContext, c: ConferenceState, p: Participant, out: Out): ConferenceState => {
  if (c.vmr.allowGuests && !c.activated && p.role === 'guest') {
    if (!p.chatOnly)
      out.emit(
        { _tag: 'Show', leg: p.leg, view: { _tag: 'Splash', screen: 'waiting-for-host' } },
        { _tag: 'Play', leg: p.leg, sound: 'hold-music' },
      )
    // ADP legs cannot type a PIN; people can (DESIGN §2: the Host PIN on the holding screen).
    if (p.adp === undefined) out.send(toCall(p.leg, { _tag: 'AwaitHost' }))
    const waiting = addParticipant(c, patchParticipant(p, { waiting: true }), p.chatOnly ? undefined : waitingScreen, false)
    return startTimer(ctx, waiting, hostWaitTimer(p.leg), seconds(ctx.config.source.global.hostWaitTimeoutS), out)
  }
  if (!p.chatOnly) out.emit({ _tag: 'JoinMix', leg: p.leg, conference: c.id })
  const joined = addParticipant(c, p, undefined, !p.chatOnly)
  return refreshViews(p.role === 'host' ? activate(joined, out) : joined, out)
}

const waitingScreen: View = { _tag: 'Splash', screen: 'waiting-for-host' }

const joinMix = (c: ConferenceState, p: Participant, out: Out): ConferenceState => {
  if (p.chatOnly) return c
  out.emit({ _tag: 'JoinMix', leg: p.leg, conference: c.id })
  return withOrder(c, [...c.order, p.leg])
}

/** A Host is in: the conference starts and every waiting Guest joins (DESIGN §2). */
const activate = (conf: ConferenceState, out: Out): ConferenceState => {
  // Already started with no one waiting (every Host after the first): nothing changes.
  if (conf.activated && !conf.participants.some((p) => p.waiting)) return conf
  let c: ConferenceState = patchConference(conf, { activated: true })
  for (const p of conf.participants) {
    if (!p.waiting) continue
    c = cancelTimer(c, hostWaitTimer(p.leg), out)
    if (p.adp === undefined) out.send(toCall(p.leg, { _tag: 'Released' }))
    if (!p.chatOnly) out.emit({ _tag: 'Play', leg: p.leg, sound: 'conference' })
    const released = patchParticipant(p, { waiting: false })
    c = joinMix(replaceParticipant(c, released), released, out)
  }
  return c
}

const promote = (c: ConferenceState, leg: LegId, out: Out): ConferenceState => {
  const p = participantOn(c, leg)
  if (p === undefined || !p.waiting) return c
  return refreshViews(activate(replaceParticipant(c, patchParticipant(p, { role: 'host' })), out), out)
}

// ---- leaving --------------------------------------------------------------------------------

/** Takes a participant out of the mix, the floor and the timers (its leg is gone or going). */
const removeParticipant = (conf: ConferenceState, p: Participant, out: Out): ConferenceState => {
  let c = conf
  if (p.waiting) c = cancelTimer(c, hostWaitTimer(p.leg), out)
  else if (!p.chatOnly) {
    out.emit({ _tag: 'LeaveMix', leg: p.leg, conference: c.id })
    c = withOrder(c, c.order.filter((l) => l !== p.leg))
  }
  const dropped = dropParticipant(c, p.leg)
  if (c.presenter !== p.leg && p.adp === undefined) return dropped
  return patchConference(dropped, {
    presenter: c.presenter === p.leg ? undefined : c.presenter,
    adpLegs: p.adp === undefined ? c.adpLegs : c.adpLegs.filter((d) => d.leg !== p.leg),
  })
}

const legLeft = (c: ConferenceState, leg: LegId, out: Out): ConferenceState => {
  if (c.pending.includes(leg)) return withPending(c, c.pending.filter((l) => l !== leg))
  const owner = c.participants.find((p) => p.chatLeg === leg)
  if (owner !== undefined) return replaceParticipant(c, patchParticipant(owner, { chatLeg: undefined }))
  const p = participantOn(c, leg)
  if (p === undefined) return patchConference(c, { adpLegs: c.adpLegs.filter((d) => d.leg !== leg) })
  // The IM session of a leg that left goes with it (choice: it was admitted through that leg).
  if (p.chatLeg !== undefined) out.send(toCall(p.chatLeg, { _tag: 'Dismiss', reason: 'its call left the conference' }))
  return removeParticipant(c, p, out)
}

/**
 * After anything that changes who is here: forget an empty conference; end one that only
 * ADPs that do not keep it alive hold; run or stop the guests-only and only-one timers.
 */
const settle = (ctx: StepContext, conf: ConferenceState, out: Out): ConferenceState => {
  const global = ctx.config.source.global
  let people = conf.pending.length
  let hostHere = false
  for (const p of conf.participants) {
    if (p.adp === undefined) people++
    if (p.role === 'host' && !p.waiting) hostHere = true
  }
  if (people === 0) {
    if (conf.participants.length === 0 && conf.adpLegs.length === 0) return goIdle(conf, out)
    if (!keptAliveByAdps(conf.adpLegs)) return endConference(conf, 'only automatically dialled participants remained', false, out)
  }
  let c = conf
  const guestsOnly = c.activated && !hostHere && c.participants.length > 0
  if (guestsOnly && !c.timers.includes('guests-only')) {
    // DESIGN §2: 0 s ends it at once.
    if (global.guestsOnlyTimeoutS <= 0) return endConference(c, 'guests-only timeout: the last Host left', false, out)
    c = startTimer(ctx, c, 'guests-only', seconds(global.guestsOnlyTimeoutS), out)
  } else if (!guestsOnly) c = cancelTimer(c, 'guests-only', out)
  const alone = c.participants.length === 1 && global.onlyOneParticipantTimeoutS > 0
  if (alone && !c.timers.includes('only-one'))
    c = startTimer(ctx, c, 'only-one', seconds(global.onlyOneParticipantTimeoutS), out)
  else if (!alone) c = cancelTimer(c, 'only-one', out)
  return c
}

const goIdle = (conf: ConferenceState, out: Out): ConferenceState => {
  const c = cancelAllTimers(conf, out)
  if (c.inUse) out.emit({ _tag: 'Observe', observation: { _tag: 'ConferenceEnded', conference: c.id, reason: 'the last participant left' } })
  return newConference(c.vmr, c.adps)
}

/**
 * Everyone is disconnected: people see and hear "conference ending" first, ADPs and IM sessions
 * are simply hung up. Callers still at the PIN prompt stay (they start the next meeting),
 * unless the VMR itself is gone.
 */
const endConference = (conf: ConferenceState, reason: string, includePending: boolean, out: Out): ConferenceState => {
  for (const p of conf.participants) {
    if (!p.waiting && !p.chatOnly) out.emit({ _tag: 'LeaveMix', leg: p.leg, conference: conf.id })
    const farewell = p.adp !== undefined || p.chatOnly ? {} : { farewell: conferenceEnding }
    out.send(toCall(p.leg, { _tag: 'Dismiss', reason, ...farewell }))
    if (p.chatLeg !== undefined) out.send(toCall(p.chatLeg, { _tag: 'Dismiss', reason }))
  }
  for (const d of conf.adpLegs) if (!d.answered) out.send(toCall(d.leg, { _tag: 'Dismiss', reason }))
  if (includePending) for (const leg of conf.pending) out.send(toCall(leg, { _tag: 'Dismiss', reason, farewell: conferenceEnding }))
  const c = cancelAllTimers(conf, out)
  out.emit({ _tag: 'Observe', observation: { _tag: 'ConferenceEnded', conference: c.id, reason } })
  return patchConference(newConference(c.vmr, c.adps), { pending: includePending ? [] : c.pending })
}

// ---- timers firing --------------------------------------------------------------------------

const timerFired = (ctx: StepContext, running: ConferenceState, name: string, out: Out): ConferenceState => {
  // Cancelled while its firing was on the way: nothing to do.
  if (!running.timers.includes(name)) return running
  const c: ConferenceState = patchConference(running, { timers: running.timers.filter((t) => t !== name) })
  switch (name) {
    case 'adp-delay':
      return settle(ctx, dialAdps(ctx, c, out), out)
    case 'guests-only':
      return endConference(c, 'guests-only timeout: the last Host left', false, out)
    case 'only-one':
      return endConference(c, 'only one participant remained', false, out)
  }
  const leg = hostWaitLeg(name)
  const guest = c.participants.find((p) => p.leg === leg && p.waiting)
  if (guest === undefined) return c
  out.send(toCall(guest.leg, { _tag: 'Dismiss', reason: hostWaitTimeoutReason }))
  if (guest.chatLeg !== undefined) out.send(toCall(guest.chatLeg, { _tag: 'Dismiss', reason: hostWaitTimeoutReason }))
  return settle(ctx, removeParticipant(c, guest, out), out)
}

// ---- ADPs -----------------------------------------------------------------------------------

/**
 * The conference starts on the first arrival where not everyone needs a PIN, else on the first
 * valid PIN (PROTOCOLS 3.5); the ADPs are dialled at least 10 s later.
 */
const triggerAdps = (ctx: StepContext, c: ConferenceState, cause: 'arrival' | 'admission', out: Out): ConferenceState => {
  if (c.adpStage !== 'idle' || c.adps.length === 0) return c
  if (cause === 'arrival' && everyoneNeedsPin(c.vmr)) return c
  const delayS = Math.max(minAdpDelayS, ctx.config.source.global.adpDelayS)
  return startTimer(ctx, patchConference(c, { adpStage: 'scheduled' }), 'adp-delay', seconds(delayS), out)
}

/** Each ADP once, not if already present, no retry (PROTOCOLS 3.5). */
const dialAdps = (ctx: StepContext, conf: ConferenceState, out: Out): ConferenceState => {
  let c: ConferenceState = patchConference(conf, { adpStage: 'dialled' })
  for (const adp of conf.adps) {
    const key = addressKeyOf(adp.alias)
    if (c.participants.some((p) => addressKeyOf(p.party.uri) === key) || c.adpLegs.some((d) => d.adpId === adp.id)) continue
    const plan = planAdpDial(ctx.config, c.vmr, adp)
    if (plan._tag === 'Skip') {
      out.emit({ _tag: 'Observe', observation: { _tag: 'AdpNotDialled', conference: c.id, adp: adp.id, reason: plan.reason } })
      continue
    }
    out.emit(plan.dialOut)
    out.send({
      _tag: 'TrackDialOut',
      leg: plan.dialOut.leg,
      owner: plan.owner,
      protocol: plan.dialOut.protocol,
      party: plan.party,
    })
    c = patchConference(c, { adpLegs: [...c.adpLegs, { adpId: adp.id, leg: plan.dialOut.leg, keepAlive: adp.keepConferenceAlive, answered: false }] })
  }
  return c
}

/** An ADP answered: it joins with its configured role, never asked for a PIN. */
const adpAnswered = (ctx: StepContext, c: ConferenceState, leg: LegId, adpId: string, answer: MediaOffer, out: Out): ConferenceState => {
  const dialled = c.adpLegs.find((d) => d.leg === leg)
  const adp = c.adps.find((a) => a.id === adpId)
  if (dialled === undefined || adp === undefined || dialled.answered) return c
  const video = answer.video && ceilingAllowsVideo(narrowCallType(adp.callType, c.vmr.callType))
  const p: Participant = {
    leg,
    role: adp.role,
    party: { displayName: adp.remoteDisplayName === '' ? adp.alias : adp.remoteDisplayName, uri: dialUriOf(adp.alias) },
    protocol: adp.protocol,
    media: { sendsVideo: video, receivesVideo: video },
    sendsVideo: video,
    receivesVideo: video,
    chatOnly: false,
    waiting: false,
    chatCapable: answer.chat,
    chatLeg: undefined,
    conversationId: undefined,
    adp: { id: adp.id, keepAlive: adp.keepConferenceAlive },
  }
  const marked = patchConference(c, { adpLegs: c.adpLegs.map((d) => (d.leg === leg ? { ...d, answered: true } : d)) })
  return enter(ctx, marked, p, out)
}

// ---- IM sessions ----------------------------------------------------------------------------

/**
 * An SfB IM session (DESIGN §2 IM): it attaches to the participant of its conversation; else it
 * joins on its own with the role it can have without typing, through the same gating; else it
 * is refused, since it cannot type a PIN (choice).
 */
const chatSessionOffered = (
  ctx: StepContext,
  c: ConferenceState,
  a: Admission,
  standaloneRole: Admission['role'] | undefined,
  firstMessage: string | undefined,
  out: Out,
): ConferenceState => {
  const partner =
    a.conversationId === undefined
      ? undefined
      : c.participants.find((p) => !p.chatOnly && p.chatLeg === undefined && p.conversationId === a.conversationId)
  if (partner === undefined && standaloneRole === undefined) {
    out.emit({
      _tag: 'Reject',
      leg: a.leg,
      status: 403,
      reason: `${c.vmr.name} needs a PIN, which an instant-messaging session cannot enter: join by call, or dial the address with **PIN`,
    })
    out.send(toCall(a.leg, { _tag: 'Forget' }))
    return c
  }
  out.emit({ _tag: 'Answer', leg: a.leg, answer: { chat: true } })
  out.send(toCall(a.leg, { _tag: 'ChatSessionAccepted' }))
  const joined =
    partner !== undefined
      ? replaceParticipant(c, patchParticipant(partner, { chatLeg: a.leg }))
      : admit(ctx, c, { ...a, role: standaloneRole ?? 'guest' }, out)
  // The first message embedded in the INVITE is relayed like any other (PROTOCOLS 1.3).
  return firstMessage === undefined ? joined : relayChat(joined, a.leg, firstMessage, out)
}

// ---- content and speakers -------------------------------------------------------------------

/**
 * One presenter at a time; a new one takes the floor (DESIGN §2 Content). Refused (RevokeFloor
 * as the denial: BFCP FloorRequestStatus Denied) to Guests where they may not present, under a
 * ceiling without presentation, and to legs not in the room.
 */
const takeFloor = (c: ConferenceState, leg: LegId, out: Out): ConferenceState => {
  const p = participantOn(c, leg)
  const refused =
    p === undefined ||
    p.waiting ||
    p.chatOnly ||
    !ceilingAllowsContent(c.vmr.callType) ||
    (p.role === 'guest' && !c.vmr.guestsCanPresent)
  if (refused) {
    out.emit({ _tag: 'RevokeFloor', leg })
    return c
  }
  if (c.presenter !== undefined && c.presenter !== leg) out.emit({ _tag: 'RevokeFloor', leg: c.presenter })
  out.emit({ _tag: 'GrantFloor', leg })
  return refreshViews(patchConference(c, { presenter: leg }), out)
}

/**
 * The presenter gives the floor up (BFCP FloorRelease/Goodbye, a lost BFCP connection, an SfB
 * share's BYE): RevokeFloor for its leg, as on a presenter switch, so the media side stops taking
 * that leg's content (RFC 8855 §1: the floor controls the stream) and never holds two floors.
 */
const releaseFloor = (c: ConferenceState, leg: LegId, out: Out): ConferenceState => {
  if (c.presenter !== leg) return c
  out.emit({ _tag: 'RevokeFloor', leg })
  return refreshViews(patchConference(c, { presenter: undefined }), out)
}

const activeSpeaker = (c: ConferenceState, leg: LegId, out: Out): ConferenceState => {
  if (c.order[0] === leg || !c.order.includes(leg)) return c
  return refreshViews(withOrder(c, [leg, ...c.order.filter((l) => l !== leg)]), out)
}

export { newConference }
export type { ConferenceState }
