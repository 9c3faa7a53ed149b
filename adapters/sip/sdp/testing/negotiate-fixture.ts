/**
 * Parley's side for specs that answer a fixture offer: fixed local media (address, ports,
 * deterministic "random" bytes for keys and ICE credentials) and every stream wanted sendrecv.
 */
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type { MediaAnswer } from '../../../../core/model/call.js'
import { negotiateAnswer } from '../build-answer.js'
import type { LocalMedia } from '../local-media.js'
import { readOffer } from '../read-offer.js'

export const fixtureLocal: LocalMedia = {
  publicHost: '192.0.2.50',
  ports: { audio: 40000, video: 40002 },
  randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => i),
  session: { id: '1', version: 1 },
  localUri: 'sip:meet.alice@example.com',
}

export const everyStream: MediaAnswer = { audio: 'sendrecv', video: 'sendrecv' }

/** Parley's negotiated answer to `body`, audio and video sendrecv; a body it cannot read fails the spec. */
export const negotiateFixture = (body: string, contentType = 'application/sdp') => {
  const offer = readOffer(contentType, body)
  if (E.isLeft(offer)) assert.fail(JSON.stringify(offer.left))
  return negotiateAnswer(offer.right, everyStream, fixtureLocal)
}
