/**
 * The call-rate bench's plain-Node reference (issue 8): a minimal UAS on the npm `sip` package
 * (0.0.6, its own parser, transaction layer and UDP transport), i.e. what plain Node does for a
 * call with no application logic. INVITE → 200 with a fixed SDP answer (audio and video, as
 * SIPp's UAS answers a fixed one) and a To tag; ACK → nothing; BYE and anything else → 200.
 * No 100 Trying: the answer is immediate, as Parley's is (RFC 3261 §17.2.1).
 *
 * The package opens its UDP socket with `dgram.createSocket(type, listener)`; it is given the
 * same 4 MB receive buffer as Parley (and SIPp's `-buff_size`) by wrapping that one call.
 *
 *   node --import tsx bench/references/node-sip-uas.ts <host> <port>
 */
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'

const receiveBufferBytes = 4 * 1024 * 1024

interface SipMessage {
  readonly method?: string
  readonly headers: { to: { params: Record<string, string> } } & Record<string, unknown>
}
interface NodeSip {
  start(options: Record<string, unknown>, onRequest: (request: SipMessage) => void): void
  send(message: unknown): void
  makeResponse(request: SipMessage, status: number, reason: string, extension?: { headers?: Record<string, unknown>; content?: string }): { headers: Record<string, unknown> }
}

const [host = '127.0.0.1', portText = '5060'] = process.argv.slice(2)
const port = Number(portText)

const createSocket = dgram.createSocket
;(dgram as { createSocket: unknown }).createSocket = (type: string | dgram.SocketOptions, listener?: (msg: Buffer, rinfo: dgram.RemoteInfo) => void): dgram.Socket =>
  createSocket(typeof type === 'string' ? { type: type as dgram.SocketType, recvBufferSize: receiveBufferBytes } : type, listener)

const sip = createRequire(import.meta.url)('sip') as NodeSip

const answer = [
  'v=0',
  `o=- 1 1 IN IP4 ${host}`,
  's=-',
  `c=IN IP4 ${host}`,
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'm=video 6002 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  '',
].join('\r\n')

sip.start({ address: host, port, tcp: false, udp: true }, (request) => {
  if (request.method === 'ACK') return
  if (request.method === 'INVITE') {
    const response = sip.makeResponse(request, 200, 'OK', {
      headers: { contact: [{ uri: `sip:uas@${host}:${port}` }], 'content-type': 'application/sdp' },
      content: answer,
    })
    ;(response.headers['to'] as { params: Record<string, string> }).params['tag'] = randomBytes(6).toString('hex')
    sip.send(response)
    return
  }
  sip.send(sip.makeResponse(request, 200, 'OK'))
})
