/**
 * The one raw format every mix runs in: 48 kHz mono 32-bit float, in 20 ms buffers. Float so
 * that a conference total never clips before each listener's own voice is taken out of it (the
 * result is clipped once, on the way to the encoder); 48 kHz so that Opus keeps its full band.
 */
export const mixRate = 48000
export const mixBufferNs = 20_000_000n
export const mixSamplesPerBuffer = 960
export const mixCaps = `audio/x-raw,format=F32LE,rate=${mixRate},channels=1,layout=interleaved`

/**
 * Every mixer's output starts on one grid (a multiple of 20 ms from the worker's first running
 * time), so that a leg's samples land on the same output sample in the conference total and in
 * the listener's own mixer: subtracting the leg's voice from the total is then exact.
 */
export const gridStart = (origin: bigint, now: bigint, aheadNs: bigint): bigint => {
  const wanted = now + aheadNs
  if (wanted <= origin) return origin
  const steps = (wanted - origin + mixBufferNs - 1n) / mixBufferNs
  return origin + steps * mixBufferNs
}
