/**
 * The media side (GStreamer worker): what each leg sees and hears, mixes, bridges and the
 * content floor. Its events (DTMF from RFC 4733, active speaker) come back as inputs.
 */
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { Bridge, GrantFloor, JoinMix, LeaveMix, Play, RevokeFloor, Show } from '../node/effect.js'
import type { Input } from '../node/input.js'

export type MediaError =
  | { readonly _tag: 'ChannelClosed' }
  | { readonly _tag: 'MediaFailure'; readonly reason: string }

export type MediaEffect = Show | Play | JoinMix | LeaveMix | Bridge | GrantFloor | RevokeFloor

export interface Media {
  readonly perform: (effect: MediaEffect) => TaskEither<MediaError, void>
  readonly onInput: (deliver: (input: Input) => void) => void
}
