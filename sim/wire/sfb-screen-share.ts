/**
 * A Skype for Business client's screen share on the wire (docs/decisions/0007-sfb-content-vbss.md):
 * not a stream of the A/V call but a dialog of its own, an INVITE of the same conversation
 * (`Ms-Conversation-ID`, PROTOCOLS 1.3) whose offer has the RDP line `m=applicationsharing`
 * ([MS-SDPEXT] 3.1.5.18, role `sharer`) and, from SfB 2016 on, the VbSS line: `m=video` labelled
 * `applicationsharing-video` ([MS-SDPEXT] a=label), H.264, `sendonly`, with ICE and SDES keys as on
 * any SfB line. An SfB 2015 client (or one whose policy turns VbSS off) offers RDP alone.
 *
 * Stopping the share is BYE on that dialog. SfB has no floor protocol: a BYE from the node (the
 * floor refused or taken away) is how the client learns it no longer presents.
 *
 * No RTP flows: the ports named are where the client would send from and receive, as in
 * endpoint-sdp.ts.
 */
import { randomBytes } from 'node:crypto'
import type { Destination, Dialog, SipBody } from '../../adapters/sip/stack/stack-types.js'
import type { SipHeader } from '../../adapters/sip/dialect/sip-headers.js'
import { sfbCallHeaders } from './sfb-dialect.js'
import type { WireParty } from './wire-party.js'

/** How an SfB client shares: VbSS beside RDP (SfB 2016 and later), or RDP alone (SfB 2015). */
export type SfbShareMeans = 'vbss' | 'rdp'

const base64Key = (): string => randomBytes(30).toString('base64')
const iceToken = (length: number): string => randomBytes(length).toString('base64').replace(/[+/=]/g, 'x').slice(0, length)

/** SDES lines as the SfB client writes them on every SRTP line (PROTOCOLS 1.5). */
const sfbCryptoLines = (key: string): ReadonlyArray<string> => [
  `a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`,
  `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`,
]

/**
 * The sharing dialog's offer from `host`, its RDP line at `basePort` (ICE-TCP, [MS-SDPEXT]
 * 3.1.5.18) and its VbSS line at `basePort + 2`, the screen sent (`sendonly`): what the SfB
 * client offers as sharer. H.264 both as X-H264UC and plain (decision 0007 finding 7: which one
 * SfB puts there is unconfirmed).
 */
export const sfbSharingOffer = (means: SfbShareMeans, host: string, basePort: number): string => {
  const rdp = [
    `m=applicationsharing ${basePort} TCP/RTP/SAVP 127`,
    `a=ice-ufrag:${iceToken(4)}`,
    `a=ice-pwd:${iceToken(24)}`,
    `a=candidate:1 1 TCP-PASS 2120613887 ${host} ${basePort} typ host `,
    ...sfbCryptoLines(base64Key()),
    'a=rtpmap:127 x-data/90000',
    'a=x-applicationsharing-session-id:1',
    'a=x-applicationsharing-role:sharer',
    'a=x-applicationsharing-media-type:rdp',
    'a=x-applicationsharing-contentflow:sendonly',
  ]
  const vbss = [
    `m=video ${basePort + 2} RTP/SAVP 122 123`,
    'a=label:applicationsharing-video',
    `a=ice-ufrag:${iceToken(4)}`,
    `a=ice-pwd:${iceToken(24)}`,
    `a=candidate:1 1 UDP 2130706431 ${host} ${basePort + 2} typ host`,
    ...sfbCryptoLines(base64Key()),
    'a=rtpmap:122 X-H264UC/90000',
    'a=fmtp:122 packetization-mode=1;mst-mode=NI-TC',
    'a=rtpmap:123 H264/90000',
    'a=fmtp:123 profile-level-id=42C02A;packetization-mode=1',
    'a=rtcp-mux',
    'a=sendonly',
  ]
  const session = ['v=0', `o=- 0 0 IN IP4 ${host}`, 's=session', `c=IN IP4 ${host}`, 'b=CT:99980', 't=0 0']
  return [...session, ...rdp, ...(means === 'vbss' ? vbss : []), ''].join('\r\n')
}

/** Where the client's sharing INVITE goes: to the other party of the conversation, as its call did. */
export interface ShareRoute {
  readonly party: WireParty
  readonly requestUri: string
  /** The client's From (with its `epid`), without a tag. */
  readonly from: string
  readonly to: string
  readonly conversationId: string | undefined
  readonly destination: Destination
}

export class SfbScreenShare {
  private dialog: Dialog | undefined

  /** `stoppedByFarEnd`: the node ended the share (BYE): the client no longer presents. */
  constructor(
    private readonly route: ShareRoute,
    private readonly stoppedByFarEnd: () => void,
  ) {}

  get sharing(): boolean {
    return this.dialog !== undefined && this.dialog.state !== 'terminated'
  }

  /**
   * Opens the sharing dialog unless one is open; resolves once it is answered or refused (a
   * refusal, e.g. 488 to RDP alone, leaves the client not presenting: nothing to tell).
   */
  start(means: SfbShareMeans): Promise<void> {
    if (this.sharing) return Promise.resolve()
    const { party } = this.route
    const sdp = sfbSharingOffer(means, party.host, party.nextMediaPort())
    const body: SipBody = { contentType: 'application/sdp', content: sdp }
    const headers: ReadonlyArray<SipHeader> = sfbCallHeaders(this.route.conversationId)
    return new Promise<void>((settled) => {
      party.stack.invite(
        { requestUri: this.route.requestUri, from: this.route.from, to: this.route.to, headers, body, destination: this.route.destination },
        {
          onAnswered: (_response, dialog) => {
            this.dialog = dialog
            dialog.setHandler({
              // A re-INVITE in the sharing dialog (ICE settled) keeps the session as offered (RFC 3264 §8).
              onRequest: (request) => request.respond(request.request.method === 'INVITE' ? { status: 200, body } : { status: 200 }),
              onTerminated: (end) => {
                if (this.dialog === dialog) this.dialog = undefined
                if (end._tag === 'ByeReceived') this.stoppedByFarEnd()
              },
            })
            settled()
          },
          onFailed: () => settled(),
        },
      )
    })
  }

  /** Stops sharing: BYE on the sharing dialog; resolves once it is answered. */
  async stop(): Promise<void> {
    const dialog = this.dialog
    this.dialog = undefined
    if (dialog !== undefined && dialog.state !== 'terminated') await dialog.bye()
  }
}
