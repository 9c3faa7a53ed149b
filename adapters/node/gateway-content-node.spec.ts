/**
 * Content through a gateway call between two SIP room systems (issue 6), through the production
 * node and its GStreamer worker over real SIP, BFCP and RTP on loopback: room A calls
 * roomb@… through a gateway rule; the node dials room B with an offer of its own that carries a
 * content video (`a=content:slides`) and a BFCP line naming its floor control server (RFC 8856:
 * `s-only`, `setup:passive`, conference and user ids, the floor bound to the slides' label);
 * room B answers as a floor participant (`c-only`, `setup:active`), connects over TCP, asks for
 * the floor, is granted it, and sends its slides (white); room A decodes them on its own content
 * stream. Needs GStreamer and node-gtk; fails, not skips, without them. About 10 s.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import * as E from 'fp-ts/lib/Either.js'
import { BfcpClient, requestStatusIn } from '../bfcp/testing/bfcp-client.js'
import type { VideoEndpoint } from '../media/gst/testing/video-endpoint.js'
import { meanLuma, videoEndpoint } from '../media/gst/testing/video-endpoint.js'
import { SipStack } from '../sip/stack/sip-stack.js'
import type { Dialog } from '../sip/stack/stack-types.js'
import { NodeSipTransport } from '../sip/transport/node-sip-transport.js'
import { systemClock } from './system-clock.js'
import { configurationV1, withRunningNode } from './testing/running-node.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const white = 200
const centreLuma = (frame: Uint8Array): number => meanLuma(frame, { x0: 0.3, y0: 0.3, x1: 0.7, y1: 0.7 })

/** Room A: audio and main video it does not judge, and a slides stream it receives (no BFCP: it only watches). */
const roomAOffer = (sinkPort: number, contentPort: number): string =>
  [
    'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${sinkPort} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000',
    `m=video ${sinkPort + 2} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', 'a=content:main', 'a=label:1', 'a=recvonly',
    `m=video ${contentPort} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', 'a=content:slides', 'a=label:2', 'a=sendrecv',
    '',
  ].join('\r\n')

/** The m-section of `sdp` whose first line matches `first`. */
const sectionOf = (sdp: string, first: RegExp): string => sdp.split(/\r\n(?=m=)/).find((s) => first.test(s)) ?? assert.fail(`no ${String(first)} in\n${sdp}`)
const portOf = (section: string): number => Number(section.split(' ')[1])
const attribute = (section: string, name: string): string => new RegExp(`^a=${name}:(\\S+)`, 'm').exec(section)?.[1] ?? assert.fail(`no a=${name} in\n${section}`)

/** Room B's answer to the node's offer: its streams, and BFCP as a client that connects (RFC 4145 `active`, port 9). */
const roomBAnswer = (sinkPort: number, slidesPort: number, label: string, floorId: string): string =>
  [
    'v=0', 'o=- 2 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${sinkPort} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000',
    `m=video ${sinkPort + 2} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1', 'a=content:main', 'a=label:1', 'a=recvonly',
    `m=video ${slidesPort} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1', 'a=content:slides', `a=label:${label}`, 'a=sendonly',
    'm=application 9 TCP/BFCP *', 'a=floorctrl:c-only', 'a=setup:active', 'a=connection:new', `a=floorid:${floorId} mstrm:${label}`,
    '',
  ].join('\r\n')

void test('a gateway call between two SIP room systems: the node’s offer to room B carries slides and BFCP, room B presents over BFCP, and room A decodes its slides', async (t) => {
  await withRunningNode(
    async ({ node, http }) => {
      const opened = await NodeSipTransport.open({ bindHost: '127.0.0.1', ports: { udp: 0 } })
      assert.ok(E.isRight(opened))
      const transport = opened.right
      const stack = new SipStack({ transport, clock: systemClock, publicHost: '127.0.0.1' })
      // RTP the rooms do not judge (audio, main video) lands here and is dropped.
      const sink = createSocket('udp4')
      await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve))
      const sinkPort = sink.address().port
      const endpoints: VideoEndpoint[] = []
      const dialogs: Dialog[] = []
      const clients: BfcpClient[] = []
      t.after(async () => {
        for (const c of clients) c.close()
        await Promise.all(endpoints.map((e) => e.stop()))
        await Promise.all(dialogs.map((d) => d.bye().catch(() => undefined)))
        stack.close()
        await transport.close()
        sink.close()
      })

      const rule = await http(`${configurationV1}gateway_routing_rule/`, {
        method: 'POST',
        body: JSON.stringify({ name: 'room B', priority: 5, match_string: 'roomb@.+', outgoing_protocol: 'sip', call_type: 'video', sip_proxy: `127.0.0.1:${transport.ports().udp ?? 0}` }),
      })
      assert.equal(rule.status, 201, await rule.text())

      const slides = await videoEndpoint({ pattern: 'white', sendOnly: true })
      endpoints.push(slides)
      const dialledB = new Promise<string>((resolve) => {
        stack.onRequest((incoming) => {
          if (incoming.request.method !== 'INVITE') return void incoming.respond({ status: 481 })
          const offer = incoming.request.bodyBytes.toString('utf8')
          const content = sectionOf(offer, /^m=video \d+ [^\r]*\r\n(?:[^\r]*\r\n)*a=content:slides/)
          const bfcp = sectionOf(offer, /^m=application /)
          const answered = incoming.respond({ status: 200, body: { contentType: 'application/sdp', content: roomBAnswer(sinkPort, slides.plan().remote.port, attribute(content, 'label'), attribute(bfcp, 'floorid')) } })
          if (E.isRight(answered) && answered.right !== undefined) {
            answered.right.setHandler({ onRequest: (request) => void request.respond({ status: 200 }), onTerminated: () => undefined })
            dialogs.push(answered.right)
          }
          resolve(offer)
        })
      })

      const watcher = await videoEndpoint({})
      endpoints.push(watcher)
      const answerA = await new Promise<string>((resolve, reject) => {
        stack.invite(
          {
            requestUri: 'sip:roomb@rooms.example.com',
            from: '"Room A" <sip:rooma@127.0.0.1>',
            to: '<sip:roomb@rooms.example.com>',
            body: { contentType: 'application/sdp', content: roomAOffer(sinkPort, watcher.plan().remote.port) },
            destination: { protocol: 'udp', host: '127.0.0.1', port: node.ready.sip?.udp ?? 0 },
          },
          {
            onAnswered: (response, dialog) => {
              dialog.setHandler({ onRequest: (request) => void request.respond({ status: 200 }), onTerminated: () => undefined })
              dialogs.push(dialog)
              resolve(response.bodyBytes.toString('utf8'))
            },
            onFailed: (failure) => reject(new Error(`room A's call failed: ${JSON.stringify(failure)}`)),
          },
        )
      })

      // The node's own offer to room B (issue 6): slides and a BFCP line naming its server.
      const offer = await dialledB
      const content = sectionOf(offer, /^m=video \d+ [^\r]*\r\n(?:[^\r]*\r\n)*a=content:slides/)
      const bfcp = sectionOf(offer, /^m=application /)
      assert.match(bfcp, /^m=application \d+ TCP\/BFCP \*/)
      for (const line of ['a=floorctrl:s-only', 'a=setup:passive', `a=floorid:1 mstrm:${attribute(content, 'label')}`]) assert.ok(bfcp.split('\r\n').includes(line), `${line} in\n${bfcp}`)
      const ids = { conferenceId: Number(attribute(bfcp, 'confid')), userId: Number(attribute(bfcp, 'userid')), floorId: Number(attribute(bfcp, 'floorid')) }

      // Room A's content line is answered on a port of the node's; room A watches it.
      const contentA = sectionOf(answerA, /^m=video \d+ [^\r]*\r\n(?:[^\r]*\r\n)*a=content:slides/)
      assert.ok(portOf(contentA) > 0, `room A's slides answered: ${answerA}`)
      await watcher.start(portOf(contentA))

      // Room B connects to the floor control server its offer named, and presents.
      const client = await BfcpClient.tcp('127.0.0.1', portOf(bfcp), ids)
      clients.push(client)
      assert.equal((await client.hello()).primitive, 'HelloAck')
      assert.equal(requestStatusIn(await client.requestFloor()), 'Pending')
      await client.statusUpdate('Granted')
      await slides.start(portOf(content))
      await sleep(3_000)
      await slides.stop()

      const received = await watcher.stop()
      const withSlides = received.frames.filter((f) => centreLuma(f) > white)
      t.diagnostic(`room A decoded ${received.frames.length} frames from ${received.packets} packets on its content stream, ${withSlides.length} of them room B's slides`)
      assert.ok(withSlides.length >= 10, `room A sees room B's slides: ${withSlides.length} of ${received.frames.length} frames`)
    },
    { PARLEY_MEDIA: 'gst', PARLEY_LOG_LEVEL: 'warn', PARLEY_MEDIA_VIDEO_FORMAT: '320x180@10' },
  )
})
