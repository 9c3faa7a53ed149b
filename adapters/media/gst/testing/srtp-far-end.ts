/**
 * The receiving half of an SRTP far end for the media specs (rtp-endpoint.ts `srtp`): a Node
 * socket on the far end's RTP port that decrypts what Parley sends with Parley's key (the
 * answer's `a=crypto`) and hands the plain RTP to the recording `gst-launch-1.0` on loopback.
 * A phone would decrypt with libsrtp; decrypting here with srtp-packet.ts (checked against
 * RFC 3711's vectors) also checks Parley's srtpenc against an implementation of its own.
 *
 * The same socket is the far end's ICE candidate: it sends Binding requests from it and reads
 * the responses, as a controlling full agent would (RFC 8445 §7.2).
 */
import { randomBytes } from 'node:crypto'
import dgram from 'node:dgram'
import { Attribute, MessageType, readStun, readXorMappedAddress, verifyStun, writeStun } from '../ice-stun.js'
import { RolloverCounter, isMuxedRtcp, sessionKeys, srtpSuiteParameters, unprotectRtp } from '../srtp-packet.js'

export interface SrtpFarEndCounts {
  readonly decrypted: number
  readonly rejected: number
}

export interface BindingResult {
  /** The mapped address Parley saw, when the response's integrity verified with Parley's password. */
  readonly mapped?: { readonly address: string; readonly port: number }
  readonly integrity: boolean
  readonly fingerprint: boolean
}

export interface SrtpFarEnd {
  readonly port: number
  readonly counts: () => SrtpFarEndCounts
  /** Decrypts with this key from now on (a far end that learns Parley's key from the SDP answer). */
  readonly useKey: (parleyKey: string) => void
  /** One Binding request to `port` (Parley's candidate) from this socket; undefined when nothing came back within `timeoutMs`. */
  readonly check: (port: number, ice: { readonly ufrag: string; readonly pwd: string; readonly localUfrag: string }, useCandidate: boolean, timeoutMs?: number) => Promise<BindingResult | undefined>
  readonly close: () => void
}

export const srtpFarEnd = async (options: { readonly suite: string; readonly parleyKey: string; readonly forwardTo: number }): Promise<SrtpFarEnd> => {
  const suite = srtpSuiteParameters(options.suite)
  if (suite === undefined) throw new Error(`no SRTP suite ${options.suite}`)
  let keys = sessionKeys(Buffer.from(options.parleyKey, 'base64'), suite)
  const rocs = new Map<number, RolloverCounter>()
  const socket = dgram.createSocket('udp4')
  const pending = new Map<string, (response: Buffer) => void>()
  let decrypted = 0
  let closed = false
  let rejected = 0
  socket.on('message', (packet) => {
    const first = packet[0] ?? 0
    if (first <= 3) {
      const message = readStun(packet)
      if (message !== undefined) pending.get(message.transactionId.toString('hex'))?.(packet)
      return
    }
    // Parley's SRTCP, muxed on this port (RFC 5761) where the plan runs RTCP: not SRTP, not counted.
    if (packet.length < 12 || isMuxedRtcp(packet)) return
    const ssrc = packet.readUInt32BE(8)
    const seq = packet.readUInt16BE(2)
    const roc = rocs.get(ssrc) ?? new RolloverCounter()
    rocs.set(ssrc, roc)
    const guess = roc.guess(seq)
    const plain = unprotectRtp(packet, keys, suite, guess)
    if (plain === undefined) {
      rejected++
      return
    }
    roc.accept(seq, guess)
    decrypted++
    socket.send(plain, options.forwardTo, '127.0.0.1')
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => resolve())
  })
  return {
    port: socket.address().port,
    counts: () => ({ decrypted, rejected }),
    useKey: (parleyKey) => {
      keys = sessionKeys(Buffer.from(parleyKey, 'base64'), suite)
    },
    check: (port, ice, useCandidate, timeoutMs = 1_000) => {
      const id = randomBytes(12)
      const request = writeStun(
        MessageType.bindingRequest,
        id,
        [
          [Attribute.username, Buffer.from(`${ice.ufrag}:${ice.localUfrag}`)],
          [Attribute.priority, Buffer.from([0x6e, 0, 1, 0xff])],
          [Attribute.iceControlling, randomBytes(8)],
          ...(useCandidate ? [[Attribute.useCandidate, Buffer.alloc(0)] as const] : []),
        ],
        ice.pwd,
      )
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id.toString('hex'))
          resolve(undefined)
        }, timeoutMs)
        pending.set(id.toString('hex'), (packet) => {
          clearTimeout(timer)
          pending.delete(id.toString('hex'))
          const message = readStun(packet)
          if (message === undefined || message.type !== MessageType.bindingSuccess) return resolve({ integrity: false, fingerprint: false })
          const integrity = verifyStun(message, ice.pwd)
          const mappedValue = message.attributes.find((a) => a.type === Attribute.xorMappedAddress)?.value
          const mapped = mappedValue === undefined ? undefined : readXorMappedAddress(mappedValue, id)
          resolve({ integrity, fingerprint: message.attributes.at(-1)?.type === Attribute.fingerprint, ...(mapped === undefined ? {} : { mapped }) })
        })
        socket.send(request, port, '127.0.0.1')
      })
    },
    close: () => {
      if (closed) return
      closed = true
      socket.close()
    },
  }
}
