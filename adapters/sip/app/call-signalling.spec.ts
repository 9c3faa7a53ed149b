/**
 * Calls through the SIP application over the fake network, with the real core on the demo
 * configuration behind it: what each INVITE, ACK, BYE, CANCEL, INFO and MESSAGE becomes for
 * the core, and what the core's answers become on the wire.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parse as parseSdp } from 'sdp-transform'
import { makeAdp, makeConfig, makeRule, makeVmr } from '../../../core/node/node-harness.js'
import { demoPresenceConfig } from '../../../core/presence/presence-test-config.js'
import { baresipOffer, sfbImOffer, sippPcmuOffer } from '../sdp/sdp-fixtures.js'
import type { RawPeer } from '../stack/testing/raw-peer.js'
import type { SipResponse } from '../stack/sip-message.js'
import { outOfDialogMessageReason } from './sip-app.js'
import type { App } from './testing/app-harness.js'
import { answerRequest, finalResponses, inDialogLines, parleyAddress, requestLines, requestsOf, startApp } from './testing/app-harness.js'

const sdpType = 'application/sdp'

/** Sends an INVITE and lets the network settle; resolves with the final response. */
const invite = async (app: App, peer: RawPeer, uri: string, body = baresipOffer, extra: ReadonlyArray<string> = [], contentType = sdpType): Promise<SipResponse> => {
  const before = finalResponses(peer, 'INVITE').length
  peer.send('udp', parleyAddress, requestLines(peer, 'INVITE', uri, { extra, ...(body === '' ? {} : { contentType }) }), body)
  await app.settle()
  const final = finalResponses(peer, 'INVITE')[before]
  assert.ok(final !== undefined, `no final response to the INVITE of ${uri}`)
  return final
}

const ack = async (app: App, peer: RawPeer, ok: SipResponse, body?: string): Promise<void> => {
  peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'ACK', ok.cseq, [], body === undefined ? undefined : sdpType), body ?? '')
  await app.settle()
}

const inputTags = (app: App): ReadonlyArray<string> => app.inputs.map((i) => i._tag)

void describe('incoming calls', () => {
  void it('INVITE becomes CallOffered; the core answers; the 200 carries an RFC 3264 answer on the allocated ports', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.bob@example.com')
    const offered = app.inputs[0]
    assert.equal(offered?._tag, 'CallOffered')
    assert.ok(offered?._tag === 'CallOffered')
    assert.equal(offered.dialled, 'sip:meet.bob@example.com')
    assert.deepEqual(offered.caller, { displayName: 'Carol', uri: 'sip:carol@192.0.2.20' })
    assert.equal(offered.protocol, 'sip')
    assert.equal(offered.source, '192.0.2.20')
    assert.deepEqual(offered.offer, { audio: true, video: true, content: false, chat: false })

    assert.equal(ok.status, 200)
    assert.equal(ok.getHeader('Content-Type'), sdpType)
    const answer = parseSdp(ok.body)
    assert.equal(answer.connection?.ip, parleyAddress.host)
    const leg = offered.leg
    const held = app.ports.held.get(leg)
    assert.deepEqual(
      answer.media.map((m) => [m.type, m.port, m.rtp.map((r) => r.codec), m.direction]),
      [
        ['audio', held?.get('audio'), ['opus', 'telephone-event'], 'sendrecv'],
        ['video', held?.get('video'), ['H264'], 'sendrecv'],
      ],
    )
    assert.ok(app.media.performed.some((e) => e._tag === 'JoinMix' && e.leg === leg), 'the leg is in the room (meet.bob has no PIN)')
  })

  void it('ACK then BYE: CallEnded(bye), the leg and its ports are gone, the core forgets the call', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.bob@example.com')
    await ack(app, peer, ok)
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'BYE', 2))
    await app.settle()
    assert.equal(finalResponses(peer, 'BYE')[0]?.status, 200)
    assert.deepEqual(inputTags(app), ['CallOffered', 'CallEnded'])
    const ended = app.inputs[1]
    assert.ok(ended?._tag === 'CallEnded' && ended.reason === 'bye')
    assert.equal(app.calls.legCount, 0)
    assert.deepEqual(app.ports.released, [ended.leg])
    assert.equal(app.runtime.nodeState.calls.size, 0)
    assert.equal(app.stack.counts.dialogs, 0)
  })

  void it('an unknown alias is rejected 404 with the reason, and nothing is kept', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const final = await invite(app, peer, 'sip:nobody@example.com')
    assert.equal(final.status, 404)
    assert.match(final.getHeader('Reason') ?? '', /cause=404 ;text="no meeting room or gateway rule matches nobody@example.com"/)
    assert.equal(app.calls.legCount, 0)
    assert.equal(requestsOf(peer, 'ACK').length, 0)
  })

  void it('malformed SDP is 400 with the reason; a body that is not SDP is 415; the node keeps serving', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const bad = await invite(app, peer, 'sip:meet.bob@example.com', 'v=0\r\nthis is not sdp\r\n')
    assert.equal(bad.status, 400)
    assert.match(bad.reasonPhrase ?? '', /malformed SDP/)
    const notSdp = await invite(app, peer, 'sip:meet.bob@example.com', '<xml/>', [], 'application/xml')
    assert.equal(notSdp.status, 415)
    assert.match(notSdp.getHeader('Accept') ?? '', /application\/sdp/)
    assert.equal(app.inputs.length, 0, 'neither reached the core')
    const ok = await invite(app, peer, 'sip:meet.bob@example.com')
    assert.equal(ok.status, 200)
  })

  void it('an offer with nothing Parley can take (G.729 only) reaches the core, which refuses it 488', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const g729 = sippPcmuOffer.replace('m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000', 'm=audio 6000 RTP/AVP 18\r\na=rtpmap:18 G729/8000')
    const final = await invite(app, peer, 'sip:meet.bob@example.com', g729)
    assert.equal(final.status, 488)
    assert.ok(app.inputs[0]?._tag === 'CallOffered' && !app.inputs[0].offer.audio)
    assert.equal(app.calls.legCount, 0)
  })

  void it('the host of the Request-URI being the node itself: the To header says what was dialled', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    peer.send('udp', parleyAddress, requestLines(peer, 'INVITE', 'sip:meet.bob@192.0.2.10:5060', { to: '<sip:meet.bob@example.com>', contentType: sdpType }), baresipOffer)
    await app.settle()
    const offered = app.inputs[0]
    assert.ok(offered?._tag === 'CallOffered')
    assert.equal(offered.dialled, 'sip:meet.bob@example.com')
  })

  void it('a PIN in INFO dtmf-relay digits admits the caller as Host', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.alice@example.com')
    assert.equal(ok.status, 200, 'answered to play the PIN prompt')
    await ack(app, peer, ok)
    const leg = app.inputs[0]?._tag === 'CallOffered' ? app.inputs[0].leg : undefined
    assert.ok(app.media.performed.some((e) => e._tag === 'Play' && e.leg === leg && e.sound === 'pin-prompt'))
    let cseq = 2
    for (const digit of ['1', '2', '3', '4', '#']) {
      peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INFO', cseq++, [], 'application/dtmf-relay'), `Signal=${digit}\r\nDuration=160\r\n`)
      await app.settle()
    }
    assert.deepEqual(finalResponses(peer, 'INFO').map((r) => r.status), [200, 200, 200, 200, 200])
    assert.deepEqual(
      app.inputs.filter((i) => i._tag === 'DtmfReceived').map((i) => (i._tag === 'DtmfReceived' ? i.digit : '')),
      ['1', '2', '3', '4', '#'],
    )
    assert.ok(app.observations().some((o) => o['_tag'] === 'PinAccepted' && o['role'] === 'host' && o['leg'] === leg))
    assert.ok(app.media.performed.some((e) => e._tag === 'JoinMix' && e.leg === leg))
    // A malformed digit is refused, typing is answered and ignored.
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INFO', cseq++, [], 'application/dtmf-relay'), 'Signal=X\r\n')
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INFO', cseq++, [], 'application/xml'), '<KeyboardActivity><status status="type"/></KeyboardActivity>')
    await app.settle()
    assert.deepEqual(finalResponses(peer, 'INFO').slice(5).map((r) => r.status).sort(), [200, 400])
    assert.equal(app.inputs.filter((i) => i._tag === 'DtmfReceived').length, 5)
  })

  void it('a PIN in the dial string: answered and joined as Host with no prompt', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.alice**1234@example.com')
    assert.equal(ok.status, 200)
    const leg = app.inputs[0]?._tag === 'CallOffered' ? app.inputs[0].leg : undefined
    assert.ok(app.observations().some((o) => o['_tag'] === 'PinAccepted' && o['role'] === 'host' && o['leg'] === leg))
    assert.ok(!app.media.performed.some((e) => e._tag === 'Play' && e.sound === 'pin-prompt'))
  })

  void it("CANCEL before the answer: 487 from the stack, CallEnded(cancel) to the core", async () => {
    // A gateway call rings (180) while the far end is dialled; the caller gives up.
    const config = makeConfig({ rules: [makeRule('1', '(.+)@gw\\.example\\.com', { replaceString: '\\1@192.0.2.30:5060' })] })
    const app = startApp({ config })
    const caller = app.peer('192.0.2.20')
    const far = app.peer('192.0.2.30')
    const lines = requestLines(caller, 'INVITE', 'sip:room@gw.example.com', { contentType: sdpType, branch: 'z9hG4bKcancelme' })
    caller.send('udp', parleyAddress, lines, baresipOffer)
    await app.settle()
    // The 180 went out within 200 ms, so no 100 Trying (RFC 3261 §17.2.1).
    assert.deepEqual(caller.responses().map((r) => r.status), [180])
    const dialled = requestsOf(far, 'INVITE')[0]
    assert.ok(dialled !== undefined)
    assert.equal(dialled.requestUri, 'sip:room@192.0.2.30:5060')
    far.answer(dialled, 180, [], 'far1')
    await app.settle()
    caller.send('udp', parleyAddress, [lines[0]!.replace('INVITE', 'CANCEL'), ...lines.slice(1, 6), lines[6]!.replace('INVITE', 'CANCEL')])
    await app.settle()
    assert.deepEqual(finalResponses(caller, 'INVITE').map((r) => r.status), [487])
    assert.deepEqual(inputTags(app), ['CallOffered', 'CallEnded'])
    assert.ok(app.inputs[1]?._tag === 'CallEnded' && app.inputs[1].reason === 'cancel')
    assert.equal(requestsOf(far, 'CANCEL').length, 1, 'the unanswered dial-out is cancelled')
    assert.equal(app.calls.legCount, 0)
  })
})

void describe('gateway calls and dial-outs', () => {
  const gatewayConfig = makeConfig({ rules: [makeRule('1', '(.+)@gw\\.example\\.com', { replaceString: '\\1@192.0.2.30:5060' })] })

  void it('the far end answers: CallAnswered, the caller gets 200; a BYE from the caller ends the far end with BYE', async () => {
    const app = startApp({ config: gatewayConfig })
    const caller = app.peer('192.0.2.20')
    const far = app.peer('192.0.2.30')
    caller.send('udp', parleyAddress, requestLines(caller, 'INVITE', 'sip:room@gw.example.com', { contentType: sdpType }), baresipOffer)
    await app.settle()
    const dialled = requestsOf(far, 'INVITE')[0]
    assert.ok(dialled !== undefined)
    assert.match(dialled.getHeader('From') ?? '', /^"Carol" <sip:carol@192\.0\.2\.20>;tag=/, 'the caller is who the far end sees')
    const offer = parseSdp(dialled.body)
    assert.deepEqual(offer.media.map((m) => m.type), ['audio', 'video'], 'what the caller offered, under the rule')
    answerRequest(far, dialled, 200, { contentType: sdpType, content: baresipOffer })
    await app.settle()
    assert.equal(requestsOf(far, 'ACK').length, 1)
    assert.deepEqual(inputTags(app), ['CallOffered', 'CallAnswered'])
    const ok = finalResponses(caller, 'INVITE')[0]
    assert.equal(ok?.status, 200)
    assert.ok(ok !== undefined)
    assert.ok(app.media.performed.some((e) => e._tag === 'Bridge'))
    await ack(app, caller, ok)
    caller.send('udp', parleyAddress, inDialogLines(caller, ok, 'BYE', 2))
    await app.settle()
    const bye = requestsOf(far, 'BYE')[0]
    assert.ok(bye !== undefined, 'the far end is hung up')
    far.answer(bye, 200)
    await app.settle()
    assert.equal(app.calls.legCount, 0)
    assert.equal(app.runtime.nodeState.gateways.size, 0)
  })

  void it('the far end refuses: CallFailed with its status; the caller hears the mapped failure', async () => {
    const app = startApp({ config: gatewayConfig })
    const caller = app.peer('192.0.2.20')
    const far = app.peer('192.0.2.30')
    caller.send('udp', parleyAddress, requestLines(caller, 'INVITE', 'sip:room@gw.example.com', { contentType: sdpType }), baresipOffer)
    await app.settle()
    const dialled = requestsOf(far, 'INVITE')[0]
    assert.ok(dialled !== undefined)
    far.answer(dialled, 486, [], 'busy1')
    await app.settle()
    const failed = app.inputs.find((i) => i._tag === 'CallFailed')
    assert.ok(failed?._tag === 'CallFailed' && failed.status === 486)
    assert.equal(finalResponses(caller, 'INVITE')[0]?.status, 486)
    assert.equal(app.calls.legCount, 0)
  })

  void it("a rule's proxy: the INVITE goes to the proxy with a loose Route naming it, the Request-URI unchanged", async () => {
    const config = makeConfig({ rules: [makeRule('1', '(.+)@gw\\.example\\.com', { sipProxy: '192.0.2.31:5070' })] })
    const app = startApp({ config })
    const caller = app.peer('192.0.2.20')
    const proxy = app.peer('192.0.2.31', 5070)
    caller.send('udp', parleyAddress, requestLines(caller, 'INVITE', 'sip:room@gw.example.com', { contentType: sdpType }), baresipOffer)
    await app.settle()
    const dialled = requestsOf(proxy, 'INVITE')[0]
    assert.ok(dialled !== undefined, 'sent to the proxy')
    assert.equal(dialled.requestUri, 'sip:room@gw.example.com')
    assert.equal(dialled.getHeader('Route'), '<sip:192.0.2.31:5070;lr>')
  })

  void it('SendDtmf: one INFO application/dtmf-relay per digit, each after the last is answered', async () => {
    const app = startApp({ config: gatewayConfig })
    const caller = app.peer('192.0.2.20')
    const far = app.peer('192.0.2.30')
    caller.send('udp', parleyAddress, requestLines(caller, 'INVITE', 'sip:room@gw.example.com', { contentType: sdpType }), baresipOffer)
    await app.settle()
    const dialled = requestsOf(far, 'INVITE')[0]
    assert.ok(dialled !== undefined)
    answerRequest(far, dialled, 200, { contentType: sdpType, content: baresipOffer })
    await app.settle()
    const ok = finalResponses(caller, 'INVITE')[0]
    assert.ok(ok !== undefined)
    await ack(app, caller, ok)
    // The caller's digits are relayed to the far end (the gateway's SendDtmf).
    caller.send('udp', parleyAddress, inDialogLines(caller, ok, 'INFO', 2, [], 'application/dtmf-relay'), 'Signal=5\r\nDuration=160\r\n')
    await app.settle()
    const infos = requestsOf(far, 'INFO')
    assert.equal(infos.length, 1)
    assert.equal(infos[0]?.getHeader('Content-Type'), 'application/dtmf-relay')
    assert.equal(infos[0]?.body, 'Signal=5\r\nDuration=160\r\n')
  })
})

void describe('automatically dialled participants', () => {
  void it('an ADP is dialled at least 10 s after the first join; its DTMF sequence goes one INFO at a time', async () => {
    const config = makeConfig({
      vmrs: [makeVmr('1', { aliases: ['team@example.com'] })],
      adps: [makeAdp('9', '1', { alias: 'bridge@192.0.2.30:5060', dtmfSequence: '12', remoteDisplayName: 'Bridge' })],
    })
    const app = startApp({ config })
    const caller = app.peer('192.0.2.20')
    const far = app.peer('192.0.2.30')
    const ok = await invite(app, caller, 'sip:team@example.com')
    await ack(app, caller, ok)
    assert.equal(requestsOf(far, 'INVITE').length, 0)
    app.clock.advance(10_000)
    await app.settle()
    const dialled = requestsOf(far, 'INVITE')[0]
    assert.ok(dialled !== undefined, 'dialled after the ADP delay')
    assert.equal(dialled.requestUri, 'sip:bridge@192.0.2.30:5060')
    assert.match(dialled.getHeader('From') ?? '', /<sip:team@example\.com>/, 'from the VMR')
    answerRequest(far, dialled, 200, { contentType: sdpType, content: baresipOffer })
    await app.settle()
    assert.ok(app.inputs.some((i) => i._tag === 'CallAnswered'))
    const first = requestsOf(far, 'INFO')
    assert.deepEqual(first.map((i) => i.body), ['Signal=1\r\nDuration=160\r\n'], 'the second digit waits for the first to be answered')
    far.answer(first[0]!, 200)
    await app.settle()
    assert.deepEqual(requestsOf(far, 'INFO').map((i) => i.body), ['Signal=1\r\nDuration=160\r\n', 'Signal=2\r\nDuration=160\r\n'])
  })
})

void describe('media changes', () => {
  void it('an audio-only caller of a room VMR gets a re-INVITE adding sendonly video once it has ACKed', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.bob@example.com', sippPcmuOffer)
    assert.deepEqual(parseSdp(ok.body).media.map((m) => m.type), ['audio'])
    assert.equal(requestsOf(peer, 'INVITE').length, 0, 'not before the ACK')
    await ack(app, peer, ok)
    const reinvite = requestsOf(peer, 'INVITE')[0]
    assert.ok(reinvite !== undefined)
    const reoffer = parseSdp(reinvite.body)
    assert.deepEqual(reoffer.media.map((m) => [m.type, m.direction]), [['audio', 'sendrecv'], ['video', 'sendonly']])
    assert.equal(Number(reoffer.origin?.sessionVersion), Number(parseSdp(ok.body).origin?.sessionVersion) + 1, 'RFC 3264 §8: version + 1')
    answerRequest(peer, reinvite, 200, { contentType: sdpType, content: sippPcmuOffer.replace('m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n', 'm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 0 RTP/AVP 96\r\n') })
    await app.settle()
    assert.equal(requestsOf(peer, 'ACK').length, 1, 'the stack ACKs the 2xx to our re-INVITE')
  })

  void it("the caller's re-INVITE adding video is MediaChanged and answered by the core; a refresh is answered as it stands", async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.bob@example.com', baresipOffer.split('m=video')[0] ?? '')
    await ack(app, peer, ok)
    const reoffer = requestsOf(peer, 'INVITE')[0]
    assert.ok(reoffer !== undefined)
    answerRequest(peer, reoffer, 200, { contentType: sdpType, content: baresipOffer.replace(/m=video 10002/, 'm=video 0') })
    await app.settle()
    const before = app.inputs.length
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INVITE', 2, [], sdpType), baresipOffer)
    await app.settle()
    assert.equal(app.inputs[before]?._tag, 'MediaChanged')
    const answered = finalResponses(peer, 'INVITE').at(-1)
    assert.equal(answered?.status, 200)
    assert.deepEqual(parseSdp(answered?.body ?? '').media.map((m) => [m.type, m.port !== 0]), [['audio', true], ['video', true]])
    assert.ok(answered !== undefined)
    await ack(app, peer, answered)
    // The same offer again (a session refresh): no input, same media answered.
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INVITE', 3, [], sdpType), baresipOffer)
    await app.settle()
    assert.equal(app.inputs.length, before + 1)
    assert.equal(finalResponses(peer, 'INVITE').at(-1)?.status, 200)
  })

  void it("after answering Parley's sendonly video recvonly, the caller's re-INVITE with video sendrecv is a change (direction, not presence)", async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.bob@example.com', baresipOffer.split('m=video')[0] ?? '')
    await ack(app, peer, ok)
    const reoffer = requestsOf(peer, 'INVITE')[0]
    assert.ok(reoffer !== undefined)
    assert.deepEqual(parseSdp(reoffer.body).media.map((m) => [m.type, m.direction]), [['audio', 'sendrecv'], ['video', 'sendonly']])
    const videoSection = (direction: string): string => baresipOffer.replace(/(m=video[^]*)a=sendrecv/, `$1a=${direction}`)
    answerRequest(peer, reoffer, 200, { contentType: sdpType, content: videoSection('recvonly') })
    await app.settle()
    const before = app.inputs.length
    // The caller starts its camera: same streams, video now sendrecv.
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INVITE', 2, [], sdpType), baresipOffer)
    await app.settle()
    const changed = app.inputs[before]
    assert.ok(changed?._tag === 'MediaChanged', `the core hears of it (got ${changed?._tag ?? 'nothing'})`)
    assert.deepEqual(changed.offer, { audio: true, video: true, content: false, chat: false })
    const answered = finalResponses(peer, 'INVITE').at(-1)
    assert.equal(answered?.status, 200)
    assert.deepEqual(parseSdp(answered?.body ?? '').media.map((m) => [m.type, m.direction]), [['audio', 'sendrecv'], ['video', 'sendrecv']])
    assert.ok(answered !== undefined)
    await ack(app, peer, answered)
    // The same offer again is a refresh: no input.
    peer.send('udp', parleyAddress, inDialogLines(peer, ok, 'INVITE', 3, [], sdpType), baresipOffer)
    await app.settle()
    assert.equal(app.inputs.length, before + 1)
  })

  void it('an INVITE without SDP (delayed offer): Parley offers in the 200, the ACK answers', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:meet.bob@example.com', '')
    assert.equal(ok.status, 200)
    const offered = app.inputs[0]
    assert.ok(offered?._tag === 'CallOffered')
    assert.deepEqual(offered.offer, { audio: true, video: true, content: false, chat: false })
    const offer = parseSdp(ok.body)
    assert.deepEqual(offer.media.map((m) => [m.type, m.direction]), [['audio', 'sendrecv'], ['video', 'sendrecv']])
    await ack(app, peer, ok, baresipOffer)
    assert.equal(app.calls.legCount, 1)
  })
})

void describe('instant messaging', () => {
  const sfbHeaders = (conversation: string, firstMessage?: string): ReadonlyArray<string> => [
    'User-Agent: UCCAPI/16.0.4417.1000 OC/16.0.4417.1000 (Skype for Business)',
    `Ms-Conversation-ID: ${conversation}`,
    ...(firstMessage === undefined ? [] : ['Supported: ms-embedded-first-message', `ms-text-format: text/plain; charset=UTF-8; ms-body=${Buffer.from(firstMessage).toString('base64')}`]),
  ]

  void it('an SfB IM INVITE is a chat session; MESSAGEs fan out to the other chat-capable legs from the VMR', async () => {
    const app = startApp()
    const alice = app.peer('192.0.2.21')
    const bob = app.peer('192.0.2.22')
    const room = app.peer('192.0.2.23')
    const okA = await invite(app, alice, 'sip:meet.bob@example.com', sfbImOffer, sfbHeaders('conv-a', 'hello room'))
    const offered = app.inputs[0]
    assert.ok(offered?._tag === 'CallOffered')
    assert.equal(offered.protocol, 'mssip')
    assert.equal(offered.conversationId, 'conv-a')
    assert.equal(offered.firstMessage, 'hello room')
    assert.deepEqual(offered.offer, { audio: false, video: false, content: false, chat: true })
    assert.equal(okA.status, 200)
    assert.deepEqual(parseSdp(okA.body).media.map((m) => [m.type, m.payloads]), [['message', 'sip:meet.bob@example.com']])
    await ack(app, alice, okA)
    const okB = await invite(app, bob, 'sip:meet.bob@example.com', sfbImOffer, sfbHeaders('conv-b'))
    await ack(app, bob, okB)
    // A SIP room system in the call: not chat-capable until it sends a MESSAGE itself.
    const okRoom = await invite(app, room, 'sip:meet.bob@example.com')
    await ack(app, room, okRoom)

    alice.send('udp', parleyAddress, inDialogLines(alice, okA, 'MESSAGE', 2, [], 'text/plain; charset=UTF-8'), 'hi all')
    await app.settle()
    assert.equal(finalResponses(alice, 'MESSAGE')[0]?.status, 200)
    assert.ok(app.inputs.some((i) => i._tag === 'ChatReceived' && i.text === 'hi all'))
    const toBob = requestsOf(bob, 'MESSAGE')
    assert.deepEqual(toBob.map((m) => m.body), ['Carol: hi all'])
    assert.match(toBob[0]?.getHeader('From') ?? '', /^<sip:meet\.bob@example\.com>;tag=/, 'from the VMR (the dialog Bob opened with it)')
    assert.equal(toBob[0]?.getHeader('Content-Type'), 'text/plain; charset=UTF-8')
    assert.equal(requestsOf(room, 'MESSAGE').length, 0, 'the room system never chatted')
    assert.equal(requestsOf(alice, 'MESSAGE').length, 0, 'no echo to the sender')

    // The room system sends chat in its call's dialog: from then on it is chat-capable.
    room.send('udp', parleyAddress, inDialogLines(room, okRoom, 'MESSAGE', 2, [], 'text/plain'), 'room here')
    await app.settle()
    alice.send('udp', parleyAddress, inDialogLines(alice, okA, 'MESSAGE', 3, [], 'text/plain'), 'welcome')
    await app.settle()
    assert.deepEqual(requestsOf(room, 'MESSAGE').map((m) => m.body), ['Carol: welcome'])
  })

  void it('MESSAGE outside any dialog is refused 403 with the reason; INFO outside a dialog is 481', async () => {
    const app = startApp()
    const peer = app.peer('192.0.2.20')
    peer.send('udp', parleyAddress, requestLines(peer, 'MESSAGE', 'sip:meet.bob@example.com', { contentType: 'text/plain' }), 'hello?')
    peer.send('udp', parleyAddress, requestLines(peer, 'INFO', 'sip:meet.bob@example.com', { contentType: 'application/dtmf-relay' }), 'Signal=1\r\n')
    peer.send('udp', parleyAddress, requestLines(peer, 'REFER', 'sip:meet.bob@example.com', { extra: ['Refer-To: <sip:anyone@example.net>'] }))
    await app.settle()
    assert.equal(finalResponses(peer, 'MESSAGE')[0]?.status, 403)
    assert.equal(finalResponses(peer, 'MESSAGE')[0]?.reasonPhrase, outOfDialogMessageReason)
    assert.equal(finalResponses(peer, 'INFO')[0]?.status, 481)
    const refer = finalResponses(peer, 'REFER')[0]
    assert.equal(refer?.status, 405)
    assert.doesNotMatch(refer?.getHeader('Allow') ?? 'REFER', /REFER/)
    assert.equal(app.inputs.length, 0)
  })
})

void describe('the wire failing under a call', () => {
  void it('no RTP ports: 503 with Retry-After, the core is told the leg ended', async () => {
    const app = startApp()
    app.ports.exhausted = true
    const peer = app.peer('192.0.2.20')
    const final = await invite(app, peer, 'sip:meet.bob@example.com')
    assert.equal(final.status, 503)
    assert.ok(final.getHeader('Retry-After') !== undefined)
    assert.deepEqual(inputTags(app), ['CallOffered', 'CallEnded'])
    assert.equal(app.runtime.nodeState.calls.size, 0)
  })

  void it('the Hangup of an established call is a BYE; the far end answering 481 changes nothing', async () => {
    // Only-one-participant timeout of 1 s ends a lone caller's conference.
    const config = makeConfig({ global: { onlyOneParticipantTimeoutS: 1 }, vmrs: [makeVmr('1', { aliases: ['solo@example.com'] })] })
    const app = startApp({ config })
    const peer = app.peer('192.0.2.20')
    const ok = await invite(app, peer, 'sip:solo@example.com')
    await ack(app, peer, ok)
    app.clock.advance(10_000)
    await app.settle()
    const bye = requestsOf(peer, 'BYE')[0]
    assert.ok(bye !== undefined, 'the core hung up')
    peer.answer(bye, 481)
    await app.settle()
    assert.equal(app.calls.legCount, 0)
    assert.equal(app.inputs.filter((i) => i._tag === 'CallEnded').length, 0, 'Parley ended it: nothing to tell the core')
  })
})

void it('the demo configuration is the default here', () => {
  assert.ok(demoPresenceConfig.vmrByAlias.has('meet.bob@example.com'))
})
