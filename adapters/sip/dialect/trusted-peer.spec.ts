import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseIp, parseSourceAddress } from './ip-address.js'
import { isTrustedPeer, parsePeerRange } from './trusted-peer.js'

void test('exact addresses and CIDR ranges, IPv4 and IPv6', () => {
  const peers = ['127.0.0.1', '::1', '10.20.0.0/16', '2001:db8:aa::/48', 'sfb-pool.example.com', '192.0.2.7/33']
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['127.0.0.1:5061', true],
    ['::1', true],
    ['[::1]:5061', true],
    ['[::1]', true],
    ['10.20.255.1', true],
    ['10.21.0.1', false],
    ['2001:db8:aa:1::5', true],
    ['2001:DB8:AA:ffff:1:2:3:4', true],
    ['2001:db8:ab::5', false],
    ['fe80::1%eth0', false],
    // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 addresses.
    ['::ffff:10.20.1.2', true],
    ['[::ffff:127.0.0.1]:5061', true],
    ['::ffff:7f00:1', true],
    // Not addresses at all.
    ['sfb-pool.example.com', false],
    ['', false],
    ['10.20.1.2:port', false],
    ['010.20.1.2', false],
    ['192.0.2.7', false],
  ]
  for (const [source, expected] of cases) assert.equal(isTrustedPeer(source, peers), expected, source)
})

void test('a mapped entry matches the plain IPv4 source', () => {
  assert.equal(isTrustedPeer('192.0.2.10', ['::ffff:192.0.2.10']), true)
  assert.equal(isTrustedPeer('192.0.2.77', ['::ffff:192.0.2.0/120']), true)
  assert.equal(isTrustedPeer('192.0.3.77', ['::ffff:192.0.2.0/120']), false)
})

void test('range entries are validated', () => {
  assert.ok(E.isLeft(parsePeerRange('10.0.0.0/33')))
  assert.ok(E.isLeft(parsePeerRange('::/129')))
  assert.ok(E.isLeft(parsePeerRange('10.0.0.0/8/8')))
  assert.ok(E.isLeft(parsePeerRange('10.0.0.0/x')))
  assert.ok(E.isLeft(parsePeerRange('::ffff:10.0.0.0/64')))
  assert.ok(E.isLeft(parsePeerRange('1:2:3:4:5:6:7:8:9')))
  assert.ok(E.isLeft(parsePeerRange('1::2::3')))
  assert.ok(E.isLeft(parsePeerRange('1:2:3:4:5:6:7::8')))
  assert.deepEqual(parsePeerRange('10.1.2.3/8'), E.right({ family: 4, prefix: 8, network: 10n << 24n }))
  assert.deepEqual(parsePeerRange('0.0.0.0/0'), E.right({ family: 4, prefix: 0, network: 0n }))
})

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'))
const ipv6Groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
const fullIpv6 = (groups: ReadonlyArray<number>) => groups.map((g) => g.toString(16)).join(':')

void test('every IPv4 address lies in every range written around it, and in no other family', () => {
  fc.assert(
    fc.property(ipv4, fc.integer({ min: 0, max: 32 }), fc.nat(65535), (address, prefix, port) => {
      assert.equal(isTrustedPeer(address, [`${address}/${prefix}`]), true)
      assert.equal(isTrustedPeer(`${address}:${port}`, [address]), true)
      assert.equal(isTrustedPeer(`::ffff:${address}`, [`${address}/${prefix}`]), true)
      assert.equal(isTrustedPeer(address, ['::/0']), false)
    }),
  )
})

void test('IPv6 written in full and compressed is the same address', () => {
  fc.assert(
    fc.property(ipv6Groups, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 8 }), (groups, from, length) => {
      const zeroed = groups.map((g, i) => (i >= from && i < from + length ? 0 : g))
      const compressed = `${zeroed.slice(0, from).map((g) => g.toString(16)).join(':')}::${zeroed
        .slice(Math.min(8, from + length))
        .map((g) => g.toString(16))
        .join(':')}`
      if (from + length > 8) return
      assert.deepEqual(parseIp(compressed), parseIp(fullIpv6(zeroed)), compressed)
      assert.equal(isTrustedPeer(`[${compressed}]:5061`, [fullIpv6(zeroed)]), true)
    }),
  )
})

void test('an address outside a range differs from the network in a bit under the prefix', () => {
  fc.assert(
    fc.property(ipv6Groups, fc.integer({ min: 1, max: 128 }), (groups, prefix) => {
      const address = fullIpv6(groups)
      const parsed = parseIp(address)
      if (E.isLeft(parsed) || parsed.right.family !== 6) return
      const flipped = parsed.right.value ^ (1n << BigInt(128 - prefix))
      const hex = flipped.toString(16).padStart(32, '0')
      const other = (hex.match(/.{4}/g) ?? []).join(':')
      const otherParsed = parseIp(other)
      if (E.isLeft(otherParsed) || otherParsed.right.family !== 6) return
      assert.equal(isTrustedPeer(other, [`${address}/${prefix}`]), false)
    }),
  )
})

void test('parsing never throws on arbitrary text', () => {
  fc.assert(
    fc.property(fc.string(), fc.array(fc.string()), (source, peers) => {
      isTrustedPeer(source, peers)
      parseSourceAddress(source)
    }),
  )
})
