import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { re2PatternEngine } from '../regex/re2-pattern-engine.js'
import { chooseConfigOrigin, formatConfigLoadError, importConfig, importedConfigPath, loadConfig, loadEffectiveConfig } from './config-source.js'

const withDir = async (use: (dir: string) => Promise<void>): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-config-'))
  try {
    await use(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

void test('precedence: --config, then PARLEY_CONFIG, then the imported file, then the demo', () =>
  withDir(async (dataDir) => {
    const origin = async (choice: Parameters<typeof chooseConfigOrigin>[0]) => {
      const chosen = await chooseConfigOrigin(choice)()
      assert.ok(E.isRight(chosen))
      return chosen.right
    }
    assert.deepEqual(await origin({ dataDir }), { _tag: 'Demo' })
    await writeFile(importedConfigPath(dataDir), JSON.stringify(demoConfigFile))
    assert.deepEqual(await origin({ dataDir }), { _tag: 'Imported', path: join(dataDir, 'config.json') })
    assert.deepEqual(await origin({ dataDir, envFile: '/etc/p.json' }), { _tag: 'File', path: '/etc/p.json', via: 'PARLEY_CONFIG' })
    assert.deepEqual(await origin({ dataDir, envFile: '/etc/p.json', flag: '/x.json' }), { _tag: 'File', path: '/x.json', via: '--config' })
  }))

void test('the demo configuration decodes and compiles with RE2', async () => {
  const loaded = await loadEffectiveConfig({ dataDir: '/nonexistent' }, re2PatternEngine)()
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

void test('import writes a valid file to <data dir>/config.json and refuses an invalid one without writing', () =>
  withDir(async (dir) => {
    const dataDir = join(dir, 'data')
    const source = join(dir, 'mine.json')
    await writeFile(source, JSON.stringify({ conference: [{ name: 'Room', aliases: [{ alias: 'room@example.com' }] }] }))
    const imported = await importConfig(source, dataDir, re2PatternEngine)()
    assert.ok(E.isRight(imported))
    assert.deepEqual(imported.right.origin, { _tag: 'Imported', path: importedConfigPath(dataDir) })
    assert.deepEqual(JSON.parse(await readFile(importedConfigPath(dataDir), 'utf8')), JSON.parse(await readFile(source, 'utf8')))
    const effective = await loadEffectiveConfig({ dataDir }, re2PatternEngine)()
    assert.ok(E.isRight(effective))
    assert.deepEqual(effective.right.config.vmrs.map((v) => v.name), ['Room'])

    const elsewhere = join(dir, 'other-data')
    await writeFile(source, JSON.stringify({ conference: [{ name: '' }] }))
    const refused = await importConfig(source, elsewhere, re2PatternEngine)()
    assert.ok(E.isLeft(refused))
    assert.equal(existsSync(importedConfigPath(elsewhere)), false)
  }))
