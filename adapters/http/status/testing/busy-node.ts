/**
 * A node stepped through the pure core (no sockets) into a busy moment, for the status and
 * dashboard specs: Bob alone in his room, in Alice's a waiting Guest and a caller at the PIN
 * prompt, three presence watchers, and a gateway call through the demo's Rooms rule.
 */
import { SubscriptionId } from '../../../../core/model/ids.js'
import type { Millis } from '../../../../core/model/ids.js'
import { audioOffer, NodeHarness } from '../../../../core/node/node-harness.js'
import { demoPresenceConfig } from '../../../../core/presence/presence-test-config.js'
import type { LegMediaView, LiveView } from '../live-status.js'



export const at = (ms: Millis): string => new Date(ms).toISOString()

/** The demo node with: Bob's room in use, a waiting Guest and a caller at the PIN prompt in Alice's, presence watchers, a gateway call. */
export const busyNode = (): { readonly node: NodeHarness; readonly live: (media?: ReadonlyArray<LegMediaView>) => LiveView } => {
  const node = new NodeHarness(demoPresenceConfig)
  node.offer('bob', 'sip:meet.bob@example.com', { caller: { displayName: 'Bob', uri: 'sip:bob@example.com' }, source: '198.51.100.2' })
  node.offer('guest', 'sip:meet.alice@example.com', { caller: { displayName: 'Gina', uri: 'sip:gina@example.com' }, offer: audioOffer })
  node.keys('guest', '#')
  node.offer('caller', 'sip:meet.alice@example.com', { protocol: 'mssip', caller: { displayName: 'Carl', uri: 'sip:carl@example.com' } })
  node.send({ _tag: 'PresenceSubscribed', subscription: SubscriptionId('s1'), target: 'sip:meet.alice@example.com', watcher: 'sip:w1@example.com' })
  node.send({ _tag: 'PresenceSubscribed', subscription: SubscriptionId('s2'), target: 'sip:1001@example.com', watcher: 'sip:w2@example.com' })
  node.send({ _tag: 'PresenceSubscribed', subscription: SubscriptionId('s3'), target: 'sip:meet.bob@example.com', watcher: 'sip:w1@example.com' })
  node.offer('gw', 'sip:room7@rooms.example.com', { protocol: 'mssip', caller: { displayName: 'Dora', uri: 'sip:dora@example.com' } })
  node.answer('gw/out')
  const connected = new Map<string, Millis>([['bob', 1_000], ['guest', 2_000], ['caller', 3_000], ['gw', 4_000], ['gw/out', 4_500]])
  return {
    node,
    live: (media = []) => ({ state: node.state, connectedAt: (leg) => connected.get(leg), media: new Map(media.map((m) => [m.leg, m])) }),
  }
}

