/**
 * The words steps are made of, shared by every world: people, addresses, digits, durations,
 * layouts, screens, sounds, and the names of systems and timeouts as users and administrators
 * say them.
 */
import { defineParameterType } from '@cucumber/cucumber'
import type { Layout } from '../../core/model/call.js'
import type { Sound } from '../../core/node/effect.js'
import type { SplashScreen } from '../../sim/network.js'

defineParameterType({ name: 'person', regexp: /[A-Z][a-z]+/, transformer: (s: string) => s })

/** "Bob and Carol", "Carol, Dave and Erin". */
defineParameterType({
  name: 'people',
  regexp: /[A-Z][a-z]+(?:, [A-Z][a-z]+)* and [A-Z][a-z]+/,
  transformer: (s: string) => s.split(/, | and /),
})

/** An address as typed: `meet.alice**1234@example.com`, `<sip:...>`, `"Bob's room" <sip:...>`. */
defineParameterType({ name: 'address', regexp: /"[^"]*" <[^>]+>|<[^>]+>|[^\s"<>]+@[^\s"<>]+/, transformer: (s: string) => s })

/** What a dial pad sends: digits, `*`, `#`. */
defineParameterType({ name: 'digits', regexp: /[0-9*#A-D]+/, transformer: (s: string) => s })

const unitMs: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 }
defineParameterType({
  name: 'duration',
  regexp: /(\d+) (second|minute|hour|day)s?/,
  transformer: (count: string, unit: string) => Number(count) * (unitMs[unit] ?? Number.NaN),
})

const layouts: Record<string, Layout> = {
  '1+0': 'one_main_zero_pips',
  '1+7': 'one_main_seven_pips',
  '1+21': 'one_main_twentyone_pips',
  '2+21': 'two_mains_twentyone_pips',
  '2x2': 'four_mains_zero_pips',
  '3x3': 'nine_mains_zero_pips',
  '4x4': 'sixteen_mains_zero_pips',
  '5x5': 'twentyfive_mains_zero_pips',
  adaptive: 'five_mains_seven_pips',
}
defineParameterType({ name: 'layout', regexp: /1\+0|1\+7|1\+21|2\+21|2x2|3x3|4x4|5x5|adaptive/, transformer: (s: string) => layouts[s] })

const splashes: Record<string, SplashScreen> = {
  'the PIN entry screen': 'pin-entry',
  'the "Waiting for the host" screen': 'waiting-for-host',
  'the invalid PIN screen': 'invalid-pin',
  'the conference ending screen': 'conference-ending',
}
defineParameterType({
  name: 'splash',
  regexp: /the PIN entry screen|the "Waiting for the host" screen|the invalid PIN screen|the conference ending screen/,
  transformer: (s: string) => splashes[s],
})

const sounds: Record<string, Sound> = {
  'the PIN prompt': 'pin-prompt',
  'hold music': 'hold-music',
  'the invalid PIN message': 'invalid-pin',
  'the conference ending message': 'conference-ending',
}
defineParameterType({
  name: 'sound',
  regexp: /the PIN prompt|hold music|the invalid PIN message|the conference ending message/,
  transformer: (s: string) => sounds[s],
})

defineParameterType({
  name: 'system',
  regexp: /Skype for Business|a SIP room system|an H\.323 room system|the web app|a SIP video app/,
  transformer: (s: string) => s,
})

/** What SfB users share; for Parley all of it is content (VbSS or RDP). */
defineParameterType({ name: 'shared', regexp: /her screen|his screen|their screen|a program|a PowerPoint file|content/, transformer: (s: string) => s })

/** Global timeouts by the names the administration pages give them (DESIGN §6 `global`). */
const timeouts: Record<string, string> = {
  'host wait timeout': 'host_wait_timeout_s',
  'guests-only timeout': 'guests_only_timeout_s',
  'PIN entry timeout': 'pin_entry_timeout_s',
  'only-one-participant timeout': 'only_one_participant_timeout_s',
  'automatic dialling delay': 'adp_delay_s',
  'ring timeout': 'ring_timeout_s',
}
defineParameterType({
  name: 'timeout',
  regexp: /host wait timeout|guests-only timeout|PIN entry timeout|only-one-participant timeout|automatic dialling delay|ring timeout/,
  transformer: (s: string) => timeouts[s],
})

/** A gateway rule's incoming-protocol switches (PROTOCOLS 3.6). */
const incoming: Record<string, string> = {
  'Skype for Business': 'match_incoming_mssip',
  SIP: 'match_incoming_sip',
  'H.323': 'match_incoming_h323',
  'the web app': 'match_incoming_webrtc',
}
defineParameterType({ name: 'incoming', regexp: /Skype for Business|SIP|H\.323|the web app/, transformer: (s: string) => incoming[s] })

defineParameterType({ name: 'role', regexp: /Hosts|Guests/, transformer: (s: string) => (s === 'Hosts' ? 'host_view' : 'guest_view') })
