/**
 * Media decisions under a call-type ceiling (DESIGN §2 "Calls, media and content"; PROTOCOLS
 * 3.7, 3.10). Pexip's ceilings: `video` = main video and presentation, `video-only` = main video
 * without presentation, `audio` = audio only; a gateway rule's `auto` is no ceiling at all.
 * Audio is never refused: every ceiling includes it.
 */
import type { CallType, MediaAnswer, MediaOffer, RuleCallType } from '../model/call.js'
import type { Vmr } from '../config/model.js'
import type { ParticipantMedia } from '../node/messages.js'

export const ceilingAllowsVideo = (ceiling: RuleCallType): boolean => ceiling !== 'audio'
export const ceilingAllowsContent = (ceiling: RuleCallType): boolean => ceiling === 'video' || ceiling === 'auto'

const rank: Readonly<Record<CallType, number>> = { audio: 0, 'video-only': 1, video: 2 }

/** The lower of two ceilings (`auto` is none, so the other one wins). */
export const narrowCallType = (a: CallType, b: RuleCallType): CallType => (b === 'auto' || rank[a] <= rank[b] ? a : b)

type Writable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * A MediaAnswer with only the streams that are there (absent = refused, port 0). Built by
 * assignment, not by conditional spreads: this runs on every call and re-INVITE.
 */
const media = (audio: boolean, video: boolean, content: boolean, chat: boolean): MediaAnswer => {
  const a: Writable<MediaAnswer> = {}
  if (audio) a.audio = 'sendrecv'
  if (video) a.video = 'sendrecv'
  if (content) a.content = 'sendrecv'
  if (chat) a.chat = true
  return a
}

/** The answer to an offer: every offered stream the ceiling allows, sendrecv; the rest refused. */
export const answerUnder = (offer: MediaOffer, ceiling: RuleCallType): MediaAnswer =>
  media(offer.audio, offer.video && ceilingAllowsVideo(ceiling), offer.content && ceilingAllowsContent(ceiling), offer.chat)

/** Whether an answer carries a call at all (audio or video), as opposed to nothing or chat only. */
export const carriesCall = (a: MediaAnswer): boolean => a.audio !== undefined || a.video !== undefined

/** Only `m=audio` (chat may ride along): the DESIGN §2 audio-only call. */
export const isAudioOnly = (offer: MediaOffer): boolean => offer.audio && !offer.video

/** An SfB IM session: `m=message` and no audio or video (PROTOCOLS 1.3). */
export const isChatOnly = (offer: MediaOffer): boolean => offer.chat && !offer.audio && !offer.video

/** What Parley offers when it places a call with this ceiling (ADPs). */
export const offerUnder = (ceiling: RuleCallType): MediaAnswer =>
  media(true, ceilingAllowsVideo(ceiling), ceilingAllowsContent(ceiling), false)

/** What both ends of a bridge have, under the ceiling (gateway calls). */
export const commonMedia = (a: MediaOffer, b: MediaOffer, ceiling: RuleCallType): MediaAnswer =>
  media(
    a.audio && b.audio,
    a.video && b.video && ceilingAllowsVideo(ceiling),
    a.content && b.content && ceilingAllowsContent(ceiling),
    a.chat && b.chat,
  )

/** The re-INVITE of an audio-only leg in a `room` VMR: sendonly room video added (RFC 3264 §8). */
export const roomVideoReoffer = (offer: MediaOffer): MediaAnswer =>
  offer.chat ? { audio: 'sendrecv', video: 'sendonly', chat: true } : { audio: 'sendrecv', video: 'sendonly' }

/**
 * A participant's media in a VMR. An audio-only leg of a `room` VMR receives the room through
 * the sendonly video Parley re-offers; in an `avatar` VMR (or under an audio ceiling) it
 * receives no video and its client shows the contact picture.
 */
export const participantMediaIn = (vmr: Vmr, offer: MediaOffer): ParticipantMedia => {
  const sendsVideo = offer.video && ceilingAllowsVideo(vmr.callType)
  return { sendsVideo, receivesVideo: sendsVideo || needsRoomVideoReoffer(vmr, offer) }
}

export const needsRoomVideoReoffer = (vmr: Vmr, offer: MediaOffer): boolean =>
  isAudioOnly(offer) && vmr.audioOnlyView === 'room' && ceilingAllowsVideo(vmr.callType)
