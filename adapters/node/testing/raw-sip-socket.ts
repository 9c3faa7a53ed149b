/**
 * Raw SIP over real loopback sockets for the attack specs (issue 9): requests written byte for
 * byte (forged headers, torture messages, partial messages), responses read back as text. The
 * project's own stack would correct or refuse what these specs must send.
 */
import { createSocket } from 'node:dgram'
import type { Socket as UdpSocket } from 'node:dgram'
import { connect } from 'node:net'
import type { Socket as TcpSocket } from 'node:net'
import { randomBytes } from 'node:crypto'

export const token = (): string => randomBytes(6).toString('hex')

/** The status of a response's status line, or undefined for a request or garbage. */
export const statusOf = (message: string): number | undefined => {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(message)
  return m === undefined || m === null ? undefined : Number(m[1])
}

export const headerOf = (message: string, name: string): string | undefined => {
  const m = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'im').exec(message)
  return m?.[1]?.trim()
}

const waitFor = <T>(find: () => T | undefined, boundMs: number, what: string): Promise<T> =>
  new Promise((resolve, reject) => {
    const deadline = Date.now() + boundMs
    const poll = (): void => {
      const found = find()
      if (found !== undefined) return resolve(found)
      if (Date.now() > deadline) return reject(new Error(`no ${what} within ${boundMs} ms`))
      setTimeout(poll, 10)
    }
    poll()
  })

/** A UDP socket on loopback that records every datagram it receives. */
export class RawUdpPeer {
  readonly received: string[] = []
  private constructor(private readonly socket: UdpSocket, readonly port: number) {
    socket.on('message', (data) => this.received.push(data.toString('latin1')))
  }

  /** `host`: another loopback address (127.0.0.0/8) is another source to the node. */
  static open(host = '127.0.0.1'): Promise<RawUdpPeer> {
    const socket = createSocket('udp4')
    return new Promise((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, host, () => resolve(new RawUdpPeer(socket, socket.address().port)))
    })
  }

  send(text: string | Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
  }

  /** The first message received that `match` accepts (waits up to `boundMs`). */
  next(match: (message: string) => boolean, boundMs = 3_000): Promise<string> {
    return waitFor(() => this.received.find(match), boundMs, 'matching message')
  }

  /** The final response (>= 200) for `callId`. */
  finalFor(callId: string, boundMs = 3_000): Promise<string> {
    return this.next((m) => (statusOf(m) ?? 0) >= 200 && headerOf(m, '(?:Call-ID|i)') === callId, boundMs)
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }
}

/** A TCP connection to the node that records what it reads and whether the node closed it. */
export class RawTcpPeer {
  text = ''
  closed = false
  private constructor(readonly socket: TcpSocket) {
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (this.text += chunk))
    socket.on('close', () => (this.closed = true))
    socket.on('error', () => (this.closed = true))
  }

  static open(port: number): Promise<RawTcpPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.removeListener('error', reject)
        resolve(new RawTcpPeer(socket))
      })
    })
  }

  get localPort(): number {
    return this.socket.localPort ?? 0
  }

  send(text: string | Buffer): void {
    this.socket.write(typeof text === 'string' ? Buffer.from(text, 'latin1') : text)
  }

  /** Responses read so far, split at each status line. */
  responses(): string[] {
    return this.text.split(/(?=^SIP\/2\.0 \d{3} )/m).filter((r) => statusOf(r) !== undefined)
  }

  finalFor(callId: string, boundMs = 3_000): Promise<string> {
    return waitFor(() => this.responses().find((m) => (statusOf(m) ?? 0) >= 200 && headerOf(m, '(?:Call-ID|i)') === callId), boundMs, `final response for ${callId}`)
  }

  whenClosed(boundMs: number): Promise<true> {
    return waitFor(() => (this.closed ? true : undefined), boundMs, 'close by the node')
  }

  close(): void {
    this.socket.destroy()
  }
}

export const minimalOffer = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 49170 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n')

export interface RawRequest {
  readonly method: string
  readonly uri: string
  readonly from?: string
  readonly to?: string
  readonly callId?: string
  readonly cseq?: number
  /** Where responses go: the sending socket's port. */
  readonly viaPort: number
  readonly transport?: 'UDP' | 'TCP'
  readonly headers?: ReadonlyArray<string>
  readonly body?: string
  readonly contentType?: string
}

/** A request as text, with a fresh branch, tag and Call-ID unless given. */
export const rawRequest = (r: RawRequest): { readonly text: string; readonly callId: string } => {
  const callId = r.callId ?? `${token()}@attacker`
  const body = r.body ?? ''
  const lines = [
    `${r.method} ${r.uri} SIP/2.0`,
    `Via: SIP/2.0/${r.transport ?? 'UDP'} 127.0.0.1:${r.viaPort};branch=z9hG4bK${token()};rport`,
    'Max-Forwards: 70',
    `From: ${r.from ?? '"Mallory" <sip:mallory@attacker.example>'};tag=${token()}`,
    `To: ${r.to ?? `<${r.uri}>`}`,
    `Call-ID: ${callId}`,
    `CSeq: ${r.cseq ?? 1} ${r.method}`,
    `Contact: <sip:mallory@127.0.0.1:${r.viaPort}>`,
    ...(r.headers ?? []),
    ...(body === '' ? [] : [`Content-Type: ${r.contentType ?? 'application/sdp'}`]),
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
    '',
    body,
  ]
  return { text: lines.join('\r\n'), callId }
}
