/** Where a person's system can be reached when the scenario does not say. */
import type { Person, SystemKind } from './world.js'

export const defaultAddress = (person: Person, kind: SystemKind): string => {
  const name = person.toLowerCase()
  switch (kind) {
    case 'Skype for Business':
      return `${name}@example.com`
    case 'a SIP room system':
      return `${name}-room@rooms.example.com`
    case 'an H.323 room system':
      return `${name}-room@h323.example.com`
    case 'the web app':
      return `${name}@web.example.com`
    case 'a SIP video app':
      return `${name}@sip.example.com`
  }
}
