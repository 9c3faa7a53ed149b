import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createHmac } from 'node:crypto'
import { RolloverCounter, isMuxedRtcp, protectRtcp, protectRtp, sessionKeys, srtcpTagLength, srtpSuiteParameters, unprotectRtcp, unprotectRtp } from './srtp-packet.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const suite80 = srtpSuiteParameters('AES_CM_128_HMAC_SHA1_80')
const suite32 = srtpSuiteParameters('AES_CM_128_HMAC_SHA1_32')
const suite256 = srtpSuiteParameters('AES_256_CM_HMAC_SHA1_80')

void test('RFC 3711 appendix B.3: session keys from the master key and salt', () => {
  assert.ok(suite80 !== undefined)
  const keys = sessionKeys(Buffer.concat([hex('E1F97A0D3E018BE0D64FA32C06DE4139'), hex('0EC675AD498AFEEBB6960B3AABE6')]), suite80)
  assert.deepEqual(keys.encryption, hex('C61E7A93744F39EE10734AFE3FF7A087'))
  assert.deepEqual(keys.salt, hex('30CBBC08863D8C85D49DB34A9AE1'))
  assert.deepEqual(keys.authentication, hex('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4'))
})

const rtpPacket = fc
  .record({ seq: fc.integer({ min: 0, max: 0xffff }), ssrc: fc.integer({ min: 0, max: 0xffffffff }), payload: fc.uint8Array({ minLength: 1, maxLength: 200 }), csrcs: fc.integer({ min: 0, max: 3 }) })
  .map(({ seq, ssrc, payload, csrcs }) => {
    const header = Buffer.alloc(12 + 4 * csrcs)
    header[0] = 0x80 | csrcs
    header.writeUInt16BE(seq, 2)
    header.writeUInt32BE(ssrc, 8)
    return Buffer.concat([header, Buffer.from(payload)])
  })

void test('protect then unprotect gives the packet back for every suite; a wrong key or a flipped bit gives nothing', () => {
  for (const suite of [suite80, suite32, suite256]) {
    assert.ok(suite !== undefined)
    fc.assert(
      fc.property(rtpPacket, fc.uint8Array({ minLength: suite.keyLength + 14, maxLength: suite.keyLength + 14 }), fc.nat(1000), (packet, key, flip) => {
        const keys = sessionKeys(Buffer.from(key), suite)
        const protectedPacket = protectRtp(packet, keys, suite, 3)
        assert.equal(protectedPacket.length, packet.length + suite.tagLength)
        assert.deepEqual(unprotectRtp(protectedPacket, keys, suite, 3), packet)
        assert.equal(unprotectRtp(protectedPacket, keys, suite, 4), undefined, 'the ROC is authenticated')
        const other = Buffer.from(key)
        other[0] = (other[0] ?? 0) ^ 1
        assert.equal(unprotectRtp(protectedPacket, sessionKeys(other, suite), suite, 3), undefined)
        const damaged = Buffer.from(protectedPacket)
        const at = flip % damaged.length
        damaged[at] = (damaged[at] ?? 0) ^ 0x10
        assert.equal(unprotectRtp(damaged, keys, suite, 3), undefined)
      }),
      { numRuns: 50 },
    )
  }
})

void test('the receiver\'s rollover counter follows a wrap and a late packet from before it', () => {
  const roc = new RolloverCounter()
  roc.accept(65534, roc.guess(65534))
  assert.equal(roc.guess(65535), 0)
  roc.accept(65535, 0)
  assert.equal(roc.guess(1), 1)
  roc.accept(1, 1)
  assert.equal(roc.guess(65530), 0, 'a late packet from before the wrap')
  assert.equal(roc.guess(2), 1)
})

const rtcpPacket = fc
  .record({ type: fc.integer({ min: 200, max: 206 }), ssrc: fc.integer({ min: 0, max: 0xffffffff }), words: fc.integer({ min: 1, max: 20 }) })
  .chain(({ type, ssrc, words }) =>
    fc.uint8Array({ minLength: 4 * words, maxLength: 4 * words }).map((body) => {
      const header = Buffer.alloc(8)
      header[0] = 0x81
      header[1] = type
      header.writeUInt16BE(words + 1, 2)
      header.writeUInt32BE(ssrc, 4)
      return Buffer.concat([header, Buffer.from(body)])
    }),
  )

void test('SRTCP (RFC 3711 §3.4): the first header stays clear, the rest is encrypted, E flag and index follow, an 80-bit tag ends it; unprotect gives packet and index back, with or without an MKI; a wrong key, a flipped bit or the RTP keys give nothing', () => {
  assert.ok(suite32 !== undefined)
  fc.assert(
    fc.property(rtcpPacket, fc.integer({ min: 0, max: 0x7fffffff }), fc.uint8Array({ minLength: 30, maxLength: 30 }), fc.integer({ min: 0, max: 4 }), (packet, index, master, mkiLength) => {
      const keys = sessionKeys(Buffer.from(master), suite32, true)
      const protectedPacket = protectRtcp(packet, keys, index)
      assert.equal(protectedPacket.length, packet.length + 4 + srtcpTagLength)
      assert.deepEqual(protectedPacket.subarray(0, 8), packet.subarray(0, 8))
      assert.equal(protectedPacket.readUInt32BE(packet.length), (0x80000000 | index) >>> 0)
      if (packet.length > 12) assert.notDeepEqual(protectedPacket.subarray(8, packet.length), packet.subarray(8))
      const mki = Buffer.alloc(mkiLength, 1)
      const withMki = Buffer.concat([protectedPacket.subarray(0, packet.length + 4), mki, protectedPacket.subarray(packet.length + 4)])
      assert.deepEqual(unprotectRtcp(withMki, keys, mkiLength), { packet, index })
      const flipped = Buffer.from(protectedPacket)
      flipped[9] = (flipped[9] ?? 0) ^ 1
      assert.equal(unprotectRtcp(flipped, keys), undefined)
      assert.equal(unprotectRtcp(protectedPacket, sessionKeys(Buffer.from(master), suite32)), undefined)
    }),
  )
})

void test('SRTCP without encryption (E flag clear) is read as sent once its tag verifies', () => {
  assert.ok(suite80 !== undefined)
  const keys = sessionKeys(Buffer.alloc(30, 7), suite80, true)
  const plain = Buffer.from('81c90002000004d20000162e', 'hex')
  const sealed = protectRtcp(plain, keys, 5)
  // The same packet authenticated only: clear body, E = 0, the tag over that.
  const clear = Buffer.concat([plain, Buffer.from('00000005', 'hex')])
  const tagged = Buffer.concat([clear, createHmac('sha1', keys.authentication).update(clear).digest().subarray(0, 10)])
  assert.deepEqual(unprotectRtcp(tagged, keys), { packet: plain, index: 5 })
  assert.notDeepEqual(sealed.subarray(8, 12), plain.subarray(8, 12))
})

void test('RFC 5761 §4 demultiplexing: RTCP packet types 192-223 on the RTP port, RTP payload types (with or without marker) are not', () => {
  const withSecondByte = (b: number) => Buffer.from([0x80, b, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
  for (const type of [192, 200, 201, 205, 206, 223]) assert.ok(isMuxedRtcp(withSecondByte(type)), String(type))
  for (const b of [0, 96, 97, 122, 127, 0x80 | 96, 0x80 | 122, 0x80 | 127, 191, 224]) assert.ok(!isMuxedRtcp(withSecondByte(b)), String(b))
})
