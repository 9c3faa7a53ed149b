/**
 * GRUU Contacts. SfB/Lync uses `sip:user@domain;opaque=user:epid:<id>;gruu` ([MS-SIPRE] 2.2.2,
 * PROTOCOLS 1.7); RFC 5627 uses `;gr=urn:uuid:…` (public) or a bare `;gr` (temporary). A
 * REGISTER 200 carries the GRUU as the Contact's `gruu="…"` / `pub-gruu="…"` parameter.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { parseNameAddr, parseParams } from './name-addr.js'

export type Gruu =
  /** `opaque=user:epid:<epid>;gruu`: one SfB endpoint of `aor`. */
  | { readonly _tag: 'MsEpidGruu'; readonly uri: string; readonly aor: string; readonly epid: string }
  /** RFC 5627 `gr` parameter: the instance id, or empty for a temporary GRUU. */
  | { readonly _tag: 'InstanceGruu'; readonly uri: string; readonly aor: string; readonly instance: string }

export type GruuError =
  | { readonly _tag: 'BadContact'; readonly value: string; readonly reason: string }
  | { readonly _tag: 'NotAGruu'; readonly uri: string }

/** Splits `scheme:user@host;params?headers` into the part before the URI parameters and them. */
const splitUriParams = (uri: string): { readonly base: string; readonly params: string } => {
  const noHeaders = uri.split('?')[0] ?? uri
  // A user part may itself contain ';' (RFC 3261 user-unreserved), so parameters start after the host.
  const at = noHeaders.lastIndexOf('@')
  const semi = noHeaders.indexOf(';', at < 0 ? 0 : at)
  return semi < 0 ? { base: noHeaders, params: '' } : { base: noHeaders.slice(0, semi), params: noHeaders.slice(semi) }
}

const epidPrefix = 'user:epid:'

/** Reads a GRUU from a bare URI. */
export const gruuOfUri = (uri: string): E.Either<GruuError, Gruu> => {
  const { base, params: raw } = splitUriParams(uri.trim())
  const params = parseParams(raw)
  const opaque = params.get('opaque')
  if (params.has('gruu') && opaque !== undefined && opaque.toLowerCase().startsWith(epidPrefix)) {
    const epid = opaque.slice(epidPrefix.length)
    if (epid !== '') return E.right({ _tag: 'MsEpidGruu', uri: uri.trim(), aor: base, epid })
  }
  const gr = params.get('gr')
  if (gr !== undefined) return E.right({ _tag: 'InstanceGruu', uri: uri.trim(), aor: base, instance: gr })
  return E.left({ _tag: 'NotAGruu', uri })
}

/**
 * Reads the GRUU of a Contact header value: the contact URI itself, else its `gruu` or
 * `pub-gruu` parameter (REGISTER responses, RFC 5627 §5.2 / SfB).
 */
export const parseGruuContact = (contact: string): E.Either<GruuError, Gruu> =>
  pipe(
    parseNameAddr(contact),
    E.mapLeft((e): GruuError => ({ _tag: 'BadContact', value: contact, reason: e.reason })),
    E.chain((addr) => {
      const direct = gruuOfUri(addr.uri)
      if (E.isRight(direct)) return direct
      const advertised = addr.params.get('gruu') ?? addr.params.get('pub-gruu')
      return advertised === undefined ? direct : gruuOfUri(advertised)
    }),
  )
