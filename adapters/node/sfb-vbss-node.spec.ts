/**
 * SfB video-based screen sharing (VbSS) through the production node and its media worker, over
 * real SIP and real SRTP on loopback (decision 0007): an SfB caller in meet.bob opens a sharing
 * dialog of its conversation (RDP line and VbSS `m=video` labelled `applicationsharing-video`,
 * RTP/SAVP with SDES, ICE); the node answers it as that caller's content, the core gives it the
 * floor, and a plain SIP video caller in the room decodes the SfB caller's encrypted screen (white)
 * as its main picture; after the sharing dialog's BYE it sees the room again. Needs GStreamer and
 * node-gtk; fails, not skips, without them. About 15 s (a node and its worker start, then 4 s of
 * content and 2.5 s after).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { VideoEndpoint } from '../media/gst/testing/video-endpoint.js'
import { meanLuma, videoEndpoint } from '../media/gst/testing/video-endpoint.js'
import { SipStack } from '../sip/stack/sip-stack.js'
import type { Dialog } from '../sip/stack/stack-types.js'
import { NodeSipTransport } from '../sip/transport/node-sip-transport.js'
import { systemClock } from './system-clock.js'
import { startRunningNode } from './testing/running-node.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mainLuma = (frame: Uint8Array): number => meanLuma(frame, { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.6 })
const white = 200
const conversation = 'AdGF6XUwB6amAg2GSw2ydGyS1wqTHQAAbWLA'
const sfbHeaders = [
  { name: 'User-Agent', value: 'UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)' },
  { name: 'Ms-Conversation-ID', value: conversation },
]

/** An SfB audio call (SRTP; its media are not judged here). */
const sfbCallOffer = (key: string): string =>
  ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=session', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 49180 RTP/SAVP 0', `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`, 'a=rtpmap:0 PCMU/8000', 'a=label:main-audio', ''].join('\r\n')

/** The sharing dialog's offer: RDP and VbSS (H.264 to the far end's SRTP candidate), as decision 0007 reads it. */
const sharingOffer = (port: number, key: string): string =>
  [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=session',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=applicationsharing 49190 TCP/RTP/SAVP 127',
    'a=rtpmap:127 x-data/90000',
    'a=x-applicationsharing-session-id:1',
    'a=x-applicationsharing-role:sharer',
    'a=x-applicationsharing-media-type:rdp',
    `m=video ${port} RTP/SAVP 96`,
    'a=label:applicationsharing-video',
    'a=ice-ufrag:Vb55',
    'a=ice-pwd:vbssvbssvbssvbssvbssvbss',
    `a=candidate:1 1 UDP 2130706431 127.0.0.1 ${port} typ host`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`,
    'a=rtpmap:96 H264/90000',
    'a=fmtp:96 packetization-mode=1',
    'a=rtcp-mux',
    'a=sendonly',
    '',
  ].join('\r\n')

/** A plain SIP video caller: audio it never uses, H.264 to the far end's relay. */
const viewerOffer = (videoPort: number): string =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 49200 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', `m=video ${videoPort} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', 'a=sendrecv', ''].join('\r\n')

void test('an SfB caller’s VbSS screen share reaches a SIP video caller in the room as content, decrypted and decoded; after its BYE the room again', async (t) => {
  // The worker composes small, so that the spec stays cheap (media-worker.ts reads it from its environment).
  process.env['PARLEY_MEDIA_VIDEO_FORMAT'] = '320x180@10'
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-vbss-node-'))
  const { node } = await startRunningNode(dataDir, { PARLEY_MEDIA: 'gst', PARLEY_LOG_LEVEL: 'warn' })
  const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: 0 } })
  assert.ok(E.isRight(opened))
  const stack = new SipStack({ transport: opened.right, clock: systemClock, publicHost: '127.0.0.1' })
  stack.onRequest((incoming) => void incoming.respond({ status: 481 }))
  const endpoints: VideoEndpoint[] = []
  const dialogs: Dialog[] = []
  t.after(async () => {
    await Promise.all(endpoints.map((e) => e.stop()))
    await Promise.all(dialogs.map((d) => d.bye().catch(() => undefined)))
    stack.close()
    await opened.right.close()
    await node.stop()
    await rm(dataDir, { recursive: true, force: true })
  })
  const call = (user: string, offer: string, headers: typeof sfbHeaders = []): Promise<{ readonly dialog: Dialog; readonly answer: string }> =>
    new Promise((resolve, reject) => {
      stack.invite(
        {
          requestUri: 'sip:meet.bob@example.com',
          from: `"${user}" <sip:${user.toLowerCase().replace(/[^a-z]/g, '')}@127.0.0.1>`,
          to: '<sip:meet.bob@example.com>',
          headers,
          body: { contentType: 'application/sdp', content: offer },
          destination: { protocol: 'udp', host: '127.0.0.1', port: node.ready.sip?.udp ?? 0 },
        },
        {
          onAnswered: (response, dialog) => {
            dialog.setHandler({ onRequest: (request) => void request.respond({ status: 200 }), onTerminated: () => undefined })
            dialogs.push(dialog)
            resolve({ dialog, answer: response.bodyBytes.toString('utf8') })
          },
          onFailed: (failure) => reject(new Error(`${user}'s call failed: ${JSON.stringify(failure)}`)),
        },
      )
    })
  const key = () => randomBytes(30).toString('base64')

  const viewer = await videoEndpoint({})
  endpoints.push(viewer)
  const viewerCall = await call('Pat Plain', viewerOffer(viewer.plan().remote.port))
  await viewer.start(Number(/^m=video (\d+) /m.exec(viewerCall.answer)?.[1]))
  await call('Sasha SfB', sfbCallOffer(key()), sfbHeaders)

  const srtp = { suite: 'AES_CM_128_HMAC_SHA1_80', key: key(), parleyKey: key() }
  const screen = await videoEndpoint({ pattern: 'white', sendOnly: true, srtp })
  endpoints.push(screen)
  const farEnd = screen.farEnd
  assert.ok(farEnd !== undefined)
  const share = await call('Sasha SfB', sharingOffer(farEnd.port, srtp.key), sfbHeaders)
  const sharePort = Number(/^m=video (\d+) RTP\/SAVP 96$/m.exec(share.answer)?.[1])
  const ufrag = /^a=ice-ufrag:(\S+)$/m.exec(share.answer)?.[1]
  const pwd = /^a=ice-pwd:(\S+)$/m.exec(share.answer)?.[1]
  assert.ok(sharePort > 0 && ufrag !== undefined && pwd !== undefined, `the VbSS line is answered with a port and ICE: ${share.answer}`)
  assert.match(share.answer, /^m=applicationsharing 0 /m)
  assert.match(share.answer, /^a=label:applicationsharing-video$/m)
  // The media attach follows the 200: checks are retransmitted until answered (RFC 8445 §14.3).
  let checked: Awaited<ReturnType<typeof farEnd.check>>
  for (let attempt = 0; attempt < 20 && checked === undefined; attempt++) checked = await farEnd.check(sharePort, { ufrag, pwd, localUfrag: 'Vb55' }, true, 250)
  assert.deepEqual(checked, { integrity: true, fingerprint: true, mapped: { address: '127.0.0.1', port: farEnd.port } })
  await screen.start(sharePort)
  await sleep(4_000)
  await screen.stop()
  await share.dialog.bye()
  await sleep(2_500)

  const received = await viewer.stop()
  const withScreen = received.frames.filter((f) => mainLuma(f) > white)
  const last = received.frames.slice(-5)
  t.diagnostic(`the viewer decoded ${received.frames.length} frames from ${received.packets} packets, ${withScreen.length} with the SfB caller's screen; last main lumas ${last.map(mainLuma).map((l) => l.toFixed(0)).join(' ')}`)
  assert.ok(withScreen.length >= 15, `the viewer sees the SfB caller's VbSS screen as content: ${withScreen.length} of ${received.frames.length} frames`)
  assert.ok(last.length === 5 && last.every((f) => mainLuma(f) < white), 'after the share ends, the room again')
})
