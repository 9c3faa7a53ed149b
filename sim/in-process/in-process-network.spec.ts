import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { decodeConfigFile } from '../../core/config/codecs.js'
import { compileConfig } from '../../core/config/compile.js'
import type { CompiledConfig } from '../../core/config/compiled.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { jsPatternEngine } from '../../core/ports/fakes/js-pattern-engine.js'
import { SipRoomSystem } from '../endpoints/room-systems.js'
import { SfbClient } from '../endpoints/sfb-client.js'
import { SfbFrontEnd } from '../endpoints/sfb-front-end.js'
import { VirtualClock } from '../virtual-clock.js'
import { InProcessNetwork } from './in-process-network.js'

const demo = (file: unknown = demoConfigFile): CompiledConfig => {
  const decoded = decodeConfigFile(file)
  if (E.isLeft(decoded)) throw new Error('demo configuration refused')
  const compiled = compileConfig(decoded.right, jsPatternEngine)
  if (E.isLeft(compiled)) throw new Error('demo configuration does not compile')
  return compiled.right
}

const world = () => {
  const clock = new VirtualClock(0)
  const network = new InProcessNetwork(demo(), clock)
  const frontEnd = new SfbFrontEnd(network)
  const alice = new SfbClient({ name: 'Alice', address: 'alice@example.com' }, frontEnd)
  frontEnd.home(alice)
  const dave = new SipRoomSystem({ name: 'Dave', address: 'room1@rooms.example.com' }, network)
  network.attach(dave.reachable)
  return { clock, network, alice, dave }
}

void test('a call to a VMR reaches the conference: answered, in its mix, the first participant sees themselves', () => {
  const { alice } = world()
  alice.dial('meet.bob@example.com')
  const call = alice.currentCall
  assert.equal(call?.status, 'connected')
  assert.deepEqual(call?.hearing, { kind: 'conference', room: "Bob's room" })
  assert.deepEqual(alice.screen, { kind: 'self-view' })
})

void test('layouts name the people in them, as the picture would', () => {
  const { alice, dave } = world()
  alice.dial('meet.bob@example.com')
  dave.dial('meet.bob@example.com')
  const screen = alice.screen
  assert.ok(screen.kind === 'composed' && screen.participants.includes('Dave'), JSON.stringify(screen))
})

void test("a composed picture names the others in the layout and never the viewer's own tile", () => {
  const { alice, dave } = world()
  alice.dial('meet.bob@example.com')
  dave.dial('meet.bob@example.com')
  assert.deepEqual(alice.screen, { kind: 'composed', layout: 'one_main_seven_pips', participants: ['Dave'] })
  assert.deepEqual(dave.screen, { kind: 'composed', layout: 'one_main_seven_pips', participants: ['Alice'] })
})

void test("a gateway call rings the endpoint attached at the rule's address, which answers by itself; the two halves hear each other", () => {
  const { network, alice, dave } = world()
  alice.dial('room1@rooms.example.com')
  assert.equal(network.dialOuts.length, 1)
  assert.equal(network.dialOuts[0]?.protocol, 'sip')
  assert.deepEqual(alice.currentCall?.hearing, { kind: 'far-end', party: 'Dave' })
  assert.deepEqual(dave.currentCall?.hearing, { kind: 'far-end', party: 'Alice' })
})

void test('a dial-out to an address where nothing answers fails back to the caller', () => {
  const { alice } = world()
  alice.dial('nobody@rooms.example.com')
  assert.equal(alice.currentCall?.status, 'failed')
})

void test('every input is stamped with the virtual time, and timers come back at their due time', () => {
  const { clock, alice } = world()
  alice.dial('meet.alice@example.com')
  assert.deepEqual(alice.screen, { kind: 'splash', splash: 'pin-entry' })
  clock.advance(59_999)
  assert.equal(alice.currentCall?.status, 'connected')
  clock.advance(60_000)
  assert.equal(alice.currentCall?.status, 'ended')
})

void test('presence answers reach the watcher, and a configuration change notifies it', () => {
  const { network, alice } = world()
  alice.addContact('meet.alice@example.com')
  assert.deepEqual(alice.contact('meet.alice@example.com'), { state: 'Available', displayName: "Alice's meeting room", picture: { kind: 'product-logo' } })
  network.reconfigure(demo({ ...demoConfigFile, conference: demoConfigFile.conference.filter((c) => c.id !== 1) }))
  assert.deepEqual(alice.contact('meet.alice@example.com'), { state: 'Presence unknown' })
})
