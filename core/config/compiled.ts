/**
 * The configuration in the form `step` uses: indexed once when it changes, so that a lookup
 * costs one map access and never a scan (DESIGN §1). Built by `compileConfig`.
 */
import type { Adp, NodeConfig, Vmr } from './model.js'
import type { ConferenceId } from '../model/ids.js'
import type { RoutingTable } from '../gateway/routing-table.js'

export interface CompiledConfig {
  readonly source: NodeConfig
  /** Normalized alias (see dial-string `aliasKey`) to the VMR it reaches. */
  readonly vmrByAlias: ReadonlyMap<string, Vmr>
  readonly vmrById: ReadonlyMap<ConferenceId, Vmr>
  readonly adpsByConference: ReadonlyMap<ConferenceId, ReadonlyArray<Adp>>
  readonly routing: RoutingTable
}
