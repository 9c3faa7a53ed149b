import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ConferenceId } from '../model/ids.js'
import { gatewayContactName, presenceFor, samePresence, unknownPresence } from './presence-document.js'
import { aliceRoom, demoPresenceConfig, testConfig, testRule, testVmr } from './presence-test-config.js'

void describe('presenceFor', () => {
  void it("a VMR alias is Available with the VMR's name and the product logo by default", () => {
    const expected = { _tag: 'Available', displayName: "Alice's meeting room", avatar: { _tag: 'ProductLogo' } }
    assert.deepEqual(presenceFor(demoPresenceConfig, 'sip:meet.alice@example.com'), expected)
    // Every alias of the VMR, any case, with a PIN, parameters or a display name around it.
    for (const target of ['sip:1001@example.com', 'SIP:Meet.Alice@EXAMPLE.com', 'sip:meet.alice**1234@example.com', '"Alice" <sip:meet.alice@example.com;transport=tls>'])
      assert.deepEqual(presenceFor(demoPresenceConfig, target), expected, target)
  })

  void it('a VMR with an uploaded avatar shows it, identified by conference and content hash', () => {
    const config = testConfig([testVmr('7', 'Board room', ['board@example.com'], 'abc123')], [])
    assert.deepEqual(presenceFor(config, 'sip:board@example.com'), {
      _tag: 'Available',
      displayName: 'Board room',
      avatar: { _tag: 'ConferenceAvatar', conference: ConferenceId('7'), hash: 'abc123' },
    })
  })

  void it('an address a gateway rule accepting MS-SIP matches is Available under its user part, with the product logo', () => {
    assert.deepEqual(presenceFor(demoPresenceConfig, 'sip:Room1@rooms.example.com'), {
      _tag: 'Available',
      displayName: 'room1',
      avatar: { _tag: 'ProductLogo' },
    })
  })

  void it('a VMR alias wins over a gateway rule that also matches it', () => {
    const config = testConfig([aliceRoom], [testRule('1', '.*@example\\.com')])
    assert.deepEqual(presenceFor(config, 'sip:meet.alice@example.com'), presenceFor(demoPresenceConfig, 'sip:meet.alice@example.com'))
    assert.equal(presenceFor(config, 'sip:someone@example.com')._tag, 'Available')
  })

  void it('no presence for anything else: unknown aliases, rules that do not take MS-SIP, disabled or registered-only rules, outgoing-only rules', () => {
    const cases = [
      testRule('1', '(.+)@rooms\\.example\\.com', { matchIncomingProtocols: ['sip', 'h323'] }),
      testRule('1', '(.+)@rooms\\.example\\.com', { enabled: false }),
      testRule('1', '(.+)@rooms\\.example\\.com', { matchIncomingOnlyIfRegistered: true }),
      testRule('1', '(.+)@rooms\\.example\\.com', { matchIncomingCalls: false, matchOutgoingCalls: true }),
    ]
    for (const rule of cases) assert.deepEqual(presenceFor(testConfig([aliceRoom], [rule]), 'sip:room1@rooms.example.com'), unknownPresence)
    assert.deepEqual(presenceFor(demoPresenceConfig, 'sip:meet.alise@example.com'), unknownPresence)
    assert.deepEqual(presenceFor(demoPresenceConfig, 'sip:room1@rooms.example.com.evil'), unknownPresence)
    assert.deepEqual(presenceFor(demoPresenceConfig, 'sip:'), unknownPresence)
    assert.deepEqual(presenceFor(demoPresenceConfig, ''), unknownPresence)
  })

  void it('is total: any text gives a document', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const d = presenceFor(demoPresenceConfig, s)
        assert.ok(d._tag === 'Unknown' || d._tag === 'Available')
      }),
    )
  })

  void it('gateway contact names: the user part', () => {
    assert.equal(gatewayContactName('room1@rooms.example.com'), 'room1')
    assert.equal(gatewayContactName('+15551234'), '+15551234')
    assert.equal(gatewayContactName('a@b@c'), 'a@b')
  })

  void it('samePresence compares everything a watcher sees', () => {
    const alice = presenceFor(demoPresenceConfig, 'sip:meet.alice@example.com')
    assert.ok(samePresence(alice, presenceFor(demoPresenceConfig, 'sip:1001@example.com')))
    assert.ok(!samePresence(alice, presenceFor(demoPresenceConfig, 'sip:meet.bob@example.com')))
    assert.ok(!samePresence(alice, unknownPresence))
    assert.ok(samePresence(unknownPresence, { _tag: 'Unknown' }))
    const withAvatar = presenceFor(testConfig([testVmr('1', "Alice's meeting room", ['meet.alice@example.com'], 'h')], []), 'sip:meet.alice@example.com')
    assert.ok(!samePresence(alice, withAvatar))
    const otherHash = presenceFor(testConfig([testVmr('1', "Alice's meeting room", ['meet.alice@example.com'], 'h2')], []), 'sip:meet.alice@example.com')
    assert.ok(!samePresence(withAvatar, otherHash))
    assert.ok(samePresence(withAvatar, withAvatar))
  })
})
