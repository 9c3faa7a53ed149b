/**
 * Reads `GET /metrics` text back for specs; every sample line must parse. Prometheus text format 0.0.4: `name{label="value",…} number`, comments `# HELP` / `# TYPE`;
 * numbers as Go's ParseFloat reads them (NaN and Inf in any case).
 */
const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]?[Ii]nf)$/

export const parsePrometheusText = (text: string): ReadonlyMap<string, number> => {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue
    const m = sampleLine.exec(line)
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`)
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]))
  }
  return samples
}
