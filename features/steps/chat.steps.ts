/** Instant messages: sending, typing, reading. */
import { Then, When } from '@cucumber/cucumber'
import { noChat, reads, readsExactly } from '../support/expectations.js'
import type { ParleyWorld, Person } from '../support/world.js'

When('{person} sends {string}', function (this: ParleyWorld, person: Person, text: string) {
  return this.act(person, (endpoint) => endpoint.sendChat(text))
})

When('{person} starts typing', function (this: ParleyWorld, person: Person) {
  return this.actOnSfb(person, (client) => client.typing())
})

Then('{person} reads {string}', function (this: ParleyWorld, person: Person, text: string) {
  return this.expect(person, reads(text))
})

Then('{person} reads {string} from {address}', function (this: ParleyWorld, person: Person, text: string, from: string) {
  return this.expect(person, reads(text, from))
})

Then('{person} reads {string} and {string} in that order', function (this: ParleyWorld, person: Person, first: string, second: string) {
  return this.expect(person, readsExactly([first, second]))
})

Then('{person} reads only {string}', function (this: ParleyWorld, person: Person, text: string) {
  return this.expect(person, readsExactly([text]))
})

Then('{person} receives no chat', function (this: ParleyWorld, person: Person) {
  return this.expect(person, noChat)
})
