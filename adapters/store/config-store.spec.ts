import { test } from 'node:test'
import assert from 'node:assert/strict'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import {
  AutomaticParticipantCodec,
  ConferenceAliasCodec,
  ConferenceCodec,
  GatewayRoutingRuleCodec,
  GlobalCodec,
} from '../../core/config/codecs.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { re2PatternEngine } from '../regex/re2-pattern-engine.js'
import { sha1Hex } from '../http/logo/product-logo.js'
import { ConfigStore } from './config-store.js'
import type { ConfigChange } from './config-store.js'
import { fileSeed } from './seed-source.js'
import { decoded, openStore, temporaryDataDir, withStore } from './testing/store-fixtures.js'

const conference = (json: object) => decoded(ConferenceCodec, json)
const rule = (json: object) => decoded(GatewayRoutingRuleCodec, json)

const aliasesOf = (store: ConfigStore): ReadonlyArray<string> => store.loadNodeConfig().vmrs.flatMap((v) => v.aliases)

const problemsOf = <A>(result: E.Either<{ readonly _tag: string }, A>): ReadonlyArray<{ path: string; message: string }> => {
  if (E.isRight(result)) assert.fail('the write was accepted')
  const error = result.left as { _tag: string; problems?: ReadonlyArray<{ path: string; message: string }> }
  assert.equal(error._tag, 'Rejected')
  return error.problems ?? []
}

void test('first start seeds the demo and generates the admin password; later starts keep every edit and never seed again', async () => {
  const data = temporaryDataDir()
  try {
    const first = openStore(data.dir)
    assert.equal(first.seededFrom, 'the demo configuration')
    assert.deepEqual(first.adminPassword, { _tag: 'Generated', password: 'generated-secret' })
    assert.deepEqual(first.schema, { from: 0, to: 2 })
    assert.deepEqual(
      first.store.loadNodeConfig().vmrs.map((v) => v.name),
      ["Alice's meeting room", "Bob's room"],
    )
    // The operator removes every demo VMR and adds one of their own.
    assert.ok(E.isRight(first.store.remove('conference', 1)))
    assert.ok(E.isRight(first.store.remove('conference', 2)))
    assert.ok(E.isRight(first.store.create('conference', conference({ name: 'Ops', aliases: [{ alias: 'ops@example.com' }] }))))
    first.store.close()

    const second = openStore(data.dir, { seed: { origin: 'unreadable', document: () => E.left('must not be read') } })
    assert.equal(second.seededFrom, undefined)
    assert.deepEqual(second.adminPassword, { _tag: 'Stored' })
    assert.deepEqual(second.schema, { from: 2, to: 2 })
    assert.deepEqual(
      second.store.loadNodeConfig().vmrs.map((v) => [v.name, v.aliases]),
      [['Ops', ['ops@example.com']]],
    )
    assert.equal(await second.store.verifyAdmin('admin', 'generated-secret'), true)
    second.store.close()
  } finally {
    data.remove()
  }
})

void test('an empty store is seeded from the given configuration file; a bad file is refused with its paths and seeds nothing', () => {
  const data = temporaryDataDir()
  try {
    const bad = join(data.dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ conference: [{ name: 'X', call_type: 'hologram' }], gateway_routing_rule: [{ name: 'r', priority: 0, match_string: 'a' }] }))
    const refused = ConfigStore.open({ dataDir: data.dir, engine: re2PatternEngine, seed: fileSeed(bad) })
    assert.ok(E.isLeft(refused))
    assert.equal(refused.left._tag, 'SeedInvalid')
    assert.deepEqual(
      refused.left._tag === 'SeedInvalid' ? refused.left.problems.map((p) => p.path) : [],
      ['conference[0].call_type', 'gateway_routing_rule[0].priority'],
    )

    const unreadable = ConfigStore.open({ dataDir: data.dir, engine: re2PatternEngine, seed: fileSeed(join(data.dir, 'missing.json')) })
    assert.ok(E.isLeft(unreadable))
    assert.equal(unreadable.left._tag, 'SeedUnreadable')

    const good = join(data.dir, 'good.json')
    writeFileSync(good, JSON.stringify({ conference: [{ id: 7, name: 'Seven', aliases: [{ alias: 'seven@example.com' }] }] }))
    const opened = openStore(data.dir, { seed: fileSeed(good) })
    assert.equal(opened.seededFrom, good)
    assert.deepEqual(
      opened.store.loadNodeConfig().vmrs.map((v) => [v.id, v.aliases]),
      [['7', ['seven@example.com']]],
    )
    opened.store.close()
  } finally {
    data.remove()
  }
})

void test('PARLEY_ADMIN_PASSWORD replaces the stored password at start; only the hash is stored', async () => {
  const data = temporaryDataDir()
  try {
    openStore(data.dir).store.close()
    const { store, adminPassword } = openStore(data.dir, { adminPassword: 'from-the-environment' })
    assert.deepEqual(adminPassword, { _tag: 'FromEnvironment' })
    assert.equal(await store.verifyAdmin('admin', 'from-the-environment'), true)
    assert.equal(await store.verifyAdmin('admin', 'generated-secret'), false)
    assert.equal(await store.verifyAdmin('root', 'from-the-environment'), false)
    store.close()
    const db = new Database(join(data.dir, 'parley.db'), { readonly: true })
    const stored = db.prepare('SELECT password_hash FROM admin_credential').pluck().get() as string
    db.close()
    assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/)
    assert.equal(statSync(join(data.dir, 'parley.db')).mode & 0o777, 0o600)
    assert.ok(!stored.includes('from-the-environment'))
  } finally {
    data.remove()
  }
})

void test('the store runs in WAL mode with foreign keys on and FULL synchronous commits, at schema version 2', () =>
  withStore((store) => {
    const db = new Database(store.file)
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
      const versions = db.prepare('SELECT version FROM schema_version').pluck().all()
      assert.deepEqual(versions, [1, 2])
    } finally {
      db.close()
    }
    const own = (store as unknown as { db: Database.Database }).db
    assert.equal(own.pragma('foreign_keys', { simple: true }), 1)
    assert.equal(own.pragma('synchronous', { simple: true }), 2)
  }))

void test('a store written by a newer schema is refused and left as it is', () => {
  const data = temporaryDataDir()
  try {
    openStore(data.dir).store.close()
    const db = new Database(join(data.dir, 'parley.db'))
    db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')").run()
    db.close()
    const opened = ConfigStore.open({ dataDir: data.dir, engine: re2PatternEngine, seed: { origin: 'x', document: () => E.right({}) } })
    assert.ok(E.isLeft(opened))
    assert.deepEqual(opened.left, { _tag: 'SchemaTooNew', file: join(data.dir, 'parley.db'), found: 99, supported: 2 })
  } finally {
    data.remove()
  }
})

void test('import replaces everything in one transaction; a file with one bad regex changes nothing and notifies no one', () =>
  withStore((store) => {
    const changes: ConfigChange[] = []
    store.subscribe((change) => changes.push(change))
    const before = store.exportConfigFile()
    const bad = {
      conference: [{ name: 'New', aliases: [{ alias: 'new@example.com' }] }],
      gateway_routing_rule: [
        { name: 'fine', priority: 1, match_string: '(.*)@fine\\.example\\.com' },
        { name: 'lookahead', priority: 2, match_string: '(?=x).*' },
      ],
    }
    const refused = store.importConfigFile(bad)
    assert.deepEqual(
      problemsOf(refused).map((p) => p.path),
      ['gateway_routing_rule[1].match_string'],
    )
    assert.deepEqual(store.exportConfigFile(), before)
    assert.equal(changes.length, 0)

    const good = { ...bad, gateway_routing_rule: bad.gateway_routing_rule.slice(0, 1) }
    const imported = store.importConfigFile(good)
    assert.ok(E.isRight(imported))
    assert.deepEqual(aliasesOf(store), ['new@example.com'])
    assert.deepEqual(
      store.loadNodeConfig().rules.map((r) => r.name),
      ['fine'],
    )
    assert.equal(changes.length, 1)
    assert.equal(changes[0]?.config, store.loadNodeConfig())
    assert.ok(changes[0]?.compiled.vmrByAlias.has('new@example.com'))
  }))

/** Configuration files with related objects, ids and descriptions, all valid. */
const configFiles = fc
  .record({
    conferences: fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }),
    aliasesPer: fc.array(fc.nat({ max: 3 }), { minLength: 6, maxLength: 6 }),
    nestedFirst: fc.boolean(),
    rules: fc.array(fc.record({ priority: fc.integer({ min: 1, max: 200 }), domain: fc.constantFrom('a', 'b', 'c'), enable: fc.boolean() }), {
      maxLength: 4,
    }),
    adps: fc.array(fc.record({ picks: fc.array(fc.nat({ max: 5 }), { maxLength: 3 }), role: fc.constantFrom('guest', 'chair') }), { maxLength: 3 }),
    timeout: fc.integer({ min: 0, max: 86400 }),
    ring: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
  })
  .map(({ conferences, aliasesPer, nestedFirst, rules, adps, timeout, ring }) => {
    let aliasId = 100
    const aliasObjects: object[] = []
    const conferenceObjects = conferences.map((id, i) => {
      const aliases = Array.from({ length: aliasesPer[i] ?? 0 }, (_, k) => ({ alias: `room${id}-${k}@example.com`, description: `alias ${k}` }))
      if (!nestedFirst)
        for (const a of aliases) aliasObjects.push({ id: aliasId++, ...a, conference: `/api/admin/configuration/v1/conference/${id}/` })
      return { id, name: `Room ${id}`, description: `VMR ${id}`, pin: i % 2 === 0 ? '1234' : '', allow_guests: i % 2 === 0, aliases: nestedFirst ? aliases : [] }
    })
    return {
      global: { guests_only_timeout_s: timeout, ...(ring === undefined ? {} : { ring_timeout_s: ring }) },
      conference: conferenceObjects,
      conference_alias: aliasObjects,
      automatic_participant: adps.map((a, i) => ({
        alias: `adp${i}@example.com`,
        role: a.role,
        conference: a.picks.flatMap((p) => (conferences[p] === undefined ? [] : [`/api/admin/configuration/v1/conference/${conferences[p]}/`])),
      })),
      gateway_routing_rule: rules.map((r, i) => ({
        name: `rule ${i}`,
        priority: r.priority,
        enable: r.enable,
        match_string: `(.+)@${r.domain}\\.example\\.com`,
      })),
    }
  })

void test('export then import is the identity (ids, aliases, descriptions, relations), and the node config is what the file says', () =>
  withStore((store) =>
    fc.assert(
      fc.property(configFiles, (file) => {
        const expected = E.getOrElseW(() => assert.fail('generated file is invalid'))(
          E.map((r: unknown) => r)(store.importConfigFile(file)),
        )
        const exported = store.exportConfigFile()
        assert.ok(E.isRight(store.importConfigFile(JSON.parse(JSON.stringify(exported)))))
        assert.deepEqual(store.exportConfigFile(), exported)
        assert.deepEqual(store.loadNodeConfig(), expected)
      }),
      { numRuns: 40 },
    ),
  ))

void test('writes are checked before they commit: each refusal names the field of the request and leaves the store unchanged', () =>
  withStore((store) => {
    const before = store.exportConfigFile()
    const duplicateNested = store.create(
      'conference',
      conference({ name: 'Dup', aliases: [{ alias: 'fresh@example.com' }, { alias: 'SIP:Meet.Alice@Example.com' }] }),
    )
    assert.deepEqual(problemsOf(duplicateNested), [
      {
        path: 'aliases[1].alias',
        message: 'the alias "SIP:Meet.Alice@Example.com" is already used by /api/admin/configuration/v1/conference/1/ (as "meet.alice@example.com")',
      },
    ])
    assert.deepEqual(
      problemsOf(store.create('conference_alias', decoded(ConferenceAliasCodec, { alias: 'meet.bob@example.com', conference: '/api/admin/configuration/v1/conference/1/' }))).map((p) => p.path),
      ['alias'],
    )
    assert.deepEqual(
      problemsOf(store.create('conference_alias', decoded(ConferenceAliasCodec, { alias: 'x@example.com', conference: '/api/admin/configuration/v1/conference/9/' }))).map((p) => p.path),
      ['conference'],
    )
    assert.deepEqual(
      problemsOf(store.create('gateway_routing_rule', rule({ name: 'bad', priority: 3, match_string: '(a)\\1' }))).map((p) => p.path),
      ['match_string'],
    )
    assert.deepEqual(
      problemsOf(store.replace('conference', 2, conference({ name: "Alice's meeting room" }))).map((p) => p.path),
      ['name'],
    )
    // DESIGN §2: a VMR that allows guests needs a Host PIN; found by the whole-config check.
    assert.deepEqual(problemsOf(store.replace('conference', 2, conference({ name: "Bob's room", allow_guests: true }))), [
      { path: 'pin', message: 'a VMR that allows guests needs a Host PIN' },
    ])
    assert.deepEqual(
      problemsOf(
        store.create('automatic_participant', decoded(AutomaticParticipantCodec, { alias: 'rec@example.com', conference: ['/api/admin/configuration/v1/conference/1/', '/api/admin/configuration/v1/conference/5/'] })),
      ).map((p) => p.path),
      ['conference[1]'],
    )
    assert.deepEqual(
      problemsOf(store.replaceGlobal(decoded(GlobalCodec, { rtp_port_min: 50000, rtp_port_max: 40000 }))).map((p) => p.path),
      ['rtp_port_max'],
    )
    assert.deepEqual(store.replace('gateway_routing_rule', 99, rule({ name: 'x', priority: 1, match_string: 'x' })), E.left({ _tag: 'NotFound', resource: 'gateway_routing_rule', id: 99 }))
    assert.deepEqual(store.remove('conference_alias', 99), E.left({ _tag: 'NotFound', resource: 'conference_alias', id: 99 }))
    assert.deepEqual(store.exportConfigFile(), before)
  }))

void test('a conference written with nested aliases keeps the ids of the aliases it keeps, drops the others and adds the new', () =>
  withStore((store) => {
    const replaced = store.replace(
      'conference',
      1,
      conference({ name: "Alice's meeting room", pin: '1234', allow_guests: true, aliases: [{ alias: '1001@example.com', description: 'short' }, { alias: 'alice@example.com' }] }),
    )
    assert.ok(E.isRight(replaced))
    assert.deepEqual(
      (replaced.right['aliases'] as ReadonlyArray<{ id: number; alias: string; description: string }>).map((a) => [a.id, a.alias, a.description]),
      [
        [2, '1001@example.com', 'short'],
        [4, 'alice@example.com', ''],
      ],
    )
    assert.equal(store.get('conference_alias', 1), undefined)
    assert.deepEqual(store.loadNodeConfig().vmrs[0]?.aliases, ['1001@example.com', 'alice@example.com'])
  }))

void test('deleting a conference takes its aliases, avatar and ADP links with it; ids are never given again', () =>
  withStore((store) => {
    const adp = store.create(
      'automatic_participant',
      decoded(AutomaticParticipantCodec, { alias: 'rec@example.com', conference: ['/api/admin/configuration/v1/conference/1/', '/api/admin/configuration/v1/conference/2/'] }),
    )
    assert.ok(E.isRight(adp))
    assert.ok(E.isRight(store.setAvatar(1, { contentType: 'image/png', bytes: Buffer.from('png'), sha1: sha1Hex(Buffer.from('png')) })))
    assert.ok(E.isRight(store.remove('conference', 1)))
    assert.deepEqual(aliasesOf(store), ['meet.bob@example.com'])
    assert.deepEqual(store.get('automatic_participant', adp.right['id'] as number)?.['conference'], ['/api/admin/configuration/v1/conference/2/'])
    assert.equal(store.avatar(1), undefined)
    const again = store.create('conference', conference({ name: "Alice's meeting room" }))
    assert.ok(E.isRight(again))
    assert.equal(again.right['id'], 3)
  }))

void test('an uploaded avatar becomes the VMR avatarHash and is served by the avatar lookup', async () =>
  withStore(async (store) => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47])
    const image = { contentType: 'image/png' as const, bytes, sha1: sha1Hex(bytes) }
    const changes: ConfigChange[] = []
    store.subscribe((c) => changes.push(c))
    assert.deepEqual(await store.avatarLookup('2' as never), { _tag: 'ProductLogo' })
    const set = store.setAvatar(2, image)
    assert.ok(E.isRight(set))
    assert.equal(set.right['avatar'], image.sha1)
    assert.equal(store.loadNodeConfig().vmrs[1]?.avatarHash, image.sha1)
    assert.equal(changes.length, 1)
    assert.deepEqual(await store.avatarLookup('2' as never), { _tag: 'Uploaded', image })
    assert.deepEqual(await store.avatarLookup('9' as never), { _tag: 'UnknownConference' })
    assert.deepEqual(store.setAvatar(9, image), E.left({ _tag: 'NotFound', resource: 'conference', id: 9 }))
    // An export names the image by hash; importing it back keeps the image.
    assert.ok(E.isRight(store.importConfigFile(store.exportConfigFile())))
    assert.deepEqual(store.avatar(2), image)
    // A file naming a hash the store has no image for drops it (back to the product logo).
    assert.ok(E.isRight(store.importConfigFile({ ...demoConfigFile, conference: demoConfigFile.conference.map((c) => ({ ...c, avatar: 'ab'.repeat(20) })) })))
    assert.equal(store.avatar(2), undefined)
    assert.equal(store.loadNodeConfig().vmrs[1]?.avatarHash, undefined)
  }))

void test('subscribers and the Directory port hear of each committed change, not of refused ones', async () =>
  withStore(async (store) => {
    const seen: string[][] = []
    store.onChange((config) => seen.push(config.vmrs.map((v) => v.name)))
    assert.ok(E.isRight(store.create('conference', conference({ name: 'Carol' }))))
    assert.ok(E.isLeft(store.create('conference', conference({ name: 'Carol' }))))
    assert.deepEqual(seen, [["Alice's meeting room", "Bob's room", 'Carol']])

    const loaded = await store.load()()
    assert.ok(E.isRight(loaded))
    const saved = await store.save({ ...loaded.right, vmrs: loaded.right.vmrs.filter((v) => v.name !== 'Carol') })()
    assert.ok(E.isRight(saved))
    assert.deepEqual(seen.at(-1), ["Alice's meeting room", "Bob's room"])
    const refused = await store.save({ ...loaded.right, vmrs: [...loaded.right.vmrs, { ...loaded.right.vmrs[0]!, id: '9' as never }] })()
    assert.ok(E.isLeft(refused))
    assert.equal(refused.left._tag, 'ConfigRejected')
  }))

void test('a commit by another process on the same file reaches the running store when it polls', () =>
  withStore((store, dataDir) => {
    const seen: number[] = []
    store.subscribe((c) => seen.push(c.config.vmrs.length))
    store.pollExternalChanges()
    assert.deepEqual(seen, [])
    const other = openStore(dataDir).store
    assert.ok(E.isRight(other.create('conference', conference({ name: 'Elsewhere', aliases: [{ alias: 'elsewhere@example.com' }] }))))
    other.close()
    store.pollExternalChanges()
    assert.deepEqual(seen, [3])
    assert.ok(store.compiledConfig().vmrByAlias.has('elsewhere@example.com'))
  }))

void test('lists page in id order, count every match and filter by exact, contains, icontains and startswith', () =>
  withStore((store) => {
    for (const name of ['Alpha', 'alphabet', 'Beta', 'Gamma 100%']) assert.ok(E.isRight(store.create('conference', conference({ name }))))
    const names = (page: { objects: ReadonlyArray<{ readonly [k: string]: unknown }> }) => page.objects.map((o) => o['name'])
    assert.deepEqual(names(store.list('conference', [], 2, 1)), ["Bob's room", 'Alpha'])
    assert.equal(store.list('conference', [], 2, 1).total, 6)
    assert.deepEqual(names(store.list('conference', [{ field: 'name', operator: 'exact', value: 'Alpha' }], undefined, 0)), ['Alpha'])
    assert.deepEqual(names(store.list('conference', [{ field: 'name', operator: 'contains', value: 'lpha' }], undefined, 0)), ['Alpha', 'alphabet'])
    assert.deepEqual(names(store.list('conference', [{ field: 'name', operator: 'icontains', value: 'ALPHA' }], undefined, 0)), ['Alpha', 'alphabet'])
    assert.deepEqual(names(store.list('conference', [{ field: 'name', operator: 'icontains', value: '0%' }], undefined, 0)), ['Gamma 100%'])
    assert.deepEqual(names(store.list('conference', [{ field: 'name', operator: 'icontains', value: '_' }], undefined, 0)), [])
    assert.deepEqual(names(store.list('conference', [{ field: 'name', operator: 'startswith', value: 'alpha' }], undefined, 0)), ['alphabet'])
    const aliases = store.list('conference_alias', [{ field: 'conference', operator: 'exact', value: 1 }], undefined, 0)
    assert.deepEqual(
      aliases.objects.map((o) => o['alias']),
      ['meet.alice@example.com', '1001@example.com'],
    )
  }))

void test('global ring_timeout_s is stored, exported and handed to the node; absent it stays absent (the 60 s default)', () =>
  withStore((store) => {
    assert.ok(E.isRight(store.importConfigFile({ global: { ring_timeout_s: 20 } })))
    assert.equal(store.loadNodeConfig().global.ringTimeoutS, 20)
    assert.equal(store.exportConfigFile().global['ring_timeout_s'], 20)
    assert.ok(E.isRight(store.replaceGlobal(decoded(GlobalCodec, { guests_only_timeout_s: 5 }))))
    assert.equal(store.loadNodeConfig().global.ringTimeoutS, undefined)
    assert.equal(store.exportConfigFile().global['ring_timeout_s'], null)
  }))
