/**
 * Parley's ICE credentials across a dialog's offer/answer exchanges. New credentials in an
 * answer or offer mean an ICE restart (RFC 8445 §9, RFC 8839 §4.4.1.1.2): the far end drops its
 * nominated pair and checks again, and the media side (adapters/media/gst/ice-lite-port.ts)
 * forgets its nomination. So Parley keeps its ufrag and pwd for the life of the leg, and makes
 * new ones only when the offerer restarts (its own ufrag or pwd changed).
 */
import type { NegotiatedAnswer } from './build-answer.js'
import type { IceCredentials, LocalMedia } from './local-media.js'
import type { IceParameters, ParsedOffer } from './parsed-offer.js'

export interface IceSession {
  readonly local: IceCredentials
  readonly remote: Pick<IceParameters, 'ufrag' | 'pwd'>
}

/** The offer's ICE credentials (every RTP stream of an SfB offer carries the same). */
const offeredIce = (offer: ParsedOffer): Pick<IceParameters, 'ufrag' | 'pwd'> | undefined => {
  for (const s of offer.streams) if (s.kind === 'rtp' && s.ice !== undefined) return { ufrag: s.ice.ufrag, pwd: s.ice.pwd }
  return undefined
}

/** `local` with the session's credentials when the offer did not restart ICE, without any when it did (fresh ones are made). */
export const localForOffer = (local: LocalMedia, session: IceSession | undefined, offer: ParsedOffer): LocalMedia => {
  const { iceCredentials: _given, ...rest } = local
  const offered = offeredIce(offer)
  const restart = session === undefined || offered === undefined || offered.ufrag !== session.remote.ufrag || offered.pwd !== session.remote.pwd
  return restart ? rest : { ...rest, iceCredentials: session.local }
}

/** `local` with the session's credentials, for an offer of Parley's own in the same dialog. */
export const localForReoffer = (local: LocalMedia, session: IceSession | undefined): LocalMedia =>
  session === undefined ? local : { ...local, iceCredentials: session.local }

/** What an answer used, for the next exchange; undefined when it has no ICE. */
export const iceSessionOf = (negotiated: NegotiatedAnswer): IceSession | undefined => {
  for (const s of negotiated.streams) if (s.kind === 'rtp' && s.ice !== undefined) return { local: s.ice.local, remote: { ufrag: s.ice.remote.ufrag, pwd: s.ice.remote.pwd } }
  return undefined
}
