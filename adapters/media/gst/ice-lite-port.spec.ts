import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import dgram from 'node:dgram'
import pino from 'pino'
import { Attribute, MessageType, readStun, writeStun } from './ice-stun.js'
import { IceLitePort } from './ice-lite-port.js'

const bound = async (): Promise<dgram.Socket> => {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  return socket
}
const freePort = async (): Promise<number> => {
  const s = await bound()
  const { port } = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}
const next = (socket: dgram.Socket): Promise<{ readonly packet: Buffer; readonly from: dgram.RemoteInfo }> =>
  new Promise((resolve) => socket.once('message', (packet, from) => resolve({ packet, from })))

void test('the shim relays RTP both ways, reports far-end packets, and sends to the nominated pair once USE-CANDIDATE arrives (RFC 8445 §7.3.1.5)', async (t) => {
  const [inner, sdpAddress, candidate] = await Promise.all([bound(), bound(), bound()])
  t.after(() => [inner, sdpAddress, candidate].forEach((s) => s.close()))
  const port = await freePort()
  const seen: Buffer[] = []
  const credentials = { localUfrag: 'Lf2x', localPwd: 'abcdefghijklmnopqrstuvwx' }
  const shim = new IceLitePort({
    bindHost: '127.0.0.1',
    port,
    credentials,
    remote: { address: '127.0.0.1', port: sdpAddress.address().port },
    inner: { address: '127.0.0.1', port: inner.address().port },
    logger: pino({ level: 'silent' }),
    onFarEndPacket: (p) => seen.push(p),
    onError: (message) => assert.fail(message),
  })
  t.after(() => shim.close())
  await new Promise((resolve) => setTimeout(resolve, 20))
  const rtp = Buffer.from('80000001000000a0deadbeef00', 'hex')
  // Far end -> Parley's chain.
  const toInner = next(inner)
  candidate.send(rtp, port, '127.0.0.1')
  assert.deepEqual((await toInner).packet, rtp)
  assert.deepEqual(seen, [rtp])
  // Parley's chain -> the SDP address, before any nomination.
  const toSdp = next(sdpAddress)
  inner.send(rtp, port, '127.0.0.1')
  assert.deepEqual((await toSdp).packet, rtp)
  // A nominating check from another address moves the media there.
  const id = randomBytes(12)
  const answered = next(candidate)
  candidate.send(writeStun(MessageType.bindingRequest, id, [[Attribute.username, Buffer.from('Lf2x:abcd')], [Attribute.useCandidate, Buffer.alloc(0)]], credentials.localPwd), port, '127.0.0.1')
  assert.equal(readStun((await answered).packet)?.type, MessageType.bindingSuccess)
  assert.deepEqual(shim.destination, { address: '127.0.0.1', port: candidate.address().port })
  const toCandidate = next(candidate)
  inner.send(rtp, port, '127.0.0.1')
  assert.deepEqual((await toCandidate).packet, rtp)
  // Anything else (a DTLS-looking datagram) is dropped.
  candidate.send(Buffer.from([0x16, 1, 2]), port, '127.0.0.1')
  await new Promise((resolve) => setTimeout(resolve, 30))
  assert.deepEqual(shim.counts, { checksAnswered: 1, checksIgnored: 0, relayedIn: 1, relayedOut: 2 })
})

void test('a re-INVITE with new credentials is an ICE restart (old ones no longer answered, nomination dropped); without one, media follows the new SDP address', async (t) => {
  const [inner, first, second] = await Promise.all([bound(), bound(), bound()])
  t.after(() => [inner, first, second].forEach((s) => s.close()))
  const port = await freePort()
  const old = { localUfrag: 'Old1', localPwd: 'oldoldoldoldoldoldoldold' }
  const fresh = { localUfrag: 'New2', localPwd: 'newnewnewnewnewnewnewnew' }
  const shim = new IceLitePort({ bindHost: '127.0.0.1', port, credentials: old, remote: { address: '127.0.0.1', port: first.address().port }, inner: { address: '127.0.0.1', port: inner.address().port }, logger: pino({ level: 'silent' }), onError: (m) => assert.fail(m) })
  t.after(() => shim.close())
  await new Promise((resolve) => setTimeout(resolve, 20))
  const check = async (from: dgram.Socket, credentials: typeof old): Promise<boolean> => {
    const answered = Promise.race([next(from).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 150))])
    from.send(writeStun(MessageType.bindingRequest, randomBytes(12), [[Attribute.username, Buffer.from(`${credentials.localUfrag}:r`)], [Attribute.useCandidate, Buffer.alloc(0)]], credentials.localPwd), port, '127.0.0.1')
    return answered
  }
  assert.equal(await check(second, old), true)
  assert.equal(shim.destination.port, second.address().port)
  shim.renegotiate(old, { address: '127.0.0.1', port: first.address().port })
  assert.equal(shim.destination.port, second.address().port, 'same credentials: the nominated pair stays')
  shim.renegotiate(fresh, { address: '127.0.0.1', port: first.address().port })
  assert.equal(shim.destination.port, first.address().port, 'a restart goes back to the SDP address')
  assert.equal(await check(second, old), false, 'old credentials are no longer answered')
  assert.equal(await check(second, fresh), true)
})
