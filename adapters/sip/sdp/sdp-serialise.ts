/**
 * sdp-transform's `write`, text for text, without its per-line costs: the same grammar (its
 * own `lib/grammar.js`, so the line order and formats are its own), but each format string
 * is split once into literal pieces and placeholders and kept, where sdp-transform runs a
 * regular-expression replace with a callback per line and builds an argument list per line.
 * Writing Parley's answer was ~30-35 µs of a call under the call-rate load
 * (docs/decisions/0002-sip-hot-path.md). A property test (sdp-serialise.property.spec.ts) holds
 * it to sdp-transform's writer on fixtures, Parley's answers and generated descriptions.
 *
 * Unlike sdp-transform's writer it does not fill in the description's missing `version`,
 * `name` and `payloads` on the object itself; it writes the same defaults.
 */
import { createRequire } from 'node:module'
import type { SessionDescription } from 'sdp-transform'

type Location = Record<string, unknown>

interface GrammarEntry {
  readonly name?: string
  readonly push?: string
  readonly names?: ReadonlyArray<string>
  readonly format?: string | ((location: unknown) => string)
}

/** sdp-transform ships no types for its grammar module; this is the part the writer reads. */
const grammar = createRequire(import.meta.url)('sdp-transform/lib/grammar.js') as Readonly<Record<string, ReadonlyArray<GrammarEntry>>>

/** sdp-transform's writer: session lines in this order, then per media `m=` and these. */
const outerOrder = ['v', 'o', 's', 'i', 'u', 'e', 'p', 'c', 'b', 't', 'r', 'z', 'a'] as const
const innerOrder = ['i', 'c', 'b', 'a'] as const

/** A format string as pieces: text, or a placeholder (`%s` text, `%d` number, `%v` void, `%%`). */
type Piece = string | { readonly placeholder: 's' | 'd' | 'v' | '%' }

const compiled = new Map<string, ReadonlyArray<Piece>>()
const placeholder = /%[sdv%]/g

const compile = (format: string): ReadonlyArray<Piece> => {
  const known = compiled.get(format)
  if (known !== undefined) return known
  const pieces: Piece[] = []
  let last = 0
  for (const match of format.matchAll(placeholder)) {
    const at = match.index
    if (at > last) pieces.push(format.slice(last, at))
    pieces.push({ placeholder: match[0][1] as 's' | 'd' | 'v' | '%' })
    last = at + match[0].length
  }
  if (last < format.length) pieces.push(format.slice(last))
  // The formats come from the grammar and its format functions: a small, fixed set.
  if (compiled.size < 512) compiled.set(format, pieces)
  return pieces
}

/** sdp-transform's `format`: arguments in turn; a placeholder with no argument left stays as written. */
const render = (type: string, format: string, args: ReadonlyArray<unknown>): string => {
  let out = `${type}=`
  let next = 0
  for (const piece of compile(format)) {
    if (typeof piece === 'string') {
      out += piece
      continue
    }
    if (next >= args.length) {
      out += `%${piece.placeholder}`
      continue
    }
    const arg = args[next++]
    switch (piece.placeholder) {
      case '%':
        out += '%'
        break
      case 's':
        out += String(arg)
        break
      case 'd':
        out += String(Number(arg))
        break
      case 'v':
        break
    }
  }
  return out
}

/** sdp-transform's `makeLine`. */
const line = (type: string, entry: GrammarEntry, location: Location): string => {
  const format = typeof entry.format === 'function' ? entry.format(entry.push !== undefined ? location : location[String(entry.name)]) : (entry.format ?? '%s')
  const args: unknown[] = []
  if (entry.names !== undefined) {
    const from = entry.name !== undefined ? (location[entry.name] as Location) : location
    for (const name of entry.names) args.push(from[name])
  } else args.push(location[String(entry.name)])
  return render(type, format, args)
}

/**
 * Per grammar type, its entries with the keys they are looked up by. sdp-transform tests
 * `obj.name in location && location[obj.name] != null` (the key 'undefined' for an entry with no
 * name); a value that is not null or undefined is always `in` its object, so the test is the second half.
 */
const entriesOf = new Map<string, ReadonlyArray<{ readonly entry: GrammarEntry; readonly name: string; readonly push: string }>>(
  Object.entries(grammar).map(([type, entries]) => [type, entries.map((entry) => ({ entry, name: String(entry.name), push: String(entry.push) }))]),
)

/** One grammar type's lines for a location (the session or one media), in grammar order. */
const linesOf = (type: string, location: Location, out: string[]): void => {
  for (const { entry, name, push } of entriesOf.get(type) ?? []) {
    if (location[name] != null) out.push(line(type, entry, location))
    else if (location[push] != null) {
      for (const element of location[push] as ReadonlyArray<Location>) out.push(line(type, entry, element))
    }
  }
}

export const writeSdp = (session: SessionDescription): string => {
  const top: Location = { ...(session as unknown as Location) }
  if (top['version'] == null) top['version'] = 0
  if (top['name'] == null) top['name'] = ' '
  const out: string[] = []
  for (const type of outerOrder) linesOf(type, top, out)
  const mLine = grammar['m']?.[0]
  for (const media of session.media) {
    const location = media as unknown as Location
    const withPayloads = location['payloads'] == null ? { ...location, payloads: '' } : location
    if (mLine !== undefined) out.push(line('m', mLine, withPayloads))
    for (const type of innerOrder) linesOf(type, withPayloads, out)
  }
  return out.join('\r\n') + '\r\n'
}
