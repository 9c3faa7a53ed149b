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

/**
 * Anything escapeText or escapeAttribute would change: most values (URIs, room names, fixed
 * tokens) have none, and one test then replaces the chain of replacements (presence fan-out
 * renders a document per NOTIFY; the chain was most of the writer's time, issue 8).
 */
// eslint-disable-next-line no-control-regex
const needsEscaping = /[\u0000-\u001f&<>"'\ufffe\uffff\ud800-\udfff]/

/** A CR is written as a reference: a reader would otherwise turn CR LF into LF (XML 1.0 §2.11). */
export const escapeText = (s: string): string =>
  !needsEscaping.test(s) ? s : toXmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')

/** Tab, LF and CR become character references so that attribute normalization keeps them. */
export const escapeAttribute = (s: string): string =>
  !needsEscaping.test(s)
    ? s
    : escapeText(s)
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
  // One string grown in place (no per-element arrays): V8 builds it as a rope.
  let out = withDeclaration ? `${xmlDeclaration}\r\n` : ''
  const write = (e: XmlMarkup, indent: string): void => {
    let attrs = ''
    for (const [k, v] of e.attributes) if (v !== undefined) attrs += ` ${k}="${escapeAttribute(v)}"`
    if (typeof e.content === 'string') {
      out += e.content === '' ? `${indent}<${e.name}${attrs}/>\r\n` : `${indent}<${e.name}${attrs}>${escapeText(e.content)}</${e.name}>\r\n`
    } else if (e.content.length === 0) {
      out += `${indent}<${e.name}${attrs}/>\r\n`
    } else {
      out += `${indent}<${e.name}${attrs}>\r\n`
      const inner = `${indent}  `
      for (const child of e.content) write(child, inner)
      out += `${indent}</${e.name}>\r\n`
    }
  }
  write(root, '')
  return out
}
