/**
 * A SIP room system's offer for the BFCP specs (audio, main video, slides per RFC 4796, and the
 * BFCP lines given), and the BFCP part of Parley's answer to it (RFC 8856 §5, RFC 4583).
 */
import assert from 'node:assert/strict'

export const offerWithBfcp = (bfcp: ReadonlyArray<string>): string =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 49170 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    'm=video 49172 RTP/AVP 96',
    'a=rtpmap:96 H264/90000',
    'a=content:main',
    'a=label:1',
    'm=video 49174 RTP/AVP 96',
    'a=rtpmap:96 H264/90000',
    'a=content:slides',
    'a=label:3',
    ...bfcp,
    '',
  ].join('\r\n')

/** RFC 8856 over UDP: the room system is client or server (c-s), floor 1 for the slides (label 3). */
export const rfc8856UdpOffer = offerWithBfcp(['m=application 49176 UDP/BFCP *', 'a=floorctrl:c-s', 'a=floorid:1 mstrm:3', 'a=bfcpver:2'])
/** RFC 4583 over TCP: the room system is client only and connects (setup:active). */
export const rfc4583TcpOffer = offerWithBfcp(['m=application 9 TCP/BFCP *', 'a=setup:active', 'a=connection:new', 'a=floorctrl:c-only', 'a=floorid:1 m-stream:3'])

export interface AnsweredBfcp {
  readonly port: number
  readonly protocol: string
  readonly conferenceId: number
  readonly userId: number
  readonly floorId: number
  readonly lines: ReadonlyArray<string>
}

/** The BFCP m-line of an answer and its attributes. */
export const answeredBfcp = (answer: string): AnsweredBfcp => {
  const sections = answer.split(/\r\n(?=m=)/)
  const section = sections.find((s) => s.startsWith('m=application')) ?? assert.fail(`no m=application in\n${answer}`)
  const lines = section.split('\r\n').filter((l) => l !== '')
  const [, port = '0', protocol = ''] = (lines[0] ?? '').split(' ')
  const value = (name: string): string => lines.find((l) => l.startsWith(`a=${name}:`))?.slice(name.length + 3) ?? assert.fail(`no a=${name} in\n${section}`)
  return { port: Number(port), protocol, conferenceId: Number(value('confid')), userId: Number(value('userid')), floorId: Number(value('floorid').split(' ')[0]), lines }
}
