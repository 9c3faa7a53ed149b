/**
 * Model-based tests of a conference (CONVENTIONS 13): random runs of arrivals, PIN entries
 * (right, wrong, lone #, unfinished), hang-ups, speakers, chat, and timers fired in ANY order
 * (not only due order: a cancelled timer may still fire late) against a simpler model that only
 * knows which PINs each caller has typed. After every command the real node must hold:
 * - no Guest has Host rights: a Host typed the Host PIN, or the VMR has no guests;
 * - nobody is in the conference who did not enter a valid PIN (or needed none);
 * - nobody waits forever: every waiting Guest has a host-wait timer, every caller at the
 *   prompt an entry or digit timer, every farewell its timer;
 * - no timer outlives its leg or conference, and the core's own record of its timers matches
 *   what it asked the world for;
 * - legs that left, or that Parley hung up, are gone from the state.
 * Races (CallEnded during PIN entry, CANCEL against the answer) are run with fc.scheduler.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Vmr } from '../config/model.js'
import { pinDigits } from '../dial-string/pin.js'
import { LegId } from '../model/ids.js'
import type { TimerId } from '../model/ids.js'
import { NodeHarness, audioOffer, makeConfig, makeRule, makeVmr, only, pin, videoOffer } from '../node/node-harness.js'
import { parseTimerId } from '../node/timer-key.js'
import { hostWaitLeg } from './conference-state.js'

const vmrs: ReadonlyArray<Vmr> = [
  makeVmr('hosted', { aliases: ['hosted@example.com'], allowGuests: true, pin: pin('1234') }),
  makeVmr('two-pins', { aliases: ['two@example.com'], allowGuests: true, pin: pin('1111'), guestPin: pin('2222#') }),
  makeVmr('single', { aliases: ['single@example.com'], pin: pin('5678#') }),
  makeVmr('open', { aliases: ['open@example.com'] }),
]

type Entry = 'host' | 'guest' | 'wrong' | 'lone#'

interface LegModel {
  readonly id: string
  hungUp: boolean
  /** Typed (or dialled) the Host PIN, or needed none in a VMR without guests. */
  earnedHost: boolean
  /** Entered something that admits: the Host PIN, the Guest PIN, a lone # where guests need none. */
  earnedEntry: boolean
}

interface Model {
  readonly vmr: Vmr
  readonly legs: LegModel[]
  next: number
}

interface Real {
  readonly h: NodeHarness
}

const entryDigits = (vmr: Vmr, entry: Entry): string => {
  switch (entry) {
    case 'host':
      return vmr.pin === undefined ? '#' : pinDigits(vmr.pin) + '#'
    case 'guest':
      return vmr.guestPin === undefined ? '9#' : pinDigits(vmr.guestPin) + '#'
    case 'wrong':
      return '9090#'
    case 'lone#':
      return '#'
  }
}

/** What the model grants for an entry: only the rules of DESIGN §2, written plainly. */
const grant = (vmr: Vmr, leg: LegModel, entry: Entry): void => {
  const open = !vmr.allowGuests && vmr.pin === undefined
  if (open || (entry === 'host' && vmr.pin !== undefined)) {
    leg.earnedHost = true
    leg.earnedEntry = true
  }
  if (vmr.allowGuests && entry === 'guest' && vmr.guestPin !== undefined) leg.earnedEntry = true
  if (vmr.allowGuests && entry === 'lone#' && vmr.guestPin === undefined) leg.earnedEntry = true
}

const checkInvariants = (m: Model, r: Real): void => {
  const { h } = r
  const conf = h.state.conferences.get(m.vmr.id)
  const byId = new Map(m.legs.map((l) => [l.id, l]))
  assert.equal(conf?.screens.length ?? 0, conf?.participants.length ?? 0, 'a screen per participant')
  for (const p of conf?.participants ?? []) {
    const leg = byId.get(p.leg)
    assert.ok(leg !== undefined, `unknown participant ${p.leg}`)
    assert.ok(leg.earnedEntry || (!m.vmr.allowGuests && m.vmr.pin === undefined), `${p.leg} is in without a valid PIN`)
    if (p.role === 'host') assert.ok(leg.earnedHost, `${p.leg} has Host rights it never earned`)
    if (p.waiting) assert.ok(h.timers.has(`conf:${encodeURIComponent(m.vmr.id)}:host-wait:${p.leg}` as TimerId), `${p.leg} waits with no timer`)
    assert.equal(h.state.calls.get(p.leg)?.phase, 'participant')
  }
  // Gating is consistent: nobody waits while a Host is in.
  if (conf?.participants.some((p) => p.role === 'host' && !p.waiting)) assert.ok(conf.participants.every((p) => !p.waiting))

  for (const [key, call] of h.state.calls.entries()) {
    const leg = byId.get(key)
    assert.ok(leg !== undefined && !leg.hungUp, `a Call is kept for ${key}, which hung up`)
    assert.ok(!h.ended.has(LegId(key)), `a Call is kept for ${key}, which Parley hung up`)
    for (const name of call.timers) assert.ok(h.timers.has(`leg:${encodeURIComponent(key)}:${name}` as TimerId), `${key} thinks ${name} runs`)
    if (call.phase === 'pin-entry') assert.ok(call.timers.includes('pin-entry') || call.timers.includes('pin-digit'), `${key} is stuck at the prompt`)
    if (call.phase === 'farewell') assert.deepEqual(call.timers, ['farewell'])
  }
  for (const name of conf?.timers ?? []) {
    assert.ok(h.timers.has(`conf:${encodeURIComponent(m.vmr.id)}:${name}` as TimerId))
    const waiter = hostWaitLeg(name)
    if (waiter !== undefined) assert.ok(conf?.participants.some((p) => p.leg === waiter && p.waiting), `${name} outlives its waiting Guest`)
  }
  for (const timer of h.timers.keys()) {
    const parsed = parseTimerId(timer)
    assert.ok(parsed !== undefined)
    if (parsed.owner._tag === 'Leg') assert.ok(h.state.calls.get(parsed.owner.leg)?.timers.some((t) => t === parsed.name), `${timer} leaked`)
    else if (parsed.owner._tag === 'Conference') assert.ok(conf?.timers.includes(parsed.name), `${timer} leaked`)
  }
  for (const leg of m.legs) if (leg.hungUp) assert.ok(conf?.pending.includes(LegId(leg.id)) !== true)
}

/** Commands pick a leg still up when there is one (picks on departed legs are mostly no-ops). */
const legAt = (m: Model, pick: number): LegModel | undefined => {
  const up = m.legs.filter((l) => !l.hungUp)
  const from = up.length > 0 ? up : m.legs
  return from.length === 0 ? undefined : from[pick % from.length]
}

class Arrive implements fc.Command<Model, Real> {
  constructor(
    readonly dialPin: Entry | undefined,
    readonly audioOnly: boolean,
  ) {}
  check = (): boolean => true
  run(m: Model, r: Real): void {
    const leg: LegModel = { id: `l${m.next++}`, hungUp: false, earnedHost: false, earnedEntry: false }
    m.legs.push(leg)
    const alias = m.vmr.aliases[0]!
    const [user, domain] = alias.split('@')
    // A dial-string PIN must be a valid PIN to be one: a lone # cannot be dialled.
    const dialled = this.dialPin === undefined || this.dialPin === 'lone#' ? alias : `${user}**${entryDigits(m.vmr, this.dialPin).replace('#', '')}@${domain}`
    if (this.dialPin !== undefined && this.dialPin !== 'lone#' && entryDigits(m.vmr, this.dialPin).length > 4) grant(m.vmr, leg, this.dialPin)
    if (!m.vmr.allowGuests && m.vmr.pin === undefined) grant(m.vmr, leg, 'host')
    r.h.offer(leg.id, dialled, { offer: this.audioOnly ? audioOffer : videoOffer })
    checkInvariants(m, r)
  }
  toString = (): string => `Arrive(${this.dialPin ?? '-'}${this.audioOnly ? ', audio' : ''})`
}

class Type implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    readonly entry: Entry,
    readonly finished: boolean,
  ) {}
  check = (m: Model): boolean => m.legs.length > 0
  run(m: Model, r: Real): void {
    const leg = legAt(m, this.pick)!
    const digits = entryDigits(m.vmr, this.entry)
    // Unfinished: the digits without `#`, to be ended by the 5 s pause (or not at all).
    const keys = this.finished ? digits : digits.slice(0, -1)
    // Rights are granted only for entries that can complete; a lone # needs its #.
    if (!leg.hungUp && keys !== '') grant(m.vmr, leg, this.entry)
    r.h.keys(leg.id, keys)
    checkInvariants(m, r)
  }
  toString = (): string => `Type(${this.pick}, ${this.entry}${this.finished ? '' : ', no #'})`
}

class HangUp implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Model): boolean => m.legs.length > 0
  run(m: Model, r: Real): void {
    const leg = legAt(m, this.pick)!
    leg.hungUp = true
    r.h.hangUp(leg.id)
    checkInvariants(m, r)
  }
  toString = (): string => `HangUp(${this.pick})`
}

/** Fires any pending timer now, whatever its due time: the order of firing is arbitrary. */
class FireAny implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (): boolean => true
  run(m: Model, r: Real): void {
    const pending = [...r.h.timers.keys()].sort()
    const timer = pending[this.pick % Math.max(1, pending.length)]
    if (timer !== undefined) r.h.fire(timer)
    checkInvariants(m, r)
  }
  toString = (): string => `FireAny(${this.pick})`
}

/** Fires a timer the core has already cancelled or never started: it must change nothing. */
class FireStale implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    readonly name: string,
  ) {}
  check = (m: Model): boolean => m.legs.length > 0
  run(m: Model, r: Real): void {
    const leg = legAt(m, this.pick)!
    const timer = `leg:${leg.id}:${this.name}` as TimerId
    if (r.h.timers.has(timer)) return
    const before = r.h.state
    assert.deepEqual(r.h.send({ _tag: 'TimerFired', timer }), [])
    assert.equal(r.h.state.calls.get(leg.id), before.calls.get(leg.id))
    checkInvariants(m, r)
  }
  toString = (): string => `FireStale(${this.pick}, ${this.name})`
}

class Advance implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = (): boolean => true
  run(m: Model, r: Real): void {
    r.h.advance(this.ms)
    checkInvariants(m, r)
  }
  toString = (): string => `Advance(${this.ms})`
}

class Speak implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Model): boolean => m.legs.length > 0
  run(m: Model, r: Real): void {
    r.h.send({ _tag: 'ActiveSpeakerChanged', conference: m.vmr.id, leg: LegId(legAt(m, this.pick)!.id) })
    checkInvariants(m, r)
  }
  toString = (): string => `Speak(${this.pick})`
}

class Chat implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Model): boolean => m.legs.length > 0
  run(m: Model, r: Real): void {
    const sender = legAt(m, this.pick)!.id
    const delivered = only(r.h.chat(sender, 'hello'), 'DeliverChat')
    assert.ok(delivered.every((d) => d.leg !== sender), 'chat echoed to its sender')
    checkInvariants(m, r)
  }
  toString = (): string => `Chat(${this.pick})`
}

/** Hosted VMRs (where Guests wait) come up twice as often: most rules are about them. */
const vmrArb: fc.Arbitrary<Vmr> = fc.oneof({ arbitrary: fc.constantFrom(vmrs[0]!, vmrs[1]!), weight: 2 }, { arbitrary: fc.constantFrom(vmrs[2]!, vmrs[3]!), weight: 1 })
const entryArb: fc.Arbitrary<Entry> = fc.constantFrom('host', 'guest', 'wrong', 'lone#')
const pickArb = fc.nat({ max: 15 })
const arriveArb = fc.tuple(fc.option(entryArb, { nil: undefined }), fc.boolean()).map(([p, audio]) => new Arrive(p, audio))
const typeArb = fc.tuple(pickArb, entryArb, fc.boolean()).map(([p, e, f]) => new Type(p, e, f))
// Arrivals and PIN entries are listed more than once: they are what the properties are about,
// and runs need several of them on the same leg (e.g. a Guest PIN typed again while waiting).
const commandsArb = fc.commands(
  [
    arriveArb,
    arriveArb,
    typeArb,
    typeArb,
    typeArb,
    pickArb.map((p) => new HangUp(p)),
    pickArb.map((p) => new HangUp(p)),
    pickArb.map((p) => new FireAny(p)),
    fc.tuple(pickArb, fc.constantFrom('pin-entry', 'pin-digit', 'farewell', 'dtmf-pause')).map(([p, n]) => new FireStale(p, n)),
    fc.constantFrom(1_000, 5_000, 60_000, 1_800_000).map((ms) => new Advance(ms)),
    pickArb.map((p) => new Speak(p)),
    pickArb.map((p) => new Chat(p)),
  ],
  { maxCommands: 40 },
)

void describe('conference against a model (fc.commands)', () => {
  void it('never gives a Guest Host rights, never admits a wrong PIN, never strands or leaks', () => {
    fc.assert(
      fc.property(vmrArb, fc.constantFrom(0, 60), commandsArb, (vmr, guestsOnlyS, commands) => {
        const config = makeConfig({ vmrs, global: { guestsOnlyTimeoutS: guestsOnlyS, onlyOneParticipantTimeoutS: 120, hostWaitTimeoutS: 600 } })
        fc.modelRun(() => ({ model: { vmr, legs: [], next: 0 }, real: { h: new NodeHarness(config) } }), commands)
      }),
      { numRuns: 2000 },
    )
  })

  void it('always ends with nothing left once every caller has hung up and time has passed', () => {
    fc.assert(
      fc.property(vmrArb, commandsArb, (vmr, commands) => {
        const config = makeConfig({ vmrs })
        const model: Model = { vmr, legs: [], next: 0 }
        const real: Real = { h: new NodeHarness(config) }
        fc.modelRun(() => ({ model, real }), commands)
        for (const leg of model.legs) if (!leg.hungUp) real.h.hangUp(leg.id)
        real.h.advance(3_600_000)
        assert.equal(real.h.state.calls.size, 0)
        assert.equal(real.h.state.conferences.size, 0)
        assert.deepEqual([...real.h.timers.keys()], [])
      }),
      { numRuns: 500 },
    )
  })
})

void describe('races (fc.scheduler)', () => {
  const config = makeConfig({ vmrs, rules: [makeRule('1', '(.+)@rooms\\.example\\.com')] })

  void it('a caller hanging up at any point of PIN entry leaves nothing behind and is never answered after', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.constantFrom('hosted@example.com', 'single@example.com'), async (s, alias) => {
        const h = new NodeHarness(config)
        h.offer('a', alias)
        let endedAt = -1
        const digits = (alias.startsWith('hosted') ? '1234#' : '5678').split('')
        const typing = s.scheduleSequence(digits.map((d) => ({ label: `key ${d}`, builder: async () => h.keys('a', d) })))
        const bye = s.schedule(Promise.resolve('bye')).then(() => {
          h.hangUp('a')
          endedAt = h.log.length
        })
        const pause = s.schedule(Promise.resolve('pause')).then(() => h.advance(5_000))
        await s.waitAll()
        await Promise.all([typing.task, bye, pause])
        assert.ok(endedAt >= 0)
        const after = h.log.slice(endedAt)
        assert.ok(after.every((e) => !('leg' in e) || e.leg !== 'a'), `acted on the leg after it ended: ${JSON.stringify(after)}`)
        assert.equal(h.state.calls.size, 0)
        assert.equal(h.state.conferences.size, 0)
        assert.deepEqual([...h.timers.keys()], [])
      }),
      { numRuns: 200 },
    )
  })

  void it('CANCEL crossing the far end’s answer on a gateway call leaves nothing behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const h = new NodeHarness(config)
        h.offer('a', 'sip:room1@rooms.example.com')
        const cancel = s.schedule(Promise.resolve('cancel')).then(() => h.hangUp('a', 'cancel'))
        const answer = s.schedule(Promise.resolve('answer')).then(() => h.answer('a/out'))
        await s.waitAll()
        await Promise.all([cancel, answer])
        assert.equal(h.state.calls.size, 0)
        assert.equal(h.state.gateways.size, 0)
        // Whichever came first, the dial-out ends: hung up by Parley, or already answered and then hung up.
        assert.ok(only(h.log, 'Hangup').some((x) => x.leg === 'a/out'))
      }),
      { numRuns: 50 },
    )
  })
})
