/**
 * Frequency analysis of received audio for the media specs: how much of a signal's energy is
 * at one frequency (Goertzel's algorithm, one DFT bin), in dB. A pure tone gives about 0 dB,
 * a tone that is absent gives a large negative number; silence gives -Infinity.
 */

/** 16-bit little-endian mono PCM as numbers. */
export const pcmSamples = (raw: Buffer): Float64Array => {
  const samples = new Float64Array(Math.floor(raw.length / 2))
  for (let i = 0; i < samples.length; i++) samples[i] = raw.readInt16LE(i * 2)
  return samples
}

/** Power of the DFT bin nearest `frequency` over all of `samples` (Goertzel). */
export const goertzelPower = (samples: Float64Array, frequency: number, sampleRate: number): number => {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate)
  let previous = 0
  let beforePrevious = 0
  for (const x of samples) {
    const current = x + coefficient * previous - beforePrevious
    beforePrevious = previous
    previous = current
  }
  return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
}

export const meanSquare = (samples: Float64Array): number => {
  let sum = 0
  for (const x of samples) sum += x * x
  return samples.length === 0 ? 0 : sum / samples.length
}

/** The share of the signal's energy at `frequency`, in dB (0 dB: all of it). */
export const toneShareDb = (samples: Float64Array, frequency: number, sampleRate: number): number => {
  const total = meanSquare(samples) * samples.length
  if (total === 0) return Number.NEGATIVE_INFINITY
  // A bin's power for a full-scale-share sine is N²A²/4 against a total energy of N·A²/2.
  const share = goertzelPower(samples, frequency, sampleRate) / ((samples.length * total) / 2)
  return 10 * Math.log10(share)
}

/** RMS level in dBFS for 16-bit samples. */
export const rmsDbfs = (samples: Float64Array): number => 10 * Math.log10(meanSquare(samples) / (32768 * 32768))
