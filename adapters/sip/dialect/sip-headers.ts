/**
 * Header lines as the SIP stack hands them over, one entry per header line. The translation
 * functions of this adapter read headers through here so that they never depend on SIP.js types.
 */

/** One header line as received. Names are case-insensitive (RFC 3261 §7.3.5). */
export interface SipHeader {
  readonly name: string
  readonly value: string
}

export type SipHeaders = ReadonlyArray<SipHeader>

/** RFC 3261 §7.3.3 compact forms (and later registrations) for the headers we read. */
const compactForms: ReadonlyMap<string, string> = new Map([
  ['f', 'from'],
  ['t', 'to'],
  ['c', 'content-type'],
  ['i', 'call-id'],
  ['m', 'contact'],
  ['v', 'via'],
  ['l', 'content-length'],
  ['e', 'content-encoding'],
  ['k', 'supported'],
  ['s', 'subject'],
  ['o', 'event'],
])

/** Lower-case long form of a header name. */
export const canonicalHeaderName = (name: string): string => {
  const lower = name.trim().toLowerCase()
  return compactForms.get(lower) ?? lower
}

/** Every value of the named header, in arrival order (compact forms included). */
export const headerValues = (headers: SipHeaders, name: string): ReadonlyArray<string> => {
  const wanted = canonicalHeaderName(name)
  return headers.filter((h) => canonicalHeaderName(h.name) === wanted).map((h) => h.value)
}

/** The first value of the named header, if any. */
export const firstHeaderValue = (headers: SipHeaders, name: string): string | undefined => headerValues(headers, name)[0]
