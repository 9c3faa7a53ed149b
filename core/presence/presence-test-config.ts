/**
 * Test support for the presence specs: a CompiledConfig from a few VMRs and gateway rules,
 * compiled by the node's own `compileConfig` with the in-memory pattern engine.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { CompiledConfig } from '../config/compiled.js'
import { decodeConfigFile } from '../config/codecs.js'
import { defaultGlobalSettings } from '../config/codecs.js'
import { compileConfig } from '../config/compile.js'
import { demoConfigFile } from '../config/demo-config.js'
import type { GatewayRule, GlobalSettings, Vmr } from '../config/model.js'
import { ConferenceId } from '../model/ids.js'
import { jsPatternEngine } from '../ports/fakes/js-pattern-engine.js'

export const testGlobal: GlobalSettings = defaultGlobalSettings

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
  const compiled = compileConfig({ global: testGlobal, vmrs, adps: [], rules }, jsPatternEngine)
  if (E.isLeft(compiled)) throw new Error(`test configuration does not compile: ${JSON.stringify(compiled.left)}`)
  return compiled.right
}

/** The DESIGN §6 demo configuration itself, decoded and compiled as the node does it. */
export const demoPresenceConfig: CompiledConfig = (() => {
  const decoded = decodeConfigFile(demoConfigFile)
  if (E.isLeft(decoded)) throw new Error(`the demo configuration does not decode: ${JSON.stringify(decoded.left)}`)
  const compiled = compileConfig(decoded.right, jsPatternEngine)
  if (E.isLeft(compiled)) throw new Error(`the demo configuration does not compile: ${JSON.stringify(compiled.left)}`)
  return compiled.right
})()

/** The same VMRs and rule, for specs that build variations of the demo. */
export const aliceRoom = testVmr('1', "Alice's meeting room", ['meet.alice@example.com', '1001@example.com'])
export const bobRoom = testVmr('2', "Bob's room", ['meet.bob@example.com'])
export const roomsRule = testRule('1', '(.+)@rooms\\.example\\.com', { name: 'Rooms' })
