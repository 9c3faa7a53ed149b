/**
 * Whether a request speaks the SfB/Lync dialect (`mssip`): DESIGN §2 "Calls, media and content"
 * — a User-Agent of UCCAPI/OC/Lync/SfB, `ms-*` headers, or an `epid` From/To parameter
 * ([MS-SIPRE] 2.2.2). This says nothing about trust: see trusted-peer.ts.
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseNameAddr } from './name-addr.js'
import type { SipHeaders } from './sip-headers.js'
import { canonicalHeaderName, headerValues } from './sip-headers.js'

export type MsSipMarker =
  | { readonly _tag: 'MicrosoftUserAgent'; readonly userAgent: string }
  | { readonly _tag: 'MsHeader'; readonly name: string }
  | { readonly _tag: 'EpidParameter'; readonly header: 'from' | 'to' }

/**
 * SfB/Lync clients (`UCCAPI/16.0… OC/16.0… (Skype for Business)`, `… (Microsoft Lync)`) and
 * Microsoft servers (`RTC/6.0`, Mediation Server `RTCC/…`), as seen in the traces of PROTOCOLS 1.3.
 */
const microsoftUserAgent = /\bUCCAPI\/|(?:^|[\s(])OC\/\d|\bLync\b|Skype for Business|\bSfB\b|(?:^|\s)RTCC?\/\d/i

export const msSipMarkers = (headers: SipHeaders): ReadonlyArray<MsSipMarker> => {
  const markers: MsSipMarker[] = []
  for (const userAgent of headerValues(headers, 'user-agent')) {
    if (microsoftUserAgent.test(userAgent)) markers.push({ _tag: 'MicrosoftUserAgent', userAgent })
  }
  for (const h of headers) {
    const name = canonicalHeaderName(h.name)
    if (name.startsWith('ms-')) markers.push({ _tag: 'MsHeader', name })
  }
  for (const header of ['from', 'to'] as const) {
    for (const value of headerValues(headers, header)) {
      const parsed = parseNameAddr(value)
      if (E.isRight(parsed) && parsed.right.params.has('epid')) markers.push({ _tag: 'EpidParameter', header })
    }
  }
  return markers
}

/** An `epid` parameter needs the letters `epid` in the value; most From/To values have none and are not parsed. */
const mayHaveEpid = /epid/i

/**
 * `msSipMarkers(headers).length > 0`, decided in one pass that stops at the first marker and
 * parses a From/To only when it could carry `epid`: every call's INVITE is asked, and the full
 * list cost ~10 µs of a call (docs/decisions/0002-sip-hot-path.md). The spec holds the two to
 * the same answer.
 */
export const isMsSip = (headers: SipHeaders): boolean => {
  for (const h of headers) {
    const name = canonicalHeaderName(h.name)
    if (name.startsWith('ms-')) return true
    if (name === 'user-agent' && microsoftUserAgent.test(h.value)) return true
    if ((name === 'from' || name === 'to') && mayHaveEpid.test(h.value)) {
      const parsed = parseNameAddr(h.value)
      if (E.isRight(parsed) && parsed.right.params.has('epid')) return true
    }
  }
  return false
}
