/**
 * The Conference aggregate through the router: host gating, the conference timers, ADPs, views,
 * content, chat and IM sessions, and configuration changes (DESIGN §2).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ConferenceId, LegId } from '../model/ids.js'
import type { Effect, View } from '../node/effect.js'
import {
  NodeHarness,
  audioOffer,
  forLeg,
  imOffer,
  makeAdp,
  makeConfig,
  makeRule,
  makeVmr,
  observations,
  only,
  pin,
  videoOffer,
} from '../node/node-harness.js'
import type { ConfigParts } from '../node/node-harness.js'
import { hostWaitTimeoutReason } from './conference.js'
import { seenBy } from './tiles.js'

/** Alice's room of the demo: guests allowed, Host PIN 1234, no Guest PIN (guests press #). */
const alice = makeVmr('1', {
  name: "Alice's meeting room",
  aliases: ['meet.alice@example.com'],
  allowGuests: true,
  pin: pin('1234'),
  hostView: 'one_main_seven_pips',
  guestView: 'four_mains_zero_pips',
})
const bob = makeVmr('2', { name: "Bob's room", aliases: ['meet.bob@example.com'] })
const carol = makeVmr('3', { aliases: ['meet.carol@example.com'], pin: pin('5678') })
const dave = makeVmr('4', { aliases: ['meet.dave@example.com'], allowGuests: true, pin: pin('1111'), guestPin: pin('2222') })

const setup = (parts: ConfigParts = {}): NodeHarness =>
  new NodeHarness(makeConfig({ vmrs: [alice, bob, carol, dave], ...parts }))

const conference = (h: NodeHarness, id: string) => h.state.conferences.get(id)
const rolesIn = (h: NodeHarness, id: string): ReadonlyMap<string, string> =>
  new Map(conference(h, id)?.participants.map((p) => [p.leg as string, p.role]) ?? [])
/** What `leg` is shown, a composed view read as its viewer sees it (its own tile left out: `composedTiles`). */
const showsTo = (effects: ReadonlyArray<Effect>, leg: string): ReadonlyArray<View> =>
  only(forLeg(effects, leg), 'Show').map((s) => seenBy(s.view, LegId(leg)))
const guestJoins = (h: NodeHarness, leg: string): ReadonlyArray<Effect> => {
  h.offer(leg, 'meet.alice@example.com')
  return h.keys(leg, '#')
}

void describe('host gating (DESIGN §2)', () => {
  void it('holds a Guest who arrives before any Host: waiting screen, hold music, host-wait timer, no mix', () => {
    const h = setup()
    const effects = guestJoins(h, 'g1')
    assert.deepEqual(showsTo(effects, 'g1'), [{ _tag: 'Splash', screen: 'waiting-for-host' }])
    assert.deepEqual(only(effects, 'Play'), [{ _tag: 'Play', leg: 'g1', sound: 'hold-music' }])
    assert.equal(only(effects, 'JoinMix').length, 0)
    assert.equal(h.timers.get(only(effects, 'StartTimer').at(-1)!.timer), 1_800_000)
    assert.deepEqual(h.timersOf('g1'), ['conf:1:host-wait:g1'])
  })

  void it('lets every waiting Guest in when the first Host joins', () => {
    const h = setup()
    guestJoins(h, 'g1')
    guestJoins(h, 'g2')
    h.offer('host', 'meet.alice@example.com')
    const effects = h.keys('host', '1234#')
    assert.deepEqual(
      only(effects, 'JoinMix').map((j) => j.leg),
      ['host', 'g1', 'g2'],
    )
    assert.deepEqual(only(effects, 'CancelTimer').map((c) => c.timer).filter((t) => t.includes('host-wait')), [
      'conf:1:host-wait:g1',
      'conf:1:host-wait:g2',
    ])
    assert.deepEqual(only(effects, 'Play').filter((p) => p.sound === 'conference').map((p) => p.leg), ['g1', 'g2'])
    assert.deepEqual(showsTo(effects, 'g1'), [{ _tag: 'Composed', layout: 'four_mains_zero_pips', participants: ['host', 'g2'] }])
    assert.deepEqual(showsTo(effects, 'host'), [{ _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['g1', 'g2'] }])
    assert.deepEqual([...h.timers.keys()].filter((t) => t.includes('host-wait')), [])
  })

  void it('makes a waiting Guest who types the Host PIN a Host at once, and starts the conference', () => {
    const h = setup()
    guestJoins(h, 'g1')
    guestJoins(h, 'g2')
    const effects = h.keys('g1', '1234#')
    assert.ok(observations(effects).some((o) => o._tag === 'PinAccepted' && o.leg === 'g1' && o.role === 'host'))
    assert.deepEqual(only(effects, 'JoinMix').map((j) => j.leg), ['g1', 'g2'])
    assert.equal(rolesIn(h, '1').get('g1'), 'host')
    assert.equal(rolesIn(h, '1').get('g2'), 'guest')
  })

  void it('accepts the Host PIN on the holding screen after a 5 s pause too', () => {
    const h = setup()
    guestJoins(h, 'g1')
    h.keys('g1', '1234')
    assert.ok(only(h.advance(5_000), 'JoinMix').some((j) => j.leg === 'g1'))
  })

  void it('counts wrong Host PINs on the holding screen toward the same three attempts', () => {
    const h = setup()
    h.offer('g1', 'meet.alice@example.com')
    h.keys('g1', '9999#') // wrong at the prompt: 1
    h.keys('g1', '#') // joins as a Guest, waits
    h.keys('g1', '0000#') // 2
    const third = h.keys('g1', '1235#') // 3
    assert.ok(showsTo(third, 'g1').some((v) => v._tag === 'Splash' && v.screen === 'invalid-pin'))
    assert.deepEqual(only(third, 'CancelTimer').map((c) => c.timer).filter((t) => t.startsWith('conf:')), ['conf:1:host-wait:g1'])
    h.advance(10_000)
    assert.ok(h.ended.has(LegId('g1')))
    assert.equal(conference(h, '1'), undefined)
    assert.deepEqual([...h.timers.keys()], [])
  })

  void it('cancels the host-wait timer of a waiting Guest who hangs up', () => {
    const h = setup()
    guestJoins(h, 'g1')
    guestJoins(h, 'g2')
    assert.deepEqual(only(h.hangUp('g1'), 'CancelTimer').map((c) => c.timer), ['conf:1:host-wait:g1'])
    assert.deepEqual([...h.timers.keys()], ['conf:1:host-wait:g2'])
  })

  void it('treats a lone # or the Guest PIN on the holding screen as no attempt', () => {
    const h = setup()
    h.offer('g1', 'meet.dave@example.com')
    h.keys('g1', '2222#')
    for (let i = 0; i < 5; i++) assert.equal(observations(h.keys('g1', i % 2 === 0 ? '#' : '2222#')).length, 0)
    assert.equal(rolesIn(h, '4').get('g1'), 'guest')
    assert.equal(conference(h, '4')?.participants[0]?.waiting, true)
  })

  void it('disconnects a Guest whose Host never comes after the host wait timeout (#pex126)', () => {
    const h = setup({ global: { hostWaitTimeoutS: 120 } })
    guestJoins(h, 'g1')
    assert.equal(only(h.advance(119_999), 'Hangup').length, 0)
    assert.deepEqual(only(h.advance(1), 'Hangup'), [{ _tag: 'Hangup', leg: 'g1', reason: hostWaitTimeoutReason }])
    assert.equal(h.state.calls.size, 0)
    assert.equal(conference(h, '1'), undefined)
  })

  void it('never holds anyone in a VMR without guests', () => {
    const h = setup()
    h.offer('a', 'meet.carol**5678@example.com')
    h.offer('b', 'meet.bob@example.com')
    assert.equal(only(h.log, 'Play').filter((p) => p.sound === 'hold-music').length, 0)
  })
})

void describe('conference timers (DESIGN §2)', () => {
  const hostAndGuests = (h: NodeHarness): void => {
    h.offer('host', 'meet.alice**1234@example.com')
    guestJoins(h, 'g1')
    guestJoins(h, 'g2')
  }

  void it('ends the conference for the Guests after the guests-only timeout once the last Host leaves', () => {
    const h = setup()
    hostAndGuests(h)
    const left = h.hangUp('host')
    assert.deepEqual(only(left, 'StartTimer').map((s) => [s.timer, s.due]), [['conf:1:guests-only', 60_000]])
    const ending = h.advance(60_000)
    assert.deepEqual(only(ending, 'LeaveMix').map((l) => l.leg), ['g1', 'g2'])
    assert.deepEqual(showsTo(ending, 'g1'), [{ _tag: 'Splash', screen: 'conference-ending' }])
    assert.ok(only(ending, 'Play').some((p) => p.leg === 'g2' && p.sound === 'conference-ending'))
    assert.ok(observations(ending).some((o) => o._tag === 'ConferenceEnded'))
    assert.equal(only(ending, 'Hangup').length, 0)
    assert.deepEqual(only(h.advance(10_000), 'Hangup').map((x) => x.leg).sort(), ['g1', 'g2'])
    assert.deepEqual([...h.timers.keys()], [])
    assert.equal(h.state.calls.size, 0)
  })

  void it('keeps the conference when a Host comes back in time', () => {
    const h = setup()
    hostAndGuests(h)
    h.hangUp('host')
    h.advance(30_000)
    const back = h.offer('host2', 'meet.alice**1234@example.com')
    assert.deepEqual(only(back, 'CancelTimer').map((c) => c.timer), ['conf:1:guests-only'])
    assert.equal(only(h.advance(120_000), 'Hangup').length, 0)
  })

  void it('ends it at once with a guests-only timeout of 0 s', () => {
    const h = setup({ global: { guestsOnlyTimeoutS: 0 } })
    hostAndGuests(h)
    const left = h.hangUp('host')
    assert.deepEqual(only(left, 'LeaveMix').map((l) => l.leg), ['host', 'g1', 'g2'])
    assert.ok(observations(left).some((o) => o._tag === 'ConferenceEnded'))
  })

  void it('lets a Guest arriving during the guests-only countdown join the running conference', () => {
    const h = setup()
    hostAndGuests(h)
    h.hangUp('host')
    const effects = guestJoins(h, 'g3')
    assert.ok(only(effects, 'JoinMix').some((j) => j.leg === 'g3'))
    assert.equal(only(effects, 'Play').filter((p) => p.sound === 'hold-music').length, 0)
  })

  void it('ends a conference with one participant after the only-one-participant timeout, unless someone joins', () => {
    const h = setup({ global: { onlyOneParticipantTimeoutS: 30 } })
    h.offer('a', 'meet.bob@example.com')
    h.advance(20_000)
    const second = h.offer('b', 'meet.bob@example.com')
    assert.deepEqual(only(second, 'CancelTimer').map((c) => c.timer), ['conf:2:only-one'])
    h.hangUp('b')
    const ending = h.advance(30_000)
    assert.ok(observations(ending).some((o) => o._tag === 'ConferenceEnded' && o.reason === 'only one participant remained'))
    assert.ok(only(h.advance(10_000), 'Hangup').some((x) => x.leg === 'a'))
  })

  void it('runs no only-one timer when the setting is 0 (off)', () => {
    const h = setup()
    h.offer('a', 'meet.bob@example.com')
    assert.deepEqual([...h.timers.keys()], [])
  })
})

void describe('automatically dialled participants (DESIGN §2 ADP)', () => {
  const roomAdp = makeAdp('7', '2', { alias: 'room7@rooms.example.com', remoteDisplayName: 'Room 7' })

  void it('dials each ADP 10 s after the first participant joins an open VMR', () => {
    const h = setup({ adps: [roomAdp], global: { defaultSipProxy: 'proxy.example.com:5060' } })
    const first = h.offer('a', 'meet.bob@example.com')
    assert.deepEqual(only(first, 'StartTimer').map((s) => [s.timer, s.due]), [['conf:2:adp-delay', 10_000]])
    assert.equal(only(h.advance(9_999), 'DialOut').length, 0)
    assert.deepEqual(only(h.advance(1), 'DialOut'), [
      {
        _tag: 'DialOut',
        leg: '2/adp/7',
        from: { displayName: "Bob's room", uri: 'sip:meet.bob@example.com' },
        to: 'sip:room7@rooms.example.com',
        protocol: 'sip',
        proxy: 'proxy.example.com:5060',
        callType: 'video',
        offer: { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' },
      },
    ])
  })

  void it('never waits less than 10 s, whatever is configured', () => {
    const h = setup({ adps: [roomAdp], global: { adpDelayS: 3 } })
    assert.equal(only(h.offer('a', 'meet.bob@example.com'), 'StartTimer')[0]?.due, 10_000)
  })

  void it('waits for the first valid PIN where everyone needs one; the first arrival is enough otherwise', () => {
    const h = setup({ adps: [makeAdp('1', '3'), makeAdp('2', '1')] })
    assert.equal(only(h.offer('a', 'meet.carol@example.com'), 'StartTimer').filter((s) => s.timer.includes('adp')).length, 0)
    assert.deepEqual(only(h.keys('a', '5678#'), 'StartTimer').map((s) => s.timer).filter((t) => t.startsWith('conf:')), ['conf:3:adp-delay'])
    // Alice's room lets guests in without a PIN: the call being answered starts it.
    assert.deepEqual(only(h.offer('b', 'meet.alice@example.com'), 'StartTimer').map((s) => s.timer).filter((t) => t.includes('adp')), [
      'conf:1:adp-delay',
    ])
  })

  void it('does not dial an ADP whose alias is already a participant', () => {
    const h = setup({ adps: [roomAdp] })
    h.offer('a', 'meet.bob@example.com', { caller: { displayName: 'Room 7', uri: 'sip:Room7@rooms.example.com' } })
    assert.equal(only(h.advance(10_000), 'DialOut').length, 0)
  })

  void it('dials once, with no retry after a failure', () => {
    const h = setup({ adps: [roomAdp] })
    h.offer('a', 'meet.bob@example.com')
    h.advance(10_000)
    h.send({ _tag: 'CallFailed', leg: LegId('2/adp/7'), status: 486, reason: 'Busy Here' })
    h.offer('b', 'meet.bob@example.com')
    assert.equal(only(h.advance(60_000), 'DialOut').length, 0)
    assert.equal(only(h.log, 'DialOut').length, 1)
  })

  void it('joins an answered ADP with its role, never asking a PIN; a chair ADP lets waiting Guests in', () => {
    const h = setup({ adps: [makeAdp('9', '1', { role: 'host', alias: 'recorder@rooms.example.com' })] })
    guestJoins(h, 'g1')
    h.advance(10_000)
    const answered = h.answer('1/adp/9')
    assert.equal(showsTo(answered, '1/adp/9').some((v) => v._tag === 'Splash' && v.screen === 'pin-entry'), false)
    assert.deepEqual(only(answered, 'JoinMix').map((j) => j.leg), ['1/adp/9', 'g1'])
    assert.equal(rolesIn(h, '1').get('1/adp/9'), 'host')
  })

  void it('holds a Guest ADP at the waiting screen like any Guest', () => {
    const h = setup({ adps: [makeAdp('9', '1')] })
    guestJoins(h, 'g1')
    h.advance(10_000)
    const answered = h.answer('1/adp/9')
    assert.equal(only(answered, 'JoinMix').length, 0)
    assert.deepEqual(showsTo(answered, '1/adp/9'), [{ _tag: 'Splash', screen: 'waiting-for-host' }])
  })

  void it('sends the DTMF sequence after the answer, each comma a 2 s pause', () => {
    const h = setup({ adps: [makeAdp('7', '2', { dtmfSequence: '12,,34#' })] })
    h.offer('a', 'meet.bob@example.com')
    h.advance(10_000)
    assert.deepEqual(only(h.answer('2/adp/7'), 'SendDtmf'), [{ _tag: 'SendDtmf', leg: '2/adp/7', digits: '12' }])
    assert.equal(only(h.advance(3_999), 'SendDtmf').length, 0)
    assert.deepEqual(only(h.advance(1), 'SendDtmf'), [{ _tag: 'SendDtmf', leg: '2/adp/7', digits: '34#' }])
  })

  void it('routes a routing_rule ADP through the outgoing rules; no rule, no call', () => {
    const rules = [makeRule('5', '(.+)@vc\\.example\\.com', { matchIncomingCalls: false, matchOutgoingCalls: true, replaceString: '\\1@gw.example.com', sipProxy: 'sbc.example.com' })]
    const h = setup({
      rules,
      adps: [
        makeAdp('1', '2', { alias: 'east@vc.example.com', routing: 'routing_rule' }),
        makeAdp('2', '2', { alias: 'west@nowhere.example.com', routing: 'routing_rule' }),
        makeAdp('3', '2', { alias: 'legacy@h323.example.com', protocol: 'h323' }),
      ],
    })
    h.offer('a', 'meet.bob@example.com')
    const dialled = h.advance(10_000)
    assert.deepEqual(only(dialled, 'DialOut').map((d) => [d.to, d.proxy, d.protocol]), [
      ['sip:east@gw.example.com', 'sbc.example.com', 'sip'],
      ['sip:legacy@h323.example.com', undefined, 'h323'],
    ])
    assert.deepEqual(observations(dialled).filter((o) => o._tag === 'AdpNotDialled').map((o) => o._tag === 'AdpNotDialled' && o.adp), ['2'])
  })

  void it('hangs up an ADP left alone with keep_conference_alive if_multiple, and ends the conference', () => {
    const h = setup({ adps: [roomAdp] })
    h.offer('a', 'meet.bob@example.com')
    h.advance(10_000)
    h.answer('2/adp/7')
    const left = h.hangUp('a')
    assert.ok(observations(left).some((o) => o._tag === 'ConferenceEnded'))
    assert.deepEqual(only(left, 'Hangup').map((x) => x.leg), ['2/adp/7'])
    assert.equal(conference(h, '2'), undefined)
    assert.equal(h.state.calls.size, 0)
  })

  void it('keeps a conference alive with an `always` ADP, or two `if_multiple` ones; `never` ones never', () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<'always' | 'if_multiple' | 'never'>, boolean]> = [
      [['always'], true],
      [['if_multiple', 'if_multiple'], true],
      [['never', 'never'], false],
      [['if_multiple', 'never'], false],
    ]
    for (const [keep, alive] of cases) {
      const adps = keep.map((k, i) => makeAdp(`${i}`, '2', { keepConferenceAlive: k, alias: `adp${i}@rooms.example.com` }))
      const h = setup({ adps })
      h.offer('a', 'meet.bob@example.com')
      h.advance(10_000)
      for (let i = 0; i < adps.length; i++) h.answer(`2/adp/${i}`)
      const left = h.hangUp('a')
      assert.equal(only(left, 'Hangup').length === 0, alive, `keep ${keep.join(',')}`)
    }
  })

  void it('dials nothing when the participant who started it left before the delay, and cancels unanswered ADPs when it ends', () => {
    const h = setup({ adps: [roomAdp] })
    h.offer('a', 'meet.bob@example.com')
    assert.deepEqual(only(h.hangUp('a'), 'CancelTimer').map((c) => c.timer), ['conf:2:adp-delay'])
    assert.equal(only(h.advance(60_000), 'DialOut').length, 0)

    h.offer('b', 'meet.bob@example.com')
    h.advance(10_000)
    assert.deepEqual(only(h.hangUp('b'), 'Hangup').map((x) => x.leg), ['2/adp/7'])
  })
})

void describe('views (DESIGN §2 "Calls, media and content")', () => {
  void it('shows the first participant itself until someone joins, then the layout of its role', () => {
    const h = setup()
    assert.deepEqual(showsTo(h.offer('a', 'meet.bob@example.com'), 'a'), [{ _tag: 'SelfView' }])
    const second = h.offer('b', 'meet.bob@example.com')
    assert.deepEqual(showsTo(second, 'a'), [{ _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['b'] }])
    assert.deepEqual(showsTo(second, 'b'), [{ _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['a'] }])
  })

  void it('orders the layout by active speaker and sends no more tiles than the layout has', () => {
    const h = new NodeHarness(makeConfig({ vmrs: [makeVmr('9', { aliases: ['x@example.com'], hostView: 'four_mains_zero_pips' })] }))
    for (const leg of ['a', 'b', 'c', 'd', 'e', 'f']) h.offer(leg, 'x@example.com')
    const spoke = h.send({ _tag: 'ActiveSpeakerChanged', conference: ConferenceId('9'), leg: LegId('e') })
    assert.deepEqual(showsTo(spoke, 'a'), [{ _tag: 'Composed', layout: 'four_mains_zero_pips', participants: ['e', 'b', 'c', 'd'] }])
    assert.deepEqual(showsTo(spoke, 'e'), [], 'its own screen does not change')
    assert.deepEqual(h.send({ _tag: 'ActiveSpeakerChanged', conference: ConferenceId('9'), leg: LegId('e') }), [])
  })

  void it('describes a composed room once: every screen a change shows of one layout is the same view', () => {
    const h = new NodeHarness(makeConfig({ vmrs: [makeVmr('9', { aliases: ['x@example.com'] })] }))
    for (const leg of ['a', 'b', 'c', 'd', 'e', 'f']) h.offer(leg, 'x@example.com')
    const shows = only(h.send({ _tag: 'ActiveSpeakerChanged', conference: ConferenceId('9'), leg: LegId('f') }), 'Show')
    assert.deepEqual(shows.map((s) => s.leg), ['a', 'b', 'c', 'd', 'e'])
    for (const s of shows) assert.equal(s.view, shows[0]!.view)
    assert.deepEqual(showsTo(shows, 'a'), [{ _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['f', 'b', 'c', 'd', 'e'] }])
  })

  void it('takes a leaving participant out of the mix and the others’ layouts', () => {
    const h = setup()
    h.offer('a', 'meet.bob@example.com')
    h.offer('b', 'meet.bob@example.com')
    const left = h.hangUp('b')
    assert.deepEqual(only(left, 'LeaveMix'), [{ _tag: 'LeaveMix', leg: 'b', conference: '2' }])
    assert.deepEqual(showsTo(left, 'a'), [{ _tag: 'SelfView' }])
  })
})

void describe('content (DESIGN §2)', () => {
  const three = (h: NodeHarness): void => {
    h.offer('sfb', 'meet.bob@example.com', { protocol: 'mssip', caller: { displayName: 'Sam', uri: 'sip:sam@example.com' } })
    h.offer('sip', 'meet.bob@example.com', { caller: { displayName: 'Rita', uri: 'sip:rita@example.com' } })
    h.offer('web', 'meet.bob@example.com', { protocol: 'webrtc', caller: { displayName: 'Wes', uri: 'wes@example.com' } })
  }

  void it('grants the floor and shows the content, the VMR presenting to SfB receivers, the presenter to others', () => {
    const h = setup()
    three(h)
    h.send({ _tag: 'ActiveSpeakerChanged', conference: ConferenceId('2'), leg: LegId('web') })
    const effects = h.send({ _tag: 'ContentRequested', leg: LegId('sip') })
    assert.deepEqual(only(effects, 'GrantFloor'), [{ _tag: 'GrantFloor', leg: 'sip' }])
    assert.deepEqual(showsTo(effects, 'sfb'), [{ _tag: 'Content', presenter: "Bob's room", speaker: 'web' }])
    assert.deepEqual(showsTo(effects, 'web'), [{ _tag: 'Content', presenter: 'Rita', speaker: 'sfb' }])
    assert.deepEqual(showsTo(effects, 'sip'), [])
  })

  void it('gives the floor to a new presenter, revoking the old one; release returns to the layout', () => {
    const h = setup()
    three(h)
    h.send({ _tag: 'ContentRequested', leg: LegId('sip') })
    const taken = h.send({ _tag: 'ContentRequested', leg: LegId('web') })
    assert.deepEqual(taken.filter((e) => e._tag === 'RevokeFloor' || e._tag === 'GrantFloor'), [
      { _tag: 'RevokeFloor', leg: 'sip' },
      { _tag: 'GrantFloor', leg: 'web' },
    ])
    const released = h.send({ _tag: 'ContentReleased', leg: LegId('web') })
    assert.deepEqual(released.filter((e) => e._tag === 'RevokeFloor' || e._tag === 'GrantFloor'), [{ _tag: 'RevokeFloor', leg: 'web' }])
    assert.deepEqual(showsTo(released, 'sfb').map((v) => v._tag), ['Composed'])
    assert.deepEqual(h.send({ _tag: 'ContentReleased', leg: LegId('web') }), [])
  })

  void it('refuses Guests where guests may not present, and presentation under a video-only ceiling', () => {
    const h = new NodeHarness(
      makeConfig({
        vmrs: [
          { ...alice, guestsCanPresent: false },
          makeVmr('8', { aliases: ['vo@example.com'], callType: 'video-only' }),
        ],
      }),
    )
    h.offer('host', 'meet.alice**1234@example.com')
    guestJoins(h, 'g1')
    assert.deepEqual(h.send({ _tag: 'ContentRequested', leg: LegId('g1') }), [{ _tag: 'RevokeFloor', leg: 'g1' }])
    assert.deepEqual(only(h.send({ _tag: 'ContentRequested', leg: LegId('host') }), 'GrantFloor').length, 1)
    h.offer('v', 'vo@example.com')
    assert.deepEqual(h.send({ _tag: 'ContentRequested', leg: LegId('v') }), [{ _tag: 'RevokeFloor', leg: 'v' }])
  })

  void it('returns everyone to the layout when the presenter leaves', () => {
    const h = setup()
    three(h)
    h.send({ _tag: 'ContentRequested', leg: LegId('sip') })
    const left = h.hangUp('sip')
    assert.deepEqual(showsTo(left, 'web'), [{ _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['sfb'] }])
  })
})

void describe('chat (DESIGN §2 "Instant messaging")', () => {
  const room = (h: NodeHarness): void => {
    h.offer('sfb-av', 'meet.bob@example.com', { protocol: 'mssip', conversationId: 'conv-1', caller: { displayName: 'Sam', uri: 'sip:sam@example.com' } })
    h.offer('sfb-im', 'meet.bob@example.com', { protocol: 'mssip', offer: imOffer, conversationId: 'conv-1', caller: { displayName: 'Sam', uri: 'sip:sam@example.com' } })
    h.offer('web', 'meet.bob@example.com', { protocol: 'webrtc', caller: { displayName: 'Wes', uri: 'wes@example.com' } })
    h.offer('room', 'meet.bob@example.com', { caller: { displayName: 'Board room', uri: 'sip:board@example.com' } })
  }

  void it('attaches an SfB IM session to the AV participant of its conversation', () => {
    const h = setup()
    h.offer('sfb-av', 'meet.bob@example.com', { protocol: 'mssip', conversationId: 'conv-1' })
    const im = h.offer('sfb-im', 'meet.bob@example.com', { protocol: 'mssip', offer: imOffer, conversationId: 'conv-1' })
    assert.deepEqual(only(im, 'Answer'), [{ _tag: 'Answer', leg: 'sfb-im', answer: { chat: true } }])
    assert.equal(only(im, 'JoinMix').length, 0)
    assert.equal(conference(h, '2')?.participants.length, 1)
    assert.equal(conference(h, '2')?.participants[0]?.chatLeg, 'sfb-im')
  })

  void it('sends a message to every other chat-capable participant: SfB from the VMR with the name, web from the sender', () => {
    const h = setup()
    room(h)
    const effects = h.chat('web', 'hello')
    assert.deepEqual(only(effects, 'DeliverChat'), [
      { _tag: 'DeliverChat', leg: 'sfb-im', from: { displayName: "Bob's room", uri: 'sip:meet.bob@example.com' }, text: 'Wes: hello' },
    ])
    assert.deepEqual(observations(effects), [{ _tag: 'ChatRelayed', from: 'web', recipients: 1 }])
    const fromSfb = h.chat('sfb-im', 'hi all')
    assert.deepEqual(only(fromSfb, 'DeliverChat'), [
      { _tag: 'DeliverChat', leg: 'web', from: { displayName: 'Sam', uri: 'sip:sam@example.com' }, text: 'hi all' },
    ])
  })

  void it('makes a SIP leg chat-capable once it has sent a message itself', () => {
    const h = setup()
    room(h)
    const first = h.chat('room', 'this is the board room')
    assert.deepEqual(only(first, 'DeliverChat').map((d) => d.leg), ['sfb-im', 'web'])
    assert.deepEqual(only(h.chat('web', 'welcome'), 'DeliverChat').map((d) => [d.leg, d.text]), [
      ['sfb-im', 'Wes: welcome'],
      ['room', 'Wes: welcome'],
    ])
  })

  void it('relays nothing where chat is disabled', () => {
    const h = new NodeHarness(makeConfig({ vmrs: [{ ...bob, enableChat: false }] }))
    room(h)
    assert.deepEqual(h.chat('web', 'hello'), [])
  })

  void it('relays the first message embedded in the IM INVITE', () => {
    const h = setup()
    h.offer('web', 'meet.bob@example.com', { protocol: 'webrtc' })
    h.offer('sfb-av', 'meet.bob@example.com', { protocol: 'mssip', conversationId: 'c', caller: { displayName: 'Sam', uri: 'sip:sam@example.com' } })
    const im = h.offer('sfb-im', 'meet.bob@example.com', { protocol: 'mssip', offer: imOffer, conversationId: 'c', firstMessage: 'hi' })
    assert.deepEqual(only(im, 'DeliverChat').map((d) => [d.leg, d.text]), [['web', 'hi']])
  })

  void it('lets an IM session alone into an open room, refuses it where it would need a PIN, takes a dial-string PIN', () => {
    const h = setup()
    const open = h.offer('im1', 'meet.bob@example.com', { protocol: 'mssip', offer: imOffer })
    assert.deepEqual(only(open, 'Answer').map((a) => a.answer), [{ chat: true }])
    assert.equal(conference(h, '2')?.participants[0]?.chatOnly, true)
    const refused = h.offer('im2', 'meet.carol@example.com', { protocol: 'mssip', offer: imOffer })
    assert.deepEqual(only(refused, 'Reject').map((r) => r.status), [403])
    assert.equal(h.state.calls.has('im2'), false)
    const withPin = h.offer('im3', 'meet.carol**5678@example.com', { protocol: 'mssip', offer: imOffer })
    assert.deepEqual(only(withPin, 'Answer').map((a) => a.answer), [{ chat: true }])
    assert.equal(rolesIn(h, '3').get('im3'), 'host')
  })

  void it('merges an IM session that joined alone into the AV call of the same conversation', () => {
    const h = setup()
    h.offer('im', 'meet.bob@example.com', { protocol: 'mssip', offer: imOffer, conversationId: 'c' })
    h.offer('av', 'meet.bob@example.com', { protocol: 'mssip', conversationId: 'c' })
    assert.deepEqual(conference(h, '2')?.participants.map((p) => [p.leg, p.chatLeg]), [['av', 'im']])
  })

  void it('hangs up the IM session of a participant whose call leaves', () => {
    const h = setup()
    room(h)
    assert.deepEqual(only(h.hangUp('sfb-av'), 'Hangup').map((x) => x.leg), ['sfb-im'])
  })
})

void describe('configuration changes', () => {
  void it('ends a conference whose VMR is removed, PIN callers included; new calls use the new configuration', () => {
    const h = setup()
    h.offer('a', 'meet.bob@example.com')
    h.offer('p', 'meet.carol@example.com')
    h.keys('p', '5678#')
    h.offer('q', 'meet.carol@example.com')
    const changed = h.send({ _tag: 'ConfigChanged', config: makeConfig({ vmrs: [bob] }) })
    assert.ok(observations(changed).some((o) => o._tag === 'ConferenceEnded' && o.conference === '3'))
    assert.deepEqual(showsTo(changed, 'q'), [{ _tag: 'Splash', screen: 'conference-ending' }])
    assert.deepEqual(showsTo(changed, 'p'), [{ _tag: 'Splash', screen: 'conference-ending' }])
    h.advance(10_000)
    assert.ok(h.ended.has(LegId('p')) && h.ended.has(LegId('q')))
    assert.ok(!h.ended.has(LegId('a')))
    assert.deepEqual(only(h.offer('r', 'meet.carol@example.com'), 'Reject').map((r) => r.status), [404])
    assert.deepEqual([...h.timers.keys()], [])
  })

  void it('keeps a running conference on the VMR it started with', () => {
    const h = setup()
    h.offer('a', 'meet.bob@example.com')
    h.send({ _tag: 'ConfigChanged', config: makeConfig({ vmrs: [{ ...bob, hostView: 'nine_mains_zero_pips' }] }) })
    assert.deepEqual(showsTo(h.offer('b', 'meet.bob@example.com'), 'b'), [{ _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['a'] }])
  })

  void it('answers audio-only callers with room video in a running conference', () => {
    const h = setup()
    h.offer('a', 'meet.bob@example.com', { offer: videoOffer })
    const effects = h.offer('b', 'meet.bob@example.com', { offer: audioOffer })
    assert.deepEqual(showsTo(effects, 'b'), [{ _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['a'] }])
  })
})
