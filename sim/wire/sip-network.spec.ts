/**
 * The wire network against a scripted node: a SipStack on loopback playing Parley's side by
 * hand (answers, dialog requests, presence answers, dial-outs to the edge) and writing the log
 * lines the real node writes. The endpoint models are the real ones (an SfB client homed on its
 * pool, a SIP room system, a SIP video app), so what is checked is what the wire world relies on:
 * SfB-shaped requests (User-Agent, epid, conversation id, multipart SDP with SDES keys, batched
 * SUBSCRIBE), digits as INFO, chat both ways, hang-ups both ways, failures, re-offers, presence
 * from the piggybacked answer and later NOTIFYs, and calls the node places reaching the
 * endpoint attached at the address, or 404.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { systemClock } from '../../adapters/node/system-clock.js'
import { negotiateAnswer } from '../../adapters/sip/sdp/build-answer.js'
import { buildOffer } from '../../adapters/sip/sdp/build-offer.js'
import type { LocalMedia } from '../../adapters/sip/sdp/local-media.js'
import { readOffer } from '../../adapters/sip/sdp/read-offer.js'
import { renderBatchedAnswer } from '../../adapters/sip/presence/batched-answer.js'
import { renderCategoriesDocument } from '../../adapters/sip/presence/categories-document.js'
import { parseBatchSubscription, subscribedResources } from '../../adapters/sip/presence/subscription-body.js'
import { parseDtmfInfo } from '../../adapters/sip/dtmf/dtmf-info.js'
import { header } from '../../adapters/sip/stack/message-writer.js'
import { SipStack } from '../../adapters/sip/stack/sip-stack.js'
import type { Dialog, ServerRequest } from '../../adapters/sip/stack/stack-types.js'
import { NodeSipTransport } from '../../adapters/sip/transport/node-sip-transport.js'
import type { MediaAnswer } from '../../core/model/call.js'
import { SipRoomSystem } from '../endpoints/room-systems.js'
import { SfbClient } from '../endpoints/sfb-client.js'
import { SfbFrontEnd } from '../endpoints/sfb-front-end.js'
import { SipVideoApp } from '../endpoints/web-client.js'
import { LoopbackAddresses } from './loopback-addresses.js'
import { NodeReports } from './node-reports.js'
import type { LogLine } from './parley-process.js'
import { RunDirectory } from './run-directory.js'
import { Settling } from './settling.js'
import { addressedAs, SipNetwork, WireEdge } from './sip-network.js'

const run = new RunDirectory('sip-network-spec-')

/** Parley's side, scripted: every request is handed to the test that waits for it. */
class ScriptedNode {
  private readonly waiting: Array<{ readonly matches: (r: ServerRequest) => boolean; readonly take: (r: ServerRequest) => void }> = []
  private readonly unclaimed: ServerRequest[] = []
  private legs = 0

  constructor(
    readonly stack: SipStack,
    readonly transport: NodeSipTransport,
    readonly log: (line: LogLine) => void,
  ) {
    stack.onRequest((r) => this.hand(r))
  }

  get ports(): { udp: number; tcp: number; tls: number } {
    const p = this.transport.ports()
    return { udp: p.udp ?? 0, tcp: p.tcp ?? 0, tls: p.tls ?? 0 }
  }

  hand(request: ServerRequest): void {
    const i = this.waiting.findIndex((w) => w.matches(request))
    if (i < 0) {
      this.unclaimed.push(request)
      return
    }
    const [w] = this.waiting.splice(i, 1)
    w?.take(request)
  }

  /** The next request of `method` (from the stack, or in a dialog handed over with `watch`). */
  next(method: string, withinMs = 3_000): Promise<ServerRequest> {
    const already = this.unclaimed.findIndex((r) => r.request.method === method)
    if (already >= 0) return Promise.resolve(this.unclaimed.splice(already, 1)[0] as ServerRequest)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${withinMs} ms`)), withinMs)
      this.waiting.push({
        matches: (r) => r.request.method === method,
        take: (r) => {
          clearTimeout(timer)
          resolve(r)
        },
      })
    })
  }

  /** Requests in `dialog` come to `next` too; BYE is answered by the stack and reported here. */
  watch(dialog: Dialog): { ended: boolean } {
    const state = { ended: false }
    dialog.setHandler({ onRequest: (r) => this.hand(r), onTerminated: () => (state.ended = true) })
    return state
  }

  /** Requests nobody waited for in an earlier test are not the next test's. */
  forgetUnclaimed(): void {
    for (const r of this.unclaimed.splice(0)) r.respond({ status: 480 })
  }

  newLeg(): string {
    this.legs += 1
    return `leg-${this.legs}`
  }

  local(): LocalMedia {
    return { publicHost: '127.0.0.1', ports: { audio: 41000, video: 41002, content: 41004, floorControl: 41006 }, randomBytes: (n) => new Uint8Array(n).fill(7), session: { id: '1', version: 1 }, localUri: 'sip:meet.bob@example.com' }
  }

  /** Answers an INVITE as Parley would, and says which leg it is in the log. */
  answer(invite: ServerRequest, media: MediaAnswer): { readonly leg: string; readonly dialog: Dialog } {
    const offer = readOffer(invite.request.getHeader('Content-Type') ?? '', invite.request.bodyBytes)
    if (E.isLeft(offer)) assert.fail(`unreadable offer: ${offer.left._tag}`)
    const leg = this.newLeg()
    this.log({ msg: 'call offered', leg, callId: invite.request.callId })
    const sent = invite.respond({ status: 200, body: { contentType: 'application/sdp', content: negotiateAnswer(offer.right, media, this.local()).sdp } })
    if (E.isLeft(sent) || sent.right === undefined) assert.fail('no dialog from the 200')
    return { leg, dialog: sent.right }
  }
}

let node: ScriptedNode
let edge: WireEdge
const addresses = new LoopbackAddresses(200)

before(async () => {
  const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: 0, tcp: 0, tls: 0 }, tls: { cert: run.tls.cert, key: run.tls.key, ca: [run.tls.cert] } })
  if (E.isLeft(opened)) assert.fail(JSON.stringify(opened.left))
  const stack = new SipStack({ transport: opened.right, clock: systemClock, publicHost: '127.0.0.1' })
  node = new ScriptedNode(stack, opened.right, () => undefined)
  edge = await WireEdge.open(run.tls)
})

after(async () => {
  node.stack.close()
  await node.transport.close()
  await edge.close()
  run.remove()
})

interface World {
  readonly network: SipNetwork
  readonly frontEnd: SfbFrontEnd
  readonly settling: Settling
  readonly reports: NodeReports
}

const conferences: Record<string, string> = { '1': "Alice's meeting room", '2': "Bob's room" }

const world = async (use: (w: World) => Promise<void>): Promise<void> => {
  const settling = new Settling()
  const reports = new NodeReports((id) => conferences[id] ?? id)
  const network = new SipNetwork({ node: node.ports, tls: run.tls, addresses, reports, settling }, edge)
  Object.assign(node, { log: reports.read })
  node.forgetUnclaimed()
  try {
    await use({ network, frontEnd: new SfbFrontEnd(network), settling, reports })
  } finally {
    await network.close()
  }
}

const until = async (check: () => void, withinMs = 3_000): Promise<void> => {
  const deadline = performance.now() + withinMs
  for (;;) {
    try {
      check()
      return
    } catch (failure) {
      if (performance.now() > deadline) throw failure
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

test('a dialled address becomes a Request-URI and a To as SIP writes them', () => {
  assert.deepEqual(addressedAs('meet.alice**1234@example.com'), { requestUri: 'sip:meet.alice**1234@example.com', to: '<sip:meet.alice**1234@example.com>' })
  assert.deepEqual(addressedAs('locked**4321#@example.com'), { requestUri: 'sip:locked**4321%23@example.com', to: '<sip:locked**4321%23@example.com>' })
  assert.deepEqual(addressedAs('"Bob\'s room" <sip:meet.bob@example.com>'), { requestUri: 'sip:meet.bob@example.com', to: '"Bob\'s room" <sip:meet.bob@example.com>' })
  assert.deepEqual(addressedAs('sip:Meet.Bob@Example.com;transport=tls'), { requestUri: 'sip:Meet.Bob@Example.com;transport=tls', to: '<sip:Meet.Bob@Example.com;transport=tls>' })
})

test('an SfB call is SfB-shaped, is answered, and shows what the node reports', async () => {
  await world(async ({ frontEnd, settling }) => {
    const alice = new SfbClient({ name: 'Alice', address: 'alice@example.com' }, frontEnd)
    frontEnd.home(alice)
    alice.dial('meet.bob@example.com')
    const invite = await node.next('INVITE')
    const r = invite.request
    assert.equal(invite.flow.protocol, 'tls')
    assert.match(r.getHeader('User-Agent') ?? '', /^UCCAPI\/.*Skype for Business/)
    assert.match(r.getHeader('From') ?? '', /^"Alice" <sip:alice@example\.com>;epid=[0-9a-f]{10};tag=/)
    assert.equal(r.getHeader('Ms-Conversation-ID'), 'alice@example.com/conversation-1')
    assert.match(r.getHeader('Content-Type') ?? '', /^multipart\/alternative/)
    assert.equal(r.requestUri, 'sip:meet.bob@example.com')
    const offer = readOffer(r.getHeader('Content-Type') ?? '', r.bodyBytes)
    assert.ok(E.isRight(offer) && offer.right.media.audio && offer.right.media.video && offer.right.variants === 2)
    assert.ok(offer.right.streams.some((s) => s.kind === 'rtp' && s.secure && s.crypto.length > 0))
    const { leg } = node.answer(invite, { audio: 'sendrecv', video: 'sendrecv' })
    // Connected, the client looks up the room's contact card (its picture for audio-only calls).
    const lookup = await node.next('SUBSCRIBE')
    assert.deepEqual(subscribedResources((parseBatchSubscription(lookup.request.body) as E.Right<never>).right).map((x) => x.uri), ['sip:meet.bob@example.com'])
    lookup.respond({ status: 200, headers: [header('Expires', '3600')] })
    assert.ok(await settling.idle(3_000))
    assert.equal(alice.currentCall?.status, 'connected')
    node.log({ msg: 'media effect', media: { _tag: 'JoinMix', leg, conference: '2' } })
    node.log({ msg: 'media effect', media: { _tag: 'Show', leg, view: { _tag: 'SelfView' } } })
    assert.deepEqual(alice.currentCall?.hearing, { kind: 'conference', room: "Bob's room" })
    assert.deepEqual(alice.screen, { kind: 'self-view' })
    assert.deepEqual(alice.currentCall?.media.video, { sending: true, receiving: true })
  })
})

test('digits go as INFO in order; chat both ways; the far end hanging up ends the call', async () => {
  await world(async ({ network, settling }) => {
    const frank = new SipVideoApp({ name: 'Frank', address: 'frank@sip.example.com' }, network)
    frank.dial('meet.bob@example.com')
    const invite = await node.next('INVITE')
    assert.equal(invite.flow.protocol, 'udp')
    assert.equal(invite.request.getHeader('User-Agent'), undefined)
    const { dialog } = node.answer(invite, { audio: 'sendrecv', video: 'sendrecv' })
    node.watch(dialog)
    frank.enterDigits('12#')
    const digits: string[] = []
    for (let i = 0; i < 3; i += 1) {
      const info = await node.next('INFO')
      const parsed = parseDtmfInfo(info.request.getHeader('Content-Type') ?? '', info.request.bodyBytes)
      assert.ok(E.isRight(parsed))
      digits.push(parsed.right.digit)
      info.respond({ status: 200 })
    }
    assert.deepEqual(digits, ['1', '2', '#'])
    assert.ok(await settling.idle(3_000))
    frank.sendChat('I can chat')
    const message = await node.next('MESSAGE')
    assert.equal(message.request.body, 'I can chat')
    message.respond({ status: 200 })
    const delivered = await dialog.request({ method: 'MESSAGE', body: { contentType: 'text/plain; charset=UTF-8', content: 'Alice: after' } })
    assert.ok(E.isRight(delivered))
    await until(() => assert.deepEqual(frank.chatLines.map((l) => l.text), ['Alice: after']))
    assert.match(frank.chatLines[0]?.from.uri ?? '', /meet\.bob@example\.com/)
    await dialog.bye()
    await until(() => assert.equal(frank.currentCall?.status, 'ended'))
    assert.equal(frank.currentCall?.endReason, 'bye')
  })
})

test('hanging up sends BYE; a refused call fails with its status', async () => {
  await world(async ({ network, settling }) => {
    const dave = new SipRoomSystem({ name: 'Dave', address: 'dave-room@rooms.example.com' }, network)
    dave.dial('meet.nobody@example.com')
    const refused = await node.next('INVITE')
    refused.respond({ status: 404, reason: 'Not Found' })
    assert.ok(await settling.idle(3_000))
    assert.equal(dave.screen.kind, 'call-failed')
    assert.equal(dave.currentCall?.failure?.status, 404)
    dave.dial('meet.bob@example.com')
    const invite = await node.next('INVITE')
    const offer = readOffer(invite.request.getHeader('Content-Type') ?? '', invite.request.bodyBytes)
    assert.ok(E.isRight(offer) && offer.right.media.content, 'a room system offers content with its BFCP line')
    const { dialog } = node.answer(invite, { audio: 'sendrecv', video: 'sendrecv' })
    const state = node.watch(dialog)
    await settling.idle(3_000)
    dave.hangUp()
    await until(() => assert.ok(state.ended))
    assert.equal(dave.currentCall?.status, 'ended')
  })
})

test("the node's re-offer of room video reaches an audio-only caller", async () => {
  await world(async ({ frontEnd, settling }) => {
    const alice = new SfbClient({ name: 'Alice', address: 'alice@example.com' }, frontEnd)
    frontEnd.home(alice)
    alice.dial('meet.bob@example.com', 'audio-only')
    const invite = await node.next('INVITE')
    const { dialog } = node.answer(invite, { audio: 'sendrecv' })
    await settling.idle(3_000)
    assert.deepEqual(alice.currentCall?.media.video, { sending: false, receiving: false })
    const previous = negotiateAnswer(
      (readOffer(invite.request.getHeader('Content-Type') ?? '', invite.request.bodyBytes) as E.Right<never>).right,
      { audio: 'sendrecv' },
      node.local(),
    ).sdp
    const reoffer = buildOffer({ _tag: 'Update', previous, media: { audio: 'sendrecv', video: 'sendonly' }, local: node.local() })
    assert.ok(E.isRight(reoffer))
    const answered = await dialog.reinvite({ body: { contentType: 'application/sdp', content: reoffer.right } })
    assert.ok(E.isRight(answered))
    const answer = readOffer(answered.right.getHeader('Content-Type') ?? '', answered.right.bodyBytes)
    assert.ok(E.isRight(answer))
    assert.equal(answer.right.streams.find((s) => s.kind === 'rtp' && s.role === 'video' && s.primary && s.port !== 0)?.kind, 'rtp')
    assert.deepEqual(alice.currentCall?.media.video, { sending: false, receiving: true })
  })
})

test('a contact is a batched SUBSCRIBE; the piggybacked answer and a later NOTIFY update it', async () => {
  await world(async ({ frontEnd, settling }) => {
    const bob = new SfbClient({ name: 'Bob', address: 'bob@example.com' }, frontEnd)
    frontEnd.home(bob)
    bob.addContact('meet.alice@example.com')
    const subscribe = await node.next('SUBSCRIBE')
    const r = subscribe.request
    assert.equal(r.requestUri, 'sip:bob@example.com')
    assert.equal(r.getHeader('Content-Type'), 'application/msrtc-adrl-categorylist+xml')
    assert.match(r.getHeaders('Supported').join(', '), /ms-piggyback-first-notify/)
    const batch = parseBatchSubscription(r.body)
    assert.ok(E.isRight(batch))
    assert.deepEqual(subscribedResources(batch.right).map((x) => x.uri), ['sip:meet.alice@example.com'])
    const avatars = { baseUrl: 'http://127.0.0.1:8080', productLogoHash: 'logo' }
    const answer = renderBatchedAnswer({
      listUri: 'sip:bob@example.com',
      version: 0,
      fullState: true,
      resources: [{ uri: 'sip:meet.alice@example.com', document: { _tag: 'Available', displayName: "Alice's meeting room", avatar: { _tag: 'ProductLogo' } } }],
      partFormat: 'msrtc-categories',
      boundary: 'b1',
      avatars,
    })
    assert.ok(E.isRight(answer))
    const sent = subscribe.respond({ status: 200, headers: [header('Expires', '3600'), header('Event', 'presence')], body: { contentType: answer.right.contentType, content: answer.right.body } })
    assert.ok(E.isRight(sent) && sent.right !== undefined)
    await settling.idle(3_000)
    assert.deepEqual(bob.contact('meet.alice@example.com'), { state: 'Available', displayName: "Alice's meeting room", picture: { kind: 'product-logo' } })
    const notified = await sent.right.request({
      method: 'NOTIFY',
      headers: [header('Event', 'presence'), header('Subscription-State', 'active;expires=3500')],
      body: { contentType: 'application/msrtc-event-categories+xml', content: renderCategoriesDocument('sip:meet.alice@example.com', { _tag: 'Unknown' }, { avatars }) },
    })
    assert.ok(E.isRight(notified), 'the watcher answers the NOTIFY')
    await until(() => assert.deepEqual(bob.contact('meet.alice@example.com'), { state: 'Presence unknown' }))
  })
})

test('a call the node places rings the endpoint at that address; nobody there is 404', async () => {
  await world(async ({ network }) => {
    const dave = new SipRoomSystem({ name: 'Dave', address: 'recorder@rooms.example.com' }, network)
    network.attach(dave.reachable)
    const [host, port] = edge.address.sip.split(':')
    const offer = buildOffer({ _tag: 'Initial', dialect: 'sip', media: { audio: 'sendrecv', video: 'sendrecv' }, local: node.local() })
    assert.ok(E.isRight(offer))
    const leg = node.newLeg()
    node.log({ msg: 'dialling out', leg, to: 'sip:recorder@rooms.example.com', protocol: 'sip' })
    const answered = await new Promise<Dialog>((resolve, reject) =>
      node.stack.invite(
        { requestUri: 'sip:recorder@rooms.example.com', from: `"Bob's room" <sip:meet.bob@example.com>`, to: '<sip:recorder@rooms.example.com>', route: [`<sip:${host}:${port};lr>`], body: { contentType: 'application/sdp', content: offer.right } },
        { onAnswered: (_response, dialog) => resolve(dialog), onFailed: (f) => reject(new Error(f._tag)) },
      ),
    )
    node.log({ msg: 'media effect', media: { _tag: 'JoinMix', leg, conference: '2' } })
    assert.equal(dave.currentCall?.direction, 'incoming')
    assert.equal(dave.currentCall?.caller?.displayName, "Bob's room")
    assert.deepEqual(dave.currentCall?.hearing, { kind: 'conference', room: "Bob's room" })
    const info = await answered.request({ method: 'INFO', body: { contentType: 'application/dtmf-relay', content: 'Signal=5\r\nDuration=160\r\n' } })
    assert.ok(E.isRight(info))
    assert.equal(dave.currentCall?.tones, '5')
    const nobody = await new Promise<number>((resolve) =>
      node.stack.invite(
        { requestUri: 'sip:nobody@rooms.example.com', from: '<sip:meet.bob@example.com>', to: '<sip:nobody@rooms.example.com>', route: [`<sip:${host}:${port};lr>`], body: { contentType: 'application/sdp', content: offer.right } },
        { onAnswered: () => resolve(200), onFailed: (f) => resolve(f._tag === 'Rejected' ? f.response.status : 0) },
      ),
    )
    assert.equal(nobody, 404)
    await answered.bye()
    await until(() => assert.equal(dave.currentCall?.status, 'ended'))
  })
})
