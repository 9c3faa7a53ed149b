/**
 * Builds the XML Parley sends (presence documents) from a small tree, so that every document is
 * well-formed by construction: names are fixed by the renderers, and every text or attribute
 * value — display names and URIs come from the operator's configuration and from the watcher's
 * request — is escaped here and nowhere else.
 */

export interface XmlMarkup {
  /** A qualified name written as given (the renderers use fixed, valid names). */
  readonly name: string
  /** In document order; an `undefined` value omits the attribute. */
  readonly attributes: ReadonlyArray<readonly [string, string | undefined]>
  /** Child elements, or the element's text. */
  readonly content: ReadonlyArray<XmlMarkup> | string
}

export const element = (
  name: string,
  attributes: ReadonlyArray<readonly [string, string | undefined]> = [],
  content: ReadonlyArray<XmlMarkup> | string = [],
): XmlMarkup => ({ name, attributes, content })

/**
 * Characters XML 1.0 §2.2 cannot carry at all (controls other than tab/LF/CR, U+FFFE/FFFF and
 * lone surrogates). They can only come from a broken configuration; dropping them keeps the
 * document readable rather than letting one bad name break every watcher's NOTIFY.
 */
// eslint-disable-next-line no-control-regex
const notXmlChar = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** `s` without the characters XML cannot carry. */
export const toXmlChars = (s: string): string => s.replace(notXmlChar, '')

/** A CR is written as a reference: a reader would otherwise turn CR LF into LF (XML 1.0 §2.11). */
export const escapeText = (s: string): string =>
  toXmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')

/** Tab, LF and CR become character references so that attribute normalization keeps them. */
export const escapeAttribute = (s: string): string =>
  escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')

export const xmlDeclaration = '<?xml version="1.0" encoding="UTF-8"?>'

/**
 * Serializes with two-space indentation between elements; an element with text keeps it inline
 * (`<availability>3500</availability>`), so indentation never changes a value.
 */
export const serializeXml = (root: XmlMarkup, withDeclaration = true): string => {
  const lines: string[] = withDeclaration ? [xmlDeclaration] : []
  const write = (e: XmlMarkup, depth: number): void => {
    const indent = '  '.repeat(depth)
    const attrs = e.attributes
      .filter((a): a is readonly [string, string] => a[1] !== undefined)
      .map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`)
      .join('')
    if (typeof e.content === 'string') {
      lines.push(
        e.content === '' ? `${indent}<${e.name}${attrs}/>` : `${indent}<${e.name}${attrs}>${escapeText(e.content)}</${e.name}>`,
      )
    } else if (e.content.length === 0) {
      lines.push(`${indent}<${e.name}${attrs}/>`)
    } else {
      lines.push(`${indent}<${e.name}${attrs}>`)
      for (const child of e.content) write(child, depth + 1)
      lines.push(`${indent}</${e.name}>`)
    }
  }
  write(root, 0)
  return lines.join('\r\n') + '\r\n'
}
