import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { AudioStreamPlan } from '../worker/worker-protocol.js'
import { gridStart, mixBufferNs } from './mix-format.js'
import { primingAddress, primingPacket } from './priming-packet.js'
import { ignoredPayloadTypes, receiveDescription, receives, sendDescription, sends } from './rtp-description.js'

const sfbLike: AudioStreamPlan = {
  codec: { name: 'G722', payloadType: 9, clockRate: 8000 },
  remote: { address: '192.0.2.7', port: 50010 },
  direction: 'sendrecv',
  telephoneEvent: { payloadType: 101, clockRate: 8000 },
}

void test('the demuxer keeps only the codec and telephone-event payload types', () => {
  const ignored = ignoredPayloadTypes(sfbLike)
  assert.equal(ignored.length, 126)
  assert.ok(!ignored.includes(9) && !ignored.includes(101))
  assert.ok(ignored.includes(13), 'comfort noise is dropped')
  assert.ok(ignored.includes(72), 'RTCP on a muxed port (PT 200 & 0x7f) is dropped')
  assert.equal(ignoredPayloadTypes({ ...sfbLike, telephoneEvent: undefined } as unknown as AudioStreamPlan).length, 127)
})

void test('receive: the codec pad through jitter buffer, depayloader and decoder to level; events to rtpdtmfdepay', () => {
  const d = receiveDescription(sfbLike, 'l7')
  assert.match(d, /^udpsrc name=rtpsrc-l7 close-socket=false caps="application\/x-rtp,media=audio,clock-rate=8000,encoding-name=G722,payload=9" ! rtpptdemux name=demux-l7 /)
  assert.match(d, / demux-l7\.src_9 ! rtpjitterbuffer [^!]*! rtpg722depay ! avdec_g722 ! audioconvert ! audioresample ! capsfilter caps="audio\/x-raw,format=F32LE,rate=48000,channels=1,layout=interleaved" ! level name=level-l7 /)
  assert.match(d, / demux-l7\.src_101 ! capssetter caps="application\/x-rtp,encoding-name=TELEPHONE-EVENT,clock-rate=8000" ! rtpdtmfdepay name=dtmf-l7 ! fakesink /)
  assert.doesNotMatch(receiveDescription({ ...sfbLike, telephoneEvent: undefined } as unknown as AudioStreamPlan, 'l7'), /dtmf/)
})

void test('send: mix format in, encoder at its rate, payloader with the answered payload type, to the far end', () => {
  const opus: AudioStreamPlan = { codec: { name: 'opus', payloadType: 111, clockRate: 48000 }, remote: { address: '198.51.100.3', port: 4000 }, direction: 'sendonly' }
  const d = sendDescription(opus, 'l2')
  assert.match(d, /^capsfilter name=sendcaps-l2 caps="audio\/x-raw,format=F32LE/)
  assert.match(d, /audio\/x-raw,format=S16LE,rate=48000,channels=1" ! opusenc [^!]*! rtpopuspay pt=111 ! udpsink name=rtpsink-l2 close-socket=false sync=false async=false host=198.51.100.3 port=4000$/)
  assert.match(sendDescription(sfbLike, 'l1'), /rate=16000,channels=1" ! avenc_g722 ! rtpg722pay min-ptime=20000000 max-ptime=20000000 pt=9 /)
})

void test('directions are from Parley’s side', () => {
  const plan = (direction: AudioStreamPlan['direction']) => ({ ...sfbLike, direction })
  assert.deepEqual(
    (['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const).map((d) => [sends(plan(d)), receives(plan(d))]),
    [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ],
  )
})

void test('mixers start on one 20 ms grid, never before now plus the lead', () => {
  assert.equal(gridStart(0n, 0n, 40_000_000n), 40_000_000n)
  assert.equal(gridStart(0n, 1_234_567_891n, 40_000_000n), 1_280_000_000n)
  for (const now of [0n, 5n, 19_999_999n, 20_000_000n, 987_654_321n]) {
    const start = gridStart(0n, now, 40_000_000n)
    assert.equal(start % mixBufferNs, 0n)
    assert.ok(start >= now + 40_000_000n && start < now + 40_000_000n + mixBufferNs)
  }
})

void test('the priming packet is an empty RTP packet of the payload type, sent to the socket’s own address', () => {
  const packet = primingPacket(111)
  assert.equal(packet.length, 12)
  assert.equal(packet[0], 0x80)
  assert.equal(packet[1], 111)
  assert.equal(primingAddress('0.0.0.0'), '127.0.0.1')
  assert.equal(primingAddress('::'), '::1')
  assert.equal(primingAddress('192.0.2.50'), '192.0.2.50')
})
