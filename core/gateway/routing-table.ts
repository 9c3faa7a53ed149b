/**
 * The Distributed Gateway rules, compiled once per configuration (DESIGN §2 "Gateway rules";
 * PROTOCOLS 3.6): enabled rules in ascending priority (1-200, ties by rule id so the order never
 * depends on the order of the file), each `match_string` compiled by the PatternEngine handed in
 * (RE2 in the node: the core never imports it), each `replace_string` parsed, and an index by
 * required literal text (rule-index.ts) so that a lookup tries a few candidates, not every regex.
 * `findRoute` gives exactly what a scan of every rule in priority order would give: the first
 * enabled rule whose filters and whole-alias regex match. No match, no route (no open relay).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { GatewayRule, GlobalSettings } from '../config/model.js'
import type { CompiledPattern, CompiledPatternSet, PatternEngine } from '../ports/pattern-engine.js'
import type { Route, RouteQuery } from './route.js'
import { requiredLiterals } from './pattern-literals.js'
import type { ReplaceTemplate } from './replace-template.js'
import { applyReplaceTemplate, parseReplaceTemplate } from './replace-template.js'
import type { RuleIndex } from './rule-index.js'
import { buildRuleIndex, candidateLists, firstInRankOrder } from './rule-index.js'

export interface RuleProblem {
  readonly ruleId: string
  readonly field: 'id' | 'priority' | 'match_string' | 'replace_string'
  readonly message: string
}

export interface CompiledRule {
  readonly rule: GatewayRule
  readonly pattern: CompiledPattern
  /** `undefined` for an empty `replace_string`: the alias goes on unchanged. */
  readonly template: ReplaceTemplate | undefined
  /** The proxy for the rule's outgoing protocol, its own or the global default. */
  readonly proxy: string | undefined
  /** In the index's unanchored list (tried on every lookup). */
  readonly unanchored: boolean
}

export interface RoutingTable {
  /** Enabled rules in the order they are tried; a rule's rank is its position here. */
  readonly rules: ReadonlyArray<CompiledRule>
  readonly index: RuleIndex
  /**
   * The unanchored rules' patterns in one set (rank order), when the engine has a set form and
   * there are enough of them for one pass to beat trying them one by one.
   */
  readonly unanchoredSet: CompiledPatternSet | undefined
}

export const minPriority = 1
export const maxPriority = 200

/**
 * From this many unanchored rules on, one set pass (plus one match for the groups of the rule
 * that wins) costs less than a match per rule: with re2 1.24, a pass over 8 patterns ran 6x,
 * over 64 patterns 46x, the rate of matching them one by one (2 patterns: 3x).
 */
export const unanchoredSetThreshold = 3

const canonicalInteger = /^(0|[1-9][0-9]*)$/

/** Pexip ids are integers: those come first, by value; any other id after them, as text. */
export const compareRuleIds = (a: string, b: string): number => {
  const aNumeric = canonicalInteger.test(a)
  const bNumeric = canonicalInteger.test(b)
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1
  if (aNumeric && a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

export const compareRules = (a: GatewayRule, b: GatewayRule): number => a.priority - b.priority || compareRuleIds(a.id, b.id)

/** DESIGN §2: a rule's own proxy for its protocol, else the global default (sip, mssip only). */
export const proxyFor = (rule: GatewayRule, global: GlobalSettings): string | undefined => {
  switch (rule.outgoingProtocol) {
    case 'sip':
      return rule.sipProxy ?? global.defaultSipProxy
    case 'mssip':
      return rule.mssipProxy ?? global.defaultMssipProxy
    case 'h323':
      return rule.h323Gatekeeper
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

const compileRule = (
  rule: GatewayRule,
  global: GlobalSettings,
  engine: PatternEngine,
): E.Either<ReadonlyArray<RuleProblem>, Omit<CompiledRule, 'unanchored'>> => {
  const problems: RuleProblem[] = []
  const problem = (field: RuleProblem['field'], message: string) => problems.push({ ruleId: rule.id, field, message })
  if (!Number.isInteger(rule.priority) || rule.priority < minPriority || rule.priority > maxPriority)
    problem('priority', `priority ${rule.priority} is not a whole number from ${minPriority} to ${maxPriority}`)
  const pattern = engine.compile(rule.matchString)
  if (E.isLeft(pattern)) problem('match_string', pattern.left.message)
  const template = rule.replaceString === '' ? E.right(undefined) : parseReplaceTemplate(rule.replaceString)
  if (E.isLeft(template)) problem('replace_string', template.left.message)
  else if (E.isRight(pattern) && template.right !== undefined && template.right.highestGroup > pattern.right.groupCount)
    problem(
      'replace_string',
      `refers to group ${template.right.highestGroup} but match_string has ${plural(pattern.right.groupCount, 'group')}`,
    )
  if (problems.length > 0 || E.isLeft(pattern) || E.isLeft(template)) return E.left(problems)
  return E.right({ rule, pattern: pattern.right, template: template.right, proxy: proxyFor(rule, global) })
}

export const buildRoutingTable = (
  rules: ReadonlyArray<GatewayRule>,
  global: GlobalSettings,
  engine: PatternEngine,
): E.Either<ReadonlyArray<RuleProblem>, RoutingTable> => {
  const problems: RuleProblem[] = []
  const seen = new Set<string>()
  for (const rule of rules) {
    if (seen.has(rule.id)) problems.push({ ruleId: rule.id, field: 'id', message: `rule id ${rule.id} is used more than once` })
    seen.add(rule.id)
  }
  // Disabled rules are validated too: they are kept and shown, and may be enabled later.
  const compiled: Array<Omit<CompiledRule, 'unanchored'>> = []
  for (const rule of rules) {
    const one = compileRule(rule, global, engine)
    if (E.isLeft(one)) problems.push(...one.left)
    else if (rule.enabled) compiled.push(one.right)
  }
  if (problems.length > 0) return E.left(problems)

  const ordered = [...compiled].sort((a, b) => compareRules(a.rule, b.rule))
  const index = buildRuleIndex(ordered.map((c, rank) => ({ rank, literals: requiredLiterals(c.rule.matchString) })))
  const unanchored = new Set(index.unanchored)
  const table = ordered.map((c, rank): CompiledRule => ({ ...c, unanchored: unanchored.has(rank) }))

  let unanchoredSet: CompiledPatternSet | undefined
  if (engine.compileSet !== undefined && index.unanchored.length >= unanchoredSetThreshold) {
    const set = engine.compileSet(index.unanchored.map((rank) => table[rank]?.rule.matchString ?? ''))
    // Each pattern compiled alone a moment ago; were the set refused, trying them one by one is
    // just as exact.
    unanchoredSet = E.isRight(set) ? set.right : undefined
  }
  return E.right({ rules: table, index, unanchoredSet })
}

/** Direction, incoming protocol and registration: everything but the regex. */
export const ruleAccepts = (rule: GatewayRule, q: RouteQuery): boolean => {
  if (q.direction === 'outgoing') return rule.matchOutgoingCalls
  if (!rule.matchIncomingCalls || !rule.matchIncomingProtocols.includes(q.protocol)) return false
  // DESIGN §2: no registrar yet, so callers are never registered and such a rule matches none.
  return !rule.matchIncomingOnlyIfRegistered || q.registered
}

export const routeOf = (c: CompiledRule, alias: string, groups: ReadonlyArray<string | undefined>): Route => ({
  ruleId: c.rule.id,
  ruleName: c.rule.name,
  destination: c.template === undefined ? alias : applyReplaceTemplate(c.template, groups),
  protocol: c.rule.outgoingProtocol,
  ...(c.proxy === undefined ? {} : { proxy: c.proxy }),
  callType: c.rule.callType,
  treatAsTrusted: c.rule.treatAsTrusted,
})

export const findRoute = (table: RoutingTable, q: RouteQuery): Route | undefined => {
  const unanchoredMatches = (() => {
    let ranks: ReadonlySet<number> | undefined
    return (rank: number): boolean => {
      if (table.unanchoredSet === undefined) return true
      ranks ??= new Set(table.unanchoredSet.fullMatches(q.alias).map((i) => table.index.unanchored[i] ?? -1))
      return ranks.has(rank)
    }
  })()
  return firstInRankOrder(candidateLists(table.index, q.alias), (rank) => {
    const c = table.rules[rank]
    if (c === undefined || !ruleAccepts(c.rule, q)) return undefined
    if (c.unanchored && !unanchoredMatches(rank)) return undefined
    const groups = c.pattern.fullMatch(q.alias)
    return groups === undefined ? undefined : routeOf(c, q.alias, groups)
  })
}
