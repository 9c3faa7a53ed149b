/**
 * Reads from a `match_string` the literal text every match must start and end with, so that the
 * routing table can bucket rules by it (`(.+)@rooms\.example\.com` ends with `@rooms.example.com`;
 * `55\d{4}@dial\.example\.com` starts with `55`). Only necessary conditions are claimed: when the
 * reader meets syntax it does not model exactly (inline flags such as `(?i)`, `\Q…\E`, `\x41`,
 * POSIX or nested classes, a `{` that is not a quantifier, …) it gives up, and the rule goes to
 * the bucket that every lookup tries. Giving up is always safe; claiming a wrong literal is not.
 */

export interface RequiredLiterals {
  /** Every full match starts with this ('' = nothing known). */
  readonly prefix: string
  /** Every full match ends with this ('' = nothing known). */
  readonly suffix: string
}

/** What one piece of a pattern tells: its only match, if it has exactly one, and its ends. */
interface Piece {
  readonly exact?: string
  readonly prefix: string
  readonly suffix: string
}

const exactly = (text: string): Piece => ({ exact: text, prefix: text, suffix: text })
const unknown: Piece = { prefix: '', suffix: '' }

/** Zero-width assertions and the always-empty piece consume nothing, so they add nothing. */
const empty = exactly('')

/** ASCII punctuation that `\` makes literal in both RE2 and JS. */
const isEscapablePunctuation = (c: string): boolean => /^[!-/:-@[-`{-~]$/.test(c)
/** Escapes that stand for a class of characters or a position: known to be not literal. */
const classOrPositionEscapes = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B', 'A', 'z', 'n', 't', 'r', 'f', 'v'])

const commonPrefix = (a: string, b: string): string => {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return a.slice(0, i)
}
const commonSuffix = (a: string, b: string): string => {
  let i = 0
  while (i < a.length && i < b.length && a[a.length - 1 - i] === b[b.length - 1 - i]) i++
  return a.slice(a.length - i)
}

const sequence = (pieces: ReadonlyArray<Piece>): Piece => {
  const exacts = pieces.map((p) => p.exact)
  const whole = exacts.every((e): e is string => e !== undefined) ? exacts.join('') : undefined
  let prefix = ''
  for (const p of pieces) {
    if (p.exact === undefined) {
      prefix += p.prefix
      break
    }
    prefix += p.exact
  }
  let suffix = ''
  for (const p of [...pieces].reverse()) {
    if (p.exact === undefined) {
      suffix = p.suffix + suffix
      break
    }
    suffix = p.exact + suffix
  }
  return whole === undefined ? { prefix, suffix } : exactly(whole)
}

const alternation = (branches: ReadonlyArray<Piece>): Piece => {
  const [first, ...rest] = branches
  if (first === undefined) return empty
  const exact = branches.every((b) => b.exact !== undefined && b.exact === first.exact) ? first.exact : undefined
  if (exact !== undefined) return exactly(exact)
  return {
    prefix: rest.reduce((acc, b) => commonPrefix(acc, b.prefix), first.prefix),
    suffix: rest.reduce((acc, b) => commonSuffix(acc, b.suffix), first.suffix),
  }
}

/** A cursor over the pattern's code points (so that an astral character is one atom). */
class Reader {
  private readonly chars: ReadonlyArray<string>
  private at = 0

  constructor(source: string) {
    this.chars = Array.from(source)
  }

  peek(offset = 0): string | undefined {
    return this.chars[this.at + offset]
  }

  take(): string | undefined {
    return this.chars[this.at++]
  }

  atEnd(): boolean {
    return this.at >= this.chars.length
  }

  /** The rest of the pattern from here, as text (for the quantifier grammar). */
  rest(): string {
    return this.chars.slice(this.at).join('')
  }

  skip(count: number): void {
    this.at += count
  }
}

const readBranches = (r: Reader): ReadonlyArray<Piece> | undefined => {
  const branches: Piece[] = []
  for (;;) {
    const branch = readSequence(r)
    if (branch === undefined) return undefined
    branches.push(branch)
    if (r.peek() !== '|') return branches
    r.take()
  }
}

const readSequence = (r: Reader): Piece | undefined => {
  const pieces: Piece[] = []
  while (!r.atEnd() && r.peek() !== '|' && r.peek() !== ')') {
    const atom = readAtom(r)
    if (atom === undefined) return undefined
    const quantified = readQuantifier(r, atom)
    if (quantified === undefined) return undefined
    pieces.push(quantified)
  }
  return sequence(pieces)
}

const readGroup = (r: Reader): Piece | undefined => {
  if (r.peek() === '?') {
    const kind = r.rest().slice(0, 3)
    if (kind.startsWith('?:')) r.skip(2)
    else if (/^\?P?<[A-Za-z_]/.test(r.rest())) {
      const close = r.rest().indexOf('>')
      if (close < 0) return undefined
      r.skip(Array.from(r.rest().slice(0, close + 1)).length)
    } else return undefined // inline flags, lookaround, anything else: not modelled
  }
  const branches = readBranches(r)
  if (branches === undefined || r.take() !== ')') return undefined
  return alternation(branches)
}

/** Skips a character class; gives up on forms the two engines read differently. */
const skipClass = (r: Reader): Piece | undefined => {
  if (r.peek() === '^') r.take()
  if (r.peek() === ']') return undefined
  for (;;) {
    const c = r.take()
    if (c === undefined || c === '[') return undefined
    if (c === ']') return unknown
    if (c === '\\' && r.take() === undefined) return undefined
  }
}

const readEscape = (r: Reader): Piece | undefined => {
  const c = r.take()
  if (c === undefined) return undefined
  if (isEscapablePunctuation(c)) return exactly(c)
  if (classOrPositionEscapes.has(c)) return unknown
  return undefined
}

const readAtom = (r: Reader): Piece | undefined => {
  const c = r.take()
  switch (c) {
    case undefined:
      return undefined
    case '(':
      return readGroup(r)
    case '[':
      return skipClass(r)
    case '\\':
      return readEscape(r)
    case '.':
      return unknown
    case '^':
    case '$':
      return empty
    case '*':
    case '+':
    case '?':
    case '{':
    case '}':
    case ']':
    case ')':
    case '|':
      return undefined
    default:
      return exactly(c)
  }
}

const quantifierPattern = /^(?:([*+?])|\{([0-9]+)(?:(,)([0-9]*))?\})/

const readQuantifier = (r: Reader, atom: Piece): Piece | undefined => {
  const m = quantifierPattern.exec(r.rest())
  if (m === null) return r.peek() === '{' ? undefined : atom
  r.skip(m[0].length)
  if (r.peek() === '?') r.take() // lazy: the same matches, in another order
  if (['*', '+', '?', '{'].includes(r.peek() ?? '')) return undefined
  const min = m[1] === '+' ? 1 : m[1] !== undefined ? 0 : Number(m[2])
  const max = m[1] !== undefined ? undefined : m[3] === undefined ? min : m[4] === '' ? undefined : Number(m[4])
  if (min === 0) return unknown
  // Every match is `min` or more matches of the atom in a row: it starts and ends like the atom.
  if (atom.exact !== undefined && max === min) return exactly(atom.exact.repeat(min))
  return { prefix: atom.prefix, suffix: atom.suffix }
}

/**
 * For each top-level alternative of `source`, the literals its matches start and end with;
 * `undefined` when the pattern uses syntax this reader does not model.
 */
export const requiredLiterals = (source: string): ReadonlyArray<RequiredLiterals> | undefined => {
  const r = new Reader(source)
  const branches = readBranches(r)
  if (branches === undefined || !r.atEnd()) return undefined
  return branches.map(({ prefix, suffix }) => ({ prefix, suffix }))
}
