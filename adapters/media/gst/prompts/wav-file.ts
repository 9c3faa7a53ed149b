/** A 16-bit PCM mono WAV file (RIFF, WAVE `fmt ` + `data`) from samples in -1..1. */
export const wavFile = (samples: Float32Array, sampleRate: number): Buffer => {
  const data = Buffer.alloc(samples.length * 2)
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2))
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVE', 8, 'ascii')
  header.write('fmt ', 12, 'ascii')
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(sampleRate, 24)
  header.writeUInt32LE(sampleRate * 2, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}

/** The playing time of a PCM WAV file in nanoseconds (from `fmt ` byte rate and `data` size), or undefined. */
export const wavDurationNs = (file: Buffer): bigint | undefined => {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') return undefined
  let byteRate: number | undefined
  for (let at = 12; at + 8 <= file.length; ) {
    const id = file.toString('ascii', at, at + 4)
    const size = file.readUInt32LE(at + 4)
    if (id === 'fmt ' && at + 16 <= file.length) byteRate = file.readUInt32LE(at + 16)
    if (id === 'data') return byteRate === undefined || byteRate === 0 ? undefined : (BigInt(size) * 1_000_000_000n) / BigInt(byteRate)
    at += 8 + size + (size % 2)
  }
  return undefined
}
