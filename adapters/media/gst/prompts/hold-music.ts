/**
 * Parley's hold music, synthesised (nothing downloaded): a slow I–vi–IV–V progression in C,
 * soft sine chords with a gentle attack and release, at about -20 dBFS. Every chord dies out
 * inside its bar, so the file loops without a click.
 */

/** MIDI note numbers of each bar's chord. */
const progression: ReadonlyArray<ReadonlyArray<number>> = [
  [48, 60, 64, 67], // C
  [45, 57, 60, 64], // Am
  [41, 57, 60, 65], // F
  [43, 55, 59, 62], // G
]

const frequencyOf = (midi: number): number => 440 * 2 ** ((midi - 69) / 12)

export const holdMusic = (sampleRate: number, barSeconds = 2): Float32Array => {
  const barLength = Math.round(barSeconds * sampleRate)
  const out = new Float32Array(barLength * progression.length)
  const attack = 0.08 * sampleRate
  progression.forEach((chord, bar) => {
    for (let i = 0; i < barLength; i++) {
      const t = i / sampleRate
      // Rise over `attack`, then a cosine fall to exactly zero at the bar's end.
      const envelope = Math.min(1, i / attack) * 0.5 * (1 + Math.cos((Math.PI * i) / barLength))
      let sample = 0
      for (const note of chord) {
        const f = frequencyOf(note)
        sample += Math.sin(2 * Math.PI * f * t) + 0.25 * Math.sin(4 * Math.PI * f * t)
      }
      out[bar * barLength + i] = (0.1 / chord.length) * 1.6 * envelope * sample
    }
  })
  return out
}
