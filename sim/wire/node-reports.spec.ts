/**
 * The node's reports as what participants perceive: a leg matched by Call-ID or by the address
 * the node called, effects held until the leg is matched and replayed in order, composed views
 * naming the others (never the viewer), bridges naming the far end, and lines that are not
 * reports left alone.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Party } from '../../core/model/call.js'
import type { CallEvents, Hearing, Picture } from '../network.js'
import { mediaEffectOf, NodeReports } from './node-reports.js'

interface Seen {
  readonly pictures: Picture[]
  readonly hearing: Hearing[]
  readonly sounds: string[]
  readonly floor: boolean[]
}

const sink = (name: string): { readonly party: Party; readonly events: CallEvents; readonly seen: Seen } => {
  const seen: Seen = { pictures: [], hearing: [], sounds: [], floor: [] }
  const none = (): void => undefined
  return {
    party: { displayName: name, uri: `sip:${name.toLowerCase()}@example.com` },
    seen,
    events: {
      ringing: none,
      answered: none,
      failed: none,
      reoffered: none,
      ended: none,
      chat: none,
      tone: none,
      picture: (p) => seen.pictures.push(p),
      hearing: (h) => seen.hearing.push(h),
      sound: (s) => seen.sounds.push(s),
      floor: (g) => seen.floor.push(g),
    },
  }
}

const rooms: Record<string, string> = { '2': "Bob's room" }

test('a call is its leg by Call-ID, whichever is known first; what came before is replayed in order', () => {
  const reports = new NodeReports((id) => rooms[id] ?? id)
  const alice = sink('Alice')
  const bob = sink('Bob')
  reports.callPlaced('call-a', alice)
  reports.read({ msg: 'call offered', leg: 'L1', callId: 'call-a' })
  reports.read({ msg: 'call offered', leg: 'L2', callId: 'call-b' })
  reports.read({ msg: 'media effect', media: { _tag: 'Show', leg: 'L2', view: { _tag: 'Splash', screen: 'pin-entry' } } })
  reports.read({ msg: 'media effect', media: { _tag: 'Play', leg: 'L2', sound: 'pin-prompt' } })
  reports.read({ msg: 'media effect', media: { _tag: 'JoinMix', leg: 'L1', conference: '2' } })
  assert.deepEqual(alice.seen.hearing, [{ kind: 'conference', room: "Bob's room" }])
  reports.callPlaced('call-b', bob)
  assert.deepEqual(bob.seen.pictures, [{ kind: 'splash', splash: 'pin-entry' }])
  assert.deepEqual(bob.seen.sounds, ['pin-prompt'])
  assert.equal(reports.legOfCall('call-b'), 'L2')
})

test('a composed view names the others in it, never the viewer; content names the speaker', () => {
  const reports = new NodeReports((id) => id)
  const alice = sink('Alice')
  const bob = sink('Bob')
  reports.callPlaced('a', alice)
  reports.callPlaced('b', bob)
  reports.read({ msg: 'call offered', leg: 'L1', callId: 'a' })
  reports.read({ msg: 'call offered', leg: 'L2', callId: 'b' })
  const view = { _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['L2', 'L1'] }
  reports.read({ msg: 'media effect', media: { _tag: 'Show', leg: 'L1', view } })
  reports.read({ msg: 'media effect', media: { _tag: 'Show', leg: 'L2', view } })
  assert.deepEqual(alice.seen.pictures, [{ kind: 'composed', layout: 'one_main_seven_pips', participants: ['Bob'] }])
  assert.deepEqual(bob.seen.pictures, [{ kind: 'composed', layout: 'one_main_seven_pips', participants: ['Alice'] }])
  reports.read({ msg: 'media effect', media: { _tag: 'Show', leg: 'L1', view: { _tag: 'Content', presenter: "Bob's room", speaker: 'L2' } } })
  assert.deepEqual(alice.seen.pictures.at(-1), { kind: 'content', presenter: "Bob's room", speaker: 'Bob' })
  reports.read({ msg: 'media effect', media: { _tag: 'GrantFloor', leg: 'L2' } })
  reports.read({ msg: 'media effect', media: { _tag: 'RevokeFloor', leg: 'L2' } })
  assert.deepEqual(bob.seen.floor, [true, false])
})

test('a call the node places is matched by the address called, first placed first matched, and a bridge names the far end', () => {
  const reports = new NodeReports((id) => id)
  const alice = sink('Alice')
  const dave = sink('Dave')
  const erin = sink('Erin')
  reports.callPlaced('a', alice)
  reports.read({ msg: 'call offered', leg: 'L1', callId: 'a' })
  reports.read({ msg: 'dialling out', leg: 'L7', to: 'sip:room1@rooms.example.com', protocol: 'sip' })
  reports.callArrived('sip:Room1@rooms.example.com', dave)
  reports.callArrived('sip:room2@rooms.example.com', erin)
  reports.read({ msg: 'dialling out', leg: 'L8', to: 'sip:room2@rooms.example.com', protocol: 'sip' })
  reports.read({ msg: 'media effect', media: { _tag: 'Bridge', a: 'L1', b: 'L7' } })
  assert.deepEqual(alice.seen.hearing, [{ kind: 'far-end', party: 'Dave' }])
  assert.deepEqual(dave.seen.pictures, [{ kind: 'far-end', party: 'Alice' }])
  reports.read({ msg: 'media effect', media: { _tag: 'LeaveMix', leg: 'L8', conference: '2' } })
  assert.deepEqual(erin.seen.hearing, [{ kind: 'nothing' }])
})

test('only media effect lines are media effects', () => {
  assert.equal(mediaEffectOf({ msg: 'call offered', leg: 'L1', media: { _tag: 'Show' } }), undefined)
  assert.equal(mediaEffectOf({ msg: 'media effect', media: { _tag: 'Ring', leg: 'L1' } }), undefined)
  assert.equal(mediaEffectOf({ msg: 'media effect', media: 'Show' }), undefined)
  assert.deepEqual(mediaEffectOf({ msg: 'media effect', media: { _tag: 'Play', leg: 'L1', sound: 'hold-music' } }), { _tag: 'Play', leg: 'L1', sound: 'hold-music' })
})
