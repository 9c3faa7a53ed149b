/**
 * The far end's answer to an offer Parley made (a dial-out's 200, the answer to a re-INVITE, the
 * ACK of an offerless INVITE), held to the offer's m-lines. RFC 3264 §6: the answer MUST have
 * as many m-lines as the offer, each answering the one at its position; lines past the offer's
 * answer nothing Parley offered, so they are not accepted streams. They are dropped before the
 * answer is read (a BFCP line among them could otherwise bind an offered video as content, RFC
 * 8856 §6) rather than failing the call over them.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ParsedOffer } from './parsed-offer.js'
import { parseSdp } from './parse-sdp.js'
import type { SdpError } from './sdp-error.js'

const mLine = /^m=/

/** How many m-lines an SDP text has. */
export const mLineCount = (sdp: string): number => sdp.split(/\r\n|\r|\n/).filter((l) => mLine.test(l)).length

/** The answer as Parley reads it, and how many of its m-lines were past the offer's (0 for a conforming answer). */
export interface AnswerToOwnOffer {
  readonly answer: ParsedOffer
  readonly ignoredLines: number
}

/** The SDP text with only its first `keep` media sections. */
const firstMediaSections = (sdp: string, keep: number): string => {
  const lines = sdp.split(/\r\n|\r|\n/)
  const mLines = lines.flatMap((line, index) => (mLine.test(line) ? [index] : []))
  const cut = mLines[keep]
  return cut === undefined ? sdp : `${lines.slice(0, cut).join('\r\n')}\r\n`
}

/** `answer` (read with readOffer) cut down to the `offeredLines` m-lines of Parley's offer. */
export const withinOwnOffer = (answer: ParsedOffer, offeredLines: number): E.Either<SdpError, AnswerToOwnOffer> => {
  const ignoredLines = answer.streams.length - offeredLines
  if (ignoredLines <= 0) return E.right({ answer, ignoredLines: 0 })
  return E.map((cut: ParsedOffer): AnswerToOwnOffer => ({ answer: cut, ignoredLines }))(parseSdp(firstMediaSections(answer.sdp, offeredLines), answer.variants))
}
