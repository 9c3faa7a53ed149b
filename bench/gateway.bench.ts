/**
 * Gateway rule lookup (DESIGN §2 "Gateway rules", §5 "a linear scan of regexes for rule
 * lookup"): 10,000 rules of the shapes a service provider has — per-tenant domains, numeric dial
 * plans by digit prefix, a few meeting-room and department patterns, catch-alls at the lowest
 * priority — looked up by `findRoute` through its literal index, against a scan of the very same
 * compiled RE2 patterns in priority order. Both sides answer the same route for every query.
 */
import * as E from 'fp-ts/lib/Either.js'
import { re2PatternEngine } from '../adapters/regex/re2-pattern-engine.js'
import type { GatewayRule, GlobalSettings } from '../core/config/model.js'
import type { Protocol } from '../core/model/call.js'
import type { Route, RouteQuery } from '../core/gateway/route.js'
import type { RoutingTable } from '../core/gateway/routing-table.js'
import { buildRoutingTable, findRoute, routeOf, ruleAccepts } from '../core/gateway/routing-table.js'
import { sideBySideOpsPerSecond, type Measurement } from './harness.js'

const global: GlobalSettings = {
  pinEntryTimeoutS: 60,
  hostWaitTimeoutS: 1800,
  guestsOnlyTimeoutS: 60,
  onlyOneParticipantTimeoutS: 0,
  adpDelayS: 10,
  trustedPeers: ['127.0.0.1', '::1'],
  rtpPortMin: 40000,
  rtpPortMax: 49999,
  pinLockout: { failures: 10, windowS: 60, blockS: 300 },
  defaultSipProxy: 'sbc.provider.example',
}

const rule = (id: number, matchString: string, more: Partial<GatewayRule>): GatewayRule => ({
  id: String(id),
  name: `rule ${id}`,
  priority: 100,
  enabled: true,
  matchIncomingCalls: true,
  matchOutgoingCalls: false,
  matchIncomingProtocols: ['sip', 'mssip', 'h323', 'webrtc'],
  matchIncomingOnlyIfRegistered: false,
  matchString,
  replaceString: '',
  outgoingProtocol: 'sip',
  callType: 'video',
  treatAsTrusted: false,
  ...more,
})

/** A fixed pseudo-random sequence (LCG, high bits), so every run measures the same rules and aliases. */
const lcg = (seed: number) => {
  let state = seed
  return (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648
    return Math.floor((state / 2147483648) * n)
  }
}

const tenants = 6000
const dialPrefixes = 3000
const subdomains = 500
const departments = 495
const catchAlls = 5

const rules: ReadonlyArray<GatewayRule> = (() => {
  const out: GatewayRule[] = []
  let id = 1
  const random = lcg(7)
  for (let t = 0; t < tenants; t++)
    out.push(
      rule(id++, `(.+)@tenant${t}\\.example\\.com`, {
        priority: 20 + random(120),
        replaceString: `\\1@sfb.tenant${t}.example.com`,
        outgoingProtocol: t % 3 === 0 ? 'mssip' : 'sip',
        mssipProxy: `pool.tenant${t}.example.com`,
      }),
    )
  for (let p = 0; p < dialPrefixes; p++)
    out.push(
      rule(id++, `${1000 + p}(\\d{4})@dial\\.example\\.com`, {
        priority: 10 + random(50),
        replaceString: `+44${1000 + p}\\1@pstn.example.net`,
        matchIncomingProtocols: ['sip', 'mssip', 'h323'],
      }),
    )
  for (let s = 0; s < subdomains; s++)
    out.push(rule(id++, `meet\\.([a-z]+)\\.sub${s}\\.example\\.org`, { priority: 60 + random(60), replaceString: '\\1@vmr.example.org' }))
  for (let d = 0; d < departments; d++)
    out.push(
      rule(id++, `(?:sales|support|hr)-(\\d+)@dept${d}\\.example\\.net|desk${d}@example\\.net`, {
        priority: 100 + random(50),
        outgoingProtocol: 'h323',
        h323Gatekeeper: `gk${d % 10}.example.net`,
      }),
    )
  // Catch-alls at the lowest priority, narrowed by protocol, direction or registration, so that
  // an alias nobody serves still finds no route (DESIGN §2: no open relay).
  out.push(
    rule(id++, '(.+)@(.+)', { priority: 200, matchIncomingCalls: false, matchOutgoingCalls: true }),
    rule(id++, '.*', { priority: 200, matchIncomingOnlyIfRegistered: true }),
    rule(id++, '(\\d{6,15})', { priority: 190, matchIncomingProtocols: ['h323'], replaceString: '\\1@gw.example.net', outgoingProtocol: 'h323' }),
    rule(id++, '.+@.+\\.example\\.com', { priority: 195, matchIncomingProtocols: ['webrtc'] }),
    rule(id++, '(\\+\\d+)@.*', { priority: 180, replaceString: '\\1@pstn.example.net' }),
  )
  if (out.length !== tenants + dialPrefixes + subdomains + departments + catchAlls) throw new Error('rule count')
  return out
})()

/**
 * A pass of the linear scan over every query must fit in a slice of the harness (a miss tries
 * all 10,000 patterns, some 30 ms), so the mix is kept small.
 */
const queryCount = 120

const queries: ReadonlyArray<RouteQuery> = (() => {
  const random = lcg(11)
  const protocols: ReadonlyArray<Protocol> = ['sip', 'sip', 'sip', 'mssip', 'mssip', 'h323', 'webrtc']
  const out: RouteQuery[] = []
  for (let i = 0; i < queryCount; i++) {
    const kind = random(10)
    const alias =
      kind < 4
        ? `user${random(500)}@tenant${random(tenants)}.example.com`
        : kind < 6
          ? `${1000 + random(dialPrefixes + 200)}${String(random(10000)).padStart(4, '0')}@dial.example.com`
          : kind === 6
            ? `meet.room${'abcdefgh'[random(8)]}.sub${random(subdomains)}.example.org`
            : kind === 7
              ? random(2) === 0
                ? `support-${random(900)}@dept${random(departments)}.example.net`
                : `desk${random(departments)}@example.net`
              : kind === 8
                ? `+44${random(1_000_000)}@carrier.example`
                : `stranger${random(1000)}@unknown${random(50)}.example.org`
    out.push({ alias, direction: random(8) === 0 ? 'outgoing' : 'incoming', protocol: protocols[random(protocols.length)] ?? 'sip', registered: false })
  }
  return out
})()

const table: RoutingTable = (() => {
  const built = buildRoutingTable(rules, global, re2PatternEngine)
  if (E.isLeft(built)) throw new Error(`rules refused: ${JSON.stringify(built.left.slice(0, 3))}`)
  return built.right
})()

/** The simple way: every rule in priority order, its compiled RE2 pattern tried in turn. */
const linearScan = (q: RouteQuery): Route | undefined => {
  for (const c of table.rules) {
    if (!ruleAccepts(c.rule, q)) continue
    const groups = c.pattern.fullMatch(q.alias)
    if (groups !== undefined) return routeOf(c, q.alias, groups)
  }
  return undefined
}

const parley = (q: RouteQuery): Route | undefined => findRoute(table, q)

// Both sides must give the same answer to every query, or the comparison measures a bug.
for (const q of queries) {
  const a = parley(q)
  const b = linearScan(q)
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`not routed alike: ${JSON.stringify(q)}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'gateway rule lookup (10,000 rules)',
    unit: 'lookups/s',
    reference_name: 'linear scan of the same RE2 patterns in priority order',
    target: 20,
    sample: () => sideBySideOpsPerSecond({ parley, reference: linearScan, inputs: queries, sliceMs: 300 }),
  },
]
