import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { re2PatternEngine } from '../regex/re2-pattern-engine.js'
import { chooseSeed, formatConfigLoadError, formatStoreOpenError, interimImportPath, loadConfig, openConfigStore, seedSource } from './config-source.js'

const withDir = async (use: (dir: string) => Promise<void>): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-config-'))
  try {
    await use(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

void test('seed precedence: --config, then PARLEY_CONFIG, then an interim import left in the data dir, then the demo', () =>
  withDir(async (dataDir) => {
    assert.deepEqual(chooseSeed({ dataDir }), { _tag: 'Demo' })
    await writeFile(interimImportPath(dataDir), JSON.stringify(demoConfigFile))
    assert.deepEqual(chooseSeed({ dataDir }), { _tag: 'File', path: join(dataDir, 'config.json'), via: 'interim import' })
    assert.deepEqual(chooseSeed({ dataDir, envFile: '/etc/p.json' }), { _tag: 'File', path: '/etc/p.json', via: 'PARLEY_CONFIG' })
    assert.deepEqual(chooseSeed({ dataDir, envFile: '/etc/p.json', flag: '/x.json' }), { _tag: 'File', path: '/x.json', via: '--config' })
  }))

void test('the demo configuration decodes and compiles with RE2', async () => {
  const loaded = await loadConfig({ _tag: 'Demo' }, re2PatternEngine)()
  assert.ok(E.isRight(loaded))
  assert.equal(loaded.right.config.vmrs.length, 2)
  assert.equal(loaded.right.compiled.vmrById.size, 2)
  assert.equal(loaded.right.file, demoConfigFile)
})

void test('unreadable, non-JSON and invalid files are errors that name the file and each path at fault', () =>
  withDir(async (dir) => {
    const missing = await loadConfig({ _tag: 'File', path: join(dir, 'absent.json'), via: '--config' }, re2PatternEngine)()
    assert.ok(E.isLeft(missing))
    assert.equal(missing.left._tag, 'ConfigFileUnreadable')

    await writeFile(join(dir, 'bad.json'), '{"conference": [')
    const notJson = await loadConfig({ _tag: 'File', path: join(dir, 'bad.json'), via: '--config' }, re2PatternEngine)()
    assert.ok(E.isLeft(notJson))
    assert.equal(notJson.left._tag, 'ConfigFileNotJson')
    assert.match(formatConfigLoadError(notJson.left), /bad\.json: not JSON: /)

    const invalidFile = join(dir, 'invalid.json')
    await writeFile(invalidFile, JSON.stringify({ ...demoConfigFile, gateway_routing_rule: [{ ...demoConfigFile.gateway_routing_rule[0], match_string: '(a)\\1' }] }))
    const invalid = await loadConfig({ _tag: 'File', path: invalidFile, via: 'PARLEY_CONFIG' }, re2PatternEngine)()
    assert.ok(E.isLeft(invalid))
    assert.equal(invalid.left._tag, 'ConfigInvalid')
    const text = formatConfigLoadError(invalid.left)
    assert.match(text, /invalid\.json \(PARLEY_CONFIG\): invalid configuration \(1 problem\)/)
    assert.match(text, /^ {2}gateway_routing_rule\[0\]\.match_string: .*back-reference/m)
  }))

void test('an empty data dir is seeded from the chosen file once; a later open keeps the store and never reads the file', () =>
  withDir(async (dir) => {
    const dataDir = join(dir, 'data')
    const file = join(dir, 'mine.json')
    await writeFile(file, JSON.stringify({ conference: [{ name: 'Room', aliases: [{ alias: 'room@example.com' }] }] }))
    const origin = chooseSeed({ dataDir, flag: file })
    const first = openConfigStore({ dataDir, seed: seedSource(origin), engine: re2PatternEngine, adminPassword: 'pw' })
    assert.ok(E.isRight(first))
    assert.equal(first.right.seededFrom, `${file} (--config)`)
    assert.deepEqual(first.right.store.loadNodeConfig().vmrs.map((v) => v.name), ['Room'])
    first.right.store.close()

    await writeFile(file, 'not JSON any more')
    const second = openConfigStore({ dataDir, seed: seedSource(origin), engine: re2PatternEngine })
    assert.ok(E.isRight(second), 'the file is not read again')
    assert.equal(second.right.seededFrom, undefined)
    assert.equal(second.right.adminPassword._tag, 'Stored')
    assert.deepEqual(second.right.store.loadNodeConfig().vmrs.map((v) => v.name), ['Room'])
    second.right.store.close()
  }))

void test('a seed that is missing, not JSON or invalid opens nothing and is reported with its paths', () =>
  withDir(async (dir) => {
    const open = (path: string) => openConfigStore({ dataDir: join(dir, 'data'), seed: seedSource({ _tag: 'File', path, via: '--config' }), engine: re2PatternEngine })
    const missing = open(join(dir, 'absent.json'))
    assert.ok(E.isLeft(missing))
    assert.match(formatStoreOpenError(missing.left), /absent\.json \(--config\): cannot read: /)
    await writeFile(join(dir, 'bad.json'), '{')
    const notJson = open(join(dir, 'bad.json'))
    assert.ok(E.isLeft(notJson))
    assert.match(formatStoreOpenError(notJson.left), /bad\.json \(--config\): not JSON: /)
    await writeFile(join(dir, 'invalid.json'), JSON.stringify({ conference: [{ name: 42 }] }))
    const invalid = open(join(dir, 'invalid.json'))
    assert.ok(E.isLeft(invalid))
    assert.match(formatStoreOpenError(invalid.left), /invalid\.json \(--config\): invalid configuration \(1 problem\)\n {2}conference\[0\]\.name: /)
  }))
