/**
 * What "Alice sees ...", "Bob hears ...", "Carol reads ..." mean, as checks on the endpoint
 * models. Shared by every world; each failure says what the person perceives instead.
 */
import assert from 'node:assert/strict'
import type { Layout } from '../../core/model/call.js'
import type { Sound } from '../../core/node/effect.js'
import { addressKey } from '../../sim/address.js'
import type { Endpoint, Screen } from '../../sim/endpoints/endpoint.js'
import type { SfbClient } from '../../sim/endpoints/sfb-client.js'
import type { SimCall } from '../../sim/endpoints/sim-call.js'
import type { ContactPicture, SplashScreen } from '../../sim/network.js'

/** A one-line account of what a person's system is doing, for failure messages. */
export const describe = (e: Endpoint): string => {
  const call = e.currentCall
  if (call === undefined) return `${e.name} has had no call`
  const parts = [
    `call to/from ${call.remote}: ${call.status}`,
    call.failure === undefined ? '' : `failed ${call.failure.status} ${call.failure.reason}`,
    call.endReason === undefined ? '' : `ended (${call.endReason})`,
    `screen ${JSON.stringify(e.screen)}`,
    `hears ${JSON.stringify(call.hearing)}${call.sound === undefined ? '' : ` and last the ${call.sound}`}`,
    `video sending ${call.media.video.sending}, receiving ${call.media.video.receiving}`,
  ]
  return `${e.name}: ${parts.filter((p) => p !== '').join('; ')}`
}

const mainCall = (e: Endpoint): SimCall => {
  const call = e.currentCall
  assert.ok(call !== undefined, `${e.name} has had no call`)
  return call
}

/** Whose pictures are on the screen: the people in the layout, or the far end of a point-to-point call. */
const visiblePeople = (screen: Screen): ReadonlyArray<string> => {
  switch (screen.kind) {
    case 'composed':
      return screen.participants
    case 'far-end':
      return [screen.party]
    default:
      return []
  }
}

export const isIn = (room: string) => (e: Endpoint): void => {
  const call = mainCall(e)
  assert.ok(
    call.status === 'connected' && call.hearing.kind === 'conference' && call.hearing.room === room && e.screen.kind !== 'splash',
    `${e.name} is not in "${room}". ${describe(e)}`,
  )
}

export const isNotIn = (room: string) => (e: Endpoint): void => {
  const call = e.currentCall
  const inside = call !== undefined && call.status === 'connected' && call.hearing.kind === 'conference' && call.hearing.room === room && e.screen.kind !== 'splash'
  assert.ok(!inside, `${e.name} is in "${room}". ${describe(e)}`)
}

export const isInNoCall = (e: Endpoint): void => {
  assert.ok(!e.calls.some((c) => c.live), `${e.name} is still in a call. ${describe(e)}`)
}

/** The far side ended the call (not the person hanging up themselves). */
export const isDisconnected = (e: Endpoint): void => {
  const call = mainCall(e)
  assert.ok(call.status === 'ended' && call.endReason !== 'hung up', `${e.name} is not disconnected. ${describe(e)}`)
}

export const callFailed = (e: Endpoint): void => {
  const call = mainCall(e)
  assert.ok(call.status === 'failed', `${e.name}'s call did not fail. ${describe(e)}`)
}

export const callAnswered = (e: Endpoint): void => {
  const call = mainCall(e)
  assert.ok(call.status === 'connected', `${e.name}'s call is not answered. ${describe(e)}`)
}

export const hearsRinging = (e: Endpoint): void => {
  assert.equal(mainCall(e).status, 'ringing', `${e.name} hears no ringing. ${describe(e)}`)
}

export const seesSplash = (splash: SplashScreen) => (e: Endpoint): void => {
  const screen = e.screen
  assert.ok(screen.kind === 'splash' && screen.splash === splash, `${e.name} does not see the ${splash} screen. ${describe(e)}`)
}

export const doesNotSeeSplash = (splash: SplashScreen) => (e: Endpoint): void => {
  const screen = e.screen
  assert.ok(!(screen.kind === 'splash' && screen.splash === splash), `${e.name} sees the ${splash} screen. ${describe(e)}`)
}

export const neverSawSplash = (splash: SplashScreen) => (e: Endpoint): void => {
  const seen = e.calls.some((c) => c.pictures.some((p) => p.kind === 'splash' && p.splash === splash))
  assert.ok(!seen, `${e.name} saw the ${splash} screen`)
}

export const hears = (sound: Sound) => (e: Endpoint): void => {
  const call = mainCall(e)
  assert.equal(call.sound, sound, `${e.name} does not hear the ${sound}. ${describe(e)}`)
}

/** Played more than once on this call, the last time just now. */
export const heardAgain = (sound: Sound) => (e: Endpoint): void => {
  const call = mainCall(e)
  assert.ok(call.sound === sound && call.sounds.filter((s) => s === sound).length > 1, `${e.name} does not hear the ${sound} again. ${describe(e)}`)
}

export const seesSelf = (e: Endpoint): void => {
  assert.equal(e.screen.kind, 'self-view', `${e.name} does not see themselves. ${describe(e)}`)
}

export const sees = (people: ReadonlyArray<string>) => (e: Endpoint): void => {
  const visible = visiblePeople(e.screen)
  const missing = people.filter((p) => !visible.includes(p))
  assert.deepEqual(missing, [], `${e.name} does not see ${missing.join(', ')}. ${describe(e)}`)
}

export const seesInLayout = (person: string, layout: Layout) => (e: Endpoint): void => {
  const screen = e.screen
  assert.ok(
    screen.kind === 'composed' && screen.layout === layout && screen.participants.includes(person),
    `${e.name} does not see ${person} in the ${layout} layout. ${describe(e)}`,
  )
}

export const seesContent = (e: Endpoint): void => {
  assert.equal(e.screen.kind, 'content', `${e.name} sees no content. ${describe(e)}`)
}

export const seesNoContent = (e: Endpoint): void => {
  assert.notEqual(e.screen.kind, 'content', `${e.name} sees content. ${describe(e)}`)
}

export const seesSpeakerWithContent = (speaker: string) => (e: Endpoint): void => {
  const screen = e.screen
  assert.ok(screen.kind === 'content' && screen.speaker === speaker, `${e.name} does not see ${speaker} in a small window beside content. ${describe(e)}`)
}

/** The presentation banner (SfB: "<name> is presenting"). */
export const seesBanner = (presenter: string) => (e: Endpoint): void => {
  const screen = e.screen
  assert.ok(
    screen.kind === 'content' && screen.banner === `${presenter} is presenting`,
    `${e.name} does not see "${presenter} is presenting". ${describe(e)}`,
  )
}

export const isPresenting = (presenting: boolean) => (e: Endpoint): void => {
  assert.equal(mainCall(e).presenting, presenting, `${e.name} is ${presenting ? 'not ' : ''}presenting. ${describe(e)}`)
}

export const videoFlow = (direction: 'sending' | 'receiving', flowing: boolean) => (e: Endpoint): void => {
  assert.equal(mainCall(e).media.video[direction], flowing, `${e.name}'s video ${direction}: expected ${flowing}. ${describe(e)}`)
}

export const receivedTones = (tones: string) => (e: Endpoint): void => {
  assert.equal(mainCall(e).tones, tones, `${e.name} received other tones. ${describe(e)}`)
}

const sameAddress = (a: string, b: string): boolean => (addressKey(a) ?? a) === (addressKey(b) ?? b)

export const wasCalled = (times: number) => (e: Endpoint): void => {
  const incoming = e.calls.filter((c) => c.direction === 'incoming')
  assert.equal(incoming.length, times, `${e.name} was called ${incoming.length} times`)
}

export const gotCallFrom = (caller: string) => (e: Endpoint): void => {
  const from = e.calls.filter((c) => c.direction === 'incoming').map((c) => c.caller?.displayName)
  assert.ok(from.includes(caller), `${e.name} got no call from "${caller}" (calls from: ${JSON.stringify(from)})`)
}

/** An incoming call is alerting: the phone rings, unanswered. */
export const stillRinging = (e: Endpoint): void => {
  const incoming = e.calls.filter((c) => c.direction === 'incoming')
  assert.ok(incoming.some((c) => c.status === 'alerting'), `${e.name}'s phone does not ring. ${describe(e)}`)
}

export const stoppedRinging = (e: Endpoint): void => {
  const incoming = e.calls.filter((c) => c.direction === 'incoming')
  assert.ok(incoming.length > 0 && incoming.every((c) => c.status === 'ended'), `${e.name}'s call still rings. ${describe(e)}`)
}

/** Two people in one point-to-point call: each hears the other. */
export const inACallTogether = (a: Endpoint, b: Endpoint): void => {
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const call = self.calls.find((c) => c.live && c.status === 'connected' && c.hearing.kind === 'far-end' && c.hearing.party === other.name)
    assert.ok(call !== undefined, `${self.name} is not in a call with ${other.name}. ${describe(self)}`)
  }
}

export const reads = (text: string, from?: string) => (e: Endpoint): void => {
  const lines = e.chatLines.filter((l) => l.text === text && (from === undefined || sameAddress(l.from.uri, from)))
  assert.ok(lines.length > 0, `${e.name} did not read "${text}"${from === undefined ? '' : ` from ${from}`} (read: ${JSON.stringify(e.chatLines)})`)
}

export const readsExactly = (texts: ReadonlyArray<string>) => (e: Endpoint): void => {
  assert.deepEqual(
    e.chatLines.map((l) => l.text),
    texts,
    `${e.name} read something else`,
  )
}

export const noChat = (e: Endpoint): void => {
  assert.deepEqual(e.chatLines, [], `${e.name} received chat`)
}

// Skype for Business only: the contact list, the conversation window.

export const contactIs = (address: string, state: 'Available' | 'Presence unknown') => (c: SfbClient): void => {
  const contact = c.contact(address)
  assert.equal(contact?.state, state, `${c.name} sees ${address} as ${contact?.state ?? 'not a contact'}`)
}

export const contactNamed = (address: string, name: string) => (c: SfbClient): void => {
  const contact = c.contact(address)
  assert.ok(contact?.state === 'Available' && contact.displayName === name, `${c.name} sees ${address} as ${JSON.stringify(contact)}`)
}

export type PictureKind = 'default' | 'own'
const pictureIs = (picture: ContactPicture | undefined, kind: PictureKind): boolean =>
  kind === 'default' ? picture?.kind === 'product-logo' : picture?.kind === 'image'

export const contactPicture = (address: string, kind: PictureKind) => (c: SfbClient): void => {
  const contact = c.contact(address)
  assert.ok(contact?.state === 'Available' && pictureIs(contact.picture, kind), `${c.name} sees ${address} as ${JSON.stringify(contact)}`)
}

export const seesContactPictureOf = (address: string) => (e: Endpoint): void => {
  const screen = e.screen
  assert.ok(screen.kind === 'contact-picture' && sameAddress(screen.of, address), `${e.name} does not see the contact picture of ${address}. ${describe(e)}`)
}

export const screenPictureIs = (kind: PictureKind) => (e: Endpoint): void => {
  const screen = e.screen
  assert.ok(screen.kind === 'contact-picture' && pictureIs(screen.picture, kind), `${e.name} does not see the ${kind} picture. ${describe(e)}`)
}

export const sawJoin = (address: string, joined: boolean) => (c: SfbClient): void => {
  const present = c.addedToConversation.some((a) => a.address === address && a.call.status === 'connected')
  assert.equal(present, joined, `${c.name} ${joined ? 'does not see' : 'sees'} ${address} in the conversation (${JSON.stringify(c.addedToConversation.map((a) => [a.address, a.call.status]))})`)
}
