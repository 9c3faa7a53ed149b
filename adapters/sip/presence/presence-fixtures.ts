/**
 * Real-shaped presence SUBSCRIBE bodies and headers for specs (PROTOCOLS 1.1), shaped like
 * what SfB/Lync, pidgin-sipe and LCS 2005 clients send. Addresses are the demo configuration's.
 */

/** SfB 2015 / Lync 2013 batched subscription: several contacts, the usual category list. */
export const sfbBatchedBody = [
  '<batchSub xmlns="http://schemas.microsoft.com/2006/01/sip/batch-subscribe" uri="sip:bob@example.com" name="">',
  '  <action name="subscribe" id="63792024">',
  '    <adhocList>',
  '      <resource uri="sip:meet.alice@example.com"/>',
  '      <resource uri="sip:room1@rooms.example.com"><context><subscriptionContext type="contactList"/></context></resource>',
  '      <resource uri="sip:nobody@example.com"/>',
  '    </adhocList>',
  '    <categoryList xmlns="http://schemas.microsoft.com/2006/09/sip/categorylist">',
  '      <category name="calendarData"/>',
  '      <category name="contactCard"/>',
  '      <category name="note"/>',
  '      <category name="services"/>',
  '      <category name="sourcenetwork"/>',
  '      <category name="state"/>',
  '    </categoryList>',
  '  </action>',
  '</batchSub>',
].join('\r\n')

export const sfbBatchedHeaders = {
  accept: 'application/msrtc-event-categories+xml, application/rlmi+xml, multipart/related',
  contentType: 'application/msrtc-adrl-categorylist+xml',
} as const

/** pidgin-sipe's single-contact categoryList subscription (note and state only). */
export const sipeSingleBody =
  '<batchSub xmlns="http://schemas.microsoft.com/2006/01/sip/batch-subscribe" uri="sip:carol@example.com" name="">\n' +
  '<action name="subscribe" id="63792024"><adhocList>\n' +
  '<resource uri="sip:meet.alice@example.com"/>\n' +
  '</adhocList>\n' +
  '<categoryList xmlns="http://schemas.microsoft.com/2006/09/sip/categorylist">\n' +
  '<category name="note"/>\n' +
  '<category name="state"/>\n' +
  '</categoryList>\n' +
  '</action>\n' +
  '</batchSub>'

export const sipeSingleHeaders = {
  accept:
    'application/msrtc-event-categories+xml, text/xml+msrtc.pidf, application/xpidf+xml, application/pidf+xml, application/rlmi+xml, multipart/related',
  contentType: 'application/msrtc-adrl-categorylist+xml',
} as const

/** The same request with prefixes, single quotes, reordered attributes and odd spacing. */
export const prefixedBatchedBody =
  "<?xml version='1.0' encoding='utf-8'?>\n" +
  "<bs:batchSub name='' uri='sip:bob@example.com' xmlns:bs='http://schemas.microsoft.com/2006/01/sip/batch-subscribe' xmlns:cl='http://schemas.microsoft.com/2006/09/sip/categorylist'>" +
  "<bs:action id='1' name='subscribe'>\t<bs:adhocList >  <bs:resource   uri = 'sip:meet.alice@example.com' /></bs:adhocList>" +
  "<cl:categoryList><cl:category name='state'/><cl:category name='contactCard'/></cl:categoryList></bs:action></bs:batchSub>"

/** LCS 2005 "RTC/1.3" batched subscription ([MS-SIP] 3.3.4.1), as pidgin-sipe writes it. */
export const adrlBody =
  '<adhoclist xmlns="urn:ietf:params:xml:ns:adrl" uri="sip:bob@example.com" name="sip:bob@example.com">\n' +
  '<create xmlns="">\n' +
  '<resource uri="sip:meet.alice@example.com"/>\n' +
  '<resource uri="sip:meet.bob@example.com"/>\n' +
  '</create>\n' +
  '</adhoclist>\n'

export const adrlHeaders = {
  accept: 'application/rlmi+xml, text/xml+msrtc.pidf, multipart/related',
  contentType: 'application/adrl+xml',
} as const

/** A standard RFC 3856 watcher (a SIP room system or softphone): no body. */
export const rfc3856Headers = { accept: 'application/pidf+xml', contentType: undefined } as const
