/**
 * RTCP as the media specs see it on the wire: the packets of a compound RTCP datagram (RFC 3550
 * §6.1), told apart from RTP on a muxed port (RFC 5761 §4: packet types 192-223), and the two
 * keyframe requests a viewer sends (RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR).
 */

export const rtcpSenderReport = 200
export const rtcpReceiverReport = 201
/** Payload-specific feedback (RFC 4585 §6.1): FMT 1 = PLI, FMT 4 = FIR (RFC 5104 §4.3.1). */
export const rtcpPayloadFeedback = 206

export interface RtcpPacket {
  readonly type: number
  /** The count field, which is the FMT of a feedback packet. */
  readonly format: number
  readonly body: Buffer
}

/** RFC 5761 §4: on a muxed port, the second byte of RTCP is a packet type of 192-223. */
export const isRtcp = (datagram: Buffer): boolean => datagram.length >= 8 && (datagram[1] ?? 0) >= 192 && (datagram[1] ?? 0) <= 223

/** The packets of a compound datagram (stops at the first malformed header). */
export const rtcpPackets = (datagram: Buffer): ReadonlyArray<RtcpPacket> => {
  const packets: RtcpPacket[] = []
  for (let offset = 0; offset + 4 <= datagram.length; ) {
    const first = datagram[offset] ?? 0
    if (first >> 6 !== 2) break
    const length = (datagram.readUInt16BE(offset + 2) + 1) * 4
    if (offset + length > datagram.length) break
    packets.push({ type: datagram[offset + 1] ?? 0, format: first & 0x1f, body: datagram.subarray(offset, offset + length) })
    offset += length
  }
  return packets
}

export const isPli = (packet: RtcpPacket): boolean => packet.type === rtcpPayloadFeedback && packet.format === 1
export const isFir = (packet: RtcpPacket): boolean => packet.type === rtcpPayloadFeedback && packet.format === 4

/**
 * An empty receiver report from `sender` (RFC 3550 §6.4.2), which a compound RTCP datagram starts
 * with (§6.1): it also makes `sender` a known source, which GStreamer's session wants of a FIR's sender.
 */
export const emptyReceiverReport = (sender: number): Buffer => {
  const packet = Buffer.alloc(8)
  packet[0] = 0x80
  packet[1] = rtcpReceiverReport
  packet.writeUInt16BE(1, 2)
  packet.writeUInt32BE(sender >>> 0, 4)
  return packet
}

/** A PLI from `sender` about `media` (RFC 4585 §6.1: 12 bytes, no FCI). */
export const pliPacket = (sender: number, media: number): Buffer => {
  const packet = Buffer.alloc(12)
  packet[0] = 0x80 | 1
  packet[1] = rtcpPayloadFeedback
  packet.writeUInt16BE(2, 2)
  packet.writeUInt32BE(sender >>> 0, 4)
  packet.writeUInt32BE(media >>> 0, 8)
  return packet
}

/** A FIR from `sender` asking `media` for a decoder refresh, command `sequence` (RFC 5104 §4.3.1: media SSRC 0, one FCI entry). */
export const firPacket = (sender: number, media: number, sequence: number): Buffer => {
  const packet = Buffer.alloc(20)
  packet[0] = 0x80 | 4
  packet[1] = rtcpPayloadFeedback
  packet.writeUInt16BE(4, 2)
  packet.writeUInt32BE(sender >>> 0, 4)
  packet.writeUInt32BE(0, 8)
  packet.writeUInt32BE(media >>> 0, 12)
  packet[16] = sequence & 0xff
  return packet
}

/** RFC 6184 §5.2-5.8: does this RTP packet carry an SPS (7) or the start of an IDR slice (5)? */
export const startsKeyframe = (packet: Buffer): boolean => {
  const header = 12 + 4 * ((packet[0] ?? 0) & 0x0f)
  const type = (packet[header] ?? 0) & 0x1f
  if (type === 5 || type === 7) return true
  // STAP-A (§5.7.1): any aggregated unit (each after its 16-bit size; x264 puts an access unit delimiter first).
  if (type === 24) {
    for (let offset = header + 1; offset + 2 < packet.length; offset += 2 + packet.readUInt16BE(offset)) if ([5, 7].includes((packet[offset + 2] ?? 0) & 0x1f)) return true
    return false
  }
  // FU-A: start bit and the fragmented unit's type.
  if (type === 28) return ((packet[header + 1] ?? 0) & 0x80) !== 0 && ((packet[header + 1] ?? 0) & 0x1f) === 5
  return false
}
