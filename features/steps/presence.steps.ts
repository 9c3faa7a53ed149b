/** The Skype for Business contact list: presence, names and pictures. */
import { Then, When } from '@cucumber/cucumber'
import { contactIs, contactNamed, contactPicture } from '../support/expectations.js'
import type { ParleyWorld, Person } from '../support/world.js'

When('{person} adds {address} to her/his/their contacts', function (this: ParleyWorld, person: Person, address: string) {
  return this.actOnSfb(person, (client) => client.addContact(address))
})

When('{person} removes {address} from her/his/their contacts', function (this: ParleyWorld, person: Person, address: string) {
  return this.actOnSfb(person, (client) => client.removeContact(address))
})

Then('{person} sees {address} as Available', function (this: ParleyWorld, person: Person, address: string) {
  return this.expectSfb(person, contactIs(address, 'Available'))
})

Then('{person} sees {address} as Presence unknown', function (this: ParleyWorld, person: Person, address: string) {
  return this.expectSfb(person, contactIs(address, 'Presence unknown'))
})

Then('{person} sees {address} named {string}', function (this: ParleyWorld, person: Person, address: string, name: string) {
  return this.expectSfb(person, contactNamed(address, name))
})

Then('{person} sees {address} with the default picture', function (this: ParleyWorld, person: Person, address: string) {
  return this.expectSfb(person, contactPicture(address, 'default'))
})

Then('{person} sees {address} with its own picture', function (this: ParleyWorld, person: Person, address: string) {
  return this.expectSfb(person, contactPicture(address, 'own'))
})
