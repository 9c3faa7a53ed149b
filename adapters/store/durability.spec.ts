/**
 * Issue 7 "a kill -9 during a burst of writes loses no acknowledged one": a child process
 * (testing/burst-writer.ts) writes VMRs in a tight loop and prints each id after its commit;
 * it is killed with SIGKILL mid-burst, several times over the same store, and every id it
 * printed must be there when the store is opened again.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openStore, temporaryDataDir } from './testing/store-fixtures.js'

const writer = fileURLToPath(new URL('./testing/burst-writer.ts', import.meta.url))

interface Killed {
  readonly acknowledged: ReadonlyArray<{ readonly id: number; readonly tag: string }>
  readonly signal: NodeJS.Signals | null
}

/** Runs the writer until it has acknowledged `count` writes, then SIGKILLs it (bounded wait). */
const burstThenKill = (dataDir: string, count: number, boundMs = 60_000): Promise<Killed> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let killed = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no ${count} writes within ${boundMs} ms; stderr: ${stderr}`))
    }, boundMs)
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (!killed && stdout.split('\n').length - 1 >= count) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.on('error', reject)
    child.on('close', (_code, signal) => {
      clearTimeout(timer)
      // Only whole lines were acknowledged; a torn last line is not counted.
      const lines = stdout.split('\n').slice(0, -1)
      resolve({
        signal,
        acknowledged: lines.map((line) => {
          const [id, tag] = line.split(' ')
          return { id: Number(id), tag: tag ?? '' }
        }),
      })
    })
  })

void test('a writer killed with SIGKILL in the middle of a burst loses no acknowledged write', async () => {
  const data = temporaryDataDir()
  try {
    const all: Array<{ readonly id: number; readonly tag: string }> = []
    for (const count of [25, 60, 40]) {
      const run = await burstThenKill(data.dir, count)
      assert.equal(run.signal, 'SIGKILL', 'the writer was still writing when it was killed')
      assert.ok(run.acknowledged.length >= count)
      all.push(...run.acknowledged)
    }
    const { store } = openStore(data.dir)
    try {
      for (const { id, tag } of all) {
        const vmr = store.get('conference', id)
        assert.equal(vmr?.['name'], `burst ${tag}`, `acknowledged VMR ${id} is missing`)
      }
      const aliases = new Set(store.loadNodeConfig().vmrs.flatMap((v) => v.aliases))
      for (const { tag } of all) assert.ok(aliases.has(`burst-${tag}@example.com`))
    } finally {
      store.close()
    }
  } finally {
    data.remove()
  }
})
