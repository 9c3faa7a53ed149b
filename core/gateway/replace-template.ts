/**
 * `replace_string` of a gateway rule (DESIGN §2; PROTOCOLS 3.6): the text that replaces the whole
 * alias, with back-references to `match_string`'s groups in Pexip's (Python's) syntax: `\1`,
 * `\12` (up to two digits, as Python reads them), `\g<1>` (to put a digit right after a group:
 * `\g<1>0`), and `\\` for a backslash. Any other backslash is refused: Python would keep `\.`
 * as two characters, which is never what an operator meant in an address.
 */
import * as E from 'fp-ts/lib/Either.js'

export type TemplatePart =
  | { readonly _tag: 'Text'; readonly text: string }
  | { readonly _tag: 'Group'; readonly group: number }

export interface ReplaceTemplate {
  readonly parts: ReadonlyArray<TemplatePart>
  /** The highest group referred to; 0 when none. */
  readonly highestGroup: number
}

export interface TemplateError {
  readonly _tag: 'TemplateError'
  readonly message: string
}

const templateError = (message: string): E.Either<TemplateError, never> => E.left({ _tag: 'TemplateError', message })

export const parseReplaceTemplate = (template: string): E.Either<TemplateError, ReplaceTemplate> => {
  const parts: TemplatePart[] = []
  let text = ''
  const pushGroup = (group: number) => {
    if (text !== '') parts.push({ _tag: 'Text', text })
    text = ''
    parts.push({ _tag: 'Group', group })
  }
  for (let i = 0; i < template.length; i++) {
    const c = template[i]
    if (c !== '\\') {
      text += c
      continue
    }
    const rest = template.slice(i + 1)
    const numbered = /^[0-9]{1,2}/.exec(rest)?.[0]
    const named = /^g<([0-9]+)>/.exec(rest)
    if (rest.startsWith('\\')) {
      text += '\\'
      i += 1
    } else if (numbered !== undefined) {
      if (numbered.startsWith('0')) return templateError(`\\${numbered}: groups are numbered from 1 (\\1 is the first)`)
      pushGroup(Number(numbered))
      i += numbered.length
    } else if (named?.[1] !== undefined) {
      const group = Number(named[1])
      if (group === 0) return templateError(`\\g<0>: groups are numbered from 1 (the whole alias is the empty replace_string)`)
      pushGroup(group)
      i += named[0].length
    } else if (rest === '') {
      return templateError('a lone \\ at the end: write \\\\ for a backslash')
    } else {
      return templateError(
        `\\${rest.slice(0, 1)} is not a back-reference: use \\1 to \\99 or \\g<1>, \\\\ for a backslash, and other characters as they are`,
      )
    }
  }
  if (text !== '') parts.push({ _tag: 'Text', text })
  const highestGroup = parts.reduce((m, p) => (p._tag === 'Group' ? Math.max(m, p.group) : m), 0)
  return E.right({ parts, highestGroup })
}

/** Fills the groups in; a group that took no part in the match gives '' (as Python's re.sub). */
export const applyReplaceTemplate = (template: ReplaceTemplate, groups: ReadonlyArray<string | undefined>): string =>
  template.parts.map((p) => (p._tag === 'Text' ? p.text : (groups[p.group] ?? ''))).join('')
