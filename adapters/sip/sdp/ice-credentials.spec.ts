import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { negotiateAnswer } from './build-answer.js'
import { iceSessionOf, localForOffer, localForReoffer } from './ice-credentials.js'
import type { LocalMedia } from './local-media.js'
import type { ParsedOffer } from './parsed-offer.js'
import { readOffer } from './read-offer.js'
import * as F from './sdp-fixtures.js'

let counter = 0
const local = (): LocalMedia => ({
  publicHost: '192.0.2.50',
  ports: { audio: 40000, video: 40002 },
  randomBytes: (n) => Uint8Array.from({ length: n }, () => counter++ & 0xff),
  session: { id: '1', version: 1 },
  localUri: 'sip:meet.alice@example.com',
})

const offerOf = (body: string): ParsedOffer => {
  const read = readOffer('application/sdp', body)
  if (E.isLeft(read)) assert.fail(JSON.stringify(read.left))
  return read.right
}

const iceLines = (sdp: string) => sdp.split('\r\n').filter((l) => l.startsWith('a=ice-ufrag') || l.startsWith('a=ice-pwd'))

void test('Parley keeps its ICE credentials across re-INVITEs, and makes new ones only when the offerer restarts ICE (RFC 8445 §9)', () => {
  const first = offerOf(F.sfbAudioOnlyAvpOffer)
  const answered = negotiateAnswer(first, { audio: 'sendrecv' }, localForOffer(local(), undefined, first))
  const session = iceSessionOf(answered)
  assert.ok(session !== undefined)
  assert.equal(session.remote.ufrag, 'tlMR')
  // The same offer again (a session refresh or an escalation keeps the offerer's credentials): same ufrag and pwd.
  const again = negotiateAnswer(first, { audio: 'sendrecv' }, localForOffer(local(), session, first))
  assert.deepEqual(iceLines(again.sdp), iceLines(answered.sdp))
  assert.deepEqual(iceSessionOf(again), session)
  // The offerer restarts: fresh credentials.
  const restarted = offerOf(F.sfbAudioOnlyAvpOffer.replaceAll('a=ice-ufrag:tlMR', 'a=ice-ufrag:Zz9q'))
  const fresh = negotiateAnswer(restarted, { audio: 'sendrecv' }, localForOffer(local(), session, restarted))
  assert.notDeepEqual(iceLines(fresh.sdp), iceLines(answered.sdp))
  // An offer without ICE: no credentials, none kept.
  const plain = offerOf(F.baresipOffer)
  const noIce = localForOffer({ ...local(), iceCredentials: session.local }, session, plain)
  assert.equal(noIce.iceCredentials, undefined)
  assert.equal(iceSessionOf(negotiateAnswer(plain, { audio: 'sendrecv' }, noIce)), undefined)
  // Parley's own re-offer keeps them.
  assert.deepEqual(localForReoffer(local(), session).iceCredentials, session.local)
  assert.equal(localForReoffer(local(), undefined).iceCredentials, undefined)
})
