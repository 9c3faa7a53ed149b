/**
 * A bounded memo around SIP.js's PEG grammar (the hot spot of parsing): most header values
 * repeat from message to message (the same From, To, Via of a peer, the same CSeq methods), so
 * each distinct (rule, text) is parsed once. Results are deep-frozen because they are shared
 * between messages; nothing in the stack mutates a parsed header, and an attempt to do so fails
 * loudly instead of corrupting another message.
 */
import { Grammar } from 'sip.js/lib/grammar/grammar.js'

export interface ParseMemo {
  /** `Grammar.parse(text, rule)`: the parsed value, or -1 when the text does not match. */
  readonly parse: (text: string, rule: string) => unknown
  readonly size: () => number
}

/** Entries longer than this are parsed but not remembered (a huge value is rarely repeated). */
const longestRememberedText = 1024

const deepFreeze = (value: unknown, seen: Set<unknown> = new Set()): unknown => {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value
  seen.add(value)
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen)
  return Object.freeze(value)
}

/**
 * `capacity` bounds the number of remembered values; the least recently used goes first.
 * Capacity 0 turns the memo off (every call parses), which is how the benchmark measures it.
 */
export const createParseMemo = (capacity: number): ParseMemo => {
  const entries = new Map<string, unknown>()
  return {
    parse: (text, rule) => {
      if (capacity === 0 || text.length > longestRememberedText) return Grammar.parse(text, rule)
      const key = rule + '\u0000' + text
      const hit = entries.get(key)
      if (hit !== undefined) {
        // Refresh recency: Map keeps insertion order, so re-inserting moves it to the end.
        entries.delete(key)
        entries.set(key, hit)
        return hit
      }
      const parsed = deepFreeze(Grammar.parse(text, rule))
      if (entries.size >= capacity) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
      entries.set(key, parsed)
      return parsed
    },
    size: () => entries.size,
  }
}
