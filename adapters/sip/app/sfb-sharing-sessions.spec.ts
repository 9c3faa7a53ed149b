/**
 * SfB screen sharing (VbSS) as the content of an SfB call, through the SIP app and the core
 * (decision 0007): the sharing INVITE of a call in progress is answered by the adapter, its
 * VbSS stream becomes the call leg's content stream, and the core is asked for the floor.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { LegId } from '../../../core/model/ids.js'
import { bobRoom, testConfig } from '../../../core/presence/presence-test-config.js'
import type { LegMediaAttacher } from '../../media/worker/exchange-plan.js'
import type { VideoStreamPlan } from '../../media/worker/worker-protocol.js'
import { sfbAudioVideoOffer, sfbVbssSharingOffer } from '../sdp/sdp-fixtures.js'
import type { SipResponse } from '../stack/sip-message.js'
import type { AppOptions } from './testing/app-harness.js'
import { finalResponses, inDialogLines, parleyAddress, requestLines, requestsOf, startApp } from './testing/app-harness.js'

const sdpType = 'application/sdp'
const sfbClient = 'User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)'

const setUp = (options: AppOptions = {}) => {
  const attached: Array<{ readonly leg: LegId; readonly content?: VideoStreamPlan }> = []
  const mediaAttacher: LegMediaAttacher = {
    attach: (leg, _audio, more = {}) => {
      attached.push({ leg, ...(more.content === undefined ? {} : { content: more.content }) })
      return TE.right(undefined)
    },
  }
  const app = startApp({ ...options, mediaAttacher })
  const peer = app.peer('192.0.2.21')
  const invite = async (body: string, conversation: string, callId: string): Promise<SipResponse | undefined> => {
    peer.send('udp', parleyAddress, requestLines(peer, 'INVITE', 'sip:meet.bob@example.com', { callId, contentType: sdpType, extra: [sfbClient, `Ms-Conversation-ID: ${conversation}`] }), body)
    await app.settle()
    return finalResponses(peer, 'INVITE').find((r) => r.callId === callId)
  }
  const ack = async (ok: SipResponse) => {
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'ACK', ok.cseq), '')
    await app.settle()
  }
  return { app, peer, attached, invite, ack }
}

const lines = (sdp: string) => sdp.split('\r\n').filter((l) => l !== '')

void describe('SfB VbSS sharing of a call in progress', () => {
  void it('is answered as that call’s content (RDP refused, VbSS recvonly), asks the core for the floor for the call’s leg, which grants it; its BYE releases the floor and the content stream', async () => {
    const { app, peer, attached, invite, ack } = setUp()
    const call = await invite(sfbAudioVideoOffer(), 'conv-1', 'av-1')
    assert.equal(call?.status, 200)
    await ack(call!)
    const offered = app.inputs.find((i) => i._tag === 'CallOffered')
    assert.ok(offered?._tag === 'CallOffered')
    const leg = offered.leg

    const share = await invite(sfbVbssSharingOffer(), 'conv-1', 'share-1')
    assert.equal(share?.status, 200, 'the adapter answers the sharing INVITE itself')
    const answer = lines(share!.bodyBytes.toString())
    assert.deepEqual(
      answer.filter((l) => l.startsWith('m=')),
      ['m=applicationsharing 0 TCP/RTP/SAVP 127', `m=video ${app.ports.held.get(leg)?.get('content')} RTP/SAVP 123`],
    )
    assert.ok(answer.includes('a=label:applicationsharing-video') && answer.includes('a=recvonly'), share!.bodyBytes.toString())
    await ack(share!)
    // Not a new participant: one CallOffered; the floor asked for the call's leg, and granted.
    assert.equal(app.inputs.filter((i) => i._tag === 'CallOffered').length, 1)
    assert.ok(app.inputs.some((i) => i._tag === 'ContentRequested' && i.leg === leg), JSON.stringify(app.inputs.map((i) => i._tag)))
    assert.ok(app.media.performed.some((e) => e._tag === 'GrantFloor' && e.leg === leg), JSON.stringify(app.media.performed))
    // The call leg's media now carry the VbSS stream as content: keyed, behind ICE, received.
    const content = attached.filter((a) => a.leg === leg).at(-1)?.content
    assert.equal(content?.direction, 'recvonly')
    assert.ok(content?.srtp !== undefined && content.ice !== undefined, JSON.stringify(content))

    peer.send('udp', parleyAddress, inDialogLines(peer, share!, 'BYE', 2), '')
    await app.settle()
    assert.ok(app.inputs.some((i) => i._tag === 'ContentReleased' && i.leg === leg))
    // The core answers the release with RevokeFloor for the call's leg (the media side lets the floor go), once.
    assert.equal(app.media.performed.filter((e) => e._tag === 'RevokeFloor' && e.leg === leg).length, 1, JSON.stringify(app.media.performed))
    assert.equal(attached.filter((a) => a.leg === leg).at(-1)?.content, undefined, 'the content stream is gone with the share')
    assert.equal(requestsOf(peer, 'BYE').length, 0, 'the call itself goes on')
  })

  void it('a viewer’s sharing session (VbSS offered recvonly) is answered sendonly: the media side sends it the floor holder’s content; no floor is asked for', async () => {
    const { app, attached, invite, ack } = setUp()
    const call = await invite(sfbAudioVideoOffer(), 'conv-5', 'av-5')
    assert.equal(call?.status, 200)
    await ack(call!)
    const offered = app.inputs.find((i) => i._tag === 'CallOffered')
    assert.ok(offered?._tag === 'CallOffered')
    const view = await invite(sfbVbssSharingOffer('recvonly', 'viewer'), 'conv-5', 'view-5')
    assert.equal(view?.status, 200)
    assert.ok(lines(view!.bodyBytes.toString()).includes('a=sendonly'), view!.bodyBytes.toString())
    assert.equal(attached.filter((a) => a.leg === offered.leg).at(-1)?.content?.direction, 'sendonly')
    assert.ok(!app.inputs.some((i) => i._tag === 'ContentRequested'))
  })

  void it('a floor the core refuses (a VMR whose call type has no presentation) ends the sharing dialog; the call goes on', async () => {
    const { app, peer, invite, ack } = setUp({ config: testConfig([{ ...bobRoom, callType: 'video-only' }], []) })
    const call = await invite(sfbAudioVideoOffer(), 'conv-2', 'av-2')
    assert.equal(call?.status, 200)
    await ack(call!)
    const share = await invite(sfbVbssSharingOffer(), 'conv-2', 'share-2')
    assert.equal(share?.status, 200)
    await ack(share!)
    const revoked = app.media.performed.find((e) => e._tag === 'RevokeFloor')
    assert.ok(revoked !== undefined, `the core refuses the floor: ${JSON.stringify(app.media.performed)}`)
    // The node's media port passes the core's effects through the sharing sessions (sip-service.ts).
    await app.calls.sfbSharing.media(app.media).perform(revoked)()
    await app.settle()
    const byes = requestsOf(peer, 'BYE')
    assert.deepEqual(
      byes.map((b) => b.callId),
      ['share-2'],
      'BYE for the sharing dialog only',
    )
  })

  void it('a sharing INVITE of no call in progress, and an RDP-only one, are not taken as content', async () => {
    const { app, invite } = setUp()
    const lone = await invite(sfbVbssSharingOffer(), 'conv-none', 'share-3')
    assert.ok(app.inputs.some((i) => i._tag === 'CallOffered'), 'the core decides on a share with no call, as on any INVITE')
    assert.notEqual(lone?.status, 200)
    const call = await invite(sfbAudioVideoOffer(), 'conv-4', 'av-4')
    assert.equal(call?.status, 200)
    const rdp = await invite(sfbVbssSharingOffer().replace(/m=video[\s\S]*$/, ''), 'conv-4', 'share-4')
    assert.equal(rdp?.status, 488, 'RDP only: nothing Parley can show')
  })
})
