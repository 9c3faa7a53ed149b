/**
 * A child process for the durability spec (durability.spec.ts): opens the store in the data dir
 * given as argv[2] and creates VMRs as fast as it can, writing each new id to stdout only after
 * its commit has returned, i.e. once the write is acknowledged. The spec kills it with SIGKILL.
 */
import { writeSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { ConferenceCodec } from '../../../core/config/codecs.js'
import { re2PatternEngine } from '../../regex/re2-pattern-engine.js'
import { ConfigStore } from '../config-store.js'
import { demoSeed } from '../seed-source.js'

const dataDir = process.argv[2]
if (dataDir === undefined) throw new Error('usage: burst-writer <data dir>')
const opened = ConfigStore.open({ dataDir, engine: re2PatternEngine, seed: demoSeed, adminPassword: 'burst' })
if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left))
const { store } = opened.right

for (let i = 0; i < 1_000_000; i++) {
  const tag = `${process.pid}-${i}`
  const value = ConferenceCodec.decode({ name: `burst ${tag}`, aliases: [{ alias: `burst-${tag}@example.com` }] })
  if (E.isLeft(value)) throw new Error('bad fixture')
  const created = store.create('conference', value.right)
  if (E.isLeft(created)) throw new Error(JSON.stringify(created.left))
  // writeSync: the line is in the pipe before the next write starts.
  writeSync(1, `${String(created.right['id'])} ${tag}\n`)
}
