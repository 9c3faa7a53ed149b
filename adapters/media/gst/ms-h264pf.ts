/**
 * [MS-H264PF] framing of Parley's H.264 RTP for Skype for Business legs that took X-H264UC
 * (docs/decisions/0006-sfb-video-x-h264uc.md). Parley sends one layer (UCConfig mode 0: one
 * resolution, one temporal layer, priority id 0), so the framing is what MS-H264PF adds to
 * RFC 6184 for such a stream:
 *
 * - §2.2.4: a PACSI NAL unit (RFC 6190 §4.9, type 30) is the first NAL unit of the layer in
 *   every access unit, never fragmented. It goes in an RTP packet of its own, with the access
 *   unit's timestamp (RFC 6190 §4.1), the marker clear and, as the NI-TC mode SfB offers wants
 *   of such a PACSI (RFC 6190 §5.2.2), a DONC;
 * - §2.2.5: the PACSI of an IDR access unit carries a full stream layout SEI message (user data
 *   unregistered, the stream layout UUID) describing the one layer;
 * - each coded slice is preceded by a prefix NAL unit (H.264 Annex G, type 14) carrying the SVC
 *   header of the base layer (RFC 6190 table 12: with prefix NAL units present, every slice has
 *   one; H.264/AVC decoders ignore them, §5.1). That SfB wants them is from a public
 *   implementation, not the MS-H264PF text (decision 0006);
 * - FU-A for what exceeds the MTU (rtph264pay does that already);
 * - access unit delimiters are dropped: the PACSI opens the access unit instead.
 *
 * Works on the RTP packets `rtph264pay` (aggregate-mode=none: single NAL units and FU-A) sends,
 * before SRTP, in the leg's port shim on Node's main thread (never on a GStreamer streaming
 * thread: gstreamer.ts). Inserted packets take sequence numbers, so the framer renumbers.
 */

/** RFC 6184 §5.2 / RFC 6190 §4.9 / H.264 Table 7-1 NAL unit types this file deals in. */
export const NalType = { slice: 1, idrSlice: 5, sei: 6, sps: 7, pps: 8, aud: 9, prefix: 14, stapA: 24, fuA: 28, pacsi: 30 } as const

/** [MS-H264PF] §2.2.5: the UUID of the stream layout SEI message ({139FB1A9-446A-4DEC-8CBF-65B1E12D2CFD}). */
export const streamLayoutUuid = Buffer.from('139fb1a9446a4dec8cbf65b1e12d2cfd', 'hex')

/** The layer Parley sends, as the stream layout's layer description gives it. */
export interface LayerDescription {
  readonly width: number
  readonly height: number
  readonly bitrateBps: number
  readonly fps: number
}

/** [MS-H264PF] §2.2.5 frame rate index: 7.5, 12.5, 15, 25, 30 fps (the nearest not above, at least 7.5). */
export const frameRateIndex = (fps: number): number => {
  const rates = [7.5, 12.5, 15, 25, 30]
  let index = 0
  for (const [i, rate] of rates.entries()) if (fps >= rate) index = i
  return index
}

/**
 * RFC 6190 §1.1.3 / H.264 G.7.3.1.1: the three-byte SVC NAL unit header extension of the base
 * layer: R=1, idr_flag, priority_id 0; no_inter_layer_pred_flag=1, dependency_id 0, quality_id 0;
 * temporal_id 0, use_ref_base_pic 0, discardable 0, output_flag 1, reserved_three_2bits.
 */
export const baseLayerExtension = (idr: boolean): Buffer => Buffer.from([0x80 | (idr ? 0x40 : 0), 0x80, 0x07])

/** H.264 Annex G prefix NAL unit (type 14) for a base-layer slice whose NAL header byte is `sliceHeader`. */
export const prefixNalUnit = (sliceHeader: number, idr: boolean): Buffer => Buffer.concat([Buffer.from([(sliceHeader & 0x60) | NalType.prefix]), baseLayerExtension(idr)])

/**
 * The stream layout SEI NAL unit (§2.2.5, full layout: P=1) for one layer of priority id 0.
 * Written without emulation prevention bytes, as SfB's own PACSI carries it (unconfirmed; none of
 * its fields can form 00 00 03 for sizes and rates Parley uses).
 */
export const streamLayoutSei = (layer: LayerDescription): Buffer => {
  const description = Buffer.alloc(16)
  description.writeUInt16BE(layer.width, 0)
  description.writeUInt16BE(layer.height, 2)
  description.writeUInt16BE(layer.width, 4)
  description.writeUInt16BE(layer.height, 6)
  description.writeUInt32BE(Math.min(0xffff_ffff, Math.max(0, Math.round(layer.bitrateBps))), 8)
  // FPSIdx (5 bits), layer type 0 = base (3 bits); PRID 0 (6 bits), constrained baseline (1), reserved (1); 2 reserved bytes.
  description[12] = frameRateIndex(layer.fps) << 3
  description[13] = 0x02
  // Layer presence bytes LPB0..7: bit 0 of LPB0 is priority id 0.
  const presence = Buffer.from([0x01, 0, 0, 0, 0, 0, 0, 0])
  const payload = Buffer.concat([streamLayoutUuid, presence, Buffer.from([0x01, description.length]), description])
  // NAL header (SEI), payloadType 5 (user data unregistered), payloadSize, payload, rbsp_trailing_bits.
  return Buffer.concat([Buffer.from([NalType.sei, 5, payload.length]), payload, Buffer.from([0x80])])
}

export interface PacsiFields {
  readonly idr: boolean
  /** RFC 6190 §4.9 TL0PICIDX: counts the access units of temporal layer 0 (all of Parley's), mod 256. */
  readonly tl0PicIdx: number
  /** RFC 6190 §4.9 IDRPICID: counts IDR access units, mod 65536. */
  readonly idrPicId: number
  /**
   * RFC 6190 §4.9 DONC: the cross-session decoding order number of the next NAL unit (§4.11.1).
   * §5.2.2: in the NI-C and NI-TC modes (SfB offers `mst-mode=NI-TC`) a PACSI in a packet of its
   * own MUST carry it (T=1).
   */
  readonly donc?: number
  /** The SEI NAL units to carry (the stream layout in an IDR access unit). */
  readonly sei: ReadonlyArray<Buffer>
}

/**
 * A PACSI NAL unit (RFC 6190 §4.9, figure 3): NAL header (NRI 3, type 30), the base layer's SVC
 * header extension, X|Y|T|A|P|C|S|E (X=1: A, P, C specified; Y=1: S, E specified and TL0PICIDX,
 * IDRPICID present; T: DONC present; A and C set on an IDR; S and E: the layer's first and last
 * VCL NAL units follow in this access unit), then each SEI NAL unit after its 16-bit size.
 */
export const pacsiNalUnit = (fields: PacsiFields): Buffer => {
  const flags = 0x80 | 0x40 | (fields.donc === undefined ? 0 : 0x20) | (fields.idr ? 0x10 | 0x04 : 0) | 0x02 | 0x01
  const donc = fields.donc === undefined ? [] : [(fields.donc >> 8) & 0xff, fields.donc & 0xff]
  const head = Buffer.from([0x60 | NalType.pacsi, ...baseLayerExtension(fields.idr), flags, fields.tl0PicIdx & 0xff, (fields.idrPicId >> 8) & 0xff, fields.idrPicId & 0xff, ...donc])
  const units = fields.sei.flatMap((nal) => {
    const size = Buffer.alloc(2)
    size.writeUInt16BE(nal.length)
    return [size, nal]
  })
  return Buffer.concat([head, ...units])
}

/** The RTP header length of a packet (RFC 3550 §5.1: fixed part, CSRCs, header extension), or undefined if it is too short. */
export const rtpHeaderLength = (packet: Buffer): number | undefined => {
  if (packet.length < 12) return undefined
  const first = packet[0] ?? 0
  let length = 12 + 4 * (first & 0x0f)
  if ((first & 0x10) !== 0) {
    if (packet.length < length + 4) return undefined
    length += 4 + 4 * packet.readUInt16BE(length + 2)
  }
  return packet.length < length ? undefined : length
}

/** What a payload starts: the NAL unit type it carries first (an FU-A's fragment's type, with whether it is the start). */
export const payloadNal = (payload: Buffer): { readonly type: number; readonly header: number; readonly starts: boolean } | undefined => {
  const first = payload[0]
  if (first === undefined) return undefined
  const type = first & 0x1f
  if (type !== NalType.fuA) return { type, header: first, starts: true }
  const fu = payload[1]
  if (fu === undefined) return undefined
  return { type: fu & 0x1f, header: (first & 0xe0) | (fu & 0x1f), starts: (fu & 0x80) !== 0 }
}

const isSlice = (type: number): boolean => type === NalType.slice || type === NalType.idrSlice

/** Removes H.264 emulation prevention bytes (§7.4.1: 00 00 03 → 00 00). */
const unescape = (nal: Buffer): Buffer => {
  const out: number[] = []
  let zeros = 0
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0
      continue
    }
    out.push(byte)
    zeros = byte === 0 ? zeros + 1 : 0
  }
  return Buffer.from(out)
}

/** Exp-Golomb reader over an RBSP (H.264 §9.1). */
class BitReader {
  private bit = 0
  constructor(private readonly data: Buffer) {}
  u(n: number): number {
    let value = 0
    for (let i = 0; i < n; i++) {
      const byte = this.data[this.bit >> 3]
      if (byte === undefined) throw new RangeError('past the end of the SPS')
      value = value * 2 + ((byte >> (7 - (this.bit & 7))) & 1)
      this.bit++
    }
    return value
  }
  ue(): number {
    let zeros = 0
    while (this.u(1) === 0) if (++zeros > 31) throw new RangeError('bad exp-Golomb code')
    return 2 ** zeros - 1 + this.u(zeros)
  }
  se(): number {
    const k = this.ue()
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2
  }
}

const highProfiles = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135])

/**
 * The picture size an SPS NAL unit (H.264 §7.3.2.1.1) describes, after cropping; undefined for
 * an SPS this reader does not follow (scaling matrices) or a truncated one.
 */
export const spsPictureSize = (sps: Buffer): { readonly width: number; readonly height: number } | undefined => {
  try {
    const bits = new BitReader(unescape(sps.subarray(1)))
    const profile = bits.u(8)
    bits.u(16) // constraint flags, level_idc
    bits.ue() // seq_parameter_set_id
    let chromaFormat = 1
    if (highProfiles.has(profile)) {
      chromaFormat = bits.ue()
      if (chromaFormat === 3) bits.u(1)
      bits.ue() // bit_depth_luma_minus8
      bits.ue() // bit_depth_chroma_minus8
      bits.u(1) // qpprime_y_zero_transform_bypass_flag
      if (bits.u(1) === 1) return undefined // seq_scaling_matrix_present_flag
    }
    bits.ue() // log2_max_frame_num_minus4
    const pocType = bits.ue()
    if (pocType === 0) bits.ue()
    else if (pocType === 1) {
      bits.u(1)
      bits.se()
      bits.se()
      const cycle = bits.ue()
      for (let i = 0; i < cycle; i++) bits.se()
    }
    bits.ue() // max_num_ref_frames
    bits.u(1) // gaps_in_frame_num_value_allowed_flag
    const widthMbs = bits.ue() + 1
    const heightMapUnits = bits.ue() + 1
    const frameMbsOnly = bits.u(1)
    if (frameMbsOnly === 0) bits.u(1)
    bits.u(1) // direct_8x8_inference_flag
    const crop = bits.u(1) === 1 ? { left: bits.ue(), right: bits.ue(), top: bits.ue(), bottom: bits.ue() } : { left: 0, right: 0, top: 0, bottom: 0 }
    const cropX = chromaFormat === 0 || chromaFormat === 3 ? 1 : 2
    const cropY = (chromaFormat === 1 ? 2 : 1) * (2 - frameMbsOnly)
    return {
      width: widthMbs * 16 - cropX * (crop.left + crop.right),
      height: heightMapUnits * 16 * (2 - frameMbsOnly) - cropY * (crop.top + crop.bottom),
    }
  } catch {
    return undefined
  }
}

/**
 * Frames one RTP stream (one SSRC) as MS-H264PF wants, packet by packet. Stateful: sequence
 * numbers, the access unit in progress, the PACSI counters, and the layer as the stream shows
 * it (size from its SPS, rate from its timestamps, bitrate as `bitrateOf` says for them).
 */
export class MsH264pfFramer {
  private sequence: number
  private timestamp: number | undefined
  private tl0PicIdx = 0
  private idrPicId = 0
  private pacsis = 0
  private size = { width: 0, height: 0 }
  private fps = 30

  constructor(
    firstSequence: number,
    private readonly bitrateOf: (layer: { readonly width: number; readonly height: number; readonly fps: number }) => number,
  ) {
    this.sequence = firstSequence & 0xffff
  }

  /** The layer the stream layout describes now. */
  get layer(): LayerDescription {
    const { width, height } = this.size
    return { width, height, fps: this.fps, bitrateBps: this.bitrateOf({ width, height, fps: this.fps }) }
  }

  /** The packets to send for one of `rtph264pay`'s (none when it is not RTP). */
  frame(packet: Buffer): ReadonlyArray<Buffer> {
    const headerLength = rtpHeaderLength(packet)
    if (headerLength === undefined) return []
    const payload = packet.subarray(headerLength)
    const nal = payloadNal(payload)
    if (nal === undefined) return []
    // The PACSI takes the access unit delimiter's place (x264 writes one first in every access unit, before the SPS that tells an IDR).
    if (nal.type === NalType.aud && payload[0] === nal.header) return []
    const header = packet.subarray(0, headerLength)
    const timestamp = packet.readUInt32BE(4)
    // An SPS in its own packet (config-interval=-1 puts one before every IDR) gives the size.
    if (nal.type === NalType.sps && payload[0] === nal.header) this.size = spsPictureSize(payload) ?? this.size
    const out: Buffer[] = []
    if (timestamp !== this.timestamp) {
      const step = this.timestamp === undefined ? 0 : (timestamp - this.timestamp) >>> 0
      // 90 kHz clock (RFC 6184 §5.1); a step of up to a second is a frame interval.
      if (step > 0 && step <= 90_000) this.fps = Math.round(90_000 / step)
      this.timestamp = timestamp
      // With config-interval=-1 an IDR access unit opens with its SPS (RFC 6184 §8.4: parameter sets in band).
      const idr = nal.type === NalType.sps || nal.type === NalType.pps || nal.type === NalType.idrSlice
      if (idr) this.idrPicId = (this.idrPicId + 1) & 0xffff
      // RFC 6190 §4.11.1: a NAL unit's CS-DON is the last PACSI's DONC plus the packets since, less one; numbering every
      // other packet by its sequence number less the PACSIs sent so far keeps CS-DON running on by one, access unit after access unit.
      this.pacsis++
      const donc = (this.sequence + 1 - this.pacsis) & 0xffff
      const pacsi = pacsiNalUnit({ idr, tl0PicIdx: this.tl0PicIdx, idrPicId: this.idrPicId, donc, sei: idr ? [streamLayoutSei(this.layer)] : [] })
      this.tl0PicIdx = (this.tl0PicIdx + 1) & 0xff
      out.push(this.packet(header, pacsi, false))
    }
    if (isSlice(nal.type) && nal.starts) out.push(this.packet(header, prefixNalUnit(nal.header, nal.type === NalType.idrSlice), false))
    out.push(this.packet(header, payload, ((packet[1] ?? 0) & 0x80) !== 0))
    return out
  }

  private packet(header: Buffer, payload: Buffer, marker: boolean): Buffer {
    const out = Buffer.concat([header, payload])
    out[1] = ((out[1] ?? 0) & 0x7f) | (marker ? 0x80 : 0)
    out.writeUInt16BE(this.sequence, 2)
    this.sequence = (this.sequence + 1) & 0xffff
    return out
  }
}
