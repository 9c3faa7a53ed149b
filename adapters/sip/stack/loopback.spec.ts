/**
 * The real transport and the stack on loopback sockets: UDP, TCP and TLS listeners on ports
 * chosen by the system, OPTIONS answered on each, mutual TLS with certificates made at test
 * time (the `selfsigned` package, already a dependency of the node shell), stream framing and
 * CRLF keepalives on a real TCP socket, 400 and connection close for a stream message without
 * Content-Length, and the listener still answering after malformed input.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import net from 'node:net'
import tls from 'node:tls'
import { once } from 'node:events'
import * as E from 'fp-ts/lib/Either.js'
import { generate } from 'selfsigned'
import { systemClock } from '../../node/system-clock.js'
import { NodeSipTransport } from '../transport/node-sip-transport.js'
import type { TlsCredentials } from '../transport/stream-endpoint.js'
import type { Flow } from '../transport/transport-types.js'
import { SipStack } from './sip-stack.js'

const makeCertificate = (commonName: string): { cert: string; key: string } => {
  const pem = generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    days: 2,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  })
  return { cert: pem.cert, key: pem.private }
}

const serverCert = makeCertificate('parley.test')
const peerCert = makeCertificate('fe01.contoso.com')

interface Node {
  readonly transport: NodeSipTransport
  readonly stack: SipStack
  readonly flows: Flow[]
}

const startNode = async (credentials: TlsCredentials, limits: { idleConnectionMs?: number } = {}): Promise<Node> => {
  const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: 0, tcp: 0, tls: 0 }, tls: credentials, limits })
  if (E.isLeft(opened)) assert.fail(JSON.stringify(opened.left))
  const transport = opened.right
  const stack = new SipStack({ transport, clock: systemClock, publicHost: '127.0.0.1' })
  const flows: Flow[] = []
  stack.onRequest((r) => {
    flows.push(r.flow)
    r.respond({ status: 200 })
  })
  return { transport, stack, flows }
}

let server: Node
let client: Node

before(async () => {
  // The server trusts the peer's certificate (mutual TLS); the peer trusts the server's.
  server = await startNode({ ...serverCert, ca: [peerCert.cert] })
  client = await startNode({ ...peerCert, ca: [serverCert.cert] })
})

after(async () => {
  server.stack.close()
  client.stack.close()
  await Promise.all([server.transport.close(), client.transport.close()])
})

const port = (protocol: 'udp' | 'tcp' | 'tls'): number => {
  const bound = server.transport.ports()[protocol]
  assert.ok(bound !== undefined && bound > 0)
  return bound
}

const options = (protocol: 'udp' | 'tcp' | 'tls', branch: string, extra = ''): string =>
  [
    `OPTIONS sip:parley@127.0.0.1:${port(protocol)} SIP/2.0`,
    `Via: SIP/2.0/${protocol.toUpperCase()} 127.0.0.1:9;branch=z9hG4bK${branch};rport`,
    'From: <sip:probe@127.0.0.1>;tag=p',
    'To: <sip:parley@127.0.0.1>',
    `Call-ID: ${branch}`,
    'CSeq: 1 OPTIONS',
    extra,
    'Content-Length: 0',
    '',
    '',
  ]
    .filter((line, i, all) => line !== '' || i >= all.length - 2)
    .join('\r\n')

/**
 * What a stream socket receives, read without consuming the socket: `until(done)` resolves with
 * everything received since the previous call once `done` says enough, or when the peer ends.
 */
const reader = (socket: net.Socket) => {
  let text = ''
  let ended = false
  let wake: (() => void) | undefined
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString()
    wake?.()
  })
  socket.on('end', () => {
    ended = true
    wake?.()
  })
  return {
    until: async (done: (received: string) => boolean): Promise<string> => {
      while (!done(text) && !ended) await new Promise<void>((resolve) => (wake = resolve))
      const received = text
      text = ''
      return received
    },
  }
}

const statusLines = (text: string): string[] => text.split('\r\n').filter((l) => l.startsWith('SIP/2.0 '))

void test('port 0 gives each protocol a free port of its own, and OPTIONS is answered 200 on each', async () => {
  const ports = server.transport.ports()
  assert.ok((ports.udp ?? 0) > 0 && (ports.tcp ?? 0) > 0 && (ports.tls ?? 0) > 0)
  for (const protocol of ['udp', 'tcp', 'tls'] as const) {
    const answer = await client.stack.request({
      method: 'OPTIONS',
      requestUri: `sip:parley@127.0.0.1:${port(protocol)}`,
      from: '<sip:probe@127.0.0.1>',
      to: '<sip:parley@127.0.0.1>',
      destination: { protocol, host: '127.0.0.1', port: port(protocol), serverName: 'localhost' },
    })
    assert.ok(E.isRight(answer), `${protocol}: ${JSON.stringify(E.isLeft(answer) ? answer.left : '')}`)
    assert.equal(answer.right.status, 200)
    assert.match(answer.right.getHeader('Allow') ?? '', /INVITE/)
  }
})

void test('the UDP socket asked for a 4 MB receive buffer', () => {
  const granted = server.transport.udpReceiveBufferBytes() ?? 0
  // Linux grants min(asked, rmem_max) and reports twice that; other kernels may cap lower.
  assert.ok(granted > 0)
})

void test('mutual TLS: the upper layer sees the peer certificate subject; a peer without one is still served', async () => {
  const before = server.flows.length
  const sent = await client.stack.request({
    method: 'MESSAGE',
    requestUri: `sip:meet.alice@127.0.0.1:${port('tls')};transport=tls`,
    from: '<sip:bob@contoso.com>',
    to: '<sip:meet.alice@example.com>',
    destination: { protocol: 'tls', host: '127.0.0.1', port: port('tls'), serverName: 'localhost' },
    body: { contentType: 'text/plain', content: 'hello' },
  })
  assert.ok(E.isRight(sent))
  const flow = server.flows[before]
  assert.equal(flow?.protocol, 'tls')
  assert.equal(flow?.peerCertificate?.subject['CN'], 'fe01.contoso.com')
  assert.equal(flow?.peerCertificate?.authorized, true)

  const anonymous = tls.connect({ host: '127.0.0.1', port: port('tls'), ca: [serverCert.cert], servername: 'localhost' })
  await once(anonymous, 'secureConnect')
  const fromServer = reader(anonymous)
  anonymous.write(options('tls', 'anon1'))
  const text = await fromServer.until((t) => t.includes('\r\n\r\n'))
  assert.deepEqual(statusLines(text), ['SIP/2.0 200 OK'])
  anonymous.destroy()
})

void test('TCP: coalesced and split messages are framed by Content-Length; a CRLF ping gets a CRLF pong', async () => {
  const socket = net.connect({ host: '127.0.0.1', port: port('tcp') })
  await once(socket, 'connect')
  const fromServer = reader(socket)
  socket.write(options('tcp', 'tcp1') + options('tcp', 'tcp2'))
  const third = options('tcp', 'tcp3')
  socket.write(third.slice(0, 30))
  await new Promise((resolve) => setImmediate(resolve))
  socket.write(third.slice(30))
  const answers = await fromServer.until((t) => statusLines(t).length === 3 && t.endsWith('\r\n\r\n'))
  assert.deepEqual(statusLines(answers), ['SIP/2.0 200 OK', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK'])
  socket.write('\r\n\r\n')
  const pong = await fromServer.until((t) => t.length >= 2)
  assert.equal(pong, '\r\n')
  socket.destroy()
})

void test('TCP: a message without Content-Length gets 400 and the connection is closed', async () => {
  const socket = net.connect({ host: '127.0.0.1', port: port('tcp') })
  await once(socket, 'connect')
  const fromServer = reader(socket)
  socket.write(options('tcp', 'nolen').replace('Content-Length: 0\r\n', ''))
  const text = await fromServer.until(() => false) // until the server closes
  assert.deepEqual(statusLines(text), ['SIP/2.0 400 Missing Content-Length'])
  assert.ok(socket.readableEnded)
  socket.destroy()
})

void test('UDP: malformed datagrams get 400 (or nothing, for garbage) and the listener keeps answering OPTIONS', async () => {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const answers: string[] = []
  socket.on('message', (m) => answers.push(m.toString().split('\r\n')[0] ?? ''))
  const send = (text: string): Promise<void> => new Promise((resolve) => socket.send(text, port('udp'), '127.0.0.1', () => resolve()))
  await send(options('udp', 'bad1').replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'))
  await send('\u0000\u00ff not sip at all')
  await send(options('udp', 'bad2').replace('From: <sip:probe@127.0.0.1>;tag=p', 'From: <<<'))
  await send(options('udp', 'good'))
  const deadline = Date.now() + 5000
  while (answers.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.deepEqual(answers, ['SIP/2.0 400 CSeq method does not match the request method', 'SIP/2.0 400 Malformed From header', 'SIP/2.0 200 OK'])
  socket.close()
})

void test('an idle TCP connection is closed by the node', async () => {
  const quiet = await startNode({ ...serverCert }, { idleConnectionMs: 100 })
  try {
    const socket = net.connect({ host: '127.0.0.1', port: quiet.transport.ports().tcp ?? 0 })
    await once(socket, 'connect')
    const started = Date.now()
    await once(socket, 'end')
    assert.ok(Date.now() - started >= 90)
    socket.destroy()
  } finally {
    quiet.stack.close()
    await quiet.transport.close()
  }
})
