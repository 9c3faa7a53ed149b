/**
 * Makes assets/prompts/ (run by scripts/install-deps.sh when a file is missing; the results are
 * committed): spoken prompts with espeak-ng, converted to 16 kHz mono WAV by GStreamer, and the
 * synthesised hold music. `--force` remakes every file.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { holdMusic } from './hold-music.js'
import type { PromptSound } from './prompt-catalogue.js'
import { promptDirectory, promptPath, prompts } from './prompt-catalogue.js'
import { wavFile } from './wav-file.js'

const sampleRate = 16000
const force = process.argv.includes('--force')

mkdirSync(promptDirectory, { recursive: true })
const scratch = mkdtempSync(join(tmpdir(), 'parley-prompts-'))
try {
  for (const sound of Object.keys(prompts) as PromptSound[]) {
    const target = promptPath(sound)
    if (existsSync(target) && !force) continue
    const text = prompts[sound].text
    if (text === undefined) {
      writeFileSync(target, wavFile(holdMusic(sampleRate), sampleRate))
      continue
    }
    const spoken = join(scratch, `${sound}.wav`)
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', spoken, text])
    execFileSync('gst-launch-1.0', [
      '-q',
      'filesrc', `location=${spoken}`, '!', 'wavparse', '!', 'audioconvert', '!', 'audioresample', '!',
      `audio/x-raw,format=S16LE,rate=${sampleRate},channels=1`, '!', 'wavenc', '!', 'filesink', `location=${target}`,
    ])
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
