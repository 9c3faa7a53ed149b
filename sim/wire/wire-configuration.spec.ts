/**
 * The wire node's configuration: timeouts scaled (defaults included, the ADP floor kept, "off"
 * kept off), every proxy pointing at the wire edge, a lockout no scenario reaches unless it sets
 * its own, nothing else changed, and the result still a
 * configuration the node accepts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { decodeConfigFile } from '../../core/config/codecs.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { configuredTimeoutsMs, isolatedPinLockout, wireConfiguration } from './wire-configuration.js'

const edge = { sip: '127.0.0.1:5999', mssip: '127.0.0.1:6001' }

const globalOf = (document: unknown): Record<string, unknown> => (document as { global: Record<string, unknown> }).global

test('at the factor 1 the timeouts are the defaults, written out', () => {
  const global = globalOf(wireConfiguration(demoConfigFile, 1, edge))
  assert.equal(global['pin_entry_timeout_s'], 60)
  assert.equal(global['host_wait_timeout_s'], 1800)
  assert.equal(global['guests_only_timeout_s'], 60)
  assert.equal(global['only_one_participant_timeout_s'], 0)
  assert.equal(global['ring_timeout_s'], 60)
  assert.equal(global['adp_delay_s'], 10)
})

test('a scaled scenario gets every timeout scaled, the ADP delay no lower than 10 s, the ring timeout no lower than 1 s, and off stays off', () => {
  const document = { ...demoConfigFile, global: { host_wait_timeout_s: 120, adp_delay_s: 30 } }
  const global = globalOf(wireConfiguration(document, 1 / 60, edge))
  assert.equal(global['host_wait_timeout_s'], 2)
  assert.equal(global['pin_entry_timeout_s'], 1)
  assert.equal(global['guests_only_timeout_s'], 1)
  assert.equal(global['only_one_participant_timeout_s'], 0)
  assert.equal(global['adp_delay_s'], 10)
  assert.equal(global['ring_timeout_s'], 1)
  assert.equal(globalOf(wireConfiguration({ global: { ring_timeout_s: 30 } }, 1e-3, edge))['ring_timeout_s'], 1, 'the ring timeout no lower than 1 s')
  assert.equal(globalOf(wireConfiguration({ global: { guests_only_timeout_s: 1 } }, 1e-6, edge))['guests_only_timeout_s'], 0.001)
  assert.equal(globalOf(wireConfiguration({ global: { guests_only_timeout_s: 0 } }, 0.5, edge))['guests_only_timeout_s'], 0)
})

test('every proxy names the edge; rules without one take the global default, which is the edge', () => {
  const document = {
    ...demoConfigFile,
    gateway_routing_rule: [
      { id: 1, name: 'a', match_string: '.+', outgoing_protocol: 'mssip', mssip_proxy: 'fe.example.com' },
      { id: 2, name: 'b', match_string: '.+', outgoing_protocol: 'sip' },
    ],
  }
  const wired = wireConfiguration(document, 1, edge) as { global: Record<string, unknown>; gateway_routing_rule: Array<Record<string, unknown>> }
  assert.equal(wired.global['default_sip_proxy'], edge.sip)
  assert.equal(wired.global['default_mssip_proxy'], edge.mssip)
  assert.equal(wired.gateway_routing_rule[0]?.['mssip_proxy'], edge.mssip)
  assert.equal(wired.gateway_routing_rule[1]?.['sip_proxy'], undefined)
  assert.equal(wired.gateway_routing_rule[1]?.['match_string'], '.+')
  assert.equal(document.gateway_routing_rule[0]?.mssip_proxy, 'fe.example.com', 'the scenario document is left as it was')
})

test('the wire configuration is one the node accepts', () => {
  for (const factor of [1, 0.4, 1 / 600, 1e-6]) {
    const decoded = decodeConfigFile(wireConfiguration(demoConfigFile, factor, edge))
    assert.ok(E.isRight(decoded), JSON.stringify(E.isLeft(decoded) ? decoded.left : undefined))
  }
})

test('the timeouts a plan is made against are the ones that are on', () => {
  assert.deepEqual(configuredTimeoutsMs(demoConfigFile), [60_000, 1_800_000, 60_000, 60_000])
  assert.deepEqual(configuredTimeoutsMs({ global: { only_one_participant_timeout_s: 300, guests_only_timeout_s: 0, ring_timeout_s: 30 } }), [60_000, 1_800_000, 300_000, 30_000])
})

test('a scenario that sets no pin_lockout cannot meet a lockout made by earlier ones; one that does gets its own', () => {
  assert.deepEqual(globalOf(wireConfiguration(demoConfigFile, 1, edge))['pin_lockout'], isolatedPinLockout)
  const own = { failures: 3, window_s: 60, block_s: 300 }
  assert.deepEqual(globalOf(wireConfiguration({ global: { pin_lockout: own } }, 0.5, edge))['pin_lockout'], own)
})
