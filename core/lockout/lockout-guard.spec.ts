/**
 * The PIN lockout through the node's step (DESIGN §6 `pin_lockout`, issue 9): wrong PINs from
 * one source across calls lock that source out; its next call is refused with 403 and an
 * observation; the VMR's real Hosts, from other sources or as themselves through a trusted
 * peer, still get in.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LegId } from '../model/ids.js'
import { NodeHarness, makeConfig, makeVmr, observations, only, pin, videoOffer } from '../node/node-harness.js'
import { lockedOutStatus } from './lockout-guard.js'

const room = makeVmr('1', { aliases: ['meet.alice@example.com'], allowGuests: true, pin: pin('1234'), guestPin: pin('5555') })
const lockout = { failures: 4, windowS: 60, blockS: 300 }
const config = makeConfig({ vmrs: [room], global: { pinLockout: lockout, trustedPeers: ['10.0.0.5'] } })

const attacker = '198.51.100.7'
const host = '192.0.2.50'

/** One call with a wrong PIN in its dial string (one attempt), then hung up. */
const guessOnce = (h: NodeHarness, leg: string, source: string, trusted = false, callerUri = `sip:${leg}@callers.example.com`) => {
  const effects = h.send({
    _tag: 'CallOffered',
    leg: LegId(leg),
    dialled: 'sip:meet.alice**9999@example.com',
    caller: { displayName: leg, uri: callerUri },
    protocol: 'sip',
    offer: videoOffer,
    source,
    ...(trusted ? { trusted: true } : {}),
    registered: false,
  })
  h.hangUp(leg)
  return effects
}

const refused = (effects: ReturnType<NodeHarness['send']>, leg: string): boolean =>
  only(effects, 'Reject').some((r) => r.leg === leg && r.status === lockedOutStatus) &&
  observations(effects).some((o) => o._tag === 'LockedOutCallRefused' && o.leg === leg)

void describe('PIN lockout in the node step', () => {
  void it('locks a source out at its 4th wrong PIN across calls, refuses its next call with 403, and lets it back after block_s', () => {
    const h = new NodeHarness(config)
    for (let i = 1; i <= 3; i++) assert.equal(observations(guessOnce(h, `g${i}`, attacker)).filter((o) => o._tag === 'SourceLockedOut').length, 0)
    h.advance(5_000)
    const fourth = guessOnce(h, 'g4', attacker)
    assert.deepEqual(
      observations(fourth).filter((o) => o._tag === 'SourceLockedOut'),
      [{ _tag: 'SourceLockedOut', key: attacker, failures: 4, until: h.now + 300_000 }],
    )
    const next = h.offer('g5', 'sip:meet.alice**1234@example.com', { source: attacker })
    assert.ok(refused(next, 'g5'), 'a locked-out source is refused even with the right PIN')
    assert.equal(only(next, 'JoinMix').length, 0)
    h.advance(300_000)
    const later = h.offer('g6', 'sip:meet.alice**1234@example.com', { source: attacker })
    assert.equal(only(later, 'JoinMix').length, 1, 'the block has ended')
  })

  void it('counts wrong PINs typed at the prompt, not only dialled ones', () => {
    const h = new NodeHarness(config)
    h.offer('p1', 'sip:meet.alice@example.com', { source: attacker })
    h.keys('p1', '0000#1111#2222#')
    h.offer('p2', 'sip:meet.alice@example.com', { source: attacker })
    const effects = h.keys('p2', '3333#')
    assert.equal(observations(effects).filter((o) => o._tag === 'SourceLockedOut').length, 1)
    assert.ok(refused(h.offer('p3', 'sip:meet.alice@example.com', { source: attacker }), 'p3'))
  })

  void it("never locks the VMR's Host out from another source", () => {
    const h = new NodeHarness(config)
    for (let i = 1; i <= 8; i++) guessOnce(h, `g${i}`, attacker)
    const effects = h.offer('host', 'sip:meet.alice**1234@example.com', { source: host })
    assert.ok(observations(effects).some((o) => o._tag === 'PinAccepted' && o.role === 'host'))
    assert.equal(only(effects, 'Reject').length, 0)
  })

  void it('through a trusted peer, locks out the asserted caller who guessed, not every user behind the peer', () => {
    const h = new NodeHarness(config)
    for (let i = 1; i <= 4; i++) guessOnce(h, `m${i}`, '10.0.0.5', true, 'sip:mallory@contoso.com')
    const mallory = h.send({
      _tag: 'CallOffered', leg: LegId('m5'), dialled: 'sip:meet.alice@example.com', caller: { displayName: 'M', uri: 'sip:Mallory@contoso.com' },
      protocol: 'mssip', offer: videoOffer, source: '10.0.0.5', trusted: true, registered: false,
    })
    assert.ok(refused(mallory, 'm5'))
    const alice = h.send({
      _tag: 'CallOffered', leg: LegId('a1'), dialled: 'sip:meet.alice**1234@example.com', caller: { displayName: 'A', uri: 'sip:alice@contoso.com' },
      protocol: 'mssip', offer: videoOffer, source: '10.0.0.5', trusted: true, registered: false,
    })
    assert.equal(only(alice, 'JoinMix').length, 1)
  })

  void it('whatever other sources guess, a Host calling from a source that never failed joins (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ source: fc.constantFrom(attacker, '203.0.113.9', '10.0.0.5'), trusted: fc.boolean(), gapMs: fc.nat(30_000) }), { maxLength: 30 }),
        (guesses) => {
          const h = new NodeHarness(config)
          guesses.forEach((g, i) => {
            h.advance(g.gapMs)
            guessOnce(h, `x${i}`, g.source, g.trusted && g.source === '10.0.0.5', 'sip:guesser@contoso.com')
          })
          const viaPeer = h.send({
            _tag: 'CallOffered', leg: LegId('hp'), dialled: 'sip:meet.alice**1234@example.com', caller: { displayName: 'A', uri: 'sip:alice@contoso.com' },
            protocol: 'mssip', offer: videoOffer, source: '10.0.0.5', trusted: true, registered: false,
          })
          const direct = h.offer('hd', 'sip:meet.alice**1234@example.com', { source: host })
          return only(viaPeer, 'JoinMix').length === 1 && only(direct, 'JoinMix').length === 1
        },
      ),
      { numRuns: 60 },
    )
  })

  void it('caps parallel guessing at the lockout count: the calls opened first are ended when the block starts, a Host at the prompt from elsewhere is not', () => {
    const h = new NodeHarness(config)
    const guessers = Array.from({ length: 20 }, (_, i) => `p${i}`)
    for (const leg of guessers) h.offer(leg, 'sip:meet.alice@example.com', { source: attacker })
    h.offer('host', 'sip:meet.alice@example.com', { source: host })
    const typed = guessers.flatMap((leg) => ['0001#', '0002#', '0003#'].map((digits) => h.keys(leg, digits)))
    const failed = observations(typed.flat()).filter((o) => o._tag === 'PinFailed')
    assert.equal(failed.length, lockout.failures, '60 attempts typed on 20 calls, 4 judged')
    const ending = guessers.filter((leg) => h.state.calls.get(LegId(leg))?.phase === 'farewell' || h.ended.has(LegId(leg)))
    assert.equal(ending.length, guessers.length, "every one of the attacker's calls is ending")
    h.advance(10_000)
    assert.ok(guessers.every((leg) => h.ended.has(LegId(leg))))
    assert.equal(h.state.calls.get(LegId('host'))?.phase, 'pin-entry', "the Host's call from another source keeps its prompt")
    assert.ok(observations(h.keys('host', '1234#')).some((o) => o._tag === 'PinAccepted' && o.role === 'host'))
  })

  void it('stops a waiting Guest from the locked-out source trying the Host PIN, and leaves it in the conference', () => {
    const h = new NodeHarness(config)
    h.offer('guest', 'sip:meet.alice**5555@example.com', { source: attacker })
    assert.ok(h.state.calls.get(LegId('guest'))?.phase === 'participant')
    h.keys('guest', '0001#0002#')
    h.offer('p1', 'sip:meet.alice@example.com', { source: attacker })
    const locking = h.keys('p1', '0003#0004#')
    assert.equal(observations(locking).filter((o) => o._tag === 'SourceLockedOut').length, 1)
    const afterwards = h.keys('guest', '1234#')
    assert.equal(observations(afterwards).filter((o) => o._tag === 'PinAccepted' || o._tag === 'PinFailed').length, 0, 'the right Host PIN is not even judged')
    assert.equal(h.state.calls.get(LegId('guest'))?.phase, 'participant')
    assert.ok(!h.ended.has(LegId('guest')))
  })

  void it('through a trusted peer, ends only the guessing caller\'s calls at the prompt, not another pool user\'s', () => {
    const h = new NodeHarness(config)
    const viaPeer = (leg: string, uri: string) =>
      h.send({
        _tag: 'CallOffered', leg: LegId(leg), dialled: 'sip:meet.alice@example.com', caller: { displayName: leg, uri },
        protocol: 'mssip', offer: videoOffer, source: '10.0.0.5', trusted: true, registered: false,
      })
    for (let i = 0; i < 3; i++) viaPeer(`m${i}`, 'sip:mallory@contoso.com')
    viaPeer('alice', 'sip:alice@contoso.com')
    h.keys('m0', '0001#0002#')
    const locking = h.keys('m1', '0003#0004#')
    assert.equal(observations(locking).filter((o) => o._tag === 'SourceLockedOut').length, 1)
    assert.equal(h.state.calls.get(LegId('m2'))?.phase, 'farewell')
    assert.equal(h.state.calls.get(LegId('alice'))?.phase, 'pin-entry')
  })

  void it('whatever the interleaving, a source gets at most `failures` wrong PINs judged per block, and other sources keep their prompt (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.record({ call: fc.nat(11), other: fc.boolean(), digits: fc.constantFrom('0001#', '99#', '4321#', '#') }), { minLength: 1, maxLength: 60 }),
        (calls, presses) => {
          const h = new NodeHarness(config)
          for (let i = 0; i < calls; i++) h.offer(`a${i}`, 'sip:meet.alice@example.com', { source: attacker })
          h.offer('other', 'sip:meet.alice@example.com', { source: '203.0.113.9' })
          let attackerFailures = 0
          for (const press of presses) {
            // The other source only ever types the Guest PIN, which joins it as a Guest.
            const leg = press.other ? 'other' : `a${press.call % calls}`
            const effects = h.keys(leg, press.other ? '5555#' : press.digits)
            attackerFailures += observations(effects).filter((o) => o._tag === 'PinFailed' && o.source === attacker).length
          }
          const other = h.state.calls.get(LegId('other'))
          return attackerFailures <= lockout.failures && other !== undefined && other.phase !== 'farewell'
        },
      ),
      { numRuns: 100 },
    )
  })

  void it('starts counting afresh under a new pin_lockout policy, and not on other configuration changes', () => {
    const h = new NodeHarness(config)
    for (let i = 1; i <= 4; i++) guessOnce(h, `g${i}`, attacker)
    h.send({ _tag: 'ConfigChanged', config: makeConfig({ vmrs: [room, makeVmr('2')], global: { pinLockout: lockout, trustedPeers: ['10.0.0.5'] } }) })
    assert.ok(refused(h.offer('g5', 'sip:meet.alice**1234@example.com', { source: attacker }), 'g5'), 'another room added: still locked out')
    h.send({ _tag: 'ConfigChanged', config: makeConfig({ vmrs: [room], global: { pinLockout: { ...lockout, blockS: 60 }, trustedPeers: ['10.0.0.5'] } }) })
    assert.equal(only(h.offer('g6', 'sip:meet.alice**1234@example.com', { source: attacker }), 'JoinMix').length, 1, 'a new policy: the caller is let back in')
  })
})
