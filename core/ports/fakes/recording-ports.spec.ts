import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeMedia, FakeSignalling, sequentialIds } from './recording-ports.js'
import { ConferenceId, LegId } from '../../model/ids.js'
import type { Input } from '../../node/input.js'

test('fakes record effects in order and pass inputs to every consumer', async () => {
  const signalling = new FakeSignalling()
  const media = new FakeMedia()
  const seen: Input[] = []
  signalling.onInput((i) => seen.push(i))
  await signalling.perform({ _tag: 'Ring', leg: LegId('a') })()
  await media.perform({ _tag: 'JoinMix', leg: LegId('a'), conference: ConferenceId('1') })()
  signalling.emit({ _tag: 'CallEnded', at: 5, leg: LegId('a'), reason: 'bye' })
  assert.deepEqual(signalling.performed, [{ _tag: 'Ring', leg: 'a' }])
  assert.equal(media.performed.length, 1)
  assert.deepEqual(seen, [{ _tag: 'CallEnded', at: 5, leg: 'a', reason: 'bye' }])
})

test('sequential ids never repeat', () => {
  const ids = sequentialIds('n1-')
  const made = new Set(Array.from({ length: 100 }, () => ids.leg()))
  assert.equal(made.size, 100)
  assert.equal(ids.subscription(), 'n1-sub-1')
})
