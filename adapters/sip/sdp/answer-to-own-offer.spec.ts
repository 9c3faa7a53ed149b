import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import type { ParsedOffer } from './parsed-offer.js'
import { parseSdp } from './parse-sdp.js'
import { mLineCount, withinOwnOffer } from './answer-to-own-offer.js'

const session = ['v=0', 'o=far 1 1 IN IP4 192.0.2.30', 's=-', 'c=IN IP4 192.0.2.30', 't=0 0']
const audio = ['m=audio 20000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000']
const video = (port: number, ...extra: string[]) => [`m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', ...extra]
const sdp = (...sections: string[][]): string => [...session, ...sections.flat(), ''].join('\r\n')
const read = (text: string): ParsedOffer => {
  const parsed = parseSdp(text)
  assert.ok(E.isRight(parsed), JSON.stringify(parsed))
  return parsed.right
}
const held = (answer: ParsedOffer, offered: number) => {
  const result = withinOwnOffer(answer, offered)
  assert.ok(E.isRight(result), JSON.stringify(result))
  return result.right
}

void describe('an answer held to the m-lines of Parley’s offer (RFC 3264 §6)', () => {
  void it('a conforming answer is read as it is', () => {
    const answer = read(sdp(audio, video(20002)))
    const result = held(answer, 2)
    assert.equal(result.answer, answer)
    assert.equal(result.ignoredLines, 0)
  })

  void it('an extra m=video (slides) past the offer’s two lines is no stream: audio and video only', () => {
    const answer = read(sdp(audio, video(20002), video(20004, 'a=content:slides')))
    assert.equal(answer.media.content, true, 'read alone, the extra line would count as content')
    const result = held(answer, 2)
    assert.equal(result.ignoredLines, 1)
    assert.deepEqual(result.answer.streams.map((s) => s.media), ['audio', 'video'])
    assert.deepEqual(result.answer.media, { audio: true, video: true, content: false, chat: false })
  })

  void it('an extra BFCP line cannot bind an offered main video as content (RFC 8856 §6)', () => {
    const answer = read(sdp(audio, video(20002, 'a=label:1'), ['m=application 9 TCP/BFCP *', 'a=floorctrl:c-only', 'a=setup:active', 'a=floorid:1 mstrm:1']))
    assert.equal(answer.media.video, false, 'read alone, the BFCP line makes the video content')
    const result = held(answer, 2)
    assert.deepEqual(result.answer.media, { audio: true, video: true, content: false, chat: false })
  })

  void it('an answer with LF line ends is cut the same way', () => {
    const result = held(read(sdp(audio, video(20002), video(20004)).replace(/\r\n/g, '\n')), 1)
    assert.deepEqual(result.answer.streams.map((s) => s.media), ['audio'])
    assert.equal(result.ignoredLines, 2)
  })

  void it('property: whatever the extra lines, the streams kept are the answer’s first ones, unchanged', () => {
    const section = fc.constantFrom(audio, video(20002), video(20004, 'a=content:slides'), ['m=application 9 TCP/BFCP *', 'a=floorctrl:c-only'], ['m=text 0 RTP/AVP 98'])
    fc.assert(
      fc.property(fc.array(section, { minLength: 1, maxLength: 6 }), fc.nat(6), (sections, offered) => {
        const answer = read(sdp(...sections))
        const result = held(answer, offered)
        const kept = Math.min(offered, sections.length)
        assert.equal(mLineCount(result.answer.sdp), kept)
        assert.equal(result.ignoredLines, sections.length - kept)
        assert.deepEqual(
          result.answer.streams.map((s) => `${s.media} ${s.port}`),
          answer.streams.slice(0, kept).map((s) => `${s.media} ${s.port}`),
        )
      }),
    )
  })
})
