/**
 * The text a user typed, out of the HTML an SfB client sends (`text/html` MESSAGE bodies and
 * `ms-im-format` alternatives: PROTOCOLS 1.3), e.g. `<SPAN style="…">hello</SPAN>`. A single
 * forward scan: no regex that could backtrack on hostile input.
 */

const namedEntities: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', ' '],
])

const codePointText = (cp: number): string => (cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd')

export const decodeHtmlEntities = (text: string): string =>
  text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});/g, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return codePointText(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return codePointText(parseInt(name.slice(1), 10))
    return namedEntities.get(name.toLowerCase()) ?? whole
  })

/** Tags after which the text continues on a new line. */
const lineBreakingTags: ReadonlySet<string> = new Set(['br', 'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre'])
/** Tags whose content is not text. */
const hiddenContentTags: ReadonlySet<string> = new Set(['script', 'style', 'head', 'title'])

const tagNameAt = (html: string, from: number): string => {
  let i = from
  while (i < html.length && /[A-Za-z0-9]/.test(html[i] ?? '')) i += 1
  return html.slice(from, i).toLowerCase()
}

export const htmlToText = (html: string): string => {
  const out: string[] = []
  let i = 0
  while (i < html.length) {
    const lt = html.indexOf('<', i)
    const textEnd = lt < 0 ? html.length : lt
    if (textEnd > i) out.push(decodeHtmlEntities(html.slice(i, textEnd)).replace(/[ \t\r\n\f]+/g, ' '))
    if (lt < 0) break
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4)
      i = end < 0 ? html.length : end + 3
      continue
    }
    const gt = html.indexOf('>', lt + 1)
    if (gt < 0) {
      // A lone '<' is text.
      out.push(decodeHtmlEntities(html.slice(lt)))
      break
    }
    const closing = html[lt + 1] === '/'
    const name = tagNameAt(html, lt + (closing ? 2 : 1))
    if (name === '') {
      out.push(html.slice(lt, gt + 1))
      i = gt + 1
      continue
    }
    if (!closing && hiddenContentTags.has(name)) {
      const close = new RegExp(`</${name}\\s*>`, 'gi')
      close.lastIndex = gt + 1
      const found = close.exec(html)
      i = found === null ? html.length : found.index + found[0].length
      continue
    }
    if (lineBreakingTags.has(name) && (closing || name === 'br')) out.push('\n')
    i = gt + 1
  }
  return out
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
