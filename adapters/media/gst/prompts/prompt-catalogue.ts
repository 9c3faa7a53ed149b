/**
 * The prompts a leg can be played (core `Sound`), the files that hold them and whether they
 * loop. The files are made by generate-prompts.ts (espeak-ng for speech, a synthesised tune for
 * hold music: nothing downloaded) into assets/prompts/, 16 kHz mono 16-bit WAV.
 */
import { fileURLToPath } from 'node:url'
import type { Sound } from '../../../../core/node/effect.js'

export type PromptSound = Exclude<Sound, 'conference'>

export interface Prompt {
  readonly file: string
  /** Hold music repeats until something else is played; spoken prompts play once. */
  readonly loop: boolean
  /** What espeak-ng says; absent for music. */
  readonly text?: string
}

export const promptDirectory = fileURLToPath(new URL('../../../../assets/prompts/', import.meta.url))

export const prompts: Readonly<Record<PromptSound, Prompt>> = {
  'pin-prompt': { file: 'pin-prompt.wav', loop: false, text: 'Welcome. Please enter the conference PIN, followed by the pound key.' },
  'invalid-pin': { file: 'invalid-pin.wav', loop: false, text: 'That PIN is not valid. Please try again.' },
  'conference-ending': { file: 'conference-ending.wav', loop: false, text: 'The conference is ending. Goodbye.' },
  'hold-music': { file: 'hold-music.wav', loop: true },
}

export const promptPath = (sound: PromptSound): string => `${promptDirectory}${prompts[sound].file}`
