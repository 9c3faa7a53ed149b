/**
 * DTMF in SIP INFO (PROTOCOLS 2.4, de-facto, no RFC): `application/dtmf-relay` with
 * `Signal=5\r\nDuration=160`, or `application/dtmf` whose body is the digit alone.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { DtmfDigit } from '../../../core/model/call.js'
import type { Body } from '../dialect/mime.js'
import { bodyText, mediaTypeOf, parseContentType } from '../dialect/mime.js'
import type { DtmfError } from './dtmf-event.js'
import { parseDtmfToken } from './dtmf-event.js'

export interface DtmfInfo {
  readonly digit: DtmfDigit
  /** Milliseconds, when the body says. */
  readonly durationMs?: number
}

export interface OutgoingInfoBody {
  readonly contentType: string
  readonly body: string
}

/** Most senders use 160 ms (eight 20 ms packets) for a key press. */
export const defaultDtmfDurationMs = 160

const relayFields = (text: string): ReadonlyMap<string, string> => {
  const fields = new Map<string, string>()
  for (const line of text.split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const name = line.slice(0, eq).trim().toLowerCase()
    if (!fields.has(name)) fields.set(name, line.slice(eq + 1).trim())
  }
  return fields
}

/** Reads the body of an INFO request that carries a key press. */
export const parseDtmfInfo = (contentType: string, body: Body): E.Either<DtmfError, DtmfInfo> => {
  const ct = parseContentType(contentType)
  if (E.isLeft(ct)) return E.left({ _tag: 'UnsupportedDtmfBody', contentType })
  const text = bodyText(body, ct.right)
  switch (mediaTypeOf(ct.right)) {
    case 'application/dtmf-relay': {
      const fields = relayFields(text)
      const signal = fields.get('signal')
      if (signal === undefined) return E.left({ _tag: 'MalformedDtmfBody', reason: 'no Signal= line' })
      const digit = parseDtmfToken(signal)
      if (E.isLeft(digit)) return digit
      const duration = fields.get('duration')
      const durationMs = duration !== undefined && /^\d{1,6}$/.test(duration) ? Number(duration) : undefined
      return E.right(durationMs === undefined ? { digit: digit.right } : { digit: digit.right, durationMs })
    }
    case 'application/dtmf':
      return E.map((digit: DtmfDigit): DtmfInfo => ({ digit }))(parseDtmfToken(text))
    default:
      return E.left({ _tag: 'UnsupportedDtmfBody', contentType })
  }
}

/** The INFO body Parley sends for one key press (`application/dtmf-relay`, symbol spelling). */
export const buildDtmfInfo = (digit: DtmfDigit, durationMs: number = defaultDtmfDurationMs): OutgoingInfoBody => ({
  contentType: 'application/dtmf-relay',
  body: `Signal=${digit}\r\nDuration=${Math.max(1, Math.round(durationMs))}\r\n`,
})
