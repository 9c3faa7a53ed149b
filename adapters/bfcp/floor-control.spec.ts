/**
 * The floor control server against BFCP clients over real loopback UDP and TCP, with the real
 * core deciding (NodeHarness): grant, release, a second presenter taking the floor, a Guest
 * refused where Guests may not present (DESIGN §2 Content), the Error answers, the leg's end, and
 * the TCP connection on Parley's own offers (a client answering setup:passive is connected to).
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import pino from 'pino'
import type { LegId } from '../../core/model/ids.js'
import { LegId as legId } from '../../core/model/ids.js'
import type { Effect } from '../../core/node/effect.js'
import type { Media, MediaEffect, MediaError } from '../../core/ports/media.js'
import { NodeHarness, makeConfig, makeVmr, pin } from '../../core/node/node-harness.js'
import { systemClock } from '../node/system-clock.js'
import type { BfcpMessage } from './bfcp-message.js'
import { findAttribute } from './bfcp-message.js'
import { parseSdp } from '../sip/sdp/parse-sdp.js'
import { FloorControl } from './floor-control.js'
import { BfcpClient, floorRequestIdIn, requestStatusIn } from './testing/bfcp-client.js'

const mediaTags = new Set<Effect['_tag']>(['Show', 'Play', 'JoinMix', 'LeaveMix', 'Bridge', 'GrantFloor', 'RevokeFloor'])
const isMedia = (e: Effect): e is MediaEffect => mediaTags.has(e._tag)

const room = (guestsCanPresent: boolean) =>
  makeVmr('1', { name: "Alice's meeting room", aliases: ['meet.alice@example.com'], allowGuests: true, pin: pin('1234'), guestsCanPresent })

interface World {
  readonly h: NodeHarness
  readonly floor: FloorControl
  /** The inputs BFCP gave the core. */
  readonly inputs: string[]
  readonly join: (leg: string, role: 'host' | 'guest') => LegId
  readonly client: (leg: LegId, transport: 'udp' | 'tcp') => Promise<BfcpClient>
  readonly clients: BfcpClient[]
}

/** The media side's floor, as the GrantFloor and RevokeFloor effects that reach it leave it. */
const floorHolders = (): { readonly inner: Media; readonly held: Set<string>; readonly revoked: string[] } => {
  const held = new Set<string>()
  const revoked: string[] = []
  const inner: Media = {
    perform: (effect) => {
      if (effect._tag === 'GrantFloor') held.add(effect.leg)
      if (effect._tag === 'RevokeFloor') {
        held.delete(effect.leg)
        revoked.push(effect.leg)
      }
      return TE.right(undefined)
    },
    onInput: () => undefined,
  }
  return { inner, held, revoked }
}

const open = async (
  guestsCanPresent: boolean,
  inner: Media = { perform: () => TE.right(undefined), onInput: () => undefined },
  grantAfterMediaMs = 250,
): Promise<World> => {
  const h = new NodeHarness(makeConfig({ vmrs: [room(guestsCanPresent)] }))
  const opened = await FloorControl.open({ bindHost: '127.0.0.1', port: 0, clock: systemClock, logger: pino({ level: 'silent' }), timers: { reconnectMs: 100, grantAfterMediaMs } })
  assert.ok(opened._tag === 'Right')
  const floor = opened.right
  const media = floor.media(inner)
  const carry = (effects: ReadonlyArray<Effect>): void => {
    for (const e of effects) if (isMedia(e)) void media.perform(e)()
  }
  const inputs: string[] = []
  media.onInput((input) => {
    inputs.push(`${input._tag} ${'leg' in input ? input.leg : ''}`)
    carry(h.send(input))
  })
  const clients: BfcpClient[] = []
  return {
    h,
    floor,
    inputs,
    clients,
    join: (leg, role) => {
      carry(h.offer(leg, role === 'host' ? 'meet.alice**1234@example.com' : 'meet.alice@example.com'))
      if (role === 'guest') carry(h.keys(leg, '#'))
      return legId(leg)
    },
    client: async (leg, transport) => {
      const ids = floor.server.idsFor(leg)
      floor.server.negotiated(leg, transport, undefined)
      const port = transport === 'udp' ? floor.ports.udp : floor.ports.tcp
      const client = transport === 'udp' ? await BfcpClient.udp('127.0.0.1', port, ids) : await BfcpClient.tcp('127.0.0.1', port, ids)
      clients.push(client)
      return client
    },
  }
}

const close = async (w: World): Promise<void> => {
  for (const c of w.clients) c.close()
  await w.floor.close()
}

void describe('BFCP floor control over UDP and TCP (RFC 8855), the core deciding', () => {
  let w: World
  before(async () => (w = await open(true)))
  after(async () => close(w))

  void it('answers Hello, grants a room system its floor request, and releases it', async () => {
    const room1 = w.join('room1', 'host')
    const client = await w.client(room1, 'udp')
    const helloAck = await client.hello()
    assert.equal(helloAck.primitive, 'HelloAck')
    assert.ok(helloAck.responder, 'a version 2 answer carries the R bit')
    assert.ok(findAttribute(helloAck.attributes, 'SupportedPrimitives')?.primitives.includes(1))

    const pending = await client.requestFloor()
    assert.equal(pending.primitive, 'FloorRequestStatus')
    assert.equal(requestStatusIn(pending), 'Pending')
    const requestId = floorRequestIdIn(pending)
    assert.ok(requestId !== undefined)
    const granted = await client.statusUpdate('Granted')
    assert.equal(floorRequestIdIn(granted), requestId)
    assert.ok(w.h.log.some((e) => e._tag === 'GrantFloor' && e.leg === room1))
    assert.deepEqual(w.inputs, ['ContentRequested room1'])

    const released = await client.releaseFloor(requestId)
    assert.equal(requestStatusIn(released), 'Released')
    assert.deepEqual(w.inputs, ['ContentRequested room1', 'ContentReleased room1'])
    const query = await client.request('FloorRequestQuery', [{ type: 'FloorRequestId', mandatory: true, value: requestId }])
    assert.equal(query.primitive, 'Error')
    assert.equal(findAttribute(query.attributes, 'ErrorCode')?.code, 7)
  })

  void it('a second presenter over TCP takes the floor: the first is revoked, and each sees the floor change hands', async () => {
    const first = await w.client(w.join('room2', 'host'), 'udp')
    const second = await w.client(w.join('room3', 'host'), 'tcp')
    await second.hello()
    const firstPending = await first.requestFloor()
    await first.statusUpdate('Granted')
    await second.floorStatus(true)

    const secondPending = await second.requestFloor()
    assert.equal(requestStatusIn(secondPending), 'Pending')
    assert.equal(secondPending.version, 1)
    assert.equal(secondPending.responder, false, 'no R bit in version 1')
    const revoked = await first.statusUpdate('Revoked')
    assert.equal(floorRequestIdIn(revoked), floorRequestIdIn(firstPending))
    const granted = await second.statusUpdate('Granted')
    assert.equal(granted.transactionId, 0, 'over TCP the server’s own messages carry transaction 0 (§8)')
    await first.floorStatus(true)
  })

  void it('answers what it cannot do with Error codes', async () => {
    const client = await w.client(w.join('room4', 'host'), 'udp')
    const errorCode = (m: BfcpMessage): number | undefined => findAttribute(m.attributes, 'ErrorCode')?.code
    assert.equal(errorCode(await client.request('FloorRequest', [{ type: 'FloorId', mandatory: true, value: 9 }])), 6)
    assert.equal(errorCode(await client.request('ChairAction', [])), 5)
    assert.equal(errorCode(await client.request('FloorRequest', [{ type: 'FloorId', mandatory: true, value: 1 }, { type: 'Unknown', mandatory: true, code: 99, contents: new Uint8Array(2) }])), 4)
    await client.requestFloor()
    assert.equal(errorCode(await client.requestFloor()), 8)
    const stranger = await BfcpClient.udp('127.0.0.1', w.floor.ports.udp, { conferenceId: 0xfffffff0, userId: 1, floorId: 1 })
    w.clients.push(stranger)
    assert.equal(errorCode(await stranger.request('Hello')), 1)
    const owner = await w.client(w.join('room7', 'host'), 'tcp')
    await owner.hello()
    const impostor = await BfcpClient.tcp('127.0.0.1', w.floor.ports.tcp, owner.ids)
    w.clients.push(impostor)
    assert.equal(errorCode(await impostor.requestFloor()), 5, 'a user on a TCP connection is that connection’s')
    assert.ok(!w.inputs.includes('ContentRequested room7'))
  })

  void it('a leg that ends leaves the floor free for the others, and its TCP connection is closed', async () => {
    const presenter = w.join('room5', 'host')
    const client = await w.client(presenter, 'tcp')
    const watcher = await w.client(w.join('room6', 'host'), 'udp')
    await watcher.hello()
    await client.requestFloor()
    await client.statusUpdate('Granted')
    await watcher.floorStatus(true)
    watcher.skipReceived()
    w.floor.release(presenter)
    await watcher.floorStatus(false)
    assert.ok(!w.inputs.includes('ContentReleased room5'), 'the core hears of the leg’s end from the SIP side, not as a release')
    const deadline = Date.now() + 2_000
    while (!client.connectionClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    assert.ok(client.connectionClosed, 'the server ends the leg’s BFCP connection')
  })
})

void describe('BFCP to a room system that listens (RFC 4145 a=setup:passive in its offer)', () => {
  let w: World
  before(async () => (w = await open(true)))
  after(async () => close(w))

  void it('Parley connects to it, and the floor request on that connection is granted', async () => {
    const leg = w.join('listener', 'host')
    const ids = w.floor.server.idsFor(leg)
    const listener = net.createServer()
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    const port = (listener.address() as net.AddressInfo).port
    const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve))
    w.floor.negotiated(leg, [
      { kind: 'floor-control', index: 3, port: 9, transport: 'tcp', setup: 'active', ids, contentLabel: '3', remote: { ipVersion: 4, address: '127.0.0.1', port, rtcpPort: port + 1 } },
    ])
    const client = BfcpClient.overConnection(await accepted, ids)
    w.clients.push(client)
    try {
      assert.equal(requestStatusIn(await client.requestFloor()), 'Pending')
      await client.statusUpdate('Granted')
    } finally {
      listener.close()
    }
  })
})

void describe('BFCP where Guests may not present', () => {
  let w: World
  before(async () => (w = await open(false)))
  after(async () => close(w))

  void it('a Guest’s floor request is Denied and a Host’s granted', async () => {
    w.join('host', 'host')
    const guest = await w.client(w.join('g1', 'guest'), 'udp')
    const pending = await guest.requestFloor()
    assert.equal(requestStatusIn(pending), 'Pending')
    const denied = await guest.statusUpdate('Denied')
    assert.equal(floorRequestIdIn(denied), floorRequestIdIn(pending))
    assert.ok(!w.h.log.some((e) => e._tag === 'GrantFloor'))
    const host = await w.client(legId('host'), 'tcp')
    await host.requestFloor()
    await host.statusUpdate('Granted')
  })

  void it('a presenter whose TCP connection drops and does not come back releases the floor', async () => {
    const host = await w.client(w.join('host2', 'host'), 'tcp')
    await host.requestFloor()
    await host.statusUpdate('Granted')
    host.close()
    const deadline = Date.now() + 2_000
    while (!w.inputs.includes('ContentReleased host2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    assert.ok(w.inputs.includes('ContentReleased host2'), w.inputs.join(', '))
  })
})

void describe('the media side’s floor follows BFCP releases (it decodes only the holder’s content)', () => {
  const media = floorHolders()
  let w: World
  before(async () => (w = await open(true, media.inner)))
  after(async () => close(w))

  void it('a FloorRelease revokes the floor on the media side too, so the next presenter is its only holder', async () => {
    const first = await w.client(w.join('r1', 'host'), 'udp')
    const second = await w.client(w.join('r2', 'host'), 'tcp')
    const pending = await first.requestFloor()
    await first.statusUpdate('Granted')
    assert.deepEqual([...media.held], ['r1'])
    await first.releaseFloor(floorRequestIdIn(pending) ?? assert.fail('no floor request id'))
    assert.deepEqual([...media.held], [])
    // The core revokes the releasing leg (core/conference: releaseFloor), once: the adapter adds no second RevokeFloor.
    assert.ok(w.h.log.some((e) => e._tag === 'RevokeFloor' && e.leg === 'r1'))
    assert.deepEqual(media.revoked, ['r1'])
    await second.requestFloor()
    await second.statusUpdate('Granted')
    assert.deepEqual([...media.held], ['r2'])
  })

  void it('a presenter’s Goodbye leaves no holder on the media side', async () => {
    const presenter = await w.client(w.join('r3', 'host'), 'udp')
    await presenter.requestFloor()
    await presenter.statusUpdate('Granted')
    assert.ok(media.held.has('r3'))
    assert.equal((await presenter.request('Goodbye')).primitive, 'GoodbyeAck')
    assert.ok(!media.held.has('r3'))
    assert.deepEqual([...media.held], [])
    assert.deepEqual(media.revoked.filter((leg) => leg === 'r3'), ['r3'], 'revoked once, by the core')
  })
})

/** A media side whose floor grants complete only when the spec says (`open`), or never. */
const slowFloor = (): { readonly inner: Media; readonly open: () => void; readonly asked: () => number } => {
  const pending: Array<() => void> = []
  const inner: Media = {
    perform: (effect) =>
      effect._tag === 'GrantFloor' ? () => new Promise<E.Either<MediaError, void>>((resolve) => pending.push(() => resolve(E.right(undefined)))) : TE.right(undefined),
    onInput: () => undefined,
  }
  return { inner, open: () => pending.splice(0).forEach((finish) => finish()), asked: () => pending.length }
}

void describe('Granted is sent once the media side lets the presenter’s content through (a room system starts it, keyframe first, on the grant)', () => {
  void it('waits for the media side', async () => {
    const media = slowFloor()
    const w = await open(true, media.inner, 10_000)
    try {
      const client = await w.client(w.join('m1', 'host'), 'udp')
      assert.equal(requestStatusIn(await client.requestFloor()), 'Pending')
      assert.ok(w.h.log.some((e) => e._tag === 'GrantFloor' && e.leg === 'm1'), 'the core granted')
      assert.equal(media.asked(), 1, 'the media side was asked')
      await assert.rejects(client.statusUpdate('Granted', 200), /no FloorRequestStatus Granted/)
      media.open()
      await client.statusUpdate('Granted', 1_000)
    } finally {
      await close(w)
    }
  })

  void it('a grant revoked before the media side answered is never announced', async () => {
    const media = slowFloor()
    const w = await open(true, media.inner, 10_000)
    try {
      const first = await w.client(w.join('m2', 'host'), 'udp')
      const second = await w.client(w.join('m3', 'host'), 'udp')
      await first.requestFloor()
      await second.requestFloor()
      // The core gave the floor to m2, then to m3 (revoking m2's) before either grant was through.
      await first.statusUpdate('Revoked', 1_000)
      assert.equal(media.asked(), 2)
      media.open()
      await second.statusUpdate('Granted', 1_000)
      await assert.rejects(first.statusUpdate('Granted', 300), /no FloorRequestStatus Granted/)
    } finally {
      await close(w)
    }
  })

  void it('a media side that does not answer delays the grant by grantAfterMediaMs only', async () => {
    const media = slowFloor()
    const w = await open(true, media.inner, 150)
    try {
      const client = await w.client(w.join('m4', 'host'), 'udp')
      const asked = Date.now()
      await client.requestFloor()
      await client.statusUpdate('Granted', 2_000)
      const waitedMs = Date.now() - asked
      assert.ok(waitedMs >= 100, `Granted came after the bound, not at once: ${waitedMs} ms`)
    } finally {
      await close(w)
    }
  })
})

/** A BFCP client's answer to Parley's offer (`a=setup:passive`, RFC 8856 §5.1), listening where `port` says. */
const clientAnswer = (port: number, setup: string) =>
  parseSdp(
    [
      'v=0',
      'o=room 1 1 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 20000 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      `m=application ${port} TCP/BFCP *`,
      'a=floorctrl:c-only',
      `a=setup:${setup}`,
      'a=connection:new',
      '',
    ].join('\r\n'),
  )

const listening = async (): Promise<{ readonly port: number; readonly connections: net.Socket[]; readonly next: (boundMs?: number) => Promise<net.Socket>; readonly close: () => void }> => {
  const connections: net.Socket[] = []
  const server = net.createServer((socket) => connections.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    /** The next connection to it, or a failure after `boundMs`. */
    next: (boundMs = 2_000) =>
      new Promise<net.Socket>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no connection within ${boundMs} ms`)), boundMs)
        server.once('connection', (socket) => {
          clearTimeout(timer)
          resolve(socket)
        })
      }),
    close: () => {
      for (const c of connections) c.destroy()
      server.close()
    },
  }
}

void describe('BFCP on Parley’s own offers (it offers a=setup:passive, RFC 4145 §4.1, RFC 8856 §5.1)', () => {
  let w: World
  before(async () => (w = await open(true)))
  after(async () => close(w))

  void it('a client that answers setup:passive all the same is connected to over TCP, and its floor request is granted', async () => {
    const leg = w.join('own-passive', 'host')
    const ids = w.floor.server.idsFor(leg)
    const client = await listening()
    try {
      const answer = clientAnswer(client.port, 'passive')
      assert.ok(E.isRight(answer), JSON.stringify(answer))
      const accepted = client.next()
      w.floor.offerAnswered(leg, answer.right)
      const bfcp = BfcpClient.overConnection(await accepted, ids)
      w.clients.push(bfcp)
      assert.equal(requestStatusIn(await bfcp.requestFloor()), 'Pending')
      await bfcp.statusUpdate('Granted')
      assert.ok(w.inputs.includes('ContentRequested own-passive'), w.inputs.join(', '))
    } finally {
      client.close()
    }
  })

  void it('a client that answers setup:active (as RFC 4145 asks) is waited for: Parley opens no connection, the client connects', async () => {
    const leg = w.join('own-active', 'host')
    const client = await listening()
    try {
      const answer = clientAnswer(client.port, 'active')
      assert.ok(E.isRight(answer), JSON.stringify(answer))
      w.floor.offerAnswered(leg, answer.right)
      const bfcp = await BfcpClient.tcp('127.0.0.1', w.floor.ports.tcp, w.floor.server.idsFor(leg))
      w.clients.push(bfcp)
      assert.equal(requestStatusIn(await bfcp.requestFloor()), 'Pending')
      await bfcp.statusUpdate('Granted')
      assert.equal(client.connections.length, 0, 'Parley did not connect to an active client')
    } finally {
      client.close()
    }
  })
})
