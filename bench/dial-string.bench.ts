/**
 * Dial-string parsing, which runs on every INVITE and SUBSCRIBE, against "the simple way"
 * (DESIGN §5): SIP.js's PEG grammar for SIP URIs and name-addr headers. Both sides turn the same
 * realistic strings (SfB Request-URIs and To/From values, display names, PINs, parameters) into
 * the lower-case `user@host` they would be looked up by.
 */
import * as E from 'fp-ts/lib/Either.js'
import { Grammar } from 'sip.js'
import { aliasKey, parseDialString } from '../core/dial-string/dial-string.js'
import { sideBySideOpsPerSecond, type Measurement } from './harness.js'

const strings: ReadonlyArray<string> = [
  'sip:meet.alice@example.com',
  'sip:meet.alice@example.com;transport=tls',
  '<sip:meet.alice@example.com>;tag=8f3a2b1c;epid=a1b2c3d4e5',
  '"Alice Smith" <sip:alice@example.com>;tag=0e2d0c3e5f;epid=01010101',
  'sip:meet.alice**1234@example.com;transport=tls',
  '"Bob" <sips:meet.bob**5678%23@Example.COM:5061;transport=tls>',
  'sip:1001@example.com;user=phone',
  'sip:room1@rooms.example.com',
  '<sip:meet.alice@example.com;gruu;opaque=app:conf:focus:id:ABCDEF12>',
  'sip:meet.alice@10.0.0.5:5061;transport=tls;maddr=10.0.0.5',
  '"Weekly sync" <sip:lync.room@example.com;transport=tls?subject=weekly>',
  'sip:alice@[2001:db8::10]:5061;transport=tls',
]

const parley = (raw: string): string | undefined => {
  const parsed = parseDialString(raw)
  return E.isRight(parsed) ? aliasKey(parsed.right) : undefined
}

const reference = (raw: string): string | undefined => {
  const uri = raw.includes('<') ? Grammar.nameAddrHeaderParse(raw)?.uri : Grammar.URIParse(raw)
  return uri === undefined ? undefined : `${uri.user ?? ''}@${uri.host}`.toLowerCase()
}

/**
 * A second, harder yardstick: what one would write by hand with regular expressions (a
 * name-addr pattern, a URI pattern, then percent-decoding and the `**PIN` split), giving the
 * same key. It shows what the one-pass scanner buys over the obvious regex parser.
 */
const nameAddr = /^\s*(?:"(?:[^"\\]|\\.)*"\s*|[^<"]*)<([^>]*)>\s*(?:;.*)?$/s
const addrSpec = /^(?:(?:sips?|h323|tel):)?([^@;?]+)(?:@(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?)?(?:;[^;?]*)*(?:\?.*)?$/i
const pinTail = /^(.+)\*\*([0-9]*#?)$/
const regexParse = (raw: string): string | undefined => {
  const inner = nameAddr.exec(raw)?.[1] ?? raw.trim()
  const uri = addrSpec.exec(inner)
  if (uri === null) return undefined
  let user = uri[1]!.includes('%') ? decodeURIComponent(uri[1]!) : uri[1]!
  const pin = pinTail.exec(user)
  if (pin !== null && pin[2]!.length >= 4 && pin[2]!.length <= 20) user = pin[1]!
  return uri[2] === undefined ? user.toLowerCase() : `${user}@${uri[2]}`.toLowerCase()
}

// Every side must do the work on every string, and agree, or the comparison measures a refusal.
for (const s of strings) {
  const key = parley(s)
  if (key === undefined || reference(s) === undefined || regexParse(s) !== key) throw new Error(`not parsed alike: ${s}`)
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'dial-string parse',
    unit: 'parses/s',
    reference_name: 'SIP.js 0.21 Grammar (URIParse / nameAddrHeaderParse)',
    target: 5,
    sample: () => sideBySideOpsPerSecond({ parley, reference, inputs: strings, sliceMs: 150 }),
  },
  {
    name: 'dial-string parse vs regex',
    unit: 'parses/s',
    reference_name: 'hand-written regular expressions (name-addr, URI, PIN)',
    sample: () => sideBySideOpsPerSecond({ parley, reference: regexParse, inputs: strings, sliceMs: 150 }),
  },
]
