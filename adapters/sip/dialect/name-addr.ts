/**
 * `name-addr` / `addr-spec` values of From, To and Contact (RFC 3261 §20.10, §25.1): a display
 * name, a URI, and header parameters such as `tag` and SfB's `epid` ([MS-SIPRE] 2.2.2).
 */
import * as E from 'fp-ts/lib/Either.js'

export interface NameAddr {
  readonly displayName?: string
  readonly uri: string
  /** Header parameters, names in lower case; a flag parameter maps to the empty string. */
  readonly params: ReadonlyMap<string, string>
}

export type NameAddrError = { readonly _tag: 'BadNameAddr'; readonly value: string; readonly reason: string }

const bad = (value: string, reason: string): E.Either<NameAddrError, never> => E.left({ _tag: 'BadNameAddr', value, reason })

/** Index just past a quoted string that starts at `start` (which holds `"`), or -1 if unterminated. */
const skipQuoted = (s: string, start: number): number => {
  for (let i = start + 1; i < s.length; i += 1) {
    const c = s[i]
    if (c === '\\') i += 1
    else if (c === '"') return i + 1
  }
  return -1
}

const unquote = (s: string): string => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s)

/**
 * `;name=value;flag` parameters, quoted values allowed. Names are lower-cased, values kept as
 * written (unquoted). Parameters with empty names are dropped.
 */
export const parseParams = (s: string): ReadonlyMap<string, string> => {
  const params = new Map<string, string>()
  let i = 0
  while (i < s.length) {
    const semi = s.indexOf(';', i)
    if (semi < 0) break
    let j = semi + 1
    let inQuote = -1
    while (j < s.length && s[j] !== ';') {
      if (s[j] === '"') {
        inQuote = skipQuoted(s, j)
        if (inQuote < 0) {
          j = s.length
          break
        }
        j = inQuote
      } else j += 1
    }
    const item = s.slice(semi + 1, j).trim()
    const eq = item.indexOf('=')
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase()
    const value = eq < 0 ? '' : unquote(item.slice(eq + 1).trim())
    if (name !== '' && !params.has(name)) params.set(name, value)
    i = j
  }
  return params
}

/** Parses a From/To/Contact value. A bare URI's `;params` are header parameters (RFC 3261 §20). */
export const parseNameAddr = (value: string): E.Either<NameAddrError, NameAddr> => {
  const s = value.trim()
  if (s === '') return bad(value, 'empty')
  let displayName: string | undefined
  let rest = s
  if (s.startsWith('"')) {
    const end = skipQuoted(s, 0)
    if (end < 0) return bad(value, 'unterminated display name')
    displayName = unquote(s.slice(0, end))
    rest = s.slice(end).trimStart()
    if (!rest.startsWith('<')) return bad(value, 'display name without <uri>')
  }
  const open = rest.indexOf('<')
  if (open >= 0) {
    const close = rest.indexOf('>', open)
    if (close < 0) return bad(value, 'unterminated <uri>')
    const before = rest.slice(0, open).trim()
    if (displayName === undefined && before !== '') displayName = before
    const uri = rest.slice(open + 1, close).trim()
    if (uri === '') return bad(value, 'empty uri')
    return E.right({ ...(displayName === undefined ? {} : { displayName }), uri, params: parseParams(rest.slice(close + 1)) })
  }
  const semi = rest.indexOf(';')
  const uri = (semi < 0 ? rest : rest.slice(0, semi)).trim()
  if (uri === '' || /\s/.test(uri)) return bad(value, 'not an addr-spec')
  return E.right({ uri, params: parseParams(semi < 0 ? '' : rest.slice(semi)) })
}
