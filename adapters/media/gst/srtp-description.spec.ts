import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { AudioStreamPlan } from '../worker/worker-protocol.js'
import { receiveDescription, sendDescription } from './rtp-description.js'
import { checkSrtpPlan, srtpSourceCaps, srtpTransforms } from './srtp-description.js'
import { ssrcOf, SsrcKeying } from './srtp-ssrc.js'

const localKey = Buffer.alloc(30, 1).toString('base64')
const remoteKey = Buffer.alloc(30, 2).toString('base64')
const sfb: AudioStreamPlan = {
  codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
  remote: { address: '192.0.2.7', port: 50010 },
  direction: 'sendrecv',
  srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', localKey, remoteKey },
}

void test('suites map to libsrtp transforms; SRTCP is authenticated with 80 bits even for _32 (RFC 4568 §6.2.2)', () => {
  assert.deepEqual(srtpTransforms('AES_CM_128_HMAC_SHA1_80'), { cipher: 'aes-128-icm', auth: 'hmac-sha1-80', rtcpAuth: 'hmac-sha1-80' })
  assert.deepEqual(srtpTransforms('AES_CM_128_HMAC_SHA1_32'), { cipher: 'aes-128-icm', auth: 'hmac-sha1-32', rtcpAuth: 'hmac-sha1-80' })
  assert.deepEqual(srtpTransforms('AES_256_CM_HMAC_SHA1_80'), { cipher: 'aes-256-icm', auth: 'hmac-sha1-80', rtcpAuth: 'hmac-sha1-80' })
  assert.equal(srtpTransforms('AEAD_AES_128_GCM'), undefined)
})

void test('receive: SRTP caps with the far end\'s key for the priming SSRC, srtpdec before the demuxer; send: srtpenc with Parley\'s key before the sink', () => {
  const receive = receiveDescription(sfb, 'l3')
  assert.match(receive, /^udpsrc name=rtpsrc-l3 close-socket=false caps="application\/x-srtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0,ssrc=\(uint\)0,srtp-key=\(buffer\)(02){30},srtp-cipher=\(string\)aes-128-icm,srtp-auth=\(string\)hmac-sha1-80,srtcp-cipher=\(string\)aes-128-icm,srtcp-auth=\(string\)hmac-sha1-80" ! srtpdec name=srtpdec-l3 ! rtpptdemux /)
  assert.doesNotMatch(receive, /(01){30}/, 'Parley\'s own key is not in the receive chain')
  const send = sendDescription(sfb, 'l3')
  assert.match(send, /pt=0 ! srtpenc name=srtpenc-l3 key=(01){30} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 ! udpsink /)
  const plain = { ...sfb }
  delete (plain as { srtp?: unknown }).srtp
  assert.doesNotMatch(receiveDescription(plain, 'l3') + sendDescription(plain, 'l3'), /srtp/)
  assert.match(srtpSourceCaps('application/x-rtp,payload=0', { ...sfb.srtp!, remoteMki: '01' }, 0xfffffffe), /,ssrc=\(uint\)4294967294,.*,mki=\(buffer\)01$/)
})

void test('plans with keys the worker cannot run are refused', () => {
  assert.equal(checkSrtpPlan(sfb.srtp!), undefined)
  assert.match(checkSrtpPlan({ ...sfb.srtp!, suite: 'AEAD_AES_256_GCM' }) ?? '', /not run/)
  assert.match(checkSrtpPlan({ ...sfb.srtp!, remoteKey: Buffer.alloc(46).toString('base64') }) ?? '', /remote SRTP key is not 30 bytes/)
  assert.match(checkSrtpPlan({ ...sfb.srtp!, localKey: 'not base64!' }) ?? '', /local SRTP key/)
  assert.match(checkSrtpPlan({ ...sfb.srtp!, remoteMki: 'xyz' }) ?? '', /MKI/)
  assert.equal(checkSrtpPlan({ suite: 'AES_256_CM_HMAC_SHA1_32', localKey: Buffer.alloc(46).toString('base64'), remoteKey: Buffer.alloc(46).toString('base64') }), undefined)
})

void test('SSRCs of RTP and (RFC 5761 muxed) RTCP packets; each new one is keyed once', () => {
  const rtp = Buffer.from('80000001000000a0deadbeef', 'hex')
  assert.equal(ssrcOf(rtp), 0xdeadbeef)
  const rtcp = Buffer.from('80c80006cafebabe', 'hex')
  assert.equal(ssrcOf(rtcp), 0xcafebabe)
  assert.equal(ssrcOf(Buffer.from('0001', 'hex')), undefined)
  assert.equal(ssrcOf(Buffer.from('8000', 'hex')), undefined)
  const learnt: number[] = []
  const keying = new SsrcKeying((ssrc) => learnt.push(ssrc), [0])
  fc.assert(
    fc.property(fc.array(fc.constantFrom(0, 1, 0xdeadbeef, 7)), (ssrcs) => {
      for (const ssrc of ssrcs) {
        const packet = Buffer.from(rtp)
        packet.writeUInt32BE(ssrc, 8)
        keying.seen(packet)
      }
      assert.equal(new Set(learnt).size, learnt.length, 'no SSRC keyed twice')
      assert.ok(!learnt.includes(0), 'the priming SSRC is keyed from the start')
    }),
  )
})
