/**
 * The 49 messages of RFC 4475 ("SIP Torture Test Messages"), as its appendix gives them (the
 * `.dat` files beside this one, byte for byte), with what a UAS must do with each according to
 * the RFC's text for it. Where the RFC allows either (tolerate, or refuse), both are listed.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type TortureExpectation =
  /** A valid request: processed, so answered with anything but 400 (404, 405, 481, 501, 200 …). */
  | { readonly _tag: 'Processed' }
  /** Answered with one of these, or (`orDropped`) silently dropped. */
  | { readonly _tag: 'Refused'; readonly statuses: ReadonlyArray<number>; readonly orDropped?: boolean }
  /** A response nobody asked for: dropped (RFC 3261 §18.1.2, §18.2.2 do not apply; §17.1.3 no match). */
  | { readonly _tag: 'Dropped' }

export interface TortureCase {
  readonly file: string
  readonly section: string
  readonly title: string
  readonly expect: TortureExpectation
  /** On a stream the message is incomplete (a Content-Length past its end, no blank line): the node waits for more. */
  readonly incompleteOnStream?: boolean
  /** RFC 2543 syntax without Content-Length: valid in a datagram, unframeable on a stream (RFC 3261 §18.3). */
  readonly needsContentLengthOnStream?: boolean
}

const processed: TortureExpectation = { _tag: 'Processed' }
const refused = (statuses: ReadonlyArray<number>, orDropped = false): TortureExpectation => ({ _tag: 'Refused', statuses, orDropped })
const dropped: TortureExpectation = { _tag: 'Dropped' }

export const rfc4475Cases: ReadonlyArray<TortureCase> = [
  { file: 'wsinv', section: '3.1.1.1', title: 'A Short Tortuous INVITE', expect: processed },
  { file: 'intmeth', section: '3.1.1.2', title: 'Wide Range of Valid Characters', expect: processed },
  { file: 'esc01', section: '3.1.1.3', title: 'Valid Use of the % Escaping Mechanism', expect: processed },
  { file: 'escnull', section: '3.1.1.4', title: 'Escaped Nulls in URIs', expect: processed },
  { file: 'esc02', section: '3.1.1.5', title: 'Use of % When It Is Not an Escape', expect: processed },
  { file: 'lwsdisp', section: '3.1.1.6', title: 'Message with No LWS between Display Name and <', expect: processed },
  { file: 'longreq', section: '3.1.1.7', title: 'Long Values in Header Fields', expect: processed },
  { file: 'dblreq', section: '3.1.1.8', title: 'Extra Trailing Octets in a UDP Datagram', expect: processed },
  { file: 'semiuri', section: '3.1.1.9', title: 'Semicolon-Separated Parameters in URI User Part', expect: processed },
  { file: 'transports', section: '3.1.1.10', title: 'Varied and Unknown Transport Types', expect: processed },
  { file: 'mpart01', section: '3.1.1.11', title: 'Multipart MIME Message', expect: processed },
  { file: 'unreason', section: '3.1.1.12', title: 'Unusual Reason Phrase', expect: dropped },
  { file: 'noreason', section: '3.1.1.13', title: 'Empty Reason Phrase', expect: dropped },
  { file: 'badinv01', section: '3.1.2.1', title: 'Extraneous Header Field Separators', expect: refused([400]) },
  { file: 'clerr', section: '3.1.2.2', title: 'Content Length Larger Than Message', expect: refused([400], true), incompleteOnStream: true },
  { file: 'ncl', section: '3.1.2.3', title: 'Negative Content-Length', expect: refused([400], true) },
  { file: 'scalar02', section: '3.1.2.4', title: 'Request Scalar Fields with Overlarge Values', expect: refused([400]) },
  { file: 'scalarlg', section: '3.1.2.5', title: 'Response Scalar Fields with Overlarge Values', expect: dropped },
  { file: 'quotbal', section: '3.1.2.6', title: 'Unterminated Quoted String in Display Name', expect: refused([400]) },
  { file: 'ltgtruri', section: '3.1.2.7', title: '<> Enclosing Request-URI', expect: refused([400]) },
  { file: 'lwsruri', section: '3.1.2.8', title: 'Malformed SIP Request-URI (embedded LWS)', expect: refused([400]) },
  { file: 'lwsstart', section: '3.1.2.9', title: 'Multiple SP Separating Request-Line Elements', expect: refused([400]) },
  { file: 'trws', section: '3.1.2.10', title: 'SP Characters at End of Request-Line', expect: refused([400]) },
  { file: 'escruri', section: '3.1.2.11', title: 'Escaped Headers in SIP Request-URI', expect: refused([400]) },
  // The RFC lets an element treat the bad Date as absent.
  { file: 'baddate', section: '3.1.2.12', title: 'Invalid Time Zone in Date Header Field', expect: { _tag: 'Refused', statuses: [400, 404] } },
  { file: 'regbadct', section: '3.1.2.13', title: 'Failure to Enclose name-addr URI in <>', expect: refused([400, 405]) },
  { file: 'badaspec', section: '3.1.2.14', title: 'Spaces within addr-spec', expect: refused([400]) },
  { file: 'baddn', section: '3.1.2.15', title: 'Non-token Characters in Display Name', expect: refused([400]), incompleteOnStream: true },
  { file: 'badvers', section: '3.1.2.16', title: 'Unknown Protocol Version', expect: refused([505]) },
  { file: 'mismatch01', section: '3.1.2.17', title: 'Start Line and CSeq Method Mismatch', expect: refused([400]) },
  { file: 'mismatch02', section: '3.1.2.18', title: 'Unknown Method with CSeq Method Mismatch', expect: refused([400, 501]) },
  { file: 'bigcode', section: '3.1.2.19', title: 'Overlarge Response Code', expect: dropped },
  { file: 'badbranch', section: '3.2.1', title: 'Missing Transaction Identifier', expect: processed },
  { file: 'insuf', section: '3.3.1', title: 'Missing Required Header Fields', expect: refused([400], true) },
  { file: 'unkscm', section: '3.3.2', title: 'Request-URI with Unknown Scheme', expect: refused([416]) },
  { file: 'novelsc', section: '3.3.3', title: 'Request-URI with Known but Atypical Scheme', expect: refused([416]) },
  // Valid per the RFC; Parley's parser refuses a REGISTER whose To has an unknown scheme (400), and serves no REGISTER anyway (405).
  // "Parsers must not fail when receiving this message"; only a registrar refuses it (400, its To is
  // no SIP AOR), and Parley is none: REGISTER is not allowed here.
  { file: 'unksm2', section: '3.3.4', title: 'Unknown URI Schemes in Header Fields', expect: refused([405]) },
  { file: 'bext01', section: '3.3.5', title: 'Proxy-Require and Require', expect: refused([420]) },
  { file: 'invut', section: '3.3.6', title: 'Unknown Content-Type', expect: refused([415]) },
  { file: 'regaut01', section: '3.3.7', title: 'Unknown Authorization Scheme', expect: processed },
  { file: 'multi01', section: '3.3.8', title: 'Multiple Values in Single Value Required Fields', expect: refused([400]) },
  { file: 'mcl01', section: '3.3.9', title: 'Multiple Content-Length Values', expect: refused([400]) },
  { file: 'bcast', section: '3.3.10', title: '200 OK Response with Broadcast Via Header Field Value', expect: dropped },
  { file: 'zeromf', section: '3.3.11', title: 'Max-Forwards of Zero', expect: processed },
  { file: 'cparam01', section: '3.3.12', title: 'REGISTER with a Contact Header Parameter', expect: processed },
  { file: 'cparam02', section: '3.3.13', title: 'REGISTER with a url-parameter', expect: processed },
  { file: 'regescrt', section: '3.3.14', title: 'REGISTER with a URL Escaped Header', expect: refused([400, 405]) },
  // 406 where an answer is found; Parley has no room at this address, so 404 comes first.
  { file: 'sdp01', section: '3.3.15', title: 'Unacceptable Accept Offering', expect: refused([404, 406]) },
  { file: 'inv2543', section: '3.4.1', title: 'INVITE with RFC 2543 Syntax', expect: processed, needsContentLengthOnStream: true },
]

const here = fileURLToPath(new URL('.', import.meta.url))

export const tortureBytes = (c: TortureCase): Buffer => readFileSync(join(here, 'rfc4475', `${c.file}.dat`))

/** The Call-ID of a fixture (full or compact form), to match its response. */
export const tortureCallId = (bytes: Buffer): string | undefined => /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(bytes.toString('latin1'))?.[1]
