import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { negotiateAnswer } from '../../sip/sdp/build-answer.js'
import { buildOffer } from '../../sip/sdp/build-offer.js'
import type { LocalMedia } from '../../sip/sdp/local-media.js'
import { readOffer } from '../../sip/sdp/read-offer.js'
import { audioPlanOfExchange, contentPlanOfExchange, videoPlanOfExchange } from './exchange-plan.js'
import { AudioStreamPlan, VideoStreamPlan } from './worker-protocol.js'

const bytes = (seed: number) => (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256)

const parley: LocalMedia = {
  publicHost: '192.0.2.50',
  ports: { audio: 40000, video: 40002 },
  randomBytes: bytes(1),
  session: { id: '1', version: 1 },
  localUri: 'sip:meet.alice@example.com',
}
/** The far end, answering with the same SDP code as Parley's (its own port and address). */
const farEnd: LocalMedia = { ...parley, publicHost: '198.51.100.9', ports: { audio: 5004 }, randomBytes: bytes(2), localUri: 'sip:far@example.net' }

const read = (sdp: string) => {
  const parsed = readOffer('application/sdp', sdp)
  if (E.isLeft(parsed)) assert.fail(JSON.stringify(parsed.left))
  return parsed.right
}

const exchange = (dialect: 'sip' | 'mssip', farDirection: 'sendrecv' | 'sendonly' | 'recvonly') => {
  const offer = buildOffer({ _tag: 'Initial', dialect, media: { audio: 'sendrecv' }, local: parley })
  if (E.isLeft(offer)) assert.fail(JSON.stringify(offer.left))
  const ours = read(offer.right)
  const theirs = read(negotiateAnswer(ours, { audio: farDirection }, farEnd).sdp)
  return { ours, theirs, plan: audioPlanOfExchange(ours, theirs) }
}

void test('Parley offered, the far end answered: its codec, address, telephone-event; Parley’s port', () => {
  const { plan, theirs } = exchange('sip', 'sendrecv')
  assert.ok(plan !== undefined)
  const answered = theirs.streams[0]
  assert.ok(answered?.kind === 'rtp')
  assert.deepEqual(plan.codec, { name: answered.codecs[0]?.name, payloadType: answered.codecs[0]?.payloadType, clockRate: answered.codecs[0]?.clockRate })
  assert.deepEqual(plan.remote, { address: '198.51.100.9', port: 5004 })
  assert.equal(plan.localPort, 40000)
  assert.equal(plan.direction, 'sendrecv')
  assert.equal(plan.telephoneEvent?.payloadType, answered.telephoneEvents[0]?.payloadType)
  assert.ok(plan.telephoneEvent !== undefined)
  assert.equal(plan.srtp, undefined)
  assert.ok(E.isRight(AudioStreamPlan.decode(plan)))
})

void test('the direction is the mirror of the answer’s (RFC 3264 §6.1)', () => {
  assert.equal(exchange('sip', 'sendonly').plan?.direction, 'recvonly')
  assert.equal(exchange('sip', 'recvonly').plan?.direction, 'sendonly')
})

void test('an SfB exchange: Parley’s key from its offer, the far end’s from its answer; ICE from both', () => {
  const { plan, ours, theirs } = exchange('mssip', 'sendrecv')
  const ourAudio = ours.streams.find((s) => s.kind === 'rtp' && s.role === 'audio')
  const theirAudio = theirs.streams.find((s) => s.kind === 'rtp' && s.role === 'audio')
  assert.ok(ourAudio?.kind === 'rtp' && theirAudio?.kind === 'rtp')
  assert.equal(plan?.srtp?.localKey, ourAudio.crypto[0]?.key)
  assert.equal(plan?.srtp?.remoteKey, theirAudio.crypto[0]?.key)
  assert.notEqual(plan?.srtp?.localKey, plan?.srtp?.remoteKey)
  assert.equal(plan?.ice?.localUfrag, ourAudio.ice?.ufrag)
  assert.equal(plan?.ice?.remoteUfrag, theirAudio.ice?.ufrag)
})

void test('no audio in the answer (rejected with port 0), no plan', () => {
  const offer = buildOffer({ _tag: 'Initial', dialect: 'sip', media: { audio: 'sendrecv' }, local: parley })
  if (E.isLeft(offer)) assert.fail('offer')
  const ours = read(offer.right)
  const theirs = read(negotiateAnswer(ours, { chat: true }, farEnd).sdp)
  assert.equal(audioPlanOfExchange(ours, theirs), undefined)
})

void test('content: when Parley offered a content video (a=content:slides), its plan comes from the answer’s content line, beside the main video’s', () => {
  const withContent: LocalMedia = { ...parley, ports: { ...parley.ports, content: 40004, floorControl: 40010 } }
  const offer = buildOffer({ _tag: 'Initial', dialect: 'sip', media: { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' }, local: withContent })
  if (E.isLeft(offer)) assert.fail(JSON.stringify(offer.left))
  const ours = read(offer.right)
  const theirs = read(negotiateAnswer(ours, { audio: 'sendrecv', video: 'sendrecv', content: 'sendonly' }, { ...farEnd, ports: { audio: 5004, video: 5006, content: 5008, floorControl: 5010 } }).sdp)
  const content = contentPlanOfExchange(ours, theirs)
  assert.equal(content?.localPort, 40004)
  assert.deepEqual(content?.remote, { address: '198.51.100.9', port: 5008 })
  // The far end presents (sendonly from its side): Parley receives.
  assert.equal(content?.direction, 'recvonly')
  assert.equal(content?.codec.name, 'H264')
  assert.ok(E.isRight(VideoStreamPlan.decode(content)))
  assert.equal(videoPlanOfExchange(ours, theirs)?.localPort, 40002)
  const withoutContent = read(negotiateAnswer(ours, { audio: 'sendrecv', video: 'sendrecv' }, { ...farEnd, ports: { audio: 5004, video: 5006 } }).sdp)
  assert.equal(contentPlanOfExchange(ours, withoutContent), undefined)
})

void test('X-H264UC: an SfB answer that took the X-H264UC Parley offered beside H.264 is planned as ms-h264pf; one that took H.264 as plain H.264', () => {
  const offer = buildOffer({ _tag: 'Initial', dialect: 'mssip', media: { audio: 'sendrecv', video: 'sendrecv' }, local: parley })
  if (E.isLeft(offer)) assert.fail(JSON.stringify(offer.left))
  const ours = read(offer.right)
  const sfbEnd = (codecs: LocalMedia['codecs']): LocalMedia => ({ ...farEnd, ports: { audio: 5004, video: 5006 }, ...(codecs === undefined ? {} : { codecs }) })
  const onlyUc = read(negotiateAnswer(ours, { audio: 'sendrecv', video: 'sendrecv' }, sfbEnd(['G722', 'X-H264UC'])).sdp)
  const uc = videoPlanOfExchange(ours, onlyUc)
  assert.equal(uc?.payloadFormat, 'ms-h264pf')
  assert.deepEqual(uc?.codec, { name: 'H264', payloadType: 122, clockRate: 90000 })
  assert.equal(uc?.packetizationMode, 1)
  assert.equal(uc?.localPort, 40002)
  assert.ok(uc?.srtp !== undefined && uc.ice !== undefined)
  assert.ok(E.isRight(VideoStreamPlan.decode(uc)))
  const both = read(negotiateAnswer(ours, { audio: 'sendrecv', video: 'sendrecv' }, sfbEnd(undefined)).sdp)
  const plain = videoPlanOfExchange(ours, both)
  assert.equal(plain?.payloadFormat, undefined)
  assert.equal(plain?.codec.payloadType, 96)
})
