/** Sharing screens, programs and content, and what others see of it. */
import { Then, When } from '@cucumber/cucumber'
import { isPresenting, seesBanner, seesContent, seesNoContent, seesSpeakerWithContent } from '../support/expectations.js'
import type { ParleyWorld, Person } from '../support/world.js'

When('{person} shares {shared}', function (this: ParleyWorld, person: Person, _what: string) {
  return this.act(person, (endpoint) => endpoint.share())
})

When('{person} stops sharing', function (this: ParleyWorld, person: Person) {
  return this.act(person, (endpoint) => endpoint.stopSharing())
})

Then('{person} is presenting', function (this: ParleyWorld, person: Person) {
  return this.expect(person, isPresenting(true))
})

Then('{person} is not presenting', function (this: ParleyWorld, person: Person) {
  return this.expect(person, isPresenting(false))
})

Then('{person} sees {string} is presenting', function (this: ParleyWorld, person: Person, presenter: string) {
  return this.expect(person, seesBanner(presenter))
})

Then('{person} sees content', function (this: ParleyWorld, person: Person) {
  return this.expect(person, seesContent)
})

Then('{person} does not see content', function (this: ParleyWorld, person: Person) {
  return this.expect(person, seesNoContent)
})

Then('{person} sees content with {person} in a small window', function (this: ParleyWorld, person: Person, speaker: Person) {
  return this.expect(person, seesSpeakerWithContent(speaker))
})
