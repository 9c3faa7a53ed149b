/**
 * The disk fills while the configuration is written (issue 9): the write is refused, nothing of
 * it is kept, the running configuration is not replaced, and once there is room again writes
 * succeed and a reopened store holds exactly what was acknowledged. SQLite's `max_page_count`
 * stands in for the full disk: a write past it fails with SQLITE_FULL ("database or disk is
 * full"), the error a full file system gives, through the same code path.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Database } from 'better-sqlite3'
import * as E from 'fp-ts/lib/Either.js'
import { ConferenceCodec } from '../../core/config/codecs.js'
import type { ConfigStore } from './config-store.js'
import { decoded, openStore, temporaryDataDir } from './testing/store-fixtures.js'

const room = (i: number) => decoded(ConferenceCodec, { name: `Room ${i}`, description: 'x'.repeat(240), aliases: [{ alias: `room${i}@example.com` }] })

/** The store's own connection: the limit has to be set where the writes happen. */
const connectionOf = (store: ConfigStore): Database => (store as unknown as { readonly db: Database }).db

void test('a full disk refuses the configuration write, keeps the old configuration, and writes resume when there is room', () => {
  const data = temporaryDataDir()
  try {
    const { store } = openStore(data.dir)
    const db = connectionOf(store)
    const published: number[] = []
    store.subscribe((change) => published.push(change.config.vmrs.length))
    const pages = db.pragma('page_count', { simple: true }) as number
    db.pragma(`max_page_count = ${pages}`)

    let acknowledged = 0
    let failure: E.Either<unknown, unknown> | undefined
    for (let i = 0; i < 200 && failure === undefined; i++) {
      const written = store.create('conference', room(i))
      if (E.isRight(written)) acknowledged++
      else failure = written
    }
    assert.ok(failure !== undefined && E.isLeft(failure), 'the disk filled up')
    assert.deepEqual(failure.left, { _tag: 'StoreFailed', reason: (failure.left as { reason: string }).reason })
    assert.match((failure.left as { reason: string }).reason, /full/i)
    const vmrs = 2 + acknowledged
    assert.equal(store.compiledConfig().source.vmrs.length, vmrs, 'the configuration in force is the last one acknowledged')
    assert.equal(published.length, acknowledged, 'the refused write was not published to the running node')
    assert.equal(store.list('conference', [], undefined, 0).total, vmrs, 'nothing of the refused write is stored')

    db.pragma('max_page_count = 1073741823')
    assert.ok(E.isRight(store.create('conference', room(999))), 'writes resume once there is room')
    store.close()
    const reopened = openStore(data.dir).store
    assert.equal(reopened.compiledConfig().source.vmrs.length, vmrs + 1, 'a reopened store holds exactly what was acknowledged')
    reopened.close()
  } finally {
    data.remove()
  }
})
