/**
 * The packet a leg's receive chain is primed with. `rtpptdemux` creates its output pad for a
 * payload type when the first packet of that type arrives; until then the decoder side is not
 * linked to the source, upstream latency queries through it fail, and the conference mixers,
 * not knowing that they are live, wait for data from every input, including legs that have
 * not sent yet: the whole mix stalls. One RTP packet of the codec's payload type sent to the
 * leg's own port when it is attached makes the demuxer link at once. Its payload is empty, so
 * the depayloader drops it: nobody hears it.
 */
export const primingPacket = (payloadType: number): Buffer => {
  const packet = Buffer.alloc(12)
  packet[0] = 0x80 // RFC 3550 §5.1: version 2, no padding, no extension, no CSRC
  packet[1] = payloadType & 0x7f
  // Sequence number, timestamp and SSRC 0: the far end's stream replaces it in the jitter buffer.
  return packet
}

/** Where to send it: the socket's own address, or loopback when it listens on every address. */
export const primingAddress = (bindHost: string): string => (bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost === '::' || bindHost === '::0' ? '::1' : bindHost)
