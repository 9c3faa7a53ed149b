/**
 * The Call aggregate through the router, as the shell drives it: resolution, PIN entry and its
 * attempts, the media answer and the audio-only re-offer (DESIGN §2).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { LegId } from '../model/ids.js'
import {
  NodeHarness,
  audioOffer,
  makeConfig,
  makeRule,
  makeVmr,
  observations,
  only,
  pin,
  videoOffer,
} from '../node/node-harness.js'
import { seenBy } from '../conference/tiles.js'

const alice = makeVmr('1', {
  name: "Alice's meeting room",
  aliases: ['meet.alice@example.com', '1001@example.com'],
  allowGuests: true,
  pin: pin('1234'),
})
const bob = makeVmr('2', { name: "Bob's room", aliases: ['meet.bob@example.com'] })
const carol = makeVmr('3', { aliases: ['meet.carol@example.com'], pin: pin('5678#') })
const dave = makeVmr('4', { aliases: ['meet.dave@example.com'], allowGuests: true, pin: pin('1111'), guestPin: pin('2222') })
const avatarRoom = makeVmr('5', { aliases: ['avatar@example.com'], audioOnlyView: 'avatar' })
const audioRoom = makeVmr('6', { aliases: ['audio@example.com'], callType: 'audio' })

const config = makeConfig({
  vmrs: [alice, bob, carol, dave, avatarRoom, audioRoom],
  rules: [
    makeRule('1', '(.+)@rooms\\.example\\.com'),
    makeRule('2', '(.+)@h323\\.example\\.com', { outgoingProtocol: 'h323' }),
    makeRule('3', 'meet\\.bob@example\\.com'),
  ],
})

const harness = (): NodeHarness => new NodeHarness(config)
const joined = (effects: ReadonlyArray<{ readonly _tag: string }>, leg: string): boolean =>
  only(effects as never, 'JoinMix').some((e) => e.leg === leg)

void describe('resolution (DESIGN §2 "Dial strings and aliases")', () => {
  void it('reaches a VMR by its alias, ignoring scheme, case and URI parameters', () => {
    const h = harness()
    const effects = h.offer('a', '"Ann" <sip:Meet.Bob@EXAMPLE.com;transport=tls>')
    assert.deepEqual(observations(effects)[0], { _tag: 'CallResolved', leg: 'a', result: 'conference' })
    assert.ok(joined(effects, 'a'))
  })

  void it('reaches the same conference through every alias of the VMR', () => {
    const h = harness()
    h.offer('a', 'sip:meet.alice**1234@example.com')
    const effects = h.offer('b', '1001**1234@example.com')
    assert.deepEqual(
      only(h.log, 'JoinMix').map((j) => j.conference),
      ['1', '1'],
    )
    assert.ok(joined(effects, 'b'))
  })

  void it('tries the VMR aliases before the gateway rules', () => {
    const h = harness()
    const effects = h.offer('a', 'meet.bob@example.com')
    assert.equal(only(effects, 'DialOut').length, 0)
    assert.ok(joined(effects, 'a'))
  })

  void it('hands an address that is no VMR alias to the gateway rules', () => {
    const h = harness()
    const effects = h.offer('a', 'sip:room1@rooms.example.com')
    assert.deepEqual(observations(effects)[0], { _tag: 'CallResolved', leg: 'a', result: 'gateway' })
    assert.deepEqual(only(effects, 'Ring'), [{ _tag: 'Ring', leg: 'a' }])
    assert.equal(only(effects, 'DialOut')[0]?.to, 'sip:room1@rooms.example.com')
  })

  void it('rejects with 404 what matches neither (no open relay)', () => {
    const h = harness()
    const effects = h.offer('a', 'sip:someone@elsewhere.example.org')
    assert.deepEqual(only(effects, 'Reject').map((r) => r.status), [404])
    assert.deepEqual(observations(effects), [{ _tag: 'CallResolved', leg: 'a', result: 'rejected' }])
    assert.equal(h.state.calls.size, 0)
  })

  void it('rejects with 404 a dialled string that is no address', () => {
    const h = harness()
    assert.deepEqual(only(h.offer('a', 'sip:'), 'Reject').map((r) => r.status), [404])
    assert.deepEqual(only(h.offer('b', '   '), 'Reject').map((r) => r.status), [404])
  })

  void it('places a gateway call over H.323 like any other (the live signalling refuses it, DESIGN §2)', () => {
    const h = harness()
    const effects = h.offer('a', 'sip:room9@h323.example.com')
    assert.deepEqual(only(effects, 'DialOut').map((d) => [d.protocol, d.to]), [['h323', 'sip:room9@h323.example.com']])
    assert.equal(only(effects, 'Reject').length, 0)
  })

  void it('rejects with 488 an offer with neither audio nor video', () => {
    const h = harness()
    const effects = h.offer('a', 'meet.bob@example.com', { offer: { audio: false, video: false, content: true, chat: false } })
    assert.deepEqual(only(effects, 'Reject').map((r) => r.status), [488])
  })
})

void describe('PIN entry (DESIGN §2 "PINs, roles and host gating")', () => {
  void it('lets everyone into a VMR without guests or PIN as a Host, with no prompt', () => {
    const h = harness()
    const effects = h.offer('a', 'meet.bob@example.com')
    assert.equal(only(effects, 'Play').length, 0)
    assert.ok(joined(effects, 'a'))
    assert.equal(h.state.conferences.get('2')?.participants[0]?.role, 'host')
  })

  void it('prompts: answers, shows the PIN screen, plays the prompt, starts the entry timeout', () => {
    const h = harness()
    const effects = h.offer('a', 'meet.carol@example.com')
    assert.deepEqual(
      effects.filter((e) => e._tag !== 'Observe'),
      [
        { _tag: 'Answer', leg: 'a', answer: { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' } },
        { _tag: 'Show', leg: 'a', view: { _tag: 'Splash', screen: 'pin-entry' } },
        { _tag: 'Play', leg: 'a', sound: 'pin-prompt' },
        { _tag: 'StartTimer', timer: 'leg:a:pin-entry', due: 60_000 },
      ],
    )
  })

  void it('accepts the single PIN ended by #, as a Host; a configured trailing # is ignored', () => {
    const h = harness()
    h.offer('a', 'meet.carol@example.com')
    const effects = h.keys('a', '5678#')
    assert.ok(observations(effects).some((o) => o._tag === 'PinAccepted' && o.role === 'host'))
    assert.ok(joined(effects, 'a'))
    assert.deepEqual(h.timersOf('a'), [])
  })

  void it('ends the entry 5 s after the last digit', () => {
    const h = harness()
    h.offer('a', 'meet.carol@example.com')
    h.keys('a', '567')
    h.advance(4_000)
    h.keys('a', '8')
    assert.equal(only(h.advance(4_999), 'JoinMix').length, 0)
    assert.ok(joined(h.advance(1), 'a'))
  })

  void it('counts digits that match no PIN as a wrong attempt and prompts again', () => {
    const h = harness()
    h.offer('a', 'meet.carol@example.com', { source: '198.51.100.7' })
    const effects = h.keys('a', '9999#')
    assert.deepEqual(observations(effects), [{ _tag: 'PinFailed', leg: 'a', conference: '3', source: '198.51.100.7' }])
    assert.deepEqual(only(effects, 'Play'), [{ _tag: 'Play', leg: 'a', sound: 'pin-prompt' }])
    assert.ok(!h.ended.has(LegId('a')))
  })

  void it('after three wrong attempts shows and plays "invalid PIN", then hangs up, leaving no timer', () => {
    const h = harness()
    h.offer('a', 'meet.carol@example.com')
    h.keys('a', '1#2#')
    const third = h.keys('a', '3#')
    assert.deepEqual(
      third.filter((e) => e._tag === 'Show' || e._tag === 'Play'),
      [
        { _tag: 'Show', leg: 'a', view: { _tag: 'Splash', screen: 'invalid-pin' } },
        { _tag: 'Play', leg: 'a', sound: 'invalid-pin' },
      ],
    )
    assert.equal(only(third, 'Hangup').length, 0)
    h.keys('a', '5678#') // too late: the call is leaving
    const hangup = only(h.advance(10_000), 'Hangup')
    assert.equal(hangup.length, 1)
    assert.equal(only(h.log, 'JoinMix').length, 0)
    assert.deepEqual([...h.timers.keys()], [])
    assert.equal(h.state.calls.size, 0)
    assert.equal(h.state.conferences.size, 0)
  })

  void it('hangs up a caller who enters nothing before the PIN entry timeout', () => {
    const h = harness()
    h.offer('a', 'meet.carol@example.com')
    assert.equal(only(h.advance(59_999), 'Hangup').length, 0)
    assert.deepEqual(only(h.advance(1), 'Hangup').map((x) => x.leg), ['a'])
    assert.deepEqual([...h.timers.keys()], [])
  })

  void it('lets a lone # in as a Guest where guests need no PIN', () => {
    const h = harness()
    h.offer('a', 'meet.alice@example.com')
    const effects = h.keys('a', '#')
    assert.ok(observations(effects).some((o) => o._tag === 'PinAccepted' && o.role === 'guest'))
    assert.equal(h.state.conferences.get('1')?.participants[0]?.role, 'guest')
  })

  void it('counts a lone # as wrong where a Guest PIN exists, and in a single-PIN VMR', () => {
    for (const dialled of ['meet.dave@example.com', 'meet.carol@example.com']) {
      const h = harness()
      h.offer('a', dialled)
      assert.ok(observations(h.keys('a', '#')).some((o) => o._tag === 'PinFailed'))
      assert.equal(h.state.conferences.get(dialled === 'meet.dave@example.com' ? '4' : '3')?.participants.length ?? 0, 0)
    }
  })

  void it('gives the Guest PIN the Guest role and the Host PIN the Host role', () => {
    const h = harness()
    h.offer('g', 'meet.dave@example.com')
    h.offer('o', 'meet.dave@example.com')
    h.keys('g', '2222#')
    h.keys('o', '1111#')
    const roles = new Map(h.state.conferences.get('4')?.participants.map((p) => [p.leg as string, p.role]))
    assert.equal(roles.get('g'), 'guest')
    assert.equal(roles.get('o'), 'host')
  })

  void it('ignores * and A-D while typing', () => {
    const h = harness()
    h.offer('a', 'meet.carol@example.com')
    assert.ok(joined(h.keys('a', '5*6A78#'), 'a'))
  })

  void it('skips the prompt when the dial string carries the right PIN', () => {
    const h = harness()
    const effects = h.offer('a', 'meet.carol**5678@example.com')
    assert.equal(only(effects, 'Play').length, 0)
    assert.ok(effects.every((e) => !(e._tag === 'Show' && e.view._tag === 'Splash')))
    assert.ok(joined(effects, 'a'))
  })

  void it('counts a wrong dial-string PIN as one attempt, then prompts', () => {
    const h = harness()
    const effects = h.offer('a', 'meet.carol**0000@example.com')
    assert.ok(observations(effects).some((o) => o._tag === 'PinFailed'))
    assert.deepEqual(only(effects, 'Play'), [{ _tag: 'Play', leg: 'a', sound: 'pin-prompt' }])
    h.keys('a', '1111#')
    assert.ok(only(h.keys('a', '2222#'), 'Show').some((s) => s.view._tag === 'Splash' && s.view.screen === 'invalid-pin'))
  })

  void it('cleans up a caller who hangs up during PIN entry: its timers are cancelled, nothing is left', () => {
    const h = harness()
    h.offer('a', 'meet.carol@example.com')
    h.keys('a', '56')
    const effects = h.hangUp('a', 'cancel')
    assert.deepEqual(only(effects, 'CancelTimer').map((c) => c.timer), ['leg:a:pin-digit'])
    assert.equal(only(effects, 'Hangup').length, 0)
    assert.deepEqual([...h.timers.keys()], [])
    assert.equal(h.state.calls.size, 0)
    assert.equal(h.state.conferences.size, 0)
    assert.deepEqual(h.advance(120_000), [])
  })
})

void describe('media (DESIGN §2 "Calls, media and content")', () => {
  void it('re-offers sendonly room video to an audio-only caller of a room VMR, and shows it the room', () => {
    const h = harness()
    const effects = h.offer('a', 'meet.bob@example.com', { offer: audioOffer, protocol: 'mssip' })
    assert.deepEqual(only(effects, 'Answer')[0]?.answer, { audio: 'sendrecv' })
    assert.deepEqual(only(effects, 'Reoffer'), [{ _tag: 'Reoffer', leg: 'a', offer: { audio: 'sendrecv', video: 'sendonly' } }])
    const shown = only(effects, 'Show').at(-1)
    assert.deepEqual(shown && seenBy(shown.view, shown.leg), { _tag: 'Composed', layout: 'one_main_seven_pips', participants: [] })
    const b = h.offer('b', 'meet.bob@example.com')
    assert.deepEqual(only(b, 'Show').filter((s) => s.leg === 'a').map((s) => ({ ...s, view: seenBy(s.view, s.leg) })), [
      { _tag: 'Show', leg: 'a', view: { _tag: 'Composed', layout: 'one_main_seven_pips', participants: ['b'] } },
    ])
  })

  void it('keeps an audio-only caller of an avatar VMR audio-only: no re-offer, NoVideo', () => {
    const h = harness()
    const effects = h.offer('a', 'avatar@example.com', { offer: audioOffer })
    assert.equal(only(effects, 'Reoffer').length, 0)
    assert.deepEqual(only(effects, 'Show').map((s) => s.view), [{ _tag: 'NoVideo' }])
  })

  void it('answers a video offer with no video under an audio ceiling', () => {
    const h = harness()
    const effects = h.offer('a', 'audio@example.com', { offer: videoOffer })
    assert.deepEqual(only(effects, 'Answer')[0]?.answer, { audio: 'sendrecv' })
    assert.equal(only(effects, 'Reoffer').length, 0)
    assert.deepEqual(only(effects, 'Show').map((s) => s.view), [{ _tag: 'NoVideo' }])
  })

  void it('escalates an audio-only caller to video up to the ceiling, and refuses video above it', () => {
    const h = harness()
    h.offer('a', 'avatar@example.com', { offer: audioOffer })
    const up = h.send({ _tag: 'MediaChanged', leg: LegId('a'), offer: videoOffer })
    assert.deepEqual(only(up, 'Answer')[0]?.answer, { audio: 'sendrecv', video: 'sendrecv', content: 'sendrecv' })
    assert.deepEqual(only(up, 'Show').map((s) => s.view), [{ _tag: 'SelfView' }])

    h.offer('b', 'audio@example.com', { offer: audioOffer })
    const refused = h.send({ _tag: 'MediaChanged', leg: LegId('b'), offer: videoOffer })
    assert.deepEqual(only(refused, 'Answer')[0]?.answer, { audio: 'sendrecv' })
    assert.equal(only(refused, 'Show').length, 0)
  })
})

void describe('a leg lost by the media side or the wire (CallEnded transport, DESIGN §4)', () => {
  void it('ends the call with a Hangup (BYE) and takes the leg out of its conference; the others stay', () => {
    const h = harness()
    h.offer('a', 'meet.bob@example.com', { offer: audioOffer })
    h.offer('b', 'meet.bob@example.com', { offer: audioOffer })
    const lost = h.send({ _tag: 'CallEnded', leg: LegId('a'), reason: 'transport' })
    assert.deepEqual(only(lost, 'Hangup'), [{ _tag: 'Hangup', leg: 'a', reason: 'media lost' }])
    assert.deepEqual(only(lost, 'LeaveMix').map((e) => e.leg), ['a'])
    assert.equal(only(h.send({ _tag: 'DtmfReceived', leg: LegId('a'), digit: '1' }), 'Hangup').length, 0, 'the lost leg is forgotten')
    // The conference goes on with b alone: b leaving later ends it cleanly.
    assert.deepEqual(only(h.hangUp('b'), 'LeaveMix').map((e) => e.leg), ['b'])
  })

  void it('hangs up both halves of a gateway call whose caller leg was lost', () => {
    const h = harness()
    h.offer('a', 'sip:room1@rooms.example.com')
    const b = only(h.log, 'DialOut')[0]?.leg
    assert.ok(b !== undefined)
    h.answer(b)
    const lost = h.send({ _tag: 'CallEnded', leg: LegId('a'), reason: 'transport' })
    assert.deepEqual(only(lost, 'Hangup').map((e) => e.leg).sort(), ['a', b].sort())
  })

  void it('sends no Hangup when the far end hung up itself', () => {
    const h = harness()
    h.offer('a', 'meet.bob@example.com', { offer: audioOffer })
    assert.equal(only(h.hangUp('a'), 'Hangup').length, 0)
  })
})
