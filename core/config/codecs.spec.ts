import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  adpRoles,
  adpRoutings,
  audioOnlyViews,
  callTypes,
  decodeConfigFile,
  defaultGlobalSettings,
  enableChatValues,
  encodeConfigFile,
  keepConferenceAliveValues,
  layouts,
  outgoingProtocols,
  ruleCallTypes,
  type ConfigProblem,
} from './codecs.js'
import type { GlobalSettings, NodeConfig } from './model.js'
import { ConferenceId } from '../model/ids.js'
import { aliasKey, parseDialString } from '../dial-string/dial-string.js'
import type { Pin } from '../dial-string/pin.js'

const decoded = (json: unknown): NodeConfig => {
  const result = decodeConfigFile(json)
  assert.ok(E.isRight(result), `should decode, got ${JSON.stringify(result)}`)
  return result.right
}

const problemsOf = (json: unknown): ReadonlyArray<ConfigProblem> => {
  const result = decodeConfigFile(json)
  assert.ok(E.isLeft(result), 'should be refused')
  assert.equal(result.left._tag, 'ConfigInvalid')
  return result.left.problems
}

const defaultGlobal: GlobalSettings = {
  pinEntryTimeoutS: 60,
  hostWaitTimeoutS: 1800,
  guestsOnlyTimeoutS: 60,
  onlyOneParticipantTimeoutS: 0,
  adpDelayS: 10,
  trustedPeers: ['127.0.0.1', '::1'],
  rtpPortMin: 40000,
  rtpPortMax: 49999,
  pinLockout: { failures: 10, windowS: 60, blockS: 300 },
}

const conferenceUri = (id: number): string => `/api/admin/configuration/v1/conference/${id}/`

void describe('decodeConfigFile: defaults', () => {
  void it('reads an empty document as the defaults of DESIGN §6', () => {
    assert.deepEqual(decoded({}), { global: defaultGlobal, vmrs: [], adps: [], rules: [] })
  })

  void it('exports the same defaults as defaultGlobalSettings', () => {
    assert.deepEqual(defaultGlobalSettings, defaultGlobal)
  })

  void it('fills every field Pexip defaults', () => {
    const config = decoded({
      conference: [{ name: 'Room', aliases: [{ alias: 'room@example.com' }] }],
      automatic_participant: [{ alias: 'sip:recorder@example.com', conference: [conferenceUri(1)] }],
      gateway_routing_rule: [{ name: 'All', priority: 50, match_string: '.+' }],
    })
    assert.deepEqual(config.vmrs, [
      {
        id: ConferenceId('1'),
        name: 'Room',
        description: '',
        aliases: ['room@example.com'],
        allowGuests: false,
        callType: 'video',
        hostView: 'one_main_seven_pips',
        guestView: 'one_main_seven_pips',
        guestsCanPresent: true,
        enableChat: true,
        audioOnlyView: 'room',
      },
    ])
    assert.deepEqual(config.adps, [
      {
        id: '1',
        conferenceIds: [ConferenceId('1')],
        alias: 'sip:recorder@example.com',
        protocol: 'sip',
        callType: 'video',
        role: 'guest',
        dtmfSequence: '',
        keepConferenceAlive: 'if_multiple',
        remoteDisplayName: '',
        routing: 'manual',
      },
    ])
    assert.deepEqual(config.rules, [
      {
        id: '1',
        name: 'All',
        priority: 50,
        enabled: true,
        matchIncomingCalls: true,
        matchOutgoingCalls: false,
        matchIncomingProtocols: ['sip', 'mssip', 'h323', 'webrtc'],
        matchIncomingOnlyIfRegistered: false,
        matchString: '.+',
        replaceString: '',
        outgoingProtocol: 'sip',
        callType: 'video',
        treatAsTrusted: false,
      },
    ])
  })

  void it('takes global settings and keeps defaults for the rest', () => {
    const config = decoded({
      global: {
        host_wait_timeout_s: 2,
        guests_only_timeout_s: 0.5,
        pin_lockout: { failures: 3 },
        default_sip_proxy: '10.0.0.1:5060',
        default_mssip_proxy: null,
        ring_timeout_s: 45,
      },
    })
    assert.deepEqual(config.global, {
      ...defaultGlobal,
      hostWaitTimeoutS: 2,
      guestsOnlyTimeoutS: 0.5,
      pinLockout: { failures: 3, windowS: 60, blockS: 300 },
      defaultSipProxy: '10.0.0.1:5060',
      ringTimeoutS: 45,
    })
  })
})

void describe('decodeConfigFile: Pexip-shaped objects', () => {
  void it('reads a Pexip export: nulls, "" PINs, extra fields, aliases listed both nested and alone', () => {
    const config = decoded({
      conference: [
        {
          id: 7,
          resource_uri: conferenceUri(7),
          name: "Alice's meeting room",
          service_type: 'conference',
          pin: '1234',
          guest_pin: '',
          allow_guests: true,
          enable_chat: 'default',
          avatar: null,
          tag: '',
          max_callrate_in: null,
          aliases: [
            { alias: 'meet.alice@example.com', conference: conferenceUri(7), id: 3, creation_time: '2024-01-01T00:00:00' },
          ],
        },
        { id: 9, name: "Bob's room", enable_chat: 'no', audio_only_view: 'avatar', avatar: 'a1b2c3', call_type: 'audio' },
      ],
      conference_alias: [
        { id: 3, resource_uri: '/api/admin/configuration/v1/conference_alias/3/', alias: 'meet.alice@example.com', conference: conferenceUri(7) },
        { id: 4, alias: '555678', conference: conferenceUri(7), description: 'numeric' },
        { alias: 'meet.bob@example.com', conference: conferenceUri(9) },
      ],
      automatic_participant: [
        { alias: 'room@10.0.0.5', conference: [conferenceUri(9), conferenceUri(7)], role: 'chair', keep_conference_alive: 'keep_conference_alive_never', dtmf_sequence: '1234#,,5' },
      ],
    })
    assert.deepEqual(
      config.vmrs.map((v) => [v.id, v.aliases, v.pin, v.guestPin, v.enableChat, v.audioOnlyView, v.avatarHash, v.callType]),
      [
        [ConferenceId('7'), ['meet.alice@example.com', '555678'], '1234', undefined, true, 'room', undefined, 'video'],
        [ConferenceId('9'), ['meet.bob@example.com'], undefined, undefined, false, 'avatar', 'a1b2c3', 'audio'],
      ],
    )
    assert.deepEqual(config.adps[0]?.conferenceIds, [ConferenceId('9'), ConferenceId('7')])
    assert.equal(config.adps[0]?.role, 'host')
    assert.equal(config.adps[0]?.keepConferenceAlive, 'never')
  })

  void it('numbers objects without ids after the largest id given, or by their resource_uri', () => {
    const config = decoded({
      conference: [{ name: 'a' }, { id: 5, name: 'b' }, { name: 'c' }, { resource_uri: conferenceUri(12), name: 'd' }],
      gateway_routing_rule: [
        { name: 'r', priority: 1, match_string: 'x' },
        { resource_uri: '/api/admin/configuration/v1/gateway_routing_rule/4/', name: 's', priority: 2, match_string: 'y' },
      ],
    })
    assert.deepEqual(
      config.vmrs.map((v) => v.id),
      ['13', '5', '14', '12'].map(ConferenceId),
    )
    assert.deepEqual(
      config.rules.map((r) => r.id),
      ['5', '4'],
    )
  })
})

void describe('decodeConfigFile: problems name the field at fault', () => {
  const alice = { id: 1, name: 'Alice', pin: '1234', allow_guests: true, aliases: [{ alias: 'meet.alice@example.com' }] }
  const bob = { id: 2, name: 'Bob', aliases: [{ alias: 'meet.bob@example.com' }] }
  const rule = { name: 'Rooms', priority: 100, match_string: '(.+)@rooms\\.example\\.com' }
  const cases: ReadonlyArray<readonly [string, unknown, string, RegExp]> = [
    ['a document that is not an object', [], '', /expected a JSON object/],
    ['a malformed PIN', { conference: [{ ...alice, pin: '12' }] }, 'conference[0].pin', /at least 4/],
    ['a PIN with letters', { conference: [{ ...alice, pin: '12ab' }] }, 'conference[0].pin', /digits/],
    ['guests without a Host PIN', { conference: [{ ...alice, pin: '' }] }, 'conference[0].pin', /allows guests needs a Host PIN/],
    ['a Guest PIN equal to the Host PIN', { conference: [{ ...alice, guest_pin: '1234#' }] }, 'conference[0].guest_pin', /differ/],
    ['a Guest PIN without guests', { conference: [{ ...bob, guest_pin: '5678' }] }, 'conference[0].guest_pin', /allow_guests/],
    [
      'an alias used by two VMRs (scheme, case and parameters aside)',
      { conference: [alice, bob], conference_alias: [{ alias: 'x@example.com', conference: conferenceUri(2) }, { alias: 'y@example.com', conference: conferenceUri(2) }, { alias: 'SIP:Meet.Alice@Example.COM;transport=tls', conference: conferenceUri(2) }] },
      'conference_alias[2].alias',
      /already used by conference\[0\] \(conference\[0\]\.aliases\[0\]\.alias\)/,
    ],
    [
      'an alias given twice to one VMR in two spellings',
      { conference: [{ ...bob, aliases: [{ alias: 'meet.bob@example.com' }, { alias: 'MEET.BOB@example.com' }] }] },
      'conference[0].aliases[1].alias',
      /already used by this VMR/,
    ],
    ['an alias of an unknown conference', { conference: [alice], conference_alias: [{ alias: 'z@example.com', conference: conferenceUri(3) }] }, 'conference_alias[0].conference', /no conference with id 3/],
    ['a relation that is not a resource URI', { conference: [alice], conference_alias: [{ alias: 'z@example.com', conference: 1 }] }, 'conference_alias[0].conference', /resource URI/],
    ['an alias ending in a PIN', { conference: [{ ...bob, aliases: [{ alias: 'meet.bob**1234@example.com' }] }] }, 'conference[0].aliases[0].alias', /PIN/],
    ['an alias that is not an address', { conference: [{ ...bob, aliases: [{ alias: 'mailto:bob@example.com' }] }] }, 'conference[0].aliases[0].alias', /scheme/],
    ['two conferences with one name', { conference: [alice, { ...bob, name: 'Alice' }] }, 'conference[1].name', /already used by conference\[0\]/],
    ['two conferences with one id', { conference: [alice, { ...bob, id: 1 }] }, 'conference[1].id', /id 1 is already used/],
    ['an id that contradicts the resource_uri', { conference: [{ ...alice, resource_uri: conferenceUri(4) }] }, 'conference[0].resource_uri', /names conference 4 but id is 1/],
    ['a conference without a name', { conference: [{ pin: '1234' }] }, 'conference[0].name', /is required/],
    ['a service type Parley does not serve', { conference: [{ ...bob, service_type: 'lecture' }] }, 'conference[0].service_type', /Virtual Meeting Rooms only/],
    ['an unknown call type', { conference: [{ ...bob, call_type: 'vidoe' }] }, 'conference[0].call_type', /"video", "audio", "video-only"/],
    ['an unknown layout', { conference: [{ ...bob, host_view: '3x3' }] }, 'conference[0].host_view', /one_main_seven_pips/],
    ['a boolean as text', { conference: [{ ...bob, allow_guests: 'yes' }] }, 'conference[0].allow_guests', /expected boolean/],
    ['priority 0', { gateway_routing_rule: [{ ...rule, priority: 0 }] }, 'gateway_routing_rule[0].priority', /1 to 200/],
    ['priority 201', { gateway_routing_rule: [{ ...rule, priority: 201 }] }, 'gateway_routing_rule[0].priority', /1 to 200/],
    ['a fractional priority', { gateway_routing_rule: [{ ...rule, priority: 1.5 }] }, 'gateway_routing_rule[0].priority', /integer/],
    ['a rule without a match string', { gateway_routing_rule: [{ ...rule, match_string: '' }] }, 'gateway_routing_rule[0].match_string', /must not be empty/],
    ['an outgoing protocol Parley lacks', { gateway_routing_rule: [{ ...rule, outgoing_protocol: 'teams' }] }, 'gateway_routing_rule[0].outgoing_protocol', /sip, h323 and mssip/],
    ['a guests-only timeout over a day', { global: { guests_only_timeout_s: 86401 } }, 'global.guests_only_timeout_s', /0 to 86400/],
    ['a negative guests-only timeout', { global: { guests_only_timeout_s: -1 } }, 'global.guests_only_timeout_s', /0 to 86400/],
    ['an ADP delay under 10 s', { global: { adp_delay_s: 5 } }, 'global.adp_delay_s', /at least 10/],
    ['a ring timeout under 1 s', { global: { ring_timeout_s: 0.5 } }, 'global.ring_timeout_s', /1 to 86400/],
    ['a negative PIN entry timeout', { global: { pin_entry_timeout_s: -1 } }, 'global.pin_entry_timeout_s', /at least 0/],
    ['a negative host wait timeout', { global: { host_wait_timeout_s: -0.5 } }, 'global.host_wait_timeout_s', /at least 0/],
    ['a negative lockout block', { global: { pin_lockout: { block_s: -1 } } }, 'global.pin_lockout.block_s', /at least 0/],
    ['an RTP range upside down', { global: { rtp_port_min: 50000, rtp_port_max: 40000 } }, 'global.rtp_port_max', /greater than rtp_port_min/],
    ['an RTP port out of range', { global: { rtp_port_min: 0 } }, 'global.rtp_port_min', /1 to 65535/],
    ['a trusted peer that is not text', { global: { trusted_peers: ['127.0.0.1', 5] } }, 'global.trusted_peers[1]', /string/],
    ['an ADP of an unknown conference', { conference: [alice], automatic_participant: [{ alias: 'r@example.com', conference: [conferenceUri(1), conferenceUri(8)] }] }, 'automatic_participant[0].conference[1]', /no conference with id 8/],
    ['an ADP protocol Parley lacks', { automatic_participant: [{ alias: 'r@example.com', protocol: 'rtmp' }] }, 'automatic_participant[0].protocol', /sip, h323 and mssip/],
    ['an ADP DTMF sequence with letters', { automatic_participant: [{ alias: 'r@example.com', dtmf_sequence: '12x' }] }, 'automatic_participant[0].dtmf_sequence', /DTMF/],
    ['an ADP alias that cannot be dialled', { automatic_participant: [{ alias: 'sip:example.com' }] }, 'automatic_participant[0].alias', /no user part/],
    ['a list that is not a list', { conference: { name: 'x' } }, 'conference', /expected Array/],
  ]
  for (const [what, json, path, message] of cases) {
    void it(`${what}: ${path || '(document)'}`, () => {
      const problems = problemsOf(json)
      assert.ok(
        problems.some((p) => p.path === path && message.test(p.message)),
        `expected a problem at ${path} matching ${String(message)}, got ${JSON.stringify(problems)}`,
      )
    })
  }

  void it('reports every problem at once', () => {
    const problems = problemsOf({
      conference: [
        { ...alice, guest_pin: '1234' },
        { ...bob, name: 'Alice', aliases: [{ alias: 'meet.alice@example.com' }] },
      ],
      conference_alias: [{ alias: 'q@example.com', conference: conferenceUri(5) }],
    })
    assert.deepEqual(
      problems.map((p) => p.path),
      ['conference[0].guest_pin', 'conference[1].name', 'conference[1].aliases[0].alias', 'conference_alias[0].conference'],
    )
  })

  void it('never throws, whatever the document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const result = decodeConfigFile(json)
        if (E.isLeft(result)) assert.ok(result.left.problems.length > 0)
      }),
      { numRuns: 500 },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Generated configuration files, from the same value domains the codecs accept.

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max })
const pinText = fc.oneof(digits(4, 20), digits(3, 19).map((d) => d + '#'))
const sameDigits = (a: string, b: string): boolean => a.replace(/#$/, '') === b.replace(/#$/, '')
const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.-'), minLength: 1, maxLength: 10 })
const aliasText = fc.tuple(word, fc.domain()).map(([user, domain]) => `${user}@${domain}`)
const optionalKey = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | undefined> => fc.option(arb, { nil: undefined })
const anyText = fc.string({ maxLength: 20 })

const globalArb = fc.record(
  {
    pin_entry_timeout_s: fc.nat(600),
    host_wait_timeout_s: fc.oneof(fc.nat(7200), fc.double({ min: 0, max: 10, noNaN: true })),
    guests_only_timeout_s: fc.integer({ min: 0, max: 86400 }),
    only_one_participant_timeout_s: fc.integer({ min: 0, max: 86400 }),
    adp_delay_s: fc.integer({ min: 10, max: 120 }),
    trusted_peers: fc.array(fc.ipV4(), { maxLength: 3 }),
    // Either bound may be given alone, so each stays on its side of the other's default.
    rtp_port_min: fc.integer({ min: 1024, max: 49998 }),
    rtp_port_max: fc.integer({ min: 50000, max: 65535 }),
    pin_lockout: fc.record({ failures: fc.integer({ min: 1, max: 20 }), window_s: fc.integer({ min: 1, max: 600 }), block_s: fc.nat(3600) }, { requiredKeys: [] }),
    default_sip_proxy: fc.oneof(fc.constant(null), fc.ipV4()),
    default_mssip_proxy: fc.oneof(fc.constant(null), fc.domain()),
    ring_timeout_s: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 600 })),
  },
  { requiredKeys: [] },
)

const pinsArb = fc.boolean().chain((allowGuests) =>
  allowGuests
    ? fc
        .tuple(pinText, fc.option(pinText, { nil: '' }))
        .filter(([pin, guest]) => guest === '' || !sameDigits(pin, guest))
        .map(([pin, guest_pin]) => ({ allow_guests: true, pin, guest_pin }))
    : fc.option(pinText, { nil: '' }).map((pin) => ({ allow_guests: false, pin })),
)

const configFileArb = fc
  .record({
    global: optionalKey(globalArb),
    conferenceCount: fc.nat(4),
    ids: fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 4, maxLength: 4 }),
    aliases: fc.uniqueArray(aliasText, { maxLength: 10, selector: (a) => a.toLowerCase() }),
  })
  .chain(({ global, conferenceCount, ids, aliases }) => {
    const confIds = ids.slice(0, conferenceCount)
    const conferenceRef = confIds.length === 0 ? fc.constant([] as string[]) : fc.subarray(confIds.map(conferenceUri))
    return fc.record({
      global: fc.constant(global),
      conference: fc.tuple(
        ...confIds.map((id, i) =>
          fc
            .record({
              pins: pinsArb,
              description: anyText,
              call_type: fc.constantFrom(...callTypes),
              host_view: fc.constantFrom(...layouts),
              guest_view: fc.constantFrom(...layouts),
              guests_can_present: fc.boolean(),
              enable_chat: fc.constantFrom(...enableChatValues),
              audio_only_view: fc.constantFrom(...audioOnlyViews),
              avatar: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 8 }), { nil: null }),
              withId: fc.boolean(),
            })
            .map(({ pins, withId, ...rest }) => ({
              ...(withId ? { id } : { resource_uri: conferenceUri(id) }),
              name: `Room ${i}`,
              ...pins,
              ...rest,
              aliases: aliases.filter((_, k) => k % (conferenceCount + 1) === i).map((alias) => ({ alias })),
            })),
        ),
      ),
      conference_alias: fc.constant(
        confIds.length === 0
          ? []
          : aliases
              .filter((_, k) => k % (conferenceCount + 1) === conferenceCount)
              .map((alias, k) => ({ alias, conference: conferenceUri(confIds[k % confIds.length]!) })),
      ),
      automatic_participant: fc.array(
        fc.record(
          {
            alias: aliasText,
            conference: conferenceRef,
            protocol: fc.constantFrom(...outgoingProtocols),
            call_type: fc.constantFrom(...callTypes),
            role: fc.constantFrom(...adpRoles),
            dtmf_sequence: fc.string({ unit: fc.constantFrom(...'0123456789*#ABCD,'), maxLength: 8 }),
            keep_conference_alive: fc.constantFrom(...keepConferenceAliveValues),
            routing: fc.constantFrom(...adpRoutings),
            remote_display_name: anyText,
          },
          { requiredKeys: ['alias'] },
        ),
        { maxLength: 3 },
      ),
      gateway_routing_rule: fc.array(
        fc.record(
          {
            name: fc.string({ minLength: 1, maxLength: 12 }),
            priority: fc.integer({ min: 1, max: 200 }),
            enable: fc.boolean(),
            match_incoming_calls: fc.boolean(),
            match_outgoing_calls: fc.boolean(),
            match_incoming_sip: fc.boolean(),
            match_incoming_h323: fc.boolean(),
            match_incoming_mssip: fc.boolean(),
            match_incoming_webrtc: fc.boolean(),
            match_incoming_only_if_registered: fc.boolean(),
            match_string: fc.string({ minLength: 1, maxLength: 20 }),
            replace_string: anyText,
            outgoing_protocol: fc.constantFrom(...outgoingProtocols),
            call_type: fc.constantFrom(...ruleCallTypes),
            sip_proxy: fc.option(fc.ipV4(), { nil: null }),
            mssip_proxy: fc.option(fc.domain(), { nil: null }),
            h323_gatekeeper: fc.option(fc.ipV4(), { nil: null }),
            treat_as_trusted: fc.boolean(),
          },
          { requiredKeys: ['name', 'priority', 'match_string'] },
        ),
        { maxLength: 3 },
      ),
    })
  })

void describe('encodeConfigFile', () => {
  void it('round-trips: decode(encode(x)) == x for generated configurations', () => {
    fc.assert(
      fc.property(configFileArb, (file) => {
        const config = decoded(file)
        const written = JSON.parse(JSON.stringify(encodeConfigFile(config))) as unknown
        assert.deepEqual(decodeConfigFile(written), E.right(config))
      }),
      { numRuns: 300 },
    )
  })

  void it('keeps every generated alias, each reaching its own VMR', () => {
    fc.assert(
      fc.property(configFileArb, (file) => {
        const config = decoded(file)
        const keys = config.vmrs.flatMap((v) => v.aliases).map((a) => {
          const parsed = parseDialString(a)
          assert.ok(E.isRight(parsed))
          return aliasKey(parsed.right)
        })
        assert.equal(new Set(keys).size, keys.length)
        assert.equal(keys.length, file.conference.reduce((n, c) => n + c.aliases.length, 0) + file.conference_alias.length)
      }),
      { numRuns: 100 },
    )
  })

  void it('writes Pexip-shaped objects: ids, resource URIs, relations as URIs, "" for no PIN', () => {
    const config = decoded({
      conference: [{ id: 3, name: 'Room', aliases: [{ alias: 'room@example.com' }] }],
      automatic_participant: [{ id: 2, alias: 'rec@example.com', conference: [conferenceUri(3)], role: 'chair' }],
    })
    const file = encodeConfigFile(config)
    assert.equal(file.conference[0]?.resource_uri, conferenceUri(3))
    assert.equal(file.conference[0]?.pin, '')
    assert.equal(file.conference[0]?.avatar, null)
    assert.deepEqual(file.conference[0]?.aliases, [{ alias: 'room@example.com', description: '' }])
    assert.deepEqual(file.automatic_participant[0]?.conference, [conferenceUri(3)])
    assert.equal(file.automatic_participant[0]?.resource_uri, '/api/admin/configuration/v1/automatic_participant/2/')
    assert.equal(file.automatic_participant[0]?.role, 'chair')
  })

  void it('numbers ids that are not integers and keeps relations to them', () => {
    const config: NodeConfig = {
      global: defaultGlobal,
      vmrs: [
        {
          id: ConferenceId('vmr-a'),
          name: 'A',
          description: '',
          aliases: ['a@example.com'],
          pin: '1234' as Pin,
          allowGuests: false,
          callType: 'video',
          hostView: 'one_main_seven_pips',
          guestView: 'one_main_seven_pips',
          guestsCanPresent: true,
          enableChat: true,
          audioOnlyView: 'room',
        },
        {
          id: ConferenceId('4'),
          name: 'B',
          description: '',
          aliases: [],
          allowGuests: false,
          callType: 'audio',
          hostView: 'one_main_seven_pips',
          guestView: 'one_main_seven_pips',
          guestsCanPresent: true,
          enableChat: false,
          audioOnlyView: 'avatar',
        },
      ],
      adps: [
        {
          id: 'adp-1',
          conferenceIds: [ConferenceId('vmr-a'), ConferenceId('4')],
          alias: 'r@example.com',
          protocol: 'mssip',
          callType: 'audio',
          role: 'host',
          dtmfSequence: '1,2',
          keepConferenceAlive: 'always',
          remoteDisplayName: 'Recorder',
          routing: 'routing_rule',
        },
      ],
      rules: [],
    }
    const again = decoded(encodeConfigFile(config))
    assert.deepEqual(
      again.vmrs.map((v) => v.id),
      ['5', '4'].map(ConferenceId),
    )
    assert.deepEqual(again.adps[0]?.conferenceIds, ['5', '4'].map(ConferenceId))
    assert.equal(again.adps[0]?.id, '1')
  })
})
