/**
 * Keys the far end's SSRCs into a leg's srtpdec (srtp-description.ts says why the key goes in
 * with an SSRC). The leg's port shim (ice-lite-port.ts) sees every datagram on the main thread
 * and reports its SSRC; a new one goes into the receive source's caps before the datagram is
 * relayed, the source renegotiates, and srtpdec has the key for that SSRC from its next packet
 * on. A far end's first packet of each SSRC is dropped; packets whose tag does not verify (a
 * wrong key, a forgery) are dropped by srtpdec and never reach the demuxer.
 */

/** RFC 3550 §5.1 / §6.4.1: the SSRC of an RTP packet (offset 8) or of an RTCP sender (offset 4); RFC 5761 §4 tells them apart. */
export const ssrcOf = (packet: Uint8Array): number | undefined => {
  const first = packet[0]
  const second = packet[1]
  if (first === undefined || second === undefined || (first & 0xc0) !== 0x80) return undefined
  const payloadType = second & 0x7f
  // RFC 5761 §4: RTCP packet types 192-223 read as RTP payload types 64-95 with the marker bit set.
  const offset = payloadType >= 64 && payloadType <= 95 ? 4 : 8
  if (packet.length < offset + 4) return undefined
  return (((packet[offset] ?? 0) << 24) | ((packet[offset + 1] ?? 0) << 16) | ((packet[offset + 2] ?? 0) << 8) | (packet[offset + 3] ?? 0)) >>> 0
}

/** One receive chain's keyed SSRCs; `learn` puts a new one into the source caps. */
export class SsrcKeying {
  private readonly known: Set<number>

  constructor(
    private readonly learn: (ssrc: number) => void,
    keyed: ReadonlyArray<number>,
  ) {
    this.known = new Set(keyed)
  }

  /** Called for every datagram from the far end, before it is relayed to the chain. */
  seen(packet: Uint8Array): void {
    const ssrc = ssrcOf(packet)
    if (ssrc === undefined || this.known.has(ssrc)) return
    this.known.add(ssrc)
    this.learn(ssrc)
  }

  get keyed(): ReadonlyArray<number> {
    return [...this.known]
  }
}
