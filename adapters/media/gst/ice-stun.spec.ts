import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Attribute, MessageType, answerBinding, crc32, ipv6Bytes, packetKind, readStun, readXorMappedAddress, verifyStun, writeStun, xorMappedAddress } from './ice-stun.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

/** RFC 5769 §2.1: a Binding request with USERNAME, MESSAGE-INTEGRITY and FINGERPRINT. */
const rfc5769Request = hex(`
  0001 0058 2112a442 b7e7a701 bc34d686 fa87dfae
  8022 0010 5354554e 20746573 7420636c 69656e74
  0024 0004 6e0001ff
  8029 0008 932ff9b1 51263b36
  0006 0009 6576746a 3a683676 59202020
  0008 0014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2
  8028 0004 e57a3bcf`)

void test('RFC 5769 §2.1: the sample request reads, and its integrity and fingerprint verify with its password only', () => {
  const message = readStun(rfc5769Request)
  assert.ok(message !== undefined)
  assert.equal(message.type, MessageType.bindingRequest)
  assert.equal(message.attributes.find((a) => a.type === Attribute.username)?.value.toString(), 'evtj:h6vY')
  assert.equal(verifyStun(message, 'VOkJxbRl1RmTxUk/WvJxBt'), true)
  assert.equal(verifyStun(message, 'VOkJxbRl1RmTxUk/WvJxBu'), false)
  const tampered = Buffer.from(rfc5769Request)
  tampered[30] = 0x41
  const read = readStun(tampered)
  assert.ok(read !== undefined)
  assert.equal(verifyStun(read, 'VOkJxbRl1RmTxUk/WvJxBt'), false)
})

void test('XOR-MAPPED-ADDRESS as in RFC 5769 §2.2 (192.0.2.1:32853) and §2.3 (IPv6), and back', () => {
  const id = hex('b7e7a701bc34d686fa87dfae')
  assert.deepEqual(xorMappedAddress('192.0.2.1', 32853, id), hex('0001a147e112a643'))
  assert.deepEqual(xorMappedAddress('2001:db8:1234:5678:11:2233:4455:6677', 32853, id), hex('0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9'))
  assert.deepEqual(readXorMappedAddress(hex('0001a147e112a643'), id), { address: '192.0.2.1', port: 32853 })
  const v6 = readXorMappedAddress(xorMappedAddress('::1', 9, id), id)
  assert.deepEqual(v6 === undefined ? undefined : ipv6Bytes(v6.address), ipv6Bytes('::1'))
})

void test('CRC-32 is zlib\'s', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926)
})

void test('RFC 7983 first-byte demultiplexing', () => {
  assert.equal(packetKind(rfc5769Request), 'stun')
  assert.equal(packetKind(Buffer.from([0x80, 0])), 'rtp')
  assert.equal(packetKind(Buffer.from([0xbf])), 'rtp')
  assert.equal(packetKind(Buffer.from([0x16])), 'other')
  assert.equal(packetKind(Buffer.alloc(0)), 'other')
})

const request = (username: string, password: string, useCandidate: boolean, id: Buffer) =>
  writeStun(
    MessageType.bindingRequest,
    id,
    [[Attribute.username, Buffer.from(username)], [Attribute.priority, Buffer.from([0x6e, 0, 1, 0xff])], [Attribute.iceControlling, Buffer.alloc(8, 1)], ...(useCandidate ? [[Attribute.useCandidate, Buffer.alloc(0)] as const] : [])],
    password,
  )

void test('a lite agent answers a check for its ufrag with the source as XOR-MAPPED-ADDRESS, integrity and fingerprint; others not', () => {
  const credentials = { localUfrag: 'Lf2x', localPwd: 'abcdefghijklmnopqrstuvwx' }
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 12, maxLength: 12 }),
      fc.ipV4(),
      fc.integer({ min: 1, max: 65535 }),
      fc.boolean(),
      fc.stringMatching(/^[A-Za-z0-9+/]{4,12}$/),
      (idBytes, address, port, useCandidate, remoteUfrag) => {
        const id = Buffer.from(idBytes)
        const outcome = answerBinding(request(`Lf2x:${remoteUfrag}`, credentials.localPwd, useCandidate, id), { address, port }, credentials)
        assert.equal(outcome._tag, 'Answer')
        if (outcome._tag !== 'Answer') return
        assert.equal(outcome.nominated, useCandidate)
        const response = readStun(outcome.response)
        assert.ok(response !== undefined)
        assert.equal(response.type, MessageType.bindingSuccess)
        assert.deepEqual(response.transactionId, id)
        assert.equal(verifyStun(response, credentials.localPwd), true, 'integrity with Parley\'s password (RFC 8445 §7.3.1.1)')
        assert.deepEqual(response.attributes.map((a) => a.type), [Attribute.xorMappedAddress, Attribute.messageIntegrity, Attribute.fingerprint])
        const mapped = response.attributes[0]
        assert.deepEqual(mapped === undefined ? undefined : readXorMappedAddress(mapped.value, id), { address, port })
        // Another ufrag, a wrong password, a response: silence.
        assert.equal(answerBinding(request(`Xy9z:${remoteUfrag}`, credentials.localPwd, false, id), { address, port }, credentials)._tag, 'Ignore')
        assert.equal(answerBinding(request(`Lf2x:${remoteUfrag}`, 'wrong-password-wrong-pwd', false, id), { address, port }, credentials)._tag, 'Ignore')
        assert.equal(answerBinding(outcome.response, { address, port }, credentials)._tag, 'Ignore')
      },
    ),
    { numRuns: 200 },
  )
})

void test('readStun never throws and rejects what is not a whole STUN message', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      const b = Buffer.from(bytes)
      readStun(b)
      answerBinding(b, { address: '127.0.0.1', port: 1 }, { localUfrag: 'a', localPwd: 'b' })
    }),
  )
  assert.equal(readStun(rfc5769Request.subarray(0, rfc5769Request.length - 4)), undefined)
  const noCookie = Buffer.from(rfc5769Request)
  noCookie[4] = 0
  assert.equal(readStun(noCookie), undefined)
})
