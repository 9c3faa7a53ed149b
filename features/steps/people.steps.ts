/** Who uses what, and how their system behaves before anyone calls. */
import { Given } from '@cucumber/cucumber'
import type { ParleyWorld, Person, SystemKind } from '../support/world.js'

Given('{person} uses {system}', function (this: ParleyWorld, person: Person, kind: SystemKind) {
  this.enrol(person, kind)
})

Given('{person} uses {system} at {address}', function (this: ParleyWorld, person: Person, kind: SystemKind, address: string) {
  this.enrol(person, kind, address)
})

Given('{person} does not answer calls', function (this: ParleyWorld, person: Person) {
  this.prepare(person, (endpoint) => (endpoint.away = true))
})

Given("{person}'s room system does not answer by itself", function (this: ParleyWorld, person: Person) {
  this.prepare(person, (endpoint) => (endpoint.autoAnswer = false))
})
