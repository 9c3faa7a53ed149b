/**
 * The checks RFC 3261 §8.2 makes before a request reaches the transaction user, as a pure
 * function: method inspection (§8.2.1: 405 with Allow for a method we know but do not serve,
 * e.g. REFER; 501 for one we do not know) and extensions (§8.2.2.3: 420 Bad Extension with an
 * Unsupported header listing the option tags of Require we do not support). ACK and CANCEL are
 * never refused here (§8.2.2.3, §9.2).
 */
import type { SipHeaders } from '../dialect/sip-headers.js'
import { splitHeaderList } from './header-list.js'
import { header } from './message-writer.js'
import type { SipRequest } from './sip-message.js'

export interface AdmissionPolicy {
  /** Methods we serve (upper case). */
  readonly allow: ReadonlyArray<string>
  /** Methods we recognise but do not serve: answered 405 rather than 501. */
  readonly recognised: ReadonlyArray<string>
  /** Option tags we support (`Require` may name only these). */
  readonly supported: ReadonlyArray<string>
}

export type Admission =
  | { readonly _tag: 'Admit' }
  | { readonly _tag: 'Refuse'; readonly status: number; readonly reason?: string; readonly headers: SipHeaders }

const admit: Admission = { _tag: 'Admit' }

export const allowHeader = (policy: AdmissionPolicy) => header('Allow', policy.allow.join(', '))

export const admitRequest = (request: SipRequest, policy: AdmissionPolicy): Admission => {
  const method = request.method
  if (method === 'ACK' || method === 'CANCEL') return admit
  if (!policy.allow.includes(method)) {
    return { _tag: 'Refuse', status: policy.recognised.includes(method) ? 405 : 501, headers: [allowHeader(policy)] }
  }
  if (!request.hasHeader('Require')) return admit
  // Option tags are compared case-insensitively here: SfB writes `categoryList`, others may not.
  const supported = new Set(policy.supported.map((t) => t.toLowerCase()))
  const required = request.getHeaders('Require').flatMap(splitHeaderList)
  const unsupported = required.filter((tag) => !supported.has(tag.toLowerCase()))
  if (unsupported.length > 0) return { _tag: 'Refuse', status: 420, headers: [header('Unsupported', unsupported.join(', '))] }
  return admit
}
