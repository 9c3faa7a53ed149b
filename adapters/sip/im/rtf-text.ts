/**
 * Rough text of an RTF message (`text/rtf` bodies and `ms-im-format` alternatives from SfB,
 * PROTOCOLS 1.3): control words dropped, destinations (font and colour tables, `{\*…}`) skipped,
 * `\par` as a new line, `\'hh` bytes in the document's `\ansicpg` code page, `\uN` as Unicode.
 * Enough for chat; formatting is lost on purpose.
 */
import { decodeText } from '../dialect/mime.js'

/** Groups whose content is never text (RTF 1.9.1 destinations that clients put in messages). */
const destinations: ReadonlySet<string> = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'header', 'footer', 'headerl', 'headerr', 'footerl', 'footerr',
  'themedata', 'colorschememapping', 'latentstyles', 'datastore', 'xmlnstbl', 'listtable', 'listoverridetable', 'rsidtbl',
  'generator', 'mmathpr', 'filetbl', 'revtbl', 'fldinst', 'bkmkstart', 'bkmkend', 'pgdsctbl',
])

const symbols: ReadonlyMap<string, string> = new Map([
  ['par', '\n'], ['line', '\n'], ['tab', '\t'], ['emdash', '\u2014'], ['endash', '\u2013'], ['bullet', '\u2022'],
  ['lquote', '\u2018'], ['rquote', '\u2019'], ['ldblquote', '\u201c'], ['rdblquote', '\u201d'], ['emspace', ' '], ['enspace', ' '],
])

interface Group {
  skip: boolean
  unicodeSkip: number
}

export const rtfToText = (rtf: string): string => {
  const out: string[] = []
  const pendingBytes: number[] = []
  let codePage = 'windows-1252'
  const stack: Group[] = [{ skip: false, unicodeSkip: 1 }]
  const top = (): Group => stack[stack.length - 1] ?? { skip: false, unicodeSkip: 1 }
  let charsToSkip = 0
  const flushBytes = (): void => {
    if (pendingBytes.length === 0) return
    out.push(decodeText(Uint8Array.from(pendingBytes), codePage))
    pendingBytes.length = 0
  }
  const emit = (text: string): void => {
    if (top().skip) return
    if (charsToSkip > 0) {
      charsToSkip -= 1
      return
    }
    flushBytes()
    out.push(text)
  }
  let i = 0
  while (i < rtf.length) {
    const c = rtf[i] ?? ''
    if (c === '{') {
      stack.push({ ...top() })
      charsToSkip = 0
      i += 1
    } else if (c === '}') {
      if (stack.length > 1) stack.pop()
      charsToSkip = 0
      i += 1
    } else if (c === '\r' || c === '\n') {
      i += 1
    } else if (c !== '\\') {
      emit(c)
      i += 1
    } else {
      const next = rtf[i + 1] ?? ''
      if (/[A-Za-z]/.test(next)) {
        let j = i + 1
        while (j < rtf.length && /[A-Za-z]/.test(rtf[j] ?? '')) j += 1
        const word = rtf.slice(i + 1, j).toLowerCase()
        let k = j
        if (rtf[k] === '-') k += 1
        while (k < rtf.length && k - j < 11 && /\d/.test(rtf[k] ?? '')) k += 1
        const paramText = rtf.slice(j, k)
        const param = /^-?\d+$/.test(paramText) ? Number(paramText) : undefined
        i = rtf[k] === ' ' ? k + 1 : k
        if (destinations.has(word)) top().skip = true
        else if (word === 'ansicpg' && param !== undefined) codePage = `windows-${param}`
        else if (word === 'uc' && param !== undefined) top().unicodeSkip = Math.max(0, param)
        else if (word === 'u' && param !== undefined) {
          emit(String.fromCharCode(param < 0 ? param + 65536 : param))
          if (!top().skip) charsToSkip = top().unicodeSkip
        } else {
          const symbol = symbols.get(word)
          if (symbol !== undefined) emit(symbol)
        }
      } else if (next === "'") {
        const hex = rtf.slice(i + 2, i + 4)
        i += 4
        if (!/^[0-9a-fA-F]{2}$/.test(hex) || top().skip) continue
        if (charsToSkip > 0) charsToSkip -= 1
        else pendingBytes.push(parseInt(hex, 16))
      } else {
        i += 2
        if (next === '*') top().skip = true
        else if (next === '\\' || next === '{' || next === '}') emit(next)
        else if (next === '~') emit('\u00a0')
        else if (next === '_') emit('-')
        else if (next === '\n' || next === '\r') emit('\n')
      }
    }
  }
  flushBytes()
  return out
    .join('')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim()
}
