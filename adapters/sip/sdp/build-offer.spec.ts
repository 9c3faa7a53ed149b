import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { buildAnswer } from './build-answer.js'
import { buildOffer } from './build-offer.js'
import type { LocalMedia } from './local-media.js'
import { readOffer } from './read-offer.js'
import * as F from './sdp-fixtures.js'

const local = (overrides: Partial<LocalMedia> = {}): LocalMedia => {
  let next = 0
  return {
    publicHost: '192.0.2.50',
    ports: { audio: 40000, video: 40002, content: 40004, floorControl: 40006 },
    randomBytes: (n) => Uint8Array.from({ length: n }, () => next++ & 0xff),
    session: { id: '4242', version: 1 },
    localUri: 'sip:meet.alice@example.com',
    ...overrides,
  }
}

const built = (result: ReturnType<typeof buildOffer>): string => {
  if (E.isLeft(result)) assert.fail(JSON.stringify(result.left))
  return result.right
}
const lines = (sdp: string) => sdp.split('\r\n').filter((l) => l !== '')
const mLines = (sdp: string) => lines(sdp).filter((l) => l.startsWith('m='))
/** The lines of the m-section starting at the `n`th m-line. */
const section = (sdp: string, n: number): ReadonlyArray<string> => {
  const all = lines(sdp)
  const starts = all.flatMap((l, i) => (l.startsWith('m=') ? [i] : []))
  return all.slice(starts[n], starts[n + 1])
}

void test('a SIP dial-out: plain RTP, Opus/G.722/G.711 with telephone-event, H.264, content with BFCP', () => {
  const sdp = built(buildOffer({ _tag: 'Initial', dialect: 'sip', media: { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' }, local: local() }))
  assert.deepEqual(mLines(sdp), ['m=audio 40000 RTP/AVP 111 9 0 8 101 110', 'm=video 40002 RTP/AVP 96 97', 'm=video 40004 RTP/AVP 96 97', 'm=application 40006 TCP/BFCP *'])
  for (const l of ['a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1', 'a=content:slides', 'a=label:2', 'a=floorctrl:s-only', 'a=floorid:1 mstrm:2', 'a=setup:passive']) {
    assert.ok(lines(sdp).includes(l), l)
  }
  assert.equal(lines(sdp).some((l) => l.startsWith('a=crypto') || l.startsWith('a=ice')), false)
  const audioOnly = built(buildOffer({ _tag: 'Initial', dialect: 'sip', media: { audio: 'sendrecv' }, local: local({ codecs: ['PCMU', 'PCMA'] }) }))
  assert.deepEqual(mLines(audioOnly), ['m=audio 40000 RTP/AVP 0 8 101'])
})

void test('an SfB dial-out: RTP/SAVP with an SDES key, ICE-lite host candidates, SfB labels', () => {
  const sdp = built(buildOffer({ _tag: 'Initial', dialect: 'mssip', media: { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' }, local: local() }))
  assert.deepEqual(mLines(sdp), ['m=audio 40000 RTP/SAVP 111 9 0 8 101 110', 'm=video 40002 RTP/SAVP 96 97 122'])
  assert.ok(lines(sdp).includes('a=ice-lite'))
  assert.ok(section(sdp, 0).includes('a=label:main-audio'))
  assert.ok(section(sdp, 1).includes('a=label:main-video'))
  assert.ok(section(sdp, 0).some((l) => /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\|2\^31$/.test(l)))
  assert.ok(section(sdp, 1).includes('a=candidate:1 2 UDP 2130706430 192.0.2.50 40003 typ host'))
  const im = built(buildOffer({ _tag: 'Initial', dialect: 'mssip', media: { chat: true }, local: local() }))
  assert.deepEqual(lines(im).slice(-2), ['m=message 5060 sip null', 'a=accept-types:text/plain multipart/alternative text/html text/rtf'])
})

void test('audio-only SfB caller: the re-INVITE keeps audio as answered and appends sendonly video (DESIGN §2)', () => {
  const offer = readOffer('application/sdp', F.sfbAudioOnlyAvpOffer)
  assert.ok(E.isRight(offer))
  const answer = buildAnswer(offer.right, { audio: 'sendrecv' }, local())
  const update = built(buildOffer({ _tag: 'Update', previous: answer, media: { audio: 'sendrecv', video: 'sendonly' }, local: local() }))
  assert.deepEqual(section(update, 0), section(answer, 0), 'the audio section is unchanged')
  assert.ok(lines(update).includes('o=- 4242 2 IN IP4 192.0.2.50'))
  assert.deepEqual(mLines(update), ['m=audio 40000 RTP/AVP 9 101', 'm=video 40002 RTP/AVP 96 97 122'])
  const video = section(update, 1)
  assert.ok(video.includes('a=sendonly'))
  assert.ok(video.includes('a=label:main-video'))
  // The session's ICE credentials and its SDES use carry over to the new stream.
  const ufrag = section(answer, 0).find((l) => l.startsWith('a=ice-ufrag:'))
  assert.ok(ufrag !== undefined && video.includes(ufrag))
  assert.ok(video.some((l) => l.startsWith('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:')))
})

void test('a re-offer without a stream sets it to port 0; a plain SIP session stays plain', () => {
  const offer = readOffer('application/sdp', F.baresipOffer)
  assert.ok(E.isRight(offer))
  const answer = buildAnswer(offer.right, { audio: 'sendrecv', video: 'sendrecv' }, local())
  const update = built(buildOffer({ _tag: 'Update', previous: answer, media: { audio: 'recvonly' }, local: local() }))
  assert.deepEqual(mLines(update), ['m=audio 40000 RTP/AVP 96 101', 'm=video 0 RTP/AVP 100'])
  assert.ok(section(update, 0).includes('a=recvonly'))
  const withContent = built(buildOffer({ _tag: 'Update', previous: answer, media: { audio: 'sendrecv', video: 'sendrecv', content: 'sendonly' }, local: local() }))
  assert.deepEqual(mLines(withContent), ['m=audio 40000 RTP/AVP 96 101', 'm=video 40002 RTP/AVP 100', 'm=video 40004 RTP/AVP 96 97', 'm=application 40006 TCP/BFCP *'])
  assert.equal(lines(withContent).some((l) => l.startsWith('a=crypto')), false)
})

void test('errors: no port for a new stream, a previous SDP that is not SDP', () => {
  assert.deepEqual(buildOffer({ _tag: 'Initial', dialect: 'sip', media: { video: 'sendrecv' }, local: local({ ports: { audio: 1 } }) }), E.left({ _tag: 'NoLocalPort', stream: 'video' }))
  const bad = buildOffer({ _tag: 'Update', previous: 'garbage', media: { audio: 'sendrecv' }, local: local() })
  assert.ok(E.isLeft(bad) && bad.left._tag === 'MalformedSdp')
})

void test('an SfB dial-out offers X-H264UC (122, mode 1, NI-TC) after H.264 on main video only; without it in the codecs, none', () => {
  const sdp = built(buildOffer({ _tag: 'Initial', dialect: 'mssip', media: { audio: 'sendrecv', video: 'sendrecv' }, local: local() }))
  assert.equal(mLines(sdp)[1], 'm=video 40002 RTP/SAVP 96 97 122')
  assert.ok(section(sdp, 1).includes('a=rtpmap:122 X-H264UC/90000'))
  assert.ok(section(sdp, 1).includes('a=fmtp:122 packetization-mode=1;mst-mode=NI-TC'))
  // A plain SIP peer is never offered Microsoft's format, on main video or content.
  const sip = built(buildOffer({ _tag: 'Initial', dialect: 'sip', media: { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' }, local: local() }))
  assert.equal(lines(sip).some((l) => l.includes('X-H264UC')), false)
  const h264Only = built(buildOffer({ _tag: 'Initial', dialect: 'mssip', media: { audio: 'sendrecv', video: 'sendrecv' }, local: local({ codecs: ['G722', 'H264'] }) }))
  assert.equal(mLines(h264Only)[1], 'm=video 40002 RTP/SAVP 96 97')
  // The re-INVITE's new main video to an SfB audio-only caller offers it too.
  const offer = readOffer('application/sdp', F.sfbAudioOnlyAvpOffer)
  assert.ok(E.isRight(offer))
  const update = built(buildOffer({ _tag: 'Update', previous: buildAnswer(offer.right, { audio: 'sendrecv' }, local()), media: { audio: 'sendrecv', video: 'sendonly' }, local: local() }))
  assert.equal(mLines(update)[1], 'm=video 40002 RTP/AVP 96 97 122')
})

void test('an SfB client that takes only X-H264UC answers Parley’s offer with it, and Parley reads the answer back as X-H264UC', () => {
  const offer = readOffer('application/sdp', built(buildOffer({ _tag: 'Initial', dialect: 'mssip', media: { audio: 'sendrecv', video: 'sendrecv' }, local: local() })))
  assert.ok(E.isRight(offer))
  const answer = buildAnswer(offer.right, { audio: 'sendrecv', video: 'sendrecv' }, local({ publicHost: '198.51.100.9', codecs: ['G722', 'X-H264UC'] }))
  assert.equal(mLines(answer)[1], 'm=video 40002 RTP/SAVP 122')
  const back = readOffer('application/sdp', answer)
  assert.ok(E.isRight(back))
  const video = back.right.streams[1]
  assert.ok(video?.kind === 'rtp' && video.role === 'video')
  assert.deepEqual(video.codecs.map((c) => [c.name, c.payloadType, c.fmtp]), [['X-H264UC', 122, 'packetization-mode=1;mst-mode=NI-TC']])
})
