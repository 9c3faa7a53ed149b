import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { msH264pfSender } from './ms-h264pf-sender.js'
import { MsH264pfFramer, NalType, frameRateIndex, pacsiNalUnit, payloadNal, prefixNalUnit, rtpHeaderLength, spsPictureSize, streamLayoutSei, streamLayoutUuid } from './ms-h264pf.js'
import { RolloverCounter, sessionKeys, srtpSuiteParameters, unprotectRtp } from './srtp-packet.js'

/** SPS NAL units x264 (GStreamer 1.22's x264enc) wrote for these sizes. */
const x264Sps = {
  '320x180 constrained baseline': '6742c015d901419f9f016a0c0c0d4a000003000200000300791e2c5c90',
  '1280x720 constrained baseline': '6742c01fd9005005bb016a02020280000003008000001e478c1924',
  '640x360 high': '6764001eacd940a02ff97016a0c0c0d4a0000003002000000791e2c5b2c0',
}

void test('the picture size of an SPS (H.264 §7.3.2.1.1), cropping applied', () => {
  assert.deepEqual(spsPictureSize(Buffer.from(x264Sps['320x180 constrained baseline'], 'hex')), { width: 320, height: 180 })
  assert.deepEqual(spsPictureSize(Buffer.from(x264Sps['1280x720 constrained baseline'], 'hex')), { width: 1280, height: 720 })
  assert.deepEqual(spsPictureSize(Buffer.from(x264Sps['640x360 high'], 'hex')), { width: 640, height: 360 })
  assert.equal(spsPictureSize(Buffer.from('6742c0', 'hex')), undefined)
})

void test('PACSI (RFC 6190 §4.9, [MS-H264PF] §2.2.4): type 30, base-layer SVC header, X Y T (A C on IDR) S E, TL0PICIDX, IDRPICID, DONC, size-prefixed SEI', () => {
  const sei = Buffer.from([6, 5, 1, 0x80])
  const idr = pacsiNalUnit({ idr: true, tl0PicIdx: 0x1ff, idrPicId: 0x1234, donc: 0xbeef, sei: [sei] })
  assert.deepEqual([...idr], [0x7e, 0xc0, 0x80, 0x07, 0xf7, 0xff, 0x12, 0x34, 0xbe, 0xef, 0x00, 0x04, ...sei])
  const other = pacsiNalUnit({ idr: false, tl0PicIdx: 7, idrPicId: 1, sei: [] })
  assert.deepEqual([...other], [0x7e, 0x80, 0x80, 0x07, 0xc3, 7, 0, 1])
  assert.deepEqual([...prefixNalUnit(0x65, true)], [0x6e, 0xc0, 0x80, 0x07])
  assert.deepEqual([...prefixNalUnit(0x21, false)], [0x2e, 0x80, 0x80, 0x07])
})

void test('the stream layout SEI ([MS-H264PF] §2.2.5): user data unregistered, its UUID, PRID 0 present, one layer described', () => {
  const sei = streamLayoutSei({ width: 1280, height: 720, bitrateBps: 1_382_400, fps: 30 })
  assert.deepEqual([...sei.subarray(0, 3)], [NalType.sei, 5, 16 + 8 + 2 + 16])
  assert.deepEqual(sei.subarray(3, 19), streamLayoutUuid)
  assert.deepEqual([...sei.subarray(19, 27)], [1, 0, 0, 0, 0, 0, 0, 0])
  assert.deepEqual([...sei.subarray(27, 29)], [0x01, 16])
  const layer = sei.subarray(29, 45)
  assert.deepEqual([layer.readUInt16BE(0), layer.readUInt16BE(2), layer.readUInt16BE(4), layer.readUInt16BE(6), layer.readUInt32BE(8)], [1280, 720, 1280, 720, 1_382_400])
  assert.deepEqual([layer[12], layer[13]], [4 << 3, 0x02])
  assert.equal(sei.at(-1), 0x80)
  assert.deepEqual([5, 7.5, 10, 12.5, 15, 24, 25, 30, 60].map(frameRateIndex), [0, 0, 0, 1, 2, 2, 3, 4, 4])
})

const rtp = (sequence: number, timestamp: number, payload: ReadonlyArray<number>, marker = false): Buffer => {
  const header = Buffer.alloc(12)
  header[0] = 0x80
  header[1] = (marker ? 0x80 : 0) | 122
  header.writeUInt16BE(sequence & 0xffff, 2)
  header.writeUInt32BE(timestamp >>> 0, 4)
  header.writeUInt32BE(0xcafe, 8)
  return Buffer.concat([header, Buffer.from(payload)])
}

const typesOf = (packets: ReadonlyArray<Buffer>) => packets.map((p) => payloadNal(p.subarray(rtpHeaderLength(p) ?? 12))?.type)

void test('the framer: PACSI opens each access unit (with the layout on an IDR), a prefix NAL unit before each slice start, AUDs dropped, markers kept, sequence renumbered', () => {
  const framer = new MsH264pfFramer(0xfffe, ({ width, height, fps }) => width * height * fps)
  const sps = [...Buffer.from(x264Sps['320x180 constrained baseline'], 'hex')]
  const idr = [
    rtp(10, 9000, [0x09, 0x10]),
    rtp(11, 9000, sps),
    rtp(12, 9000, [0x68, 0xce, 0x38, 0x80]),
    rtp(13, 9000, [0x65, 0x88, 0x84]),
    rtp(14, 9000, [0x7c, 0x85, 1, 2]),
    rtp(15, 9000, [0x7c, 0x05, 3, 4]),
    rtp(16, 9000, [0x7c, 0x45, 5, 6], true),
  ].flatMap((p) => framer.frame(p))
  assert.deepEqual(typesOf(idr), [NalType.pacsi, NalType.sps, NalType.pps, NalType.prefix, NalType.idrSlice, NalType.prefix, NalType.idrSlice, NalType.idrSlice, NalType.idrSlice])
  assert.deepEqual(idr.map((p) => p.readUInt16BE(2)), [0xfffe, 0xffff, 0, 1, 2, 3, 4, 5, 6])
  assert.deepEqual(idr.map((p) => (p[1] ?? 0) >> 7), [0, 0, 0, 0, 0, 0, 0, 0, 1])
  assert.ok(idr.every((p) => p.readUInt32BE(4) === 9000 && p.readUInt32BE(8) === 0xcafe && ((p[1] ?? 0) & 0x7f) === 122))
  const pacsi = (idr[0] ?? Buffer.alloc(0)).subarray(12)
  assert.equal((pacsi[1] ?? 0) & 0x40, 0x40, 'idr_flag')
  assert.ok(pacsi.includes(streamLayoutUuid))
  assert.deepEqual(framer.layer, { width: 320, height: 180, fps: 30, bitrateBps: 320 * 180 * 30 })
  const next = [rtp(17, 18000, [0x09, 0x30]), rtp(18, 18000, [0x41, 0x9a, 1]), rtp(19, 18000, [0x41, 0x1a, 2], true)].flatMap((p) => framer.frame(p))
  assert.deepEqual(typesOf(next), [NalType.pacsi, NalType.prefix, NalType.slice, NalType.prefix, NalType.slice])
  const nextPacsi = (next[0] ?? Buffer.alloc(0)).subarray(12)
  assert.equal((nextPacsi[1] ?? 0) & 0x40, 0, 'no idr_flag')
  assert.equal(nextPacsi[5], 1, 'TL0PICIDX counts access units')
  assert.ok(!nextPacsi.includes(streamLayoutUuid))
  assert.equal(framer.layer.fps, 10, 'rate from the timestamps')
  assert.deepEqual(framer.frame(Buffer.from([0x80, 0, 0])), [])
})

const accessUnit = fc.record({
  step: fc.integer({ min: 1, max: 9000 }),
  packets: fc.array(
    fc.oneof(
      fc.constantFrom<ReadonlyArray<number>>([0x09, 0x10], [0x67, 0x42], [0x68, 0xce], [0x06, 0x05]),
      fc.tuple(fc.constantFrom(0x65, 0x41, 0x01), fc.uint8Array({ minLength: 1, maxLength: 20 })).map(([h, body]) => [h, ...body]),
      fc.tuple(fc.constantFrom(1, 5), fc.constantFrom(0x80, 0, 0x40), fc.uint8Array({ minLength: 1, maxLength: 20 })).map(([t, se, body]) => [0x7c, se | t, ...body]),
    ),
    { minLength: 1, maxLength: 12 },
  ),
})

void test('property: whatever rtph264pay sends, sequence numbers run on without gaps, each access unit opens with a PACSI, each slice start follows a prefix NAL unit, CS-DON (RFC 6190 §4.11.1) runs on by one', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), fc.array(accessUnit, { minLength: 1, maxLength: 8 }), (first, units) => {
      const framer = new MsH264pfFramer(first, () => 1)
      let timestamp = 0
      let sequence = 0
      const out: Buffer[] = []
      for (const unit of units) {
        timestamp += unit.step
        for (const [i, payload] of unit.packets.entries()) out.push(...framer.frame(rtp(sequence++, timestamp, payload, i === unit.packets.length - 1)))
      }
      out.forEach((p, i) => assert.equal(p.readUInt16BE(2), (first + i) & 0xffff))
      let lastTimestamp: number | undefined
      let previous: number | undefined
      let pacsi: { readonly donc: number; readonly sequence: number } | undefined
      let lastDon: number | undefined
      for (const p of out) {
        const nal = payloadNal(p.subarray(12))
        if (nal?.type === NalType.pacsi) pacsi = { donc: p.readUInt16BE(12 + 8), sequence: p.readUInt16BE(2) }
        else if (pacsi !== undefined) {
          const don = (pacsi.donc + ((p.readUInt16BE(2) - pacsi.sequence) & 0xffff) - 1) & 0xffff
          if (lastDon !== undefined) assert.equal(don, (lastDon + 1) & 0xffff)
          lastDon = don
        }
        if (p.readUInt32BE(4) !== lastTimestamp) assert.equal(nal?.type, NalType.pacsi)
        lastTimestamp = p.readUInt32BE(4)
        if ((nal?.type === NalType.slice || nal?.type === NalType.idrSlice) && nal.starts) assert.equal(previous, NalType.prefix)
        assert.notEqual(nal?.type, NalType.aud)
        previous = nal?.type
      }
    }),
  )
})

void test('the sender protects the framed packets with Parley’s key, the rollover counter stepping when the sequence numbers wrap (RFC 3711 §3.3.1)', () => {
  const localKey = Buffer.alloc(30, 7).toString('base64')
  const suite = srtpSuiteParameters('AES_CM_128_HMAC_SHA1_80')
  assert.ok(suite !== undefined)
  const send = msH264pfSender({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey, remoteKey: localKey }, 0xfffe)
  assert.ok(send !== undefined)
  const keys = sessionKeys(Buffer.from(localKey, 'base64'), suite)
  const roc = new RolloverCounter()
  const plain = [rtp(1, 100, [0x41, 0x9a, 1], true), rtp(2, 200, [0x41, 0x9a, 2], true)].flatMap((p) => send(p)).map((p) => {
    const sequence = p.readUInt16BE(2)
    const guess = roc.guess(sequence)
    const opened = unprotectRtp(p, keys, suite, guess)
    assert.ok(opened !== undefined, `packet ${sequence} authenticates with ROC ${guess}`)
    roc.accept(sequence, guess)
    return opened
  })
  assert.deepEqual(plain.map((p) => p.readUInt16BE(2)), [0xfffe, 0xffff, 0, 1, 2, 3])
  assert.deepEqual(typesOf(plain), [NalType.pacsi, NalType.prefix, NalType.slice, NalType.pacsi, NalType.prefix, NalType.slice])
  assert.equal(msH264pfSender({ suite: 'F8_128_HMAC_SHA1_80', localKey, remoteKey: localKey }), undefined)
})
