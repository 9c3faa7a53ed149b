/**
 * Indexes a decoded configuration for `step` (compiled.ts): every lookup on the call path is one
 * map access (DESIGN §1), and every operator regex is compiled here, once, by the engine handed
 * in (DESIGN §2: linear time, or refused now rather than at call time).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { PatternEngine } from '../ports/pattern-engine.js'
import { buildRoutingTable } from '../gateway/routing-table.js'
import type { ConferenceId } from '../model/ids.js'
import { configInvalid, configuredAliasKey, type ConfigError, type ConfigProblem } from './codecs.js'
import type { CompiledConfig } from './compiled.js'
import type { Adp, NodeConfig, Vmr } from './model.js'

export const compileConfig = (config: NodeConfig, engine: PatternEngine): E.Either<ConfigError, CompiledConfig> => {
  const problems: ConfigProblem[] = []

  // A NodeConfig may come from the store or the API rather than from decodeConfigFile, so the
  // keys are checked again here: one alias key, one VMR.
  const vmrByAlias = new Map<string, Vmr>()
  const vmrById = new Map<ConferenceId, Vmr>()
  const aliasPath = new Map<string, string>()
  config.vmrs.forEach((vmr, i) => {
    if (vmrById.has(vmr.id)) problems.push({ path: `conference[${i}].id`, message: `id ${vmr.id} is used more than once` })
    else vmrById.set(vmr.id, vmr)
    vmr.aliases.forEach((alias, j) => {
      const path = `conference[${i}].aliases[${j}].alias`
      const key = configuredAliasKey(alias)
      if (E.isLeft(key)) problems.push({ path, message: key.left })
      else if (aliasPath.has(key.right))
        problems.push({ path, message: `the alias "${alias}" is already used by ${aliasPath.get(key.right) ?? ''}` })
      else {
        aliasPath.set(key.right, path)
        vmrByAlias.set(key.right, vmr)
      }
    })
  })

  const adpsByConference = new Map<ConferenceId, Adp[]>()
  config.adps.forEach((adp, i) =>
    adp.conferenceIds.forEach((id, j) => {
      if (!vmrById.has(id)) problems.push({ path: `automatic_participant[${i}].conference[${j}]`, message: `there is no conference with id ${id}` })
      const list = adpsByConference.get(id)
      if (list === undefined) adpsByConference.set(id, [adp])
      else if (!list.includes(adp)) list.push(adp)
    }),
  )

  const routing = buildRoutingTable(config.rules, config.global, engine)
  if (E.isLeft(routing))
    for (const p of routing.left) {
      // A repeated id is reported where it repeats, any other problem at the rule itself.
      const index = p.field === 'id' ? config.rules.findLastIndex((r) => r.id === p.ruleId) : config.rules.findIndex((r) => r.id === p.ruleId)
      problems.push({ path: `gateway_routing_rule[${index}].${p.field}`, message: p.message })
    }

  if (problems.length > 0 || E.isLeft(routing)) return E.left(configInvalid(problems))
  return E.right({ source: config, vmrByAlias, vmrById, adpsByConference, routing: routing.right })
}
