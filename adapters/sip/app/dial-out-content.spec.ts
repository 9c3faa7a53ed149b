/**
 * Content on the calls Parley places (issue 6): its offer to a SIP room system carries a content
 * video (`a=content:slides`, RFC 4796) and a BFCP line naming Parley's floor control server
 * (RFC 8856: `s-only`, `setup:passive`, conference and user ids, the floor bound to the content
 * label), also when the gateway caller offered no content; the room system's answer is read back
 * into the leg's content plan and handed to floor control; re-INVITEs keep it. Through the SIP
 * application over the fake network, with the real core behind it.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { MediaDescription } from 'sdp-transform'
import { parse as parseSdp } from 'sdp-transform'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { LegId } from '../../../core/model/ids.js'
import { makeAdp, makeConfig, makeRule, makeVmr } from '../../../core/node/node-harness.js'
import type { FloorControlHook } from '../../bfcp/floor-control.js'
import type { LegMediaAttacher } from '../../media/worker/exchange-plan.js'
import type { VideoStreamPlan } from '../../media/worker/worker-protocol.js'
import type { ParsedOffer } from '../sdp/parsed-offer.js'
import { baresipOffer } from '../sdp/sdp-fixtures.js'
import type { SipRequest } from '../stack/sip-message.js'
import type { AppOptions } from './testing/app-harness.js'
import { answerRequest, finalResponses, inDialogLines, parleyAddress, requestLines, requestsOf, startApp } from './testing/app-harness.js'

const sdpType = 'application/sdp'
const floorPort = 7010
const floorIds = { conferenceId: 4321, userId: 1, floorId: 1 }

/** A floor control hook that gives a fixed port and ids and records the answers it is handed. */
const recordingFloorControl = () => {
  const answered: Array<{ readonly leg: LegId; readonly answer: ParsedOffer }> = []
  const hook: FloorControlHook = {
    answerLocal: (_leg, _offer, local) => local,
    negotiated: () => undefined,
    release: () => undefined,
    offerLocal: (_leg, local) => ({ ...local, ports: { ...local.ports, floorControl: floorPort }, floorControl: floorIds }),
    offerAnswered: (leg, answer) => answered.push({ leg, answer }),
  }
  return { hook, answered }
}

/** A room system's answer: main video, slides it may send and receive, BFCP as a client that connects (RFC 4145 `active`). */
const roomSystemAnswer = [
  'v=0',
  'o=room 1 1 IN IP4 192.0.2.30',
  's=-',
  'c=IN IP4 192.0.2.30',
  't=0 0',
  'm=audio 20000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'm=video 20002 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
  'a=content:main',
  'a=label:1',
  'm=video 20004 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
  'a=content:slides',
  'a=label:2',
  'm=application 9 TCP/BFCP *',
  'a=floorctrl:c-only',
  'a=setup:active',
  'a=connection:new',
  'a=floorid:1 mstrm:2',
  '',
].join('\r\n')

/** sdp-transform reads RFC 4796 `a=content` into `content`. */
const contentAttribute = (m: MediaDescription): string | undefined => (m as { readonly content?: string }).content
const contentOf = (offer: { readonly media: ReadonlyArray<MediaDescription> }): MediaDescription | undefined =>
  offer.media.find((m) => m.type === 'video' && contentAttribute(m) === 'slides')
const bfcpOf = (offer: { readonly media: ReadonlyArray<MediaDescription> }): MediaDescription | undefined =>
  offer.media.find((m) => m.type === 'application' && m.protocol === 'TCP/BFCP')

const gateway = (callType: 'video' | 'video-only' | 'audio' = 'video', options: Omit<AppOptions, 'config'> = {}) => {
  const config = makeConfig({ rules: [makeRule('1', '(.+)@gw\\.example\\.com', { replaceString: '\\1@192.0.2.30:5060', callType })] })
  const attached: Array<{ readonly leg: LegId; readonly content?: VideoStreamPlan }> = []
  const mediaAttacher: LegMediaAttacher = {
    attach: (leg, _audio, more = {}) => {
      attached.push({ leg, ...(more.content === undefined ? {} : { content: more.content }) })
      return TE.right(undefined)
    },
  }
  const app = startApp({ config, mediaAttacher, ...options })
  return { app, attached, caller: app.peer('192.0.2.20'), far: app.peer('192.0.2.30') }
}

const dialled = async (world: ReturnType<typeof gateway>): Promise<SipRequest> => {
  world.caller.send('udp', parleyAddress, requestLines(world.caller, 'INVITE', 'sip:room@gw.example.com', { contentType: sdpType }), baresipOffer)
  await world.app.settle()
  const invite = requestsOf(world.far, 'INVITE')[0]
  assert.ok(invite !== undefined, 'the room system is called')
  return invite
}

void describe('content on the calls Parley places', () => {
  void it('a gateway call to a SIP room system offers slides and a BFCP line naming Parley’s server, though the caller offered no content', async () => {
    const { hook } = recordingFloorControl()
    const world = gateway('video', { floorControl: hook })
    const body = (await dialled(world)).body
    const offer = parseSdp(body)
    assert.deepEqual(offer.media.map((m) => `${m.type} ${m.protocol}`), ['audio RTP/AVP', 'video RTP/AVP', 'video RTP/AVP', 'application TCP/BFCP'])
    const content = contentOf(offer)
    assert.ok(content !== undefined && content.port !== 0, 'a content video on a port of its own')
    assert.equal(String(content.label), '2')
    assert.equal(content.direction, 'sendrecv')
    assert.deepEqual(content.rtp.map((r) => r.codec), ['H264', 'H264'])
    const main = offer.media[1]
    assert.ok(main !== undefined && contentAttribute(main) === 'main' && String(main.label) === '1', 'main video told apart from slides (RFC 4796)')
    const bfcp = bfcpOf(offer)
    assert.ok(bfcp !== undefined)
    assert.equal(bfcp.port, floorPort)
    assert.equal(bfcp.setup, 'passive')
    assert.equal(bfcp.bfcpFloorCtrl, 's-only')
    assert.equal(String(bfcp.bfcpConfId), '4321')
    assert.equal(String(bfcp.bfcpUserId), '1')
    assert.match(body, /\r\nm=application \d+ TCP\/BFCP \*\r\n(?:a=[^\r]*\r\n)*a=floorid:1 mstrm:2\r\n/, 'the floor bound to the slides’ label (RFC 8856 §6)')
    assert.equal(offer.media.some((m) => (m.rtp ?? []).some((r) => r.codec === 'X-H264UC')), false, 'no Microsoft format to a SIP system')
  })

  void it('the room system’s answer becomes the leg’s content plan and goes to floor control; the caller is answered with what it offered', async () => {
    const { hook, answered } = recordingFloorControl()
    const world = gateway('video', { floorControl: hook })
    const invite = await dialled(world)
    answerRequest(world.far, invite, 200, { contentType: sdpType, content: roomSystemAnswer })
    await world.app.settle()
    const out = world.app.inputs.find((i) => i._tag === 'CallAnswered')
    assert.ok(out?._tag === 'CallAnswered')
    assert.equal(out.answer.content, true, 'the core hears the room system takes content')
    const plan = world.attached.find((a) => a.leg === out.leg)?.content
    assert.ok(plan !== undefined, 'a content plan for the room system’s leg')
    assert.deepEqual(plan.remote, { address: '192.0.2.30', port: 20004 })
    assert.equal(plan.localPort, world.app.ports.held.get(out.leg)?.get('content'))
    assert.equal(plan.direction, 'sendrecv')
    assert.equal(plan.packetizationMode, 1)
    assert.deepEqual(answered.map((a) => a.leg), [out.leg])
    const floor = answered[0]?.answer.streams.find((s) => s.kind === 'floor-control')
    assert.ok(floor?.kind === 'floor-control' && floor.setup === 'active' && floor.port === 9)
    const ok = finalResponses(world.caller, 'INVITE')[0]
    assert.equal(ok?.status, 200)
    assert.deepEqual(parseSdp(ok?.body ?? '').media.map((m) => m.type), ['audio', 'video'], 'the caller offered no content: none in its answer')
  })

  void it('a re-INVITE of the room system’s leg keeps its content and BFCP lines while video goes on', async () => {
    const { hook, answered } = recordingFloorControl()
    const world = gateway('video', { floorControl: hook })
    const invite = await dialled(world)
    answerRequest(world.far, invite, 200, { contentType: sdpType, content: roomSystemAnswer })
    await world.app.settle()
    const ok = finalResponses(world.caller, 'INVITE')[0]
    assert.ok(ok !== undefined)
    world.caller.send('udp', parleyAddress, inDialogLines(world.caller, ok, 'ACK', ok.cseq), '')
    await world.app.settle()
    // The caller turns its camera off: the change goes through to the room system (gateway MediaChanged → Reoffer).
    const recvonly = baresipOffer.replace(/(m=video[^]*)a=sendrecv/, '$1a=recvonly')
    world.caller.send('udp', parleyAddress, inDialogLines(world.caller, ok, 'INVITE', 2, [], sdpType), recvonly)
    await world.app.settle()
    const reinvite = requestsOf(world.far, 'INVITE')[1]
    assert.ok(reinvite !== undefined, 'the room system is re-INVITEd')
    const offer = parseSdp(reinvite.body)
    assert.equal(offer.media.length, 4, 'm-lines kept in order (RFC 3264 §8)')
    assert.ok((contentOf(offer)?.port ?? 0) !== 0, 'content kept')
    assert.equal(bfcpOf(offer)?.port, floorPort, 'BFCP kept')
    answerRequest(world.far, reinvite, 200, { contentType: sdpType, content: roomSystemAnswer })
    await world.app.settle()
    assert.equal(answered.length, 2, 'the re-INVITE’s answer goes to floor control too')
  })

  void it('an automatically dialled SIP room system is offered slides and BFCP, and its answer gives its leg a content plan', async () => {
    const config = makeConfig({ vmrs: [makeVmr('1', { aliases: ['team@example.com'] })], adps: [makeAdp('9', '1', { alias: 'room@192.0.2.30:5060' })] })
    const attached: Array<{ readonly leg: LegId; readonly content?: VideoStreamPlan }> = []
    const mediaAttacher: LegMediaAttacher = {
      attach: (leg, _audio, more = {}) => {
        attached.push({ leg, ...(more.content === undefined ? {} : { content: more.content }) })
        return TE.right(undefined)
      },
    }
    const { hook, answered } = recordingFloorControl()
    const app = startApp({ config, mediaAttacher, floorControl: hook })
    const caller = app.peer('192.0.2.20')
    const far = app.peer('192.0.2.30')
    caller.send('udp', parleyAddress, requestLines(caller, 'INVITE', 'sip:team@example.com', { contentType: sdpType }), baresipOffer)
    await app.settle()
    const ok = finalResponses(caller, 'INVITE')[0]
    assert.ok(ok !== undefined)
    caller.send('udp', parleyAddress, inDialogLines(caller, ok, 'ACK', ok.cseq), '')
    await app.settle()
    app.clock.advance(10_000)
    await app.settle()
    const invite = requestsOf(far, 'INVITE')[0]
    assert.ok(invite !== undefined, 'the ADP is dialled')
    const offer = parseSdp(invite.body)
    assert.ok((contentOf(offer)?.port ?? 0) !== 0 && bfcpOf(offer)?.port === floorPort, 'slides and BFCP offered')
    answerRequest(far, invite, 200, { contentType: sdpType, content: roomSystemAnswer })
    await app.settle()
    const out = app.inputs.find((i) => i._tag === 'CallAnswered')
    assert.ok(out?._tag === 'CallAnswered' && out.answer.content)
    assert.equal(attached.find((a) => a.leg === out.leg)?.content?.remote.port, 20004)
    assert.deepEqual(answered.map((a) => a.leg), [out.leg])
  })

  void it('no content without a presentation call type or without floor control', async () => {
    for (const callType of ['video-only', 'audio'] as const) {
      const offer = parseSdp((await dialled(gateway(callType, { floorControl: recordingFloorControl().hook }))).body)
      assert.equal(contentOf(offer), undefined, callType)
      assert.equal(bfcpOf(offer), undefined, callType)
    }
    const noServer = parseSdp((await dialled(gateway('video'))).body)
    assert.deepEqual(noServer.media.map((m) => m.type), ['audio', 'video'], 'no floor control server: no content line')
  })
})
