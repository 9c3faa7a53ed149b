/**
 * A SIP room system on RTP/SAVP (SDES, RFC 4568) presenting over BFCP: its content line is keyed
 * like its camera's, with keys of its own (RFC 4568 §6.1: per m-line), and the worker's content
 * plan carries them, so that the media side decrypts the slides and encrypts what it sends back.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { contentPlanOf, videoPlanOf } from '../../media/worker/leg-plan.js'
import { negotiateAnswer } from './build-answer.js'
import { readOffer } from './read-offer.js'
import { polycomBfcpOffer } from './sdp-fixtures.js'

const cameraKey = 'Q2FtZXJhS2V5Q2FtZXJhS2V5Q2FtZXJhS2V5Q2Ft'
const slidesKey = 'U2xpZGVzS2V5U2xpZGVzS2V5U2xpZGVzS2V5U2xp'

/** The Polycom offer on RTP/SAVP: a key per RTP line. */
const securePolycomOffer = polycomBfcpOffer
  .replace('m=audio 49426 RTP/AVP', 'm=audio 49426 RTP/SAVP')
  .replace('a=fmtp:101 0-15\r\n', `a=fmtp:101 0-15\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${cameraKey}\r\n`)
  .replace('m=video 49428 RTP/AVP', 'm=video 49428 RTP/SAVP')
  .replace('a=label:1\r\n', `a=label:1\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${cameraKey}\r\n`)
  .replace('m=video 49430 RTP/AVP', 'm=video 49430 RTP/SAVP')
  .replace('a=label:3\r\n', `a=label:3\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${slidesKey}\r\n`)

void test('a room system on RTP/SAVP: its content line is answered on RTP/SAVP with a key of Parley’s own in the offered suite, and the content plan decrypts with the slides’ key', () => {
  const offer = readOffer('application/sdp', securePolycomOffer)
  if (E.isLeft(offer)) assert.fail(JSON.stringify(offer.left))
  assert.equal(offer.right.media.content, true, 'the secure content line is usable')
  let next = 0
  const negotiated = negotiateAnswer(offer.right, { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' }, {
    publicHost: '192.0.2.50',
    ports: { audio: 40000, video: 40002, content: 40004, floorControl: 40006 },
    randomBytes: (n) => Uint8Array.from({ length: n }, () => next++ & 0xff),
    session: { id: '4242', version: 1 },
    localUri: 'sip:meet.alice@example.com',
  })
  const lines = negotiated.sdp.split('\r\n')
  const content = lines.slice(lines.indexOf('m=video 40004 RTP/SAVP 109'))
  assert.ok(content.length > 0 && content[0] === 'm=video 40004 RTP/SAVP 109', negotiated.sdp)
  const crypto = content.find((l) => l.startsWith('a=crypto:'))
  assert.match(crypto ?? '', /^a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:/, 'the content line keeps its own suite')
  assert.ok(content.includes('a=content:slides'))
  const plan = contentPlanOf(negotiated)
  const camera = videoPlanOf(negotiated)
  assert.equal(plan?.srtp?.remoteKey, slidesKey)
  assert.equal(plan?.srtp?.suite, 'AES_CM_128_HMAC_SHA1_32')
  assert.equal(camera?.srtp?.remoteKey, cameraKey)
  assert.notEqual(plan?.srtp?.localKey, camera?.srtp?.localKey, 'Parley keys each line on its own')
})
