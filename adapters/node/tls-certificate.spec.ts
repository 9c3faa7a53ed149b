import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, createServer } from 'node:tls'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { ensureTlsCredentials, formatTlsError, makeSelfSigned, selfSignedFiles } from './tls-certificate.js'

const withTempDir = async (use: (dir: string) => Promise<void>): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-tls-'))
  try {
    await use(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const now = new Date()

void test('first start makes a pair in the data dir naming the public host and localhost; later starts reuse it', () =>
  withTempDir(async (dataDir) => {
    const first = await ensureTlsCredentials({ dataDir, publicHost: '192.0.2.10', now })()
    assert.ok(E.isRight(first))
    assert.equal(first.right.origin, 'generated')
    assert.deepEqual(first.right.files, selfSignedFiles(dataDir))
    assert.equal(await readFile(first.right.files.certFile, 'utf8'), first.right.cert)
    assert.equal((await stat(first.right.files.keyFile)).mode & 0o777, 0o600)
    const x509 = new X509Certificate(first.right.cert)
    assert.match(x509.subjectAltName ?? '', /IP Address:192\.0\.2\.10/)
    assert.match(x509.subjectAltName ?? '', /DNS:localhost/)
    assert.ok(x509.checkPrivateKey(createPrivateKey(first.right.key)))

    const second = await ensureTlsCredentials({ dataDir, publicHost: '192.0.2.10', now })()
    assert.ok(E.isRight(second))
    assert.equal(second.right.origin, 'reused')
    assert.equal(second.right.cert, first.right.cert)
    assert.equal(second.right.key, first.right.key)
  }))

void test('the made pair is replaced when the public host changes, when it expired, or when it is damaged', () =>
  withTempDir(async (dataDir) => {
    const first = await ensureTlsCredentials({ dataDir, publicHost: 'parley.example.com', now })()
    assert.ok(E.isRight(first))
    const renamed = await ensureTlsCredentials({ dataDir, publicHost: 'sip.example.org', now })()
    assert.ok(E.isRight(renamed))
    assert.equal(renamed.right.origin, 'generated')
    assert.match(renamed.right.reason ?? '', /does not name the public host sip\.example\.org/)
    assert.match(new X509Certificate(renamed.right.cert).subjectAltName ?? '', /DNS:sip\.example\.org/)

    const later = new Date(now.getTime() + 11 * 365 * 24 * 3600 * 1000)
    const expired = await ensureTlsCredentials({ dataDir, publicHost: 'sip.example.org', now: later })()
    assert.ok(E.isRight(expired))
    assert.equal(expired.right.origin, 'generated')
    assert.match(expired.right.reason ?? '', /expired/)

    await writeFile(selfSignedFiles(dataDir).certFile, 'not a certificate')
    const damaged = await ensureTlsCredentials({ dataDir, publicHost: 'sip.example.org', now })()
    assert.ok(E.isRight(damaged))
    assert.equal(damaged.right.origin, 'generated')
    assert.match(damaged.right.reason ?? '', /unusable/)
  }))

void test("the operator's pair is used as given and checked: unreadable or mismatched files are errors", () =>
  withTempDir(async (dir) => {
    const a = makeSelfSigned('a.example.com')
    const b = makeSelfSigned('b.example.com')
    const files = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }
    await writeFile(files.certFile, a.cert)
    await writeFile(files.keyFile, a.key)
    const used = await ensureTlsCredentials({ dataDir: dir, publicHost: 'other.example.com', configured: files, now })()
    assert.ok(E.isRight(used))
    assert.equal(used.right.origin, 'configured')
    assert.equal(used.right.cert, a.cert)

    await writeFile(files.keyFile, b.key)
    const mismatched = await ensureTlsCredentials({ dataDir: dir, publicHost: 'a.example.com', configured: files, now })()
    assert.ok(E.isLeft(mismatched))
    assert.equal(mismatched.left._tag, 'TlsPairInvalid')
    assert.match(formatTlsError(mismatched.left), /PARLEY_TLS_CERT=.*cert\.pem.*does not belong/)

    const missing = await ensureTlsCredentials({ dataDir: dir, publicHost: 'a.example.com', configured: { ...files, certFile: join(dir, 'nope.pem') }, now })()
    assert.ok(E.isLeft(missing))
    assert.equal(missing.left._tag, 'TlsFileUnreadable')
  }))

void test('a TLS client that trusts the made certificate completes a handshake with it (loopback)', () =>
  withTempDir(async (dataDir) => {
    const made = await ensureTlsCredentials({ dataDir, publicHost: '127.0.0.1', now })()
    assert.ok(E.isRight(made))
    const server = createServer({ cert: made.right.cert, key: made.right.key }, (socket) => socket.end('hello'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      for (const servername of ['localhost', undefined]) {
        const greeting = await new Promise<string>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca: made.right.cert, ...(servername === undefined ? {} : { servername }) })
          let text = ''
          socket.on('data', (d: Buffer) => (text += d.toString()))
          socket.on('end', () => resolve(text))
          socket.on('error', reject)
        })
        assert.equal(greeting, 'hello')
      }
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  }))
