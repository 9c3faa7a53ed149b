/**
 * A small, safe XML reader for the presence bodies Parley receives (PROTOCOLS 1.1): the SfB
 * batched subscription `application/msrtc-adrl-categorylist+xml`, the older
 * `application/adrl+xml`, and — in tests — the documents Parley renders itself.
 *
 * Why not a library: those bodies are tiny and namespace-qualified, and what matters here is
 * safety against hostile input, which is easier to show in 300 lines than to audit in a
 * dependency. So this reader
 * - refuses any DOCTYPE: no DTD, no external or internal entities, no entity expansion
 *   ("billion laughs" and XXE cannot happen);
 * - knows only the five predefined entities and character references;
 * - is iterative (no recursion), bounded by `XmlLimits` (characters, depth, nodes), and linear
 *   in the input (it scans with indexOf/charCodeAt, no regular expressions over the input);
 * - never throws: every problem is a tagged `XmlError` with the offset where it was found.
 * It checks the well-formedness rules a consumer relies on (matching tags, unique attributes,
 * bound namespace prefixes, legal characters) and resolves namespaces (Namespaces in XML 1.0),
 * so callers compare local names and namespace URIs, never prefixes.
 */
import * as E from 'fp-ts/lib/Either.js'

export interface XmlAttribute {
  /** Local name (after any prefix). */
  readonly name: string
  /** Namespace URI; '' for an unprefixed attribute (Namespaces in XML 1.0 §6.2). */
  readonly namespace: string
  readonly value: string
}

export interface XmlElement {
  readonly _tag: 'Element'
  /** Local name (after any prefix). */
  readonly name: string
  /** Namespace URI; '' when none is in scope. */
  readonly namespace: string
  readonly attributes: ReadonlyArray<XmlAttribute>
  readonly children: ReadonlyArray<XmlNode>
}

export interface XmlText {
  readonly _tag: 'Text'
  readonly text: string
}

export type XmlNode = XmlElement | XmlText

export type XmlErrorReason =
  | 'too-large'
  | 'too-deep'
  | 'too-many-nodes'
  | 'doctype-forbidden'
  | 'invalid-character'
  | 'unexpected-end'
  | 'malformed-markup'
  | 'mismatched-end-tag'
  | 'duplicate-attribute'
  | 'unknown-entity'
  | 'unbound-prefix'
  | 'no-root-element'
  | 'content-after-root'

export interface XmlError {
  readonly _tag: 'XmlError'
  readonly reason: XmlErrorReason
  /** Offset (UTF-16 code units) in the input where the problem was found. */
  readonly offset: number
  readonly detail: string
}

export interface XmlLimits {
  readonly maxChars: number
  readonly maxDepth: number
  /** Elements, attributes and text nodes together. */
  readonly maxNodes: number
}

/** A batched SUBSCRIBE for 250 contacts (the MS-SIP 3.3.4.1 upper bound) is about 20 kB. */
export const defaultXmlLimits: XmlLimits = { maxChars: 1_000_000, maxDepth: 64, maxNodes: 50_000 }

export const xmlNamespace = 'http://www.w3.org/XML/1998/namespace'
const xmlnsNamespace = 'http://www.w3.org/2000/xmlns/'

interface OpenElement {
  readonly qname: string
  readonly prefix: string
  readonly local: string
  readonly rawAttributes: ReadonlyArray<{ readonly qname: string; readonly value: string }>
  readonly scope: ReadonlyMap<string, string>
  readonly children: XmlNode[]
  readonly offset: number
}

class XmlFailure {
  constructor(
    readonly reason: XmlErrorReason,
    readonly offset: number,
    readonly detail: string,
  ) {}
}

const isNameStart = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80
const isNameChar = (c: number): boolean =>
  isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d

/** XML 1.0 §2.2 Char, on UTF-16 code units (surrogate pairs pass as their halves). */
const isXmlCharCode = (c: number): boolean =>
  c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0xfffd && c !== 0xfffe)
const isXmlCodePoint = (cp: number): boolean =>
  cp === 0x09 || cp === 0x0a || cp === 0x0d || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)

const predefinedEntities: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
])

/** Parses one XML document into its root element, or says precisely why it cannot. */
export const readXml = (source: string, limits: XmlLimits = defaultXmlLimits): E.Either<XmlError, XmlElement> => {
  try {
    return E.right(parse(source, limits))
  } catch (e) {
    if (e instanceof XmlFailure) return E.left({ _tag: 'XmlError', reason: e.reason, offset: e.offset, detail: e.detail })
    // Only a bug in this file can land here; a tagged error still beats crashing the SIP stack.
    return E.left({ _tag: 'XmlError', reason: 'malformed-markup', offset: 0, detail: `reader failure: ${String(e)}` })
  }
}

/**
 * Internal to this file: `parse` stops at the first problem by throwing an `XmlFailure`, which
 * `readXml` turns into the returned `XmlError`. Nothing else escapes.
 */
function fail(reason: XmlErrorReason, offset: number, detail: string): never {
  throw new XmlFailure(reason, offset, detail)
}

const parse = (s: string, limits: XmlLimits): XmlElement => {
  if (s.length > limits.maxChars) fail('too-large', limits.maxChars, `more than ${limits.maxChars} characters`)
  for (let i = 0; i < s.length; i++) {
    if (!isXmlCharCode(s.charCodeAt(i)) && !(i === 0 && s.charCodeAt(0) === 0xfeff))
      fail('invalid-character', i, `U+${s.charCodeAt(i).toString(16).padStart(4, '0')} is not allowed in XML`)
  }

  let nodes = 0
  const countNode = (at: number): void => {
    nodes++
    if (nodes > limits.maxNodes) fail('too-many-nodes', at, `more than ${limits.maxNodes} nodes`)
  }

  const decode = (raw: string, at: number, isAttribute: boolean): string => {
    if (raw.indexOf('&') < 0) return isAttribute ? normalizeAttributeSpace(raw) : raw
    let out = ''
    let i = 0
    while (i < raw.length) {
      const amp = raw.indexOf('&', i)
      if (amp < 0) {
        out += isAttribute ? normalizeAttributeSpace(raw.slice(i)) : raw.slice(i)
        break
      }
      out += isAttribute ? normalizeAttributeSpace(raw.slice(i, amp)) : raw.slice(i, amp)
      const semi = raw.indexOf(';', amp)
      if (semi < 0 || semi - amp > 12) fail('unknown-entity', at + amp, 'an & that starts no entity reference')
      const name = raw.slice(amp + 1, semi)
      if (name.startsWith('#')) {
        const hex = name.startsWith('#x')
        const digits = name.slice(hex ? 2 : 1)
        const valid = digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)
        const cp = valid ? parseInt(digits, hex ? 16 : 10) : -1
        if (!isXmlCodePoint(cp)) fail('unknown-entity', at + amp, `&${name}; is not a legal character`)
        out += String.fromCodePoint(cp)
      } else {
        const value = predefinedEntities.get(name)
        if (value === undefined) fail('unknown-entity', at + amp, `&${name}; is not one of the five predefined entities`)
        out += value
      }
      i = semi + 1
    }
    return out
  }

  const readName = (at: number): number => {
    if (at >= s.length || !isNameStart(s.charCodeAt(at))) fail('malformed-markup', at, 'expected a name')
    let i = at + 1
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++
    return i
  }
  const skipSpace = (at: number): number => {
    let i = at
    while (i < s.length && isSpace(s.charCodeAt(i))) i++
    return i
  }
  const expect = (at: number, text: string, what: string): number => {
    if (!s.startsWith(text, at)) fail(at >= s.length ? 'unexpected-end' : 'malformed-markup', at, `expected ${what}`)
    return at + text.length
  }
  /** Skips `<!--…-->` or `<?…?>` starting at `at`; returns the offset after it. */
  const skipCommentOrPi = (at: number): number => {
    if (s.startsWith('<!--', at)) {
      const end = s.indexOf('-->', at + 4)
      if (end < 0) fail('unexpected-end', at, 'unterminated comment')
      return end + 3
    }
    const end = s.indexOf('?>', at + 2)
    if (end < 0) fail('unexpected-end', at, 'unterminated processing instruction')
    return end + 2
  }

  const resolve = (scope: ReadonlyMap<string, string>, prefix: string, at: number): string => {
    if (prefix === 'xml') return xmlNamespace
    const ns = scope.get(prefix)
    if (ns !== undefined) return ns
    if (prefix === '') return ''
    return fail('unbound-prefix', at, `prefix ${prefix}: is not declared`)
  }
  const splitQname = (qname: string, at: number): { prefix: string; local: string } => {
    const colon = qname.indexOf(':')
    if (colon < 0) return { prefix: '', local: qname }
    const prefix = qname.slice(0, colon)
    const local = qname.slice(colon + 1)
    if (prefix === '' || local === '' || local.includes(':')) fail('malformed-markup', at, `${qname} is not a qualified name`)
    return { prefix, local }
  }

  const close = (open: OpenElement): XmlElement => {
    const attributes: XmlAttribute[] = []
    for (const a of open.rawAttributes) {
      if (a.qname === 'xmlns' || a.qname.startsWith('xmlns:')) continue
      const { prefix, local } = splitQname(a.qname, open.offset)
      const namespace = prefix === '' ? '' : resolve(open.scope, prefix, open.offset)
      // Elements carry a handful of attributes: a scan beats building a set.
      if (attributes.some((b) => b.name === local && b.namespace === namespace))
        fail('duplicate-attribute', open.offset, `attribute ${a.qname} appears twice (after namespace resolution)`)
      attributes.push({ name: local, namespace, value: a.value })
    }
    return {
      _tag: 'Element',
      name: open.local,
      namespace: resolve(open.scope, open.prefix, open.offset),
      attributes,
      children: open.children,
    }
  }

  const rootScope: ReadonlyMap<string, string> = new Map()
  const stack: OpenElement[] = []
  let root: XmlElement | undefined
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0

  while (i < s.length) {
    const lt = s.indexOf('<', i)
    const textEnd = lt < 0 ? s.length : lt
    if (textEnd > i) {
      const raw = s.slice(i, textEnd)
      const parent = stack[stack.length - 1]
      if (parent === undefined) {
        for (let k = 0; k < raw.length; k++)
          if (!isSpace(raw.charCodeAt(k))) fail(root === undefined ? 'malformed-markup' : 'content-after-root', i + k, 'text outside the root element')
      } else {
        if (raw.includes(']]>')) fail('malformed-markup', i + raw.indexOf(']]>'), ']]> in text')
        countNode(i)
        parent.children.push({ _tag: 'Text', text: decode(raw, i, false) })
      }
    }
    if (lt < 0) break
    i = lt
    if (s.startsWith('<!--', i) || s.startsWith('<?', i)) {
      i = skipCommentOrPi(i)
    } else if (s.startsWith('<!DOCTYPE', i) || s.startsWith('<!doctype', i)) {
      fail('doctype-forbidden', i, 'a DOCTYPE (and so any DTD or entity declaration) is refused')
    } else if (s.startsWith('<![CDATA[', i)) {
      const parent = stack[stack.length - 1]
      if (parent === undefined) fail('malformed-markup', i, 'CDATA outside the root element')
      const end = s.indexOf(']]>', i + 9)
      if (end < 0) fail('unexpected-end', i, 'unterminated CDATA section')
      countNode(i)
      parent.children.push({ _tag: 'Text', text: s.slice(i + 9, end) })
      i = end + 3
    } else if (s.startsWith('<!', i)) {
      fail('malformed-markup', i, 'unsupported markup declaration')
    } else if (s.startsWith('</', i)) {
      const nameEnd = readName(i + 2)
      const qname = s.slice(i + 2, nameEnd)
      const after = skipSpace(nameEnd)
      expect(after, '>', '> to end the end tag')
      const open = stack.pop()
      if (open === undefined) fail('malformed-markup', i, `end tag </${qname}> without a start tag`)
      if (open.qname !== qname) fail('mismatched-end-tag', i, `</${qname}> closes <${open.qname}>`)
      const element = close(open)
      const parent = stack[stack.length - 1]
      if (parent === undefined) root = element
      else parent.children.push(element)
      i = after + 1
    } else {
      // A start tag or an empty-element tag.
      const tagStart = i
      if (root !== undefined && stack.length === 0) fail('content-after-root', i, 'a second root element')
      const nameEnd = readName(i + 1)
      const qname = s.slice(i + 1, nameEnd)
      const rawAttributes: { qname: string; value: string }[] = []
      let j = nameEnd
      let selfClosing = false
      for (;;) {
        const beforeSpace = j
        j = skipSpace(j)
        if (j >= s.length) fail('unexpected-end', j, `unterminated start tag <${qname}`)
        if (s.startsWith('/>', j)) {
          selfClosing = true
          j += 2
          break
        }
        if (s.charCodeAt(j) === 0x3e) {
          j += 1
          break
        }
        if (j === beforeSpace) fail('malformed-markup', j, 'attributes must be separated by white space')
        const attrNameEnd = readName(j)
        const attrName = s.slice(j, attrNameEnd)
        let k = skipSpace(attrNameEnd)
        k = expect(k, '=', `= after attribute ${attrName}`)
        k = skipSpace(k)
        const quote = s.charCodeAt(k)
        if (quote !== 0x22 && quote !== 0x27) fail(k >= s.length ? 'unexpected-end' : 'malformed-markup', k, `a quoted value for ${attrName}`)
        const valueEnd = s.indexOf(quote === 0x22 ? '"' : "'", k + 1)
        if (valueEnd < 0) fail('unexpected-end', k, `unterminated value of ${attrName}`)
        const raw = s.slice(k + 1, valueEnd)
        if (raw.includes('<')) fail('malformed-markup', k + 1 + raw.indexOf('<'), `< in the value of ${attrName}`)
        if (rawAttributes.some((a) => a.qname === attrName)) fail('duplicate-attribute', j, `attribute ${attrName} appears twice`)
        countNode(j)
        rawAttributes.push({ qname: attrName, value: decode(raw, k + 1, true) })
        j = valueEnd + 1
      }
      const parentScope = stack[stack.length - 1]?.scope ?? rootScope
      let declared: Map<string, string> | undefined
      for (const a of rawAttributes) {
        if (a.qname === 'xmlns' || a.qname.startsWith('xmlns:')) {
          const prefix = a.qname === 'xmlns' ? '' : a.qname.slice(6)
          if (prefix === 'xmlns' || (prefix === 'xml' && a.value !== xmlNamespace) || a.value === xmlnsNamespace)
            fail('malformed-markup', tagStart, `${a.qname} may not be declared that way`)
          declared ??= new Map(parentScope)
          declared.set(prefix, a.value)
        }
      }
      const scope: ReadonlyMap<string, string> = declared ?? parentScope
      const { prefix, local } = splitQname(qname, tagStart)
      countNode(tagStart)
      const open: OpenElement = { qname, prefix, local, rawAttributes, scope, children: [], offset: tagStart }
      if (selfClosing) {
        const element = close(open)
        const parent = stack[stack.length - 1]
        if (parent === undefined) root = element
        else parent.children.push(element)
      } else {
        if (stack.length >= limits.maxDepth) fail('too-deep', tagStart, `elements nested deeper than ${limits.maxDepth}`)
        stack.push(open)
      }
      i = j
    }
  }
  const unclosed = stack[stack.length - 1]
  if (unclosed !== undefined) fail('unexpected-end', s.length, `<${unclosed.qname}> is never closed`)
  if (root === undefined) fail('no-root-element', s.length, 'no root element')
  return root
}

/** XML 1.0 §3.3.3: each white-space character in an attribute value becomes a space. */
const normalizeAttributeSpace = (raw: string): string =>
  raw.indexOf('\t') < 0 && raw.indexOf('\n') < 0 && raw.indexOf('\r') < 0 ? raw : raw.replace(/[\t\n\r]/g, ' ')

/** The element children of `e`, in order. */
export const childElements = (e: XmlElement): ReadonlyArray<XmlElement> =>
  e.children.filter((n): n is XmlElement => n._tag === 'Element')

/** The value of the unprefixed attribute `name`, if present. */
export const attribute = (e: XmlElement, name: string): string | undefined =>
  e.attributes.find((a) => a.name === name && a.namespace === '')?.value

/** The concatenated text directly inside `e` (not inside its child elements). */
export const textOf = (e: XmlElement): string =>
  e.children.reduce((acc, n) => (n._tag === 'Text' ? acc + n.text : acc), '')
