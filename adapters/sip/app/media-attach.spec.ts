/**
 * The SIP side hands the media worker each leg's negotiated audio after every completed
 * offer/answer — the 200 to an INVITE, the caller's re-INVITE, Parley's own re-INVITE, the ACK
 * answering a delayed offer — once per distinct plan, and releases the leg's ports when it ends.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { LegId } from '../../../core/model/ids.js'
import type { LegMediaAttacher } from '../../media/worker/exchange-plan.js'
import type { AudioStreamPlan, VideoStreamPlan } from '../../media/worker/worker-protocol.js'
import { baresipOffer, polycomBfcpOffer, sippPcmuOffer } from '../sdp/sdp-fixtures.js'
import type { SipResponse } from '../stack/sip-message.js'
import type { App } from './testing/app-harness.js'
import { answerRequest, finalResponses, inDialogLines, parleyAddress, requestLines, requestsOf, startApp } from './testing/app-harness.js'

const sdpType = 'application/sdp'

interface Attached {
  readonly leg: LegId
  readonly audio: AudioStreamPlan | undefined
  readonly video?: VideoStreamPlan
  readonly content?: VideoStreamPlan
  readonly displayName?: string
}

const withAttacher = (): { readonly app: App; readonly attached: Attached[] } => {
  const attached: Attached[] = []
  const mediaAttacher: LegMediaAttacher = {
    attach: (leg, audio, more = {}) => {
      attached.push({ leg, audio, ...more })
      return TE.right(undefined)
    },
  }
  return { app: startApp({ mediaAttacher }), attached }
}

const invite = async (app: App, uri: string, body: string): Promise<SipResponse> => {
  const peer = app.peer('192.0.2.20')
  peer.send('udp', parleyAddress, requestLines(peer, 'INVITE', uri, body === '' ? {} : { contentType: sdpType }), body)
  await app.settle()
  const ok = finalResponses(peer, 'INVITE')[0]
  assert.equal(ok?.status, 200)
  return ok
}

const peerOf = (app: App) => app.peer('192.0.2.20')

void describe('attaching legs’ audio to the media side', () => {
  void it('after the 200 to an INVITE: the offer’s codec and address, Parley’s port; the ports go with the BYE', async () => {
    const { app, attached } = withAttacher()
    const ok = await invite(app, 'sip:meet.bob@example.com', sippPcmuOffer)
    const offered = app.inputs[0]
    assert.ok(offered?._tag === 'CallOffered')
    const leg = offered.leg
    assert.deepEqual(attached, [
      {
        leg,
        audio: { codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 }, remote: { address: '127.0.0.1', port: 6000 }, direction: 'sendrecv', localPort: app.ports.held.get(leg)?.get('audio') },
        displayName: 'Carol',
      },
    ])
    const peer = peerOf(app)
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'ACK', ok.cseq), '')
    await app.settle()
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'BYE', 2), '')
    await app.settle()
    assert.deepEqual(app.ports.released, [leg])
  })

  void it('a PSTN caller without a display name is named on its tile by its number', async () => {
    const { app, attached } = withAttacher()
    const peer = peerOf(app)
    peer.send('udp', parleyAddress, requestLines(peer, 'INVITE', 'sip:meet.bob@example.com', { contentType: sdpType, from: '<tel:+15551234567;phone-context=example.com>;tag=gw1' }), sippPcmuOffer)
    await app.settle()
    assert.equal(finalResponses(peer, 'INVITE')[0]?.status, 200)
    assert.deepEqual(attached.map((a) => a.displayName), ['+15551234567'])
  })

  void it('after Parley’s re-INVITE and after the caller’s: a changed plan is attached again, an unchanged one is not', async () => {
    const { app, attached } = withAttacher()
    // An audio-only caller of a room VMR: Parley re-INVITEs to add sendonly video after the ACK.
    const ok = await invite(app, 'sip:meet.bob@example.com', sippPcmuOffer)
    const peer = peerOf(app)
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'ACK', ok.cseq), '')
    await app.settle()
    const reinvite = requestsOf(peer, 'INVITE')[0]
    assert.ok(reinvite !== undefined, 'Parley re-INVITEd')
    // The far end answers from another port (its media moved): the plan follows.
    const moved = sippPcmuOffer.replace('m=audio 6000', 'm=audio 6100') + 'm=video 0 RTP/AVP 96\r\n'
    answerRequest(peer, reinvite, 200, { contentType: sdpType, content: moved })
    await app.settle()
    assert.deepEqual(attached.map((a) => a.audio?.remote.port), [6000, 6100])
    // The caller's session refresh with the same SDP: answered, nothing rebuilt.
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INVITE', 2, [], sdpType), moved)
    await app.settle()
    assert.equal(finalResponses(peer, 'INVITE').at(-1)?.status, 200)
    assert.equal(attached.length, 2)
    // The caller's re-INVITE moving to PCMA on port 6200: attached again.
    const pcma = moved.replace('m=audio 6100 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000', 'm=audio 6200 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000')
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INVITE', 3, [], sdpType), pcma)
    await app.settle()
    assert.equal(finalResponses(peer, 'INVITE').at(-1)?.status, 200)
    assert.deepEqual(attached.at(-1)?.audio?.codec, { name: 'PCMA', payloadType: 8, clockRate: 8000 })
    assert.equal(attached.at(-1)?.audio?.remote.port, 6200)
  })

  void it('a delayed offer: nothing until the ACK brings the answer, then the answer’s codec and address', async () => {
    const { app, attached } = withAttacher()
    const ok = await invite(app, 'sip:meet.bob@example.com', '')
    assert.equal(attached.length, 0)
    const peer = peerOf(app)
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'ACK', ok.cseq, [], sdpType), baresipOffer)
    await app.settle()
    assert.equal(attached.length, 1)
    assert.equal(attached[0]?.audio?.remote.port, 10000)
    assert.equal(attached[0]?.audio?.remote.address, '192.0.2.20')
  })

  void it('video too: the offer’s H.264 with its packetization mode; Parley’s sendonly room video once an audio-only caller answers it recvonly', async () => {
    const { app, attached } = withAttacher()
    await invite(app, 'sip:meet.bob@example.com', baresipOffer)
    assert.deepEqual(attached[0]?.video?.codec, { name: 'H264', payloadType: 100, clockRate: 90000 })
    assert.equal(attached[0]?.video?.packetizationMode, 0)
    assert.equal(attached[0]?.video?.direction, 'sendrecv')

    const audioOnly = withAttacher()
    const ok = await invite(audioOnly.app, 'sip:meet.bob@example.com', sippPcmuOffer)
    assert.equal(audioOnly.attached[0]?.video, undefined)
    const peer = peerOf(audioOnly.app)
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'ACK', ok.cseq), '')
    await audioOnly.app.settle()
    const reinvite = requestsOf(peer, 'INVITE')[0]
    assert.ok(reinvite !== undefined)
    const withVideo = `${sippPcmuOffer}m=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=recvonly\r\n`
    answerRequest(peer, reinvite, 200, { contentType: sdpType, content: withVideo })
    await audioOnly.app.settle()
    const video = audioOnly.attached.at(-1)?.video
    assert.deepEqual(
      video && { direction: video.direction, port: video.remote.port, mode: video.packetizationMode },
      { direction: 'sendonly', port: 6002, mode: 1 },
      'Parley sends the room, receives nothing',
    )
  })

  void it('content too: a room system’s BFCP content video (a=content:slides) beside its main video, on Parley’s content port', async () => {
    const { app, attached } = withAttacher()
    await invite(app, 'sip:meet.bob@example.com', polycomBfcpOffer)
    const offered = app.inputs[0]
    assert.ok(offered?._tag === 'CallOffered')
    const content = attached[0]?.content
    assert.deepEqual(
      content && { codec: content.codec.name, remote: content.remote, localPort: content.localPort },
      { codec: 'H264', remote: { address: '192.0.2.113', port: 49430 }, localPort: app.ports.held.get(offered.leg)?.get('content') },
    )
    assert.equal(attached[0]?.video?.remote.port, 49428, 'the main video stays the camera')
  })
})
