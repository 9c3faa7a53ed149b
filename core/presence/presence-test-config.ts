/**
 * Test support for the presence specs: a CompiledConfig from a few VMRs and gateway rules,
 * built with the real alias key and routing table. It indexes only what presence reads; the
 * node's own `compileConfig` validates far more.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { CompiledConfig } from '../config/compiled.js'
import type { GatewayRule, GlobalSettings, NodeConfig, Vmr } from '../config/model.js'
import { aliasKey, parseDialString } from '../dial-string/dial-string.js'
import { buildRoutingTable } from '../gateway/routing-table.js'
import { ConferenceId } from '../model/ids.js'
import { jsPatternEngine } from '../ports/fakes/js-pattern-engine.js'

export const testGlobal: GlobalSettings = {
  pinEntryTimeoutS: 60,
  hostWaitTimeoutS: 1800,
  guestsOnlyTimeoutS: 60,
  onlyOneParticipantTimeoutS: 0,
  adpDelayS: 10,
  trustedPeers: ['127.0.0.1', '::1'],
  rtpPortMin: 40000,
  rtpPortMax: 49999,
  pinLockout: { failures: 10, windowS: 60, blockS: 300 },
}

export const testVmr = (id: string, name: string, aliases: ReadonlyArray<string>, avatarHash?: string): Vmr => ({
  id: ConferenceId(id),
  name,
  description: '',
  aliases,
  allowGuests: false,
  callType: 'video',
  hostView: 'one_main_seven_pips',
  guestView: 'one_main_seven_pips',
  guestsCanPresent: true,
  enableChat: true,
  audioOnlyView: 'room',
  ...(avatarHash === undefined ? {} : { avatarHash }),
})

export const testRule = (id: string, matchString: string, overrides: Partial<GatewayRule> = {}): GatewayRule => ({
  id,
  name: `rule ${id}`,
  priority: 100,
  enabled: true,
  matchIncomingCalls: true,
  matchOutgoingCalls: false,
  matchIncomingProtocols: ['sip', 'mssip'],
  matchIncomingOnlyIfRegistered: false,
  matchString,
  replaceString: '',
  outgoingProtocol: 'sip',
  callType: 'video',
  treatAsTrusted: false,
  ...overrides,
})

export const testConfig = (vmrs: ReadonlyArray<Vmr>, rules: ReadonlyArray<GatewayRule>): CompiledConfig => {
  const source: NodeConfig = { global: testGlobal, vmrs, adps: [], rules }
  const routing = buildRoutingTable(rules, testGlobal, jsPatternEngine)
  if (E.isLeft(routing)) throw new Error(`test rules do not compile: ${JSON.stringify(routing.left)}`)
  const vmrByAlias = new Map<string, Vmr>()
  for (const vmr of vmrs) {
    for (const alias of vmr.aliases) {
      const parsed = parseDialString(alias)
      if (E.isLeft(parsed)) throw new Error(`test alias ${alias} does not parse`)
      vmrByAlias.set(aliasKey(parsed.right), vmr)
    }
  }
  return {
    source,
    vmrByAlias,
    vmrById: new Map(vmrs.map((v) => [v.id, v])),
    adpsByConference: new Map(),
    routing: routing.right,
  }
}

/** DESIGN §6 demo configuration, as far as presence sees it. */
export const aliceRoom = testVmr('1', "Alice's meeting room", ['meet.alice@example.com', '1001@example.com'])
export const bobRoom = testVmr('2', "Bob's room", ['meet.bob@example.com'])
export const roomsRule = testRule('1', '(.+)@rooms\\.example\\.com', { name: 'Rooms' })
export const demoPresenceConfig = testConfig([aliceRoom, bobRoom], [roomsRule])
