/**
 * An SfB client's screen share on the wire against a scripted node (a SipStack on loopback playing
 * Parley's side by hand): the share is an INVITE outside the call's dialog, of its conversation,
 * from the same client instance, whose offer Parley reads as a sharing offer (RDP beside VbSS,
 * sendonly, role sharer; RDP alone for SfB 2015); stopping is BYE on it, with the call going on;
 * the node's BYE on it means the client no longer presents.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { systemClock } from '../../adapters/node/system-clock.js'
import { negotiateAnswer } from '../../adapters/sip/sdp/build-answer.js'
import type { ParsedOffer } from '../../adapters/sip/sdp/parsed-offer.js'
import { readOffer } from '../../adapters/sip/sdp/read-offer.js'
import { sfbSharingOfferOf } from '../../adapters/sip/sdp/sfb-sharing.js'
import { header } from '../../adapters/sip/stack/message-writer.js'
import { SipStack } from '../../adapters/sip/stack/sip-stack.js'
import type { Dialog, ServerRequest } from '../../adapters/sip/stack/stack-types.js'
import { NodeSipTransport } from '../../adapters/sip/transport/node-sip-transport.js'
import { SfbClient } from '../endpoints/sfb-client.js'
import { SfbFrontEnd } from '../endpoints/sfb-front-end.js'
import { LoopbackAddresses } from './loopback-addresses.js'
import { NodeReports } from './node-reports.js'
import { RunDirectory } from './run-directory.js'
import { Settling } from './settling.js'
import { sfbSharingOffer } from './sfb-screen-share.js'
import { SipNetwork, WireEdge } from './sip-network.js'

const run = new RunDirectory('sfb-screen-share-spec-')
let stack: SipStack
let transport: NodeSipTransport
let edge: WireEdge
const requests: ServerRequest[] = []
const waiting: Array<(r: ServerRequest) => void> = []

const hand = (r: ServerRequest): void => {
  const take = waiting.shift()
  if (take === undefined) requests.push(r)
  else take(r)
}

/** The next request the scripted node gets, outside a dialog or in one it watches. */
const next = (method: string): Promise<ServerRequest> => {
  const already = requests.shift()
  if (already !== undefined) {
    assert.equal(already.request.method, method)
    return Promise.resolve(already)
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${method} within 3 s`)), 3_000)
    waiting.push((r) => {
      clearTimeout(timer)
      assert.equal(r.request.method, method)
      resolve(r)
    })
  })
}

const offerOf = (r: ServerRequest): ParsedOffer => {
  const offer = readOffer(r.request.getHeader('Content-Type') ?? '', r.request.bodyBytes)
  if (E.isLeft(offer)) assert.fail(`unreadable offer: ${offer.left._tag}`)
  return offer.right
}

/** Answers an INVITE as Parley would (its streams in `media`), and gives its dialog. */
const answer = (r: ServerRequest, media: Parameters<typeof negotiateAnswer>[1]): Dialog => {
  const local = { publicHost: '127.0.0.1', ports: { audio: 41000, video: 41002, content: 41004, floorControl: 41006 }, randomBytes: (n: number) => new Uint8Array(n).fill(7), session: { id: '1', version: 1 }, localUri: 'sip:meet.bob@example.com' }
  const sent = r.respond({ status: 200, body: { contentType: 'application/sdp', content: negotiateAnswer(offerOf(r), media, local).sdp } })
  if (E.isLeft(sent) || sent.right === undefined) assert.fail('no dialog from the 200')
  return sent.right
}

const until = async (check: () => void): Promise<void> => {
  const deadline = performance.now() + 3_000
  for (;;) {
    try {
      return check()
    } catch (failure) {
      if (performance.now() > deadline) throw failure
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

before(async () => {
  const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { tls: 0 }, tls: { cert: run.tls.cert, key: run.tls.key, ca: [run.tls.cert] } })
  if (E.isLeft(opened)) assert.fail(JSON.stringify(opened.left))
  transport = opened.right
  stack = new SipStack({ transport, clock: systemClock, publicHost: '127.0.0.1' })
  stack.onRequest(hand)
  edge = await WireEdge.open(run.tls)
})

after(async () => {
  stack.close()
  await transport.close()
  await edge.close()
  run.remove()
})

test('the sharing offer is what Parley reads as an SfB share: VbSS sendonly beside RDP as sharer, or RDP alone', () => {
  const read = (sdp: string): ParsedOffer => {
    const offer = readOffer('application/sdp', new TextEncoder().encode(sdp))
    if (E.isLeft(offer)) assert.fail(`unreadable: ${offer.left._tag}`)
    return offer.right
  }
  const vbss = read(sfbSharingOffer('vbss', '127.0.0.9', 40_010))
  assert.ok(vbss.applicationSharing)
  assert.equal(sfbSharingOfferOf(vbss)?.sharer, true)
  assert.equal(sfbSharingOfferOf(vbss)?.vbss?.direction, 'sendonly')
  assert.equal(sfbSharingOfferOf(vbss)?.vbss?.port, 40_012)
  assert.ok(sfbSharingOfferOf(vbss)?.vbss?.secure)
  const rdp = read(sfbSharingOffer('rdp', '127.0.0.9', 40_010))
  assert.deepEqual(sfbSharingOfferOf(rdp), { sharer: true })
})

test("an SfB share is a sharing dialog of the call's conversation; stopping it is its BYE, the node's BYE stops it", async () => {
  const settling = new Settling()
  const reports = new NodeReports((id) => id)
  const ports = transport.ports()
  const network = new SipNetwork({ node: { udp: 0, tcp: 0, tls: ports.tls ?? 0 }, tls: run.tls, addresses: new LoopbackAddresses(230), reports, settling }, edge)
  const frontEnd = new SfbFrontEnd(network)
  try {
    const alice = new SfbClient({ name: 'Alice', address: 'alice@example.com' }, frontEnd)
    frontEnd.home(alice)
    alice.dial('meet.bob@example.com')
    const call = await next('INVITE')
    reports.read({ msg: 'call offered', leg: 'leg-1', callId: call.request.callId })
    answer(call, { audio: 'sendrecv', video: 'sendrecv' })
    ;(await next('SUBSCRIBE')).respond({ status: 200, headers: [header('Expires', '3600')] })
    assert.ok(await settling.idle(3_000))
    // Shares: an INVITE outside the call's dialog, of its conversation, from the same client instance.
    alice.share()
    const share = await next('INVITE')
    const r = share.request
    assert.notEqual(r.callId, call.request.callId)
    assert.equal(r.getHeader('Ms-Conversation-ID'), call.request.getHeader('Ms-Conversation-ID'))
    assert.equal(r.requestUri, 'sip:meet.bob@example.com')
    const epid = (value: string | undefined): string | undefined => /epid=([0-9a-f]+)/.exec(value ?? '')?.[1]
    assert.equal(epid(r.getHeader('From')), epid(call.request.getHeader('From')))
    assert.equal(sfbSharingOfferOf(offerOf(share))?.vbss?.direction, 'sendonly')
    const sharing = answer(share, { content: 'sendrecv' })
    let shareEnded = false
    sharing.setHandler({ onTerminated: () => (shareEnded = true) })
    assert.ok(await settling.idle(3_000))
    reports.read({ msg: 'media effect', media: { _tag: 'GrantFloor', leg: 'leg-1' } })
    assert.equal(alice.currentCall?.presenting, true)
    // Stops: BYE on the sharing dialog; the call goes on.
    alice.stopSharing()
    await until(() => assert.ok(shareEnded))
    assert.equal(alice.currentCall?.presenting, false)
    assert.equal(alice.currentCall?.status, 'connected')
    // Shares again; the node ends the share (the floor taken away): the client no longer presents.
    alice.share()
    const again = answer(await next('INVITE'), { content: 'sendrecv' })
    assert.ok(await settling.idle(3_000))
    reports.read({ msg: 'media effect', media: { _tag: 'GrantFloor', leg: 'leg-1' } })
    assert.equal(alice.currentCall?.presenting, true)
    await again.bye()
    await until(() => assert.equal(alice.currentCall?.presenting, false))
    assert.equal(alice.currentCall?.status, 'connected')
  } finally {
    await network.close()
  }
})
