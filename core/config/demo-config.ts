/**
 * The demo configuration of DESIGN §6, seeded at first start when no file is given: the two
 * VMRs of the guide (guide/using-sfb-lync-with-vmrs.txt: `meet.alice@example.com`, "Alice's
 * meeting room", PIN 1234) and one gateway rule. Written as a configuration file, so it is read
 * by the same `decodeConfigFile` as any other.
 */
export const demoConfigFile = {
  global: {},
  conference: [
    {
      id: 1,
      name: "Alice's meeting room",
      description: 'Dial meet.alice**1234@example.com to skip the PIN prompt; guests press #',
      // Hosts enter 1234; with no Guest PIN, guests join with a lone # and wait for a Host.
      pin: '1234',
      guest_pin: '',
      allow_guests: true,
      aliases: [{ alias: 'meet.alice@example.com' }, { alias: '1001@example.com' }],
    },
    {
      id: 2,
      name: "Bob's room",
      description: 'No PIN: everyone who calls is a Host',
      pin: '',
      allow_guests: false,
      aliases: [{ alias: 'meet.bob@example.com' }],
    },
  ],
  conference_alias: [],
  automatic_participant: [],
  gateway_routing_rule: [
    {
      id: 1,
      name: 'Rooms',
      description: 'Calls to any room at rooms.example.com go out over SIP to the same address',
      priority: 100,
      enable: true,
      match_incoming_calls: true,
      match_outgoing_calls: false,
      match_incoming_sip: true,
      match_incoming_mssip: true,
      match_incoming_h323: false,
      match_incoming_webrtc: false,
      match_string: '(.+)@rooms\\.example\\.com',
      replace_string: '',
      outgoing_protocol: 'sip',
      call_type: 'video',
    },
  ],
} as const
