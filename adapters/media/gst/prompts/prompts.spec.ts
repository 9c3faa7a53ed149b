import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { holdMusic } from './hold-music.js'
import type { PromptSound } from './prompt-catalogue.js'
import { promptPath, prompts } from './prompt-catalogue.js'
import { wavDurationNs, wavFile } from './wav-file.js'

void test('a WAV file made here reads back with its duration', () => {
  const samples = new Float32Array(16000 * 3)
  assert.equal(wavDurationNs(wavFile(samples, 16000)), 3_000_000_000n)
  assert.equal(wavDurationNs(Buffer.from('not a wav file at all')), undefined)
})

void test('hold music loops without a click: it starts and ends at silence, and stays below full scale', () => {
  const music = holdMusic(16000)
  assert.equal(music.length, 16000 * 8)
  assert.equal(music[0], 0)
  assert.ok(Math.abs(music[music.length - 1] ?? 1) < 1e-3)
  assert.ok(music.every((x) => Math.abs(x) < 0.5))
})

void test('every prompt the core can play is in assets/prompts/, a playable PCM WAV', () => {
  for (const sound of Object.keys(prompts) as PromptSound[]) {
    const duration = wavDurationNs(readFileSync(promptPath(sound)))
    assert.ok(duration !== undefined && duration > 1_000_000_000n && duration < 15_000_000_000n, `${sound}: ${duration}`)
  }
})
