/**
 * How a Skype for Business 2015 client writes its requests (PROTOCOLS 1.1, 1.3, 1.7; the SfB
 * 2015 traces they cite): the User-Agent, an `epid` parameter on From, the conversation id, the
 * option tags of an A/V or IM INVITE, the first IM embedded in the INVITE, KeyboardActivity
 * typing, and the batched presence SUBSCRIBE with its `adrl-categorylist` body.
 */
import type { SipHeader } from '../../adapters/sip/dialect/sip-headers.js'
import { header } from '../../adapters/sip/stack/message-writer.js'
import type { SipBody } from '../../adapters/sip/stack/stack-types.js'

/** Sent by the SfB client's stack on every request (its `userAgent` option). */
export const sfbUserAgent = 'UCCAPI/16.0.4417.1000 OC/16.0.4417.1000 (Skype for Business)'

const allow = 'INVITE, BYE, ACK, CANCEL, INFO, MESSAGE, UPDATE, REFER, NOTIFY, BENOTIFY'

/** An endpoint id, as SfB puts in `epid=` (ten hex digits per client instance). */
export const newEpid = (): string => Math.floor(Math.random() * 2 ** 40).toString(16).padStart(10, '0')

/** `"Alice" <sip:alice@example.com>;epid=…`; the stack adds the tag. */
export const sfbFrom = (displayName: string, uri: string, epid: string): string => `"${displayName.replace(/(["\\])/g, '\\$1')}" <${uri}>;epid=${epid}`

/** Headers of an A/V INVITE (PROTOCOLS 1.3, 1.5). */
export const sfbCallHeaders = (conversationId: string | undefined): ReadonlyArray<SipHeader> => [
  ...(conversationId === undefined ? [] : [header('Ms-Conversation-ID', conversationId)]),
  header('ms-keep-alive', 'UAC;hop-hop=yes'),
  header('Supported', 'ms-dialog-route-set-update, ms-safe-transfer, ms-sender, ms-early-media, ms-conf-invite, timer, histinfo'),
  header('Supported', 'com.microsoft.rtc-multiparty'),
  header('Allow', allow),
]

/**
 * Headers of an IM session INVITE; the first message rides in `ms-text-format` with
 * `Supported: ms-embedded-first-message` (PROTOCOLS 1.3).
 */
export const sfbImHeaders = (conversationId: string | undefined, firstMessage: string | undefined): ReadonlyArray<SipHeader> => [
  ...sfbCallHeaders(conversationId),
  header('Supported', 'ms-delayed-accept, ms-renders-isf, ms-renders-gif, ms-renders-mime-alternative'),
  ...(firstMessage === undefined
    ? []
    : [
        header('Supported', 'ms-embedded-first-message'),
        header('ms-text-format', `text/plain; charset=UTF-8; ms-body=${Buffer.from(firstMessage, 'utf8').toString('base64')}`),
      ]),
]

/** The typing INFO (PROTOCOLS 1.3). */
export const keyboardActivity: SipBody = {
  contentType: 'application/xml',
  content: '<?xml version="1.0"?>\r\n<KeyboardActivity>\r\n  <status status="type" />\r\n</KeyboardActivity>\r\n',
}

/** Headers of the batched presence SUBSCRIBE (PROTOCOLS 1.1). */
export const batchedSubscribeHeaders: ReadonlyArray<SipHeader> = [
  header('Event', 'presence'),
  header('Accept', 'application/msrtc-event-categories+xml, application/rlmi+xml, multipart/related'),
  header('Supported', 'com.microsoft.autoextend'),
  header('Supported', 'ms-benotify'),
  header('Proxy-Require', 'ms-benotify'),
  header('Supported', 'ms-piggyback-first-notify'),
  header('Require', 'adhoclist, categoryList'),
  header('Supported', 'eventlist'),
  header('Expires', '3600'),
]

const escapeAttribute = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

/** `<batchSub>` asking for `resources` with the categories the SfB client asks for (PROTOCOLS 1.1; MS-PRES 2.2.2.4.1). */
export const batchedSubscribeBody = (watcher: string, resources: ReadonlyArray<string>, actionId: number): SipBody => ({
  contentType: 'application/msrtc-adrl-categorylist+xml',
  content: [
    `<batchSub xmlns="http://schemas.microsoft.com/2006/01/sip/batch-subscribe" uri="${escapeAttribute(watcher)}" name="">`,
    `  <action name="subscribe" id="${actionId}">`,
    '    <adhocList>',
    ...resources.map((r) => `      <resource uri="${escapeAttribute(r)}"><context><subscriptionContext type="contactList"/></context></resource>`),
    '    </adhocList>',
    '    <categoryList xmlns="http://schemas.microsoft.com/2006/09/sip/categorylist">',
    ...['calendarData', 'contactCard', 'note', 'services', 'sourcenetwork', 'state'].map((c) => `      <category name="${c}"/>`),
    '    </categoryList>',
    '  </action>',
    '</batchSub>',
  ].join('\r\n'),
})
