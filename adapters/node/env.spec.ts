import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { decodeEnvironment, firstExternalIpv4, formatEnvironmentError, unknownParleyVariables } from './env.js'
import type { Host } from './env.js'

const nic = (address: string, internal: boolean, family: 'IPv4' | 'IPv6' = 'IPv4'): NetworkInterfaceInfo =>
  ({ address, internal, family, netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo

const host = (interfaces: NodeJS.Dict<ReadonlyArray<NetworkInterfaceInfo>> = {}): Host => ({ cwd: '/srv/parley', networkInterfaces: () => interfaces })

const lan: NodeJS.Dict<ReadonlyArray<NetworkInterfaceInfo>> = {
  lo: [nic('127.0.0.1', true), nic('::1', true, 'IPv6')],
  eth0: [nic('fe80::1', false, 'IPv6'), nic('192.0.2.10', false)],
  eth1: [nic('198.51.100.7', false)],
}

void test('defaults of DESIGN §6', () => {
  assert.deepEqual(decodeEnvironment({}, host(lan)), E.right({
    sipBind: '0.0.0.0',
    sipPort: 5060,
    sipsPort: 5061,
    httpBind: '127.0.0.1',
    httpPort: 8080,
    publicHost: '192.0.2.10',
    dataDir: '/srv/parley/data',
    logLevel: 'info',
    media: 'gst',
  }))
})

void test('public host: the bind address when specific, else the first external IPv4, else 127.0.0.1', () => {
  const publicHost = (env: Record<string, string>, interfaces = lan) => {
    const decoded = decodeEnvironment(env, host(interfaces))
    assert.ok(E.isRight(decoded))
    return decoded.right.publicHost
  }
  assert.equal(publicHost({ PARLEY_BIND: '203.0.113.5' }), '203.0.113.5')
  assert.equal(publicHost({ PARLEY_BIND: '::' }), '192.0.2.10')
  assert.equal(publicHost({}, { lo: [nic('127.0.0.1', true)] }), '127.0.0.1')
  assert.equal(publicHost({}, {}), '127.0.0.1')
  assert.equal(publicHost({ PARLEY_PUBLIC_HOST: 'parley.example.com', PARLEY_BIND: '203.0.113.5' }), 'parley.example.com')
  assert.equal(firstExternalIpv4({ eth0: [nic('fe80::1', false, 'IPv6')] }), undefined)
})

void test('every variable is read, paths are resolved against the working directory, empty means unset', () => {
  const decoded = decodeEnvironment(
    {
      PARLEY_BIND: '127.0.0.1',
      PARLEY_SIP_PORT: '0',
      PARLEY_SIPS_PORT: '65535',
      PARLEY_HTTP_BIND: '::1',
      PARLEY_HTTP_PORT: '0',
      PARLEY_PUBLIC_HOST: '10.1.2.3',
      PARLEY_DATA_DIR: '/var/lib/parley',
      PARLEY_CONFIG: 'conf/parley.json',
      PARLEY_ADMIN_PASSWORD: 's3cret',
      PARLEY_LOG_LEVEL: 'DEBUG',
      PARLEY_TLS_CERT: 'tls/cert.pem',
      PARLEY_TLS_KEY: '/etc/parley/key.pem',
      PARLEY_MEDIA: 'Loopback',
      PARLEY_BFCP_PORT: '5070',
      PARLEY_OTHER: 'ignored here',
      HOME: '/root',
    },
    host(),
  )
  assert.deepEqual(decoded, E.right({
    sipBind: '127.0.0.1',
    sipPort: 0,
    sipsPort: 65535,
    httpBind: '::1',
    httpPort: 0,
    publicHost: '10.1.2.3',
    dataDir: '/var/lib/parley',
    configFile: '/srv/parley/conf/parley.json',
    adminPassword: 's3cret',
    logLevel: 'debug',
    tls: { certFile: '/srv/parley/tls/cert.pem', keyFile: '/etc/parley/key.pem' },
    media: 'loopback',
    bfcpPort: 5070,
  }))
  const empty = decodeEnvironment({ PARLEY_SIP_PORT: '', PARLEY_CONFIG: '' }, host())
  assert.ok(E.isRight(empty))
  assert.equal(empty.right.sipPort, 5060)
  assert.equal(empty.right.configFile, undefined)
  assert.equal(empty.right.bfcpPort, undefined, 'BFCP on any free port unless PARLEY_BFCP_PORT says')
})

void test('bad values name the variable, its value and what is expected', () => {
  const decoded = decodeEnvironment(
    { PARLEY_SIP_PORT: '70000', PARLEY_HTTP_BIND: 'localhost', PARLEY_LOG_LEVEL: 'loud', PARLEY_PUBLIC_HOST: 'bad host', PARLEY_MEDIA: 'rtp' },
    host(),
  )
  assert.ok(E.isLeft(decoded))
  const byVariable = new Map(decoded.left.problems.map((p) => [p.variable, p]))
  assert.deepEqual([...byVariable.keys()].sort(), ['PARLEY_HTTP_BIND', 'PARLEY_LOG_LEVEL', 'PARLEY_MEDIA', 'PARLEY_PUBLIC_HOST', 'PARLEY_SIP_PORT'])
  assert.match(byVariable.get('PARLEY_MEDIA')?.message ?? '', /one of gst, loopback/)
  assert.equal(byVariable.get('PARLEY_SIP_PORT')?.value, '70000')
  assert.match(byVariable.get('PARLEY_SIP_PORT')?.message ?? '', /port number from 0 to 65535/)
  assert.match(byVariable.get('PARLEY_LOG_LEVEL')?.message ?? '', /one of fatal, error, warn, info, debug, trace, silent/)
  const text = formatEnvironmentError(decoded.left)
  assert.match(text, /^PARLEY_SIP_PORT="70000": must be a port number/m)
  assert.match(text, /^PARLEY_HTTP_BIND="localhost": must be an IPv4 or IPv6 address/m)
})

void test('a TLS certificate without its key (or the reverse) is refused', () => {
  const decoded = decodeEnvironment({ PARLEY_TLS_CERT: '/etc/cert.pem' }, host())
  assert.ok(E.isLeft(decoded))
  assert.deepEqual(decoded.left.problems.map((p) => p.variable), ['PARLEY_TLS_KEY'])
})

void test('the admin password is never echoed in an error', () => {
  const text = formatEnvironmentError({
    _tag: 'InvalidEnvironment',
    problems: [{ variable: 'PARLEY_ADMIN_PASSWORD', value: 'hunter2', message: 'must not be empty' }],
  })
  assert.doesNotMatch(text, /hunter2/)
})

void test('ports: every integer 0..65535 is accepted as written; anything else is refused', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
      const decoded = decodeEnvironment({ PARLEY_HTTP_PORT: String(port) }, host())
      assert.ok(E.isRight(decoded))
      assert.equal(decoded.right.httpPort, port)
    }),
  )
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: 65536, max: 99999 }).map(String),
        fc.integer({ min: -99999, max: -1 }).map(String),
        fc.string({ minLength: 1 }).filter((s) => !/^\d{1,5}$/.test(s)),
      ),
      (raw) => {
        const decoded = decodeEnvironment({ PARLEY_SIPS_PORT: raw }, host())
        assert.ok(E.isLeft(decoded))
        assert.equal(decoded.left.problems[0]?.variable, 'PARLEY_SIPS_PORT')
      },
    ),
  )
})

void test('unknown PARLEY_ variables are listed (likely typos)', () => {
  assert.deepEqual(unknownParleyVariables({ PARLEY_SIP_PROT: '1', PARLEY_BIND: '::', PATH: '/bin' }), ['PARLEY_SIP_PROT'])
})
