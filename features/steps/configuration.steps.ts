/** The administrator's configuration: rooms, PINs, automatic participants, gateway rules, timeouts. */
import { Given, When, type DataTable } from '@cucumber/cucumber'
import { fieldsOf, pictureHash } from '../support/table-fields.js'
import type { ParleyWorld } from '../support/world.js'

Given('Parley runs the demo configuration', function (this: ParleyWorld) {
  return this.configure(() => undefined)
})

Given('a meeting room {string} at {address}', function (this: ParleyWorld, room: string, alias: string) {
  return this.configure((file) => file.addRoom(room, alias))
})

Given('{string} also answers at {address}', function (this: ParleyWorld, room: string, alias: string) {
  return this.configure((file) => file.addAlias(room, alias))
})

Given('{string} has the PIN {digits}', function (this: ParleyWorld, room: string, pin: string) {
  return this.configure((file) => file.updateRoom(room, { pin, allow_guests: false }))
})

Given('{string} has the Host PIN {digits} and the Guest PIN {digits}', function (this: ParleyWorld, room: string, pin: string, guestPin: string) {
  return this.configure((file) => file.updateRoom(room, { pin, guest_pin: guestPin, allow_guests: true }))
})

Given('{string} has the Host PIN {digits} and lets Guests in without a PIN', function (this: ParleyWorld, room: string, pin: string) {
  return this.configure((file) => file.updateRoom(room, { pin, allow_guests: true }))
})

Given('the administrator gives {role} of {string} the {layout} layout', function (this: ParleyWorld, field: string, room: string, layout: string) {
  return this.configure((file) => file.updateRoom(room, { [field]: layout }))
})

Given('the administrator sets the audio-only view of {string} to {word}', function (this: ParleyWorld, room: string, view: string) {
  return this.configure((file) => file.updateRoom(room, { audio_only_view: view }))
})

Given('the administrator limits {string} to {word} calls', function (this: ParleyWorld, room: string, callType: string) {
  return this.configure((file) => file.updateRoom(room, { call_type: callType }))
})

Given('the administrator turns chat off in {string}', function (this: ParleyWorld, room: string) {
  return this.configure((file) => file.updateRoom(room, { enable_chat: 'no' }))
})

Given('the administrator lets only Hosts present in {string}', function (this: ParleyWorld, room: string) {
  return this.configure((file) => file.updateRoom(room, { guests_can_present: false }))
})

When('the administrator gives {string} its own picture', function (this: ParleyWorld, room: string) {
  return this.configure((file) => file.updateRoom(room, pictureHash(room)))
})

When('the administrator removes {string}', function (this: ParleyWorld, room: string) {
  return this.configure((file) => file.removeRoom(room))
})

When('the administrator renames {string} to {string}', function (this: ParleyWorld, room: string, name: string) {
  return this.configure((file) => file.updateRoom(room, { name }))
})

Given('{string} automatically dials {address}', function (this: ParleyWorld, room: string, alias: string) {
  return this.configure((file) => file.addAutomaticParticipant(room, alias, {}))
})

Given('{string} automatically dials {address} with:', function (this: ParleyWorld, room: string, alias: string, table: DataTable) {
  return this.configure((file) => file.addAutomaticParticipant(room, alias, fieldsOf(table)))
})

Given('the gateway rule {string}:', function (this: ParleyWorld, name: string, table: DataTable) {
  return this.configure((file) => file.addRule(name, fieldsOf(table)))
})

When('the administrator disables the gateway rule {string}', function (this: ParleyWorld, name: string) {
  return this.configure((file) => file.updateRule(name, { enable: false }))
})

When('the administrator enables the gateway rule {string}', function (this: ParleyWorld, name: string) {
  return this.configure((file) => file.updateRule(name, { enable: true }))
})

Given('the gateway rule {string} does not take calls from {incoming}', function (this: ParleyWorld, name: string, field: string) {
  return this.configure((file) => file.updateRule(name, { [field]: false }))
})

Given('the gateway rule {string} takes calls from registered callers only', function (this: ParleyWorld, name: string) {
  return this.configure((file) => file.updateRule(name, { match_incoming_only_if_registered: true }))
})

Given('the {timeout} is {duration}', function (this: ParleyWorld, field: string, ms: number) {
  return this.configure((file) => file.setGlobal(field, ms / 1000))
})

Given('Parley locks a caller out for {duration} after {int} wrong PINs within {duration}', function (this: ParleyWorld, blockMs: number, failures: number, windowMs: number) {
  return this.configure((file) => file.setGlobal('pin_lockout', { failures, window_s: windowMs / 1000, block_s: blockMs / 1000 }))
})
