import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { RolloverCounter, protectRtp, sessionKeys, srtpSuiteParameters, unprotectRtp } from './srtp-packet.js'

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
