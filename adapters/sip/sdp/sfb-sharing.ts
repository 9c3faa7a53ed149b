/**
 * SfB screen sharing as Parley reads it (docs/decisions/0007-sfb-content-vbss.md): the client
 * shares in a dialog of its own whose offer has the RDP line (`m=applicationsharing`,
 * [MS-SDPEXT] 3.1.5.18) and, from SfB 2016 on, a VbSS line: `m=video` labelled
 * `applicationsharing-video` ([MS-SDPEXT] a=label), H.264 video of the screen. Parley answers the
 * VbSS line as content and the RDP line with port 0 (no RDP decoder yet, DESIGN §2).
 */
import type { Direction } from '../../../core/model/call.js'
import type { ParsedOffer, RtpStream } from './parsed-offer.js'

/** [MS-SDPEXT] a=label: "For the Video-based Screen Sharing modality, the label value MUST be applicationsharing-video". */
export const sfbSharingVideoLabel = 'applicationsharing-video'

/** The line is SfB's VbSS video (named by its label, not by RFC 4796 `a=content`). */
export const isSfbSharingVideo = (stream: { readonly media: string; readonly label?: string; readonly content?: string }): boolean =>
  stream.media.toLowerCase() === 'video' && stream.label === sfbSharingVideoLabel && stream.content === undefined

export interface SfbSharingOffer {
  /** The VbSS line Parley answers (absent: RDP only, which Parley cannot take). */
  readonly vbss?: RtpStream
  /**
   * The offerer presents: its VbSS line sends (`sendonly`), or, with no direction of its own,
   * its RDP role is `sharer` ([MS-SDPEXT] 3.1.5.18.2). A viewer's offer only receives.
   */
  readonly sharer: boolean
}

const roleOf = (sdp: string): string | undefined => /^a=x-applicationsharing-role:\s*(\S+)/im.exec(sdp)?.[1]?.toLowerCase()

const presents = (direction: Direction, role: string | undefined): boolean =>
  direction === 'sendonly' || (direction === 'sendrecv' && role !== 'viewer')

/**
 * The offer as an SfB sharing session, or undefined when it is not one: a sharing session has
 * an active `m=applicationsharing` or VbSS line and neither audio nor main video (those are a
 * call, which may be escalated; sharing never rides in one, decision 0007 finding 2).
 */
export const sfbSharingOfferOf = (offer: ParsedOffer): SfbSharingOffer | undefined => {
  if (offer.media.audio || offer.media.video) return undefined
  const vbss = offer.streams.find((s): s is RtpStream => s.kind === 'rtp' && s.primary && s.role === 'content' && isSfbSharingVideo(s))
  if (vbss === undefined && !offer.applicationSharing) return undefined
  const role = roleOf(offer.sdp)
  return { ...(vbss === undefined ? {} : { vbss }), sharer: vbss === undefined ? role === 'sharer' : presents(vbss.direction, role) }
}
