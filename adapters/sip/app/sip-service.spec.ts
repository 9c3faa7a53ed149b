/**
 * The live SipService on loopback sockets: every listener on a port of its own answering
 * OPTIONS, a call through the whole assembly (real transport, stack, loopback media with real
 * RTP sockets, runtime, core), a clean stop that hangs up, and a port already taken.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import net from 'node:net'
import tls from 'node:tls'
import { once } from 'node:events'
import { demoPresenceConfig } from '../../../core/presence/presence-test-config.js'
import type { Environment } from '../../node/env.js'
import { loopbackCertificate, loopbackEnvironment, loopbackSipService } from './testing/loopback-service.js'

const pair = loopbackCertificate()
const env = loopbackEnvironment

// node --test runs spec files side by side, and others bind RTP ports in the default
// 40000-49999 range too: this file takes a block of its own (by process id) so that its check
// that a freed port can be bound again is not raced by a neighbour.
const rtpBlock = 41_000 + (process.pid % 40) * 200
const config = {
  ...demoPresenceConfig,
  source: { ...demoPresenceConfig.source, global: { ...demoPresenceConfig.source.global, rtpPortMin: rtpBlock, rtpPortMax: rtpBlock + 199 } },
}

const service = (environment: Environment = env()) =>
  loopbackSipService({
    env: environment,
    config,
  })

const listening = { http: 8080, avatarBaseUrl: 'http://127.0.0.1:8080' }

const request = (method: string, uri: string, transport: string, localPort: number, extra: ReadonlyArray<string> = [], body = ''): string =>
  [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/${transport} 127.0.0.1:${localPort};branch=z9hG4bK${method}${Math.random().toString(16).slice(2)};rport`,
    'Max-Forwards: 70',
    'From: "Probe" <sip:probe@127.0.0.1>;tag=p1',
    `To: <${uri}>`,
    `Call-ID: ${method}-${localPort}@127.0.0.1`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:probe@127.0.0.1:${localPort}>`,
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')

/** Reads from a stream until `done` says enough, or 5 s pass. */
const readUntil = (socket: net.Socket, done: (text: string) => boolean): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`timed out with: ${text}`)), 5000)
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      if (done(text)) {
        clearTimeout(timer)
        resolve(text)
      }
    })
  })

const udpExchange = async (port: number, build: (local: number) => string, done: (answers: ReadonlyArray<string>) => boolean): Promise<ReadonlyArray<string>> => {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const answers: string[] = []
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with: ${answers.join('\n---\n')}`)), 5000)
    socket.on('message', (m) => {
      answers.push(m.toString())
      if (done(answers)) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  socket.send(build(socket.address().port), port, '127.0.0.1')
  try {
    await finished
  } finally {
    socket.close()
  }
  return answers
}

void test('each listener has a port of its own and answers OPTIONS 200; stop closes them', async () => {
  const sip = service()
  const ports = await sip.start(listening)
  try {
    assert.ok(ports.udp > 0 && ports.tcp > 0 && ports.tls > 0)
    const [udpAnswer] = await udpExchange(ports.udp, (local) => request('OPTIONS', `sip:127.0.0.1:${ports.udp}`, 'UDP', local), (a) => a.length >= 1)
    assert.match(udpAnswer ?? '', /^SIP\/2\.0 200 OK/)
    assert.match(udpAnswer ?? '', /\r\nAllow: [^\r]*SUBSCRIBE/)
    assert.doesNotMatch(udpAnswer ?? '', /REFER/)
    assert.match(udpAnswer ?? '', /\r\nAccept: [^\r]*application\/sdp/)

    const tcp = net.connect({ host: '127.0.0.1', port: ports.tcp })
    await once(tcp, 'connect')
    tcp.write(request('OPTIONS', `sip:127.0.0.1:${ports.tcp};transport=tcp`, 'TCP', tcp.localPort ?? 0))
    assert.match(await readUntil(tcp, (t) => t.includes('\r\n\r\n')), /^SIP\/2\.0 200 OK/)
    tcp.destroy()

    const secure = tls.connect({ host: '127.0.0.1', port: ports.tls, ca: [pair.cert], servername: 'localhost' })
    await once(secure, 'secureConnect')
    secure.write(request('OPTIONS', `sip:127.0.0.1:${ports.tls};transport=tls`, 'TLS', secure.localPort ?? 0))
    assert.match(await readUntil(secure, (t) => t.includes('\r\n\r\n')), /^SIP\/2\.0 200 OK/)
    secure.destroy()
  } finally {
    await sip.stop()
  }
  const probe = net.connect({ host: '127.0.0.1', port: ports.tcp })
  const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException]
  assert.equal(error.code, 'ECONNREFUSED')
})

void test('a call through the whole assembly: 200 with an RTP port the loopback media holds; the media record; BYE frees it', async () => {
  const sip = service()
  const ports = await sip.start(listening)
  try {
    const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'm=video 11 RTP/AVP 96', 'a=rtpmap:96 H264/90000', ''].join('\r\n')
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    const local = socket.address().port
    const answers: string[] = []
    socket.on('message', (m) => answers.push(m.toString()))
    const waitFor = async (check: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5000
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out with: ${answers.join('\n---\n')}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    socket.send(request('INVITE', 'sip:meet.bob@example.com', 'UDP', local, ['Content-Type: application/sdp'], sdp), ports.udp, '127.0.0.1')
    await waitFor(() => answers.some((a) => a.startsWith('SIP/2.0 200')))
    const ok = answers.find((a) => a.startsWith('SIP/2.0 200')) ?? ''
    const audioPort = Number(/m=audio (\d+) /.exec(ok)?.[1])
    const global = config.source.global
    assert.ok(audioPort >= global.rtpPortMin && audioPort < global.rtpPortMax && audioPort % 2 === 0)
    const snapshot = sip.media?.snapshot() ?? []
    assert.equal(snapshot.length, 1)
    assert.equal(snapshot[0]?.ports.audio, audioPort)
    assert.ok(snapshot[0]?.conference !== undefined, 'meet.bob has no PIN: in the mix at once')

    // Stopping the node hangs the call up (BYE) and frees the ports.
    await Promise.all([sip.stop(), waitFor(() => answers.some((a) => a.startsWith('BYE ')))])
    socket.close()
    const rtp = dgram.createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      rtp.once('error', reject)
      rtp.bind(audioPort, '127.0.0.1', resolve)
    })
    rtp.close()
  } finally {
    await sip.stop()
  }
})

void test('a port already taken: start rejects, saying which one, and nothing runs', async () => {
  const squatter = net.createServer()
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
  const taken = (squatter.address() as net.AddressInfo).port
  const sip = service(env({ sipsPort: taken }))
  try {
    await assert.rejects(sip.start(listening), new RegExp(`tls 127\\.0\\.0\\.1:${taken}`))
    assert.equal(sip.runtime, undefined)
  } finally {
    squatter.close()
  }
})
