import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LegId, SubscriptionId } from '../../../core/model/ids.js'
import { conferenceStatuses, describeView, participantStatuses, presenceWatchersByVmr, vmrOverviews } from './live-status.js'
import { at, busyNode } from './testing/busy-node.js'

void test('participants: who is in which VMR, with role, protocol, call type, waiting, PIN entry, connect time, screen and sound', () => {
  const { live } = busyNode()
  const rows = participantStatuses(live([{ leg: LegId('bob'), view: { _tag: 'SelfView' }, sound: 'conference' }, { leg: LegId('guest'), view: { _tag: 'Splash', screen: 'waiting-for-host' }, sound: 'hold-music' }]))
  const byId = new Map(rows.map((r) => [r.id, r]))
  assert.deepEqual([...byId.keys()].sort(), ['bob', 'caller', 'guest', 'gw', 'gw/out'])
  assert.deepEqual(byId.get('bob'), {
    id: 'bob',
    resource_uri: '/api/admin/status/v1/participant/bob/',
    conference: "Bob's room",
    conference_id: '2',
    service_type: 'conference',
    display_name: 'Bob',
    source_alias: 'sip:bob@example.com',
    destination_alias: null,
    role: 'chair',
    protocol: 'SIP',
    call_direction: 'in',
    call_type: 'video',
    has_media: true,
    is_presenting: false,
    is_waiting_for_host: false,
    is_entering_pin: false,
    connect_time: at(1_000),
    remote_address: '198.51.100.2',
    media_view: 'self-view',
    media_sound: 'conference',
  })
  const guest = byId.get('guest')
  assert.equal(guest?.role, 'guest')
  assert.equal(guest?.is_waiting_for_host, true)
  assert.equal(guest?.service_type, 'waiting_room')
  assert.equal(guest?.call_type, 'audio')
  assert.equal(guest?.media_view, 'splash waiting-for-host')
  assert.equal(guest?.media_sound, 'hold-music')
  const caller = byId.get('caller')
  assert.equal(caller?.is_entering_pin, true)
  assert.equal(caller?.role, 'unknown')
  assert.equal(caller?.protocol, 'MSSIP')
  assert.equal(caller?.conference, "Alice's meeting room")
  assert.equal(caller?.media_view, null, 'no media record: nothing known')
  const a = byId.get('gw')
  const b = byId.get('gw/out')
  assert.equal(a?.service_type, 'gateway')
  assert.equal(a?.conference, 'Rooms')
  assert.equal(a?.call_direction, 'in')
  assert.equal(a?.destination_alias, 'room7@rooms.example.com')
  assert.equal(b?.call_direction, 'out')
  assert.equal(b?.protocol, 'SIP')
  assert.equal(b?.connect_time, at(4_500))
})

void test('conferences in use, with counts, the Host having joined, the earliest connect time and presence watchers per VMR', () => {
  const { node, live } = busyNode()
  const conferences = new Map(conferenceStatuses(live()).map((c) => [c.id, c]))
  const bob = conferences.get('2')
  assert.equal(bob?.is_started, true)
  assert.equal(bob?.participant_count, 1)
  assert.equal(bob?.start_time, at(1_000))
  assert.equal(bob?.presence_watchers, 1)
  assert.equal(bob?.resource_uri, '/api/admin/status/v1/conference/2/')
  const alice = conferences.get('1')
  assert.equal(alice?.is_started, false, 'only a Guest so far')
  assert.equal(alice?.waiting_for_host_count, 1)
  assert.equal(alice?.entering_pin_count, 1)
  assert.equal(alice?.presence_watchers, 2, 'both of its aliases are watched')
  assert.deepEqual(Object.fromEntries(presenceWatchersByVmr(node.state)), { '1': 2, '2': 1 })
  assert.deepEqual(
    vmrOverviews(node.state).map((v) => [v.name, v.participant_count, v.presence_watchers, v.in_use]),
    [
      ["Alice's meeting room", 2, 2, true],
      ["Bob's room", 1, 1, true],
    ],
  )

  node.hangUp('bob')
  node.hangUp('guest')
  node.hangUp('caller')
  assert.deepEqual(conferenceStatuses(live()), [], 'an empty conference is gone from the status')
  node.send({ _tag: 'PresenceUnsubscribed', subscription: SubscriptionId('s3') })
  assert.equal(presenceWatchersByVmr(node.state).get('2'), undefined)
})

void test('screens are described briefly and stably', () => {
  assert.equal(describeView({ _tag: 'Composed', layout: 'one_main_seven_pips', participants: [] }), 'composed one_main_seven_pips')
  assert.equal(describeView({ _tag: 'Content', presenter: 'Alice' }), 'content from Alice')
  assert.equal(describeView({ _tag: 'NoVideo' }), 'no-video')
  assert.equal(describeView(undefined), null)
})
