import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { decodeConfigFile, encodeConfigFile } from './codecs.js'
import { demoConfigFile } from './demo-config.js'
import { ConferenceId } from '../model/ids.js'

void describe('demoConfigFile (DESIGN §6 "Demo configuration")', () => {
  const decoded = decodeConfigFile(demoConfigFile)

  void it('decodes', () => assert.ok(E.isRight(decoded), JSON.stringify(decoded)))

  void it("has Alice's meeting room: two aliases, Host PIN 1234, guests without a PIN, the default avatar", () => {
    assert.ok(E.isRight(decoded))
    const alice = decoded.right.vmrs[0]
    assert.equal(alice?.id, ConferenceId('1'))
    assert.equal(alice?.name, "Alice's meeting room")
    assert.deepEqual(alice?.aliases, ['meet.alice@example.com', '1001@example.com'])
    assert.equal(alice?.pin, '1234')
    assert.equal(alice?.guestPin, undefined)
    assert.equal(alice?.allowGuests, true)
    assert.equal(alice?.avatarHash, undefined)
  })

  void it("has Bob's room: one alias, no PIN", () => {
    assert.ok(E.isRight(decoded))
    const bob = decoded.right.vmrs[1]
    assert.equal(bob?.name, "Bob's room")
    assert.deepEqual(bob?.aliases, ['meet.bob@example.com'])
    assert.equal(bob?.pin, undefined)
    assert.equal(bob?.allowGuests, false)
    assert.equal(decoded.right.vmrs.length, 2)
    assert.equal(decoded.right.adps.length, 0)
  })

  void it('has the rule Rooms: priority 100, incoming sip and mssip, rooms.example.com out over sip unchanged, video', () => {
    assert.ok(E.isRight(decoded))
    assert.deepEqual(decoded.right.rules, [
      {
        id: '1',
        name: 'Rooms',
        priority: 100,
        enabled: true,
        matchIncomingCalls: true,
        matchOutgoingCalls: false,
        matchIncomingProtocols: ['sip', 'mssip'],
        matchIncomingOnlyIfRegistered: false,
        matchString: '(.+)@rooms\\.example\\.com',
        replaceString: '',
        outgoingProtocol: 'sip',
        callType: 'video',
        treatAsTrusted: false,
      },
    ])
  })

  void it('uses the default global settings and survives export and import', () => {
    assert.ok(E.isRight(decoded))
    assert.equal(decoded.right.global.pinEntryTimeoutS, 60)
    assert.deepEqual(decodeConfigFile(JSON.parse(JSON.stringify(encodeConfigFile(decoded.right)))), decoded)
  })
})
