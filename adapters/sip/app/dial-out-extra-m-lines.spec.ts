/**
 * A far end that answers Parley's offer with more m-lines than Parley offered (RFC 3264 §6: the
 * answer MUST have as many as the offer): the lines past the offer's are not accepted streams,
 * so they are ignored and the call goes on with the streams Parley offered, rather than failing.
 * Through the SIP application over the fake network, with the real core behind it.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parse as parseSdp } from 'sdp-transform'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { LegId } from '../../../core/model/ids.js'
import { makeConfig, makeRule } from '../../../core/node/node-harness.js'
import type { LegMediaAttacher } from '../../media/worker/exchange-plan.js'
import type { AudioStreamPlan, VideoStreamPlan } from '../../media/worker/worker-protocol.js'
import { baresipOffer } from '../sdp/sdp-fixtures.js'
import { answerRequest, finalResponses, parleyAddress, requestLines, requestsOf, startApp } from './testing/app-harness.js'

const sdpType = 'application/sdp'

interface Attached {
  readonly leg: LegId
  readonly audio: AudioStreamPlan | undefined
  readonly video?: VideoStreamPlan
  readonly content?: VideoStreamPlan
}

const gateway = () => {
  const config = makeConfig({ rules: [makeRule('1', '(.+)@gw\\.example\\.com', { replaceString: '\\1@192.0.2.30:5060', callType: 'video' })] })
  const attached: Attached[] = []
  const mediaAttacher: LegMediaAttacher = {
    attach: (leg, audio, more = {}) => {
      attached.push({ leg, audio, ...(more.video === undefined ? {} : { video: more.video }), ...(more.content === undefined ? {} : { content: more.content }) })
      return TE.right(undefined)
    },
  }
  const app = startApp({ config, mediaAttacher })
  return { app, attached, caller: app.peer('192.0.2.20'), far: app.peer('192.0.2.30') }
}

/** An answer to Parley's audio + video offer, with a third m-line (a second video) Parley never offered. */
const answerWithExtraVideo = [
  'v=0',
  'o=far 1 1 IN IP4 192.0.2.30',
  's=-',
  'c=IN IP4 192.0.2.30',
  't=0 0',
  'm=audio 20000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'm=video 20002 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
  'm=video 20004 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
  'a=content:slides',
  '',
].join('\r\n')

void describe('an answer with more m-lines than Parley offered', () => {
  void it('a dial-out answered with an extra m=video line is established with the offered streams only', async () => {
    const world = gateway()
    world.caller.send('udp', parleyAddress, requestLines(world.caller, 'INVITE', 'sip:room@gw.example.com', { contentType: sdpType }), baresipOffer)
    await world.app.settle()
    const invite = requestsOf(world.far, 'INVITE')[0]
    assert.ok(invite !== undefined, 'the far end is called')
    assert.deepEqual(parseSdp(invite.body).media.map((m) => m.type), ['audio', 'video'], 'Parley offered two m-lines (no floor control here)')
    answerRequest(world.far, invite, 200, { contentType: sdpType, content: answerWithExtraVideo })
    await world.app.settle()

    assert.ok(!world.app.inputs.some((i) => i._tag === 'CallFailed'), JSON.stringify(world.app.inputs.map((i) => i._tag)))
    const answered = world.app.inputs.find((i) => i._tag === 'CallAnswered')
    assert.ok(answered?._tag === 'CallAnswered', 'the dial-out is established')
    assert.equal(answered.answer.audio, true)
    assert.equal(answered.answer.video, true)
    assert.equal(answered.answer.content, false, 'the extra line is not taken as a stream Parley offered')
    const plan = world.attached.filter((a) => a.leg === answered.leg).at(-1)
    assert.ok(plan !== undefined, 'the far end’s leg gets its media')
    assert.deepEqual(plan.audio?.remote, { address: '192.0.2.30', port: 20000 })
    assert.deepEqual(plan.video?.remote, { address: '192.0.2.30', port: 20002 })
    assert.equal(plan.content, undefined)
    assert.equal(requestsOf(world.far, 'BYE').length, 0, 'the far end’s call is not torn down')
    const ok = finalResponses(world.caller, 'INVITE')[0]
    assert.equal(ok?.status, 200, 'the caller is answered, not refused')
  })
})
