/** What people see and hear in their calls and meetings. */
import { Then } from '@cucumber/cucumber'
import type { Layout } from '../../core/model/call.js'
import type { Sound } from '../../core/node/effect.js'
import type { SplashScreen } from '../../sim/network.js'
import {
  callAnswered,
  callFailed,
  doesNotSeeSplash,
  gotCallFrom,
  heardAgain,
  hears,
  hearsRinging,
  inACallTogether,
  isDisconnected,
  isIn,
  isInNoCall,
  isNotIn,
  neverSawSplash,
  receivedTones,
  sawJoin,
  screenPictureIs,
  sees,
  seesContactPictureOf,
  seesInLayout,
  seesSelf,
  seesSplash,
  stillRinging,
  stoppedRinging,
  videoFlow,
  wasCalled,
} from '../support/expectations.js'
import type { ParleyWorld, Person } from '../support/world.js'

Then('{person} is in {string}', function (this: ParleyWorld, person: Person, room: string) {
  return this.expect(person, isIn(room))
})

Then('{person} is not in {string}', function (this: ParleyWorld, person: Person, room: string) {
  return this.expect(person, isNotIn(room))
})

Then('{person} is not in a call', function (this: ParleyWorld, person: Person) {
  return this.expect(person, isInNoCall)
})

Then('{person} is disconnected', function (this: ParleyWorld, person: Person) {
  return this.expect(person, isDisconnected)
})

Then("{person}'s call fails", function (this: ParleyWorld, person: Person) {
  return this.expect(person, callFailed)
})

Then("{person}'s call is answered", function (this: ParleyWorld, person: Person) {
  return this.expect(person, callAnswered)
})

Then("{person}'s call stops ringing", function (this: ParleyWorld, person: Person) {
  return this.expect(person, stoppedRinging)
})

Then("{person}'s phone is still ringing", function (this: ParleyWorld, person: Person) {
  return this.expect(person, stillRinging)
})

Then('{person} hears ringing', function (this: ParleyWorld, person: Person) {
  return this.expect(person, hearsRinging)
})

Then('{person} hears {sound}', function (this: ParleyWorld, person: Person, sound: Sound) {
  return this.expect(person, hears(sound))
})

Then('{person} hears the PIN prompt again', function (this: ParleyWorld, person: Person) {
  return this.expect(person, heardAgain('pin-prompt'))
})

Then('{person} sees {splash}', function (this: ParleyWorld, person: Person, splash: SplashScreen) {
  return this.expect(person, seesSplash(splash))
})

Then('{person} does not see {splash}', function (this: ParleyWorld, person: Person, splash: SplashScreen) {
  return this.expect(person, doesNotSeeSplash(splash))
})

Then('{person} never saw {splash}', function (this: ParleyWorld, person: Person, splash: SplashScreen) {
  return this.expect(person, neverSawSplash(splash))
})

Then('{person} sees herself/himself/themselves', function (this: ParleyWorld, person: Person) {
  return this.expect(person, seesSelf)
})

Then('{person} sees {person}', function (this: ParleyWorld, person: Person, other: Person) {
  return this.expect(person, sees([other]))
})

Then('{person} sees {people}', function (this: ParleyWorld, person: Person, others: ReadonlyArray<Person>) {
  return this.expect(person, sees(others))
})

Then('{person} sees {person} in the {layout} layout', function (this: ParleyWorld, person: Person, other: Person, layout: Layout) {
  return this.expect(person, seesInLayout(other, layout))
})

Then('{person} receives video', function (this: ParleyWorld, person: Person) {
  return this.expect(person, videoFlow('receiving', true))
})

Then('{person} receives no video', function (this: ParleyWorld, person: Person) {
  return this.expect(person, videoFlow('receiving', false))
})

Then('{person} sends video', function (this: ParleyWorld, person: Person) {
  return this.expect(person, videoFlow('sending', true))
})

Then('{person} sends no video', function (this: ParleyWorld, person: Person) {
  return this.expect(person, videoFlow('sending', false))
})

Then('{person} sees the contact picture of {address}', function (this: ParleyWorld, person: Person, address: string) {
  return this.expect(person, seesContactPictureOf(address))
})

Then('{person} sees the default picture on her/his/their screen', function (this: ParleyWorld, person: Person) {
  return this.expect(person, screenPictureIs('default'))
})

Then("{person} sees the room's own picture on her/his/their screen", function (this: ParleyWorld, person: Person) {
  return this.expect(person, screenPictureIs('own'))
})

Then('{person} receives the tones {string}', function (this: ParleyWorld, person: Person, tones: string) {
  return this.expect(person, receivedTones(tones))
})

Then('{person} gets a call from {string}', function (this: ParleyWorld, person: Person, caller: string) {
  return this.expect(person, gotCallFrom(caller))
})

Then('{person} is called', function (this: ParleyWorld, person: Person) {
  return this.expect(person, wasCalled(1))
})

Then('{person} is not called', function (this: ParleyWorld, person: Person) {
  return this.expect(person, wasCalled(0))
})

Then('{person} was called {int} time(s)', function (this: ParleyWorld, person: Person, times: number) {
  return this.expect(person, wasCalled(times))
})

Then('{person} and {person} are (still )in a call together', function (this: ParleyWorld, a: Person, b: Person) {
  return this.expectBoth(a, b, inACallTogether)
})

Then('{person} sees {address} join the conversation', function (this: ParleyWorld, person: Person, address: string) {
  return this.expectSfb(person, sawJoin(address, true))
})

Then('{person} does not see {address} join the conversation', function (this: ParleyWorld, person: Person, address: string) {
  return this.expectSfb(person, sawJoin(address, false))
})
