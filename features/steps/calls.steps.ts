/** Calling, answering, the dial pad, video, hanging up, and time passing. */
import { When } from '@cucumber/cucumber'
import { farewellMessageMs, type ParleyWorld, type Person } from '../support/world.js'

When('{person} dials {address}', function (this: ParleyWorld, person: Person, address: string) {
  return this.act(person, (endpoint) => endpoint.dial(address))
})

When('{person} makes an audio-only call to {address}', function (this: ParleyWorld, person: Person, address: string) {
  return this.act(person, (endpoint) => endpoint.dial(address, 'audio-only'))
})

When('{person} calls {person} on Skype for Business', function (this: ParleyWorld, person: Person, callee: Person) {
  return this.actOnSfb(person, (client) => client.dial(`${callee.toLowerCase()}@example.com`))
})

When('{person} enters {digits} on the dial pad', function (this: ParleyWorld, person: Person, digits: string) {
  return this.act(person, (endpoint) => endpoint.enterDigits(digits))
})

When('{person} enters {digits} on the remote control', function (this: ParleyWorld, person: Person, digits: string) {
  return this.act(person, (endpoint) => endpoint.enterDigits(digits))
})

When('{person} answers', function (this: ParleyWorld, person: Person) {
  return this.act(person, (endpoint) => endpoint.answer())
})

When('{person} declines the call', function (this: ParleyWorld, person: Person) {
  return this.act(person, (endpoint) => endpoint.decline())
})

When('{person} hangs up', function (this: ParleyWorld, person: Person) {
  return this.act(person, (endpoint) => endpoint.hangUp())
})

When('{person} starts her/his/their video', function (this: ParleyWorld, person: Person) {
  return this.act(person, (endpoint) => endpoint.startVideo())
})

When('{person} adds {address} to the call', function (this: ParleyWorld, person: Person, address: string) {
  return this.actOnSfb(person, (client) => client.addToConversation(address))
})

When('{duration} pass/passes', function (this: ParleyWorld, ms: number) {
  return this.pass(ms)
})

When('the message has played', function (this: ParleyWorld) {
  return this.pass(farewellMessageMs)
})

When('{person} becomes the loudest speaker', function (this: ParleyWorld, person: Person) {
  return this.speak(person)
})
