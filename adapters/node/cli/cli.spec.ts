/**
 * The CLI as users run it: each test spawns a real `parley` process (through tsx, as `make run`
 * and bin/parley.mjs do) with its own data dir, and bounds every wait.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeConfigFile } from '../../../core/config/codecs.js'
import { demoConfigFile } from '../../../core/config/demo-config.js'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const main = join(repo, 'adapters/node/cli/main.ts')

interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const baseEnv = (dataDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], PARLEY_DATA_DIR: dataDir, PARLEY_LOG_LEVEL: 'info' }
  return env
}

const stderrs = new WeakMap<ChildProcess, string[]>()
const stderrOf = (child: ChildProcess): string => (stderrs.get(child) ?? []).join('')

const start = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd = repo): ChildProcess => {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: string[] = []
  stderrs.set(child, chunks)
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()))
  return child
}

/** Waits for the process to exit, killing it if it takes longer than `boundMs`. */
const finish = (child: ChildProcess, boundMs = 30_000): Promise<Finished> =>
  new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`still running after ${boundMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, boundMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })

const run = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd?: string): Promise<Finished> => finish(start(args, env, cwd))

const withDir = async (use: (dir: string) => Promise<void>): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-cli-'))
  try {
    await use(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Resolves with the first stdout JSON line whose msg is `msg`, or rejects after `boundMs`. */
const logLine = (child: ChildProcess, msg: string, boundMs = 30_000): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    let buffered = ''
    let stderr = ''
    const timer = setTimeout(() => reject(new Error(`no "${msg}" line within ${boundMs} ms\nstdout: ${buffered}\nstderr: ${stderr}`)), boundMs)
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString()
      for (const line of buffered.split('\n')) {
        if (!line.startsWith('{')) continue
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>
          if (parsed['msg'] === msg) {
            clearTimeout(timer)
            resolve(parsed)
          }
        } catch {
          // An incomplete last line: the rest arrives with the next chunk.
        }
      }
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited (${code}) before "${msg}"\nstdout: ${buffered}\nstderr: ${stderr}`))
    })
  })

void test('config check: the demo file is valid (exit 0); a broken file is invalid (exit 1) with the paths at fault', () =>
  withDir(async (dir) => {
    const demo = join(dir, 'demo.json')
    await writeFile(demo, JSON.stringify(demoConfigFile))
    const valid = await run(['config', 'check', demo], baseEnv(dir))
    assert.equal(valid.code, 0, valid.stderr)
    assert.match(valid.stdout, /demo\.json: valid \(2 conferences, 3 aliases, 0 automatic participants, 1 gateway rules\)/)

    const broken = join(dir, 'broken.json')
    await writeFile(broken, JSON.stringify({ ...demoConfigFile, conference: [{ name: 42 }], gateway_routing_rule: [{ name: 'x', priority: 'high' }] }))
    const invalid = await run(['config', 'check', broken], baseEnv(dir))
    assert.equal(invalid.code, 1)
    assert.match(invalid.stdout, /broken\.json: invalid configuration/)
    assert.match(invalid.stdout, /^ {2}conference\b.*0.*name.*: /m, invalid.stdout)
    assert.match(invalid.stdout, /^ {2}gateway_routing_rule\b.*0.*priority.*: /m, invalid.stdout)

    const notJson = join(dir, 'not.json')
    await writeFile(notJson, '{ "conference": [')
    const unparsable = await run(['config', 'check', notJson], baseEnv(dir))
    assert.equal(unparsable.code, 1)
    assert.match(unparsable.stdout, /not\.json: not JSON/)

    const missing = await run(['config', 'check', join(dir, 'absent.json')], baseEnv(dir))
    assert.equal(missing.code, 1)
    assert.match(missing.stdout, /absent\.json: cannot read/)
  }))

void test('config export prints the demo without creating a store; import seeds an empty data dir, then replaces the stored configuration all or nothing', () =>
  withDir(async (dir) => {
    const exported = await run(['config', 'export'], baseEnv(dir))
    assert.equal(exported.code, 0, exported.stderr)
    // Every field spelled out, ids and resource URIs as the API shows them, and it reads back as the same configuration.
    assert.deepEqual(decodeConfigFile(JSON.parse(exported.stdout)), decodeConfigFile(demoConfigFile))
    assert.equal((JSON.parse(exported.stdout) as { global: Record<string, unknown> }).global['pin_entry_timeout_s'], 60)
    assert.equal(existsSync(join(dir, 'parley.db')), false, 'exporting creates nothing')
    assert.equal(exported.stderr, '')

    const noRules = join(dir, 'no-rules.json')
    const withoutRules = { ...demoConfigFile, gateway_routing_rule: [] }
    await writeFile(noRules, JSON.stringify(withoutRules))
    const imported = await run(['config', 'import', noRules], baseEnv(dir))
    assert.equal(imported.code, 0, imported.stderr)
    assert.match(imported.stdout, /parley\.db: 2 conferences, 3 aliases, 0 automatic participants, 0 gateway rules/)
    assert.equal(imported.stderr.match(/the admin password \(user "admin"\) is \S+/g)?.length, 1, 'the password made for the new store is shown once')

    const after = await run(['config', 'export'], baseEnv(dir))
    assert.deepEqual(decodeConfigFile(JSON.parse(after.stdout)), decodeConfigFile(withoutRules))
    assert.equal(after.stderr, '', 'an existing store shows no password')

    const broken = join(dir, 'broken.json')
    await writeFile(broken, JSON.stringify({ conference: 'none' }))
    const refused = await run(['config', 'import', broken], baseEnv(dir))
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /broken\.json: invalid configuration/)
    assert.match(refused.stderr, /nothing was imported/)
    const unchanged = await run(['config', 'export'], baseEnv(dir))
    assert.deepEqual(decodeConfigFile(JSON.parse(unchanged.stdout)), decodeConfigFile(withoutRules))

    const demo = join(dir, 'demo.json')
    await writeFile(demo, JSON.stringify(demoConfigFile))
    const replaced = await run(['config', 'import', demo], baseEnv(dir))
    assert.equal(replaced.code, 0, replaced.stderr)
    assert.match(replaced.stdout, /1 gateway rules/)
    assert.equal(replaced.stderr, '')
    const exportedAgain = await run(['config', 'export', '--config', noRules], baseEnv(dir))
    assert.deepEqual(decodeConfigFile(JSON.parse(exportedAgain.stdout)), decodeConfigFile(demoConfigFile), 'a stored configuration wins over --config')
    const missingSeed = await run(['config', 'export', '--config', join(dir, 'absent.json')], { ...baseEnv(join(dir, 'empty')) })
    assert.equal(missingSeed.code, 1, 'a missing --config file is an error, not a fallback')
  }))

void test('serve with ports 0: one ready line with the bound HTTP port, /healthz answers, SIGTERM stops it (exit 0)', () =>
  withDir(async (dir) => {
    const child = start(['serve'], {
      ...baseEnv(dir),
      PARLEY_BIND: '127.0.0.1',
      PARLEY_SIP_PORT: '0',
      PARLEY_SIPS_PORT: '0',
      PARLEY_HTTP_PORT: '0',
    })
    const finished = finish(child, 60_000)
    const ready = await logLine(child, 'ready')
    const http = ready['http']
    assert.equal(typeof http, 'number')
    assert.ok((http as number) > 0)
    assert.ok('sip' in ready)
    const health = await fetch(`http://127.0.0.1:${String(http)}/healthz`)
    assert.equal(health.status, 200)
    assert.equal(((await health.json()) as { status: string }).status, 'ok')
    const logo = await fetch(`http://127.0.0.1:${String(http)}/avatar/default.png`)
    assert.equal(logo.headers.get('content-type'), 'image/png')
    await logo.arrayBuffer()
    assert.ok(existsSync(join(dir, 'tls', 'self-signed-cert.pem')), 'the TLS pair is made at first start')
    const shown = /the admin password \(user "admin"\) is (\S+)/.exec(stderrOf(child))
    assert.ok(shown !== null, 'the generated admin password is shown at first start')
    const api = `http://127.0.0.1:${String(http)}/api/admin/configuration/v1/conference/`
    const listed = await fetch(api, { headers: { authorization: `Basic ${Buffer.from(`admin:${shown[1] ?? ''}`).toString('base64')}` } })
    assert.equal(listed.status, 200)
    assert.equal(((await listed.json()) as { meta: { total_count: number } }).meta.total_count, 2)
    child.kill('SIGTERM')
    const exit = await finished
    assert.equal(exit.code, 0, exit.stderr)
    const lines = exit.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.equal(lines.filter((l) => l['msg'] === 'ready').length, 1)
    assert.ok(lines.some((l) => l['msg'] === 'stopped'))
    assert.equal(exit.stderr.match(/admin password/g)?.length, 1, 'shown once, on one line')

    const again = start(['serve'], { ...baseEnv(dir), PARLEY_BIND: '127.0.0.1', PARLEY_SIP_PORT: '0', PARLEY_SIPS_PORT: '0', PARLEY_HTTP_PORT: '0' })
    const secondExit = finish(again, 60_000)
    await logLine(again, 'ready')
    again.kill('SIGTERM')
    const second = await secondExit
    assert.equal(second.code, 0, second.stderr)
    assert.doesNotMatch(second.stderr, /admin password/, 'never shown again')
  }))

void test('serve refuses to start on a broken config file or a bad environment variable (exit 1, nothing listens)', () =>
  withDir(async (dir) => {
    const broken = join(dir, 'broken.json')
    await writeFile(broken, JSON.stringify({ ...demoConfigFile, conference: [{ name: 42 }] }))
    const env = { ...baseEnv(dir), PARLEY_HTTP_PORT: '0', PARLEY_SIP_PORT: '0', PARLEY_SIPS_PORT: '0' }
    const refused = await run(['serve', '--config', broken], env)
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /broken\.json \(--config\): invalid configuration/)
    assert.match(refused.stderr, /^ {2}conference\b.*: /m)
    assert.match(refused.stderr, /nothing was started/)
    assert.doesNotMatch(refused.stdout, /"msg":"ready"/)

    const badEnv = await run(['serve'], { ...env, PARLEY_HTTP_PORT: 'eighty' })
    assert.equal(badEnv.code, 1)
    assert.match(badEnv.stderr, /PARLEY_HTTP_PORT="eighty": must be a port number/)
    assert.doesNotMatch(badEnv.stdout, /"msg":"ready"/)
  }))

void test('bin/parley.mjs runs the CLI from any directory; bad usage exits 2', () =>
  withDir(async (dir) => {
    const help = await finish(spawn(process.execPath, [join(repo, 'bin/parley.mjs'), '--help'], { cwd: dir, env: baseEnv(dir) }))
    assert.equal(help.code, 0, help.stderr)
    assert.match(help.stdout, /parley config check FILE/)
    const bad = await run(['frobnicate'], baseEnv(dir))
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /unknown command: frobnicate/)
    const noFile = await run(['config', 'check'], baseEnv(dir))
    assert.equal(noFile.code, 2)
  }))
