import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { createHttpServer } from './http-server.js'
import type { AvatarLookup } from './avatar-routes.js'
import { readPngChunks, readPngHeader } from './logo/png-reader.js'
import { loadProductLogo, sha1Hex } from './logo/product-logo.js'
import type { Image } from './logo/product-logo.js'

const logo = loadProductLogo()
const jpegBytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9])
const uploaded: Image = { contentType: 'image/jpeg', bytes: jpegBytes, sha1: sha1Hex(jpegBytes) }

const avatars: AvatarLookup = async (id) =>
  id === '1' ? { _tag: 'ProductLogo' } : id === '7' ? { _tag: 'Uploaded', image: uploaded } : { _tag: 'UnknownConference' }

/** A server on a real loopback port for the duration of `use`. */
const withServer = async (use: (base: string) => Promise<void>): Promise<void> => {
  const server = createHttpServer({
    logger: pino({ level: 'silent' }),
    uptime: () => 12.34567,
    versions: { parley: '0.1.0', node: process.version },
    logo,
    avatars,
  })
  const port = await server.listen('127.0.0.1', 0)
  assert.ok(port > 0)
  try {
    await use(`http://127.0.0.1:${port}`)
  } finally {
    await server.close()
  }
}

void test('GET /healthz answers 200 with status, uptime and versions', () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/healthz`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
    const body = (await res.json()) as { status: string; uptime: number; versions: Record<string, string> }
    assert.equal(body.status, 'ok')
    assert.equal(body.uptime, 12.346)
    assert.equal(body.versions['parley'], '0.1.0')
    assert.equal(body.versions['node'], process.version)
    assert.match(body.versions['fastify'] ?? '', /^5\./)
  }))

void test('/avatar/default.png is the product logo: a valid 96x96 RGBA PNG whose ETag is its SHA-1', () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/avatar/default.png`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'image/png')
    const body = Buffer.from(await res.arrayBuffer())
    assert.deepEqual([...body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const chunks = readPngChunks(body)
    assert.ok(E.isRight(chunks))
    assert.equal(chunks.right[0]?.type, 'IHDR')
    assert.deepEqual(readPngHeader(chunks.right[0]!.data), { width: 96, height: 96, bitDepth: 8, colourType: 6, interlace: 0 })
    assert.equal(res.headers.get('etag'), `"${sha1Hex(body)}"`)
    assert.equal(sha1Hex(body), logo.sha1)
    const again = await fetch(`${base}/avatar/default.png`, { headers: { 'if-none-match': `"${logo.sha1}"` } })
    assert.equal(again.status, 304)
  }))

void test('/avatar/<id>.png: the logo for a VMR without an image, its upload when it has one, 404 otherwise', () =>
  withServer(async (base) => {
    const plain = await fetch(`${base}/avatar/1.png`)
    assert.equal(plain.status, 200)
    assert.ok(Buffer.from(await plain.arrayBuffer()).equals(logo.bytes))

    const custom = await fetch(`${base}/avatar/7.png`)
    assert.equal(custom.status, 200)
    assert.equal(custom.headers.get('content-type'), 'image/jpeg')
    assert.ok(Buffer.from(await custom.arrayBuffer()).equals(jpegBytes))

    for (const path of ['/avatar/99.png', '/avatar/1.jpg', '/avatar/..%2Fetc.png', '/avatar/', '/nothing']) {
      const res = await fetch(`${base}${path}`)
      assert.equal(res.status, 404, path)
      await res.arrayBuffer()
    }
  }))
