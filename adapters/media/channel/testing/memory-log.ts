/** A pino logger that keeps its records in memory, for specs that assert on what was logged. */
import { Writable } from 'node:stream'
import pino from 'pino'
import type { Logger } from 'pino'

export interface MemoryLog {
  readonly logger: Logger
  readonly records: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** Messages of the records at `level` or above ('warn' also finds 'error' and 'fatal'). */
  readonly messages: (level?: 'debug' | 'info' | 'warn' | 'error') => ReadonlyArray<string>
}

const rank: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

export const memoryLog = (): MemoryLog => {
  const records: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  const logger = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, stream)
  return {
    logger,
    records,
    messages: (level = 'debug') => records.filter((r) => (rank[String(r['level'])] ?? 0) >= (rank[level] ?? 0)).map((r) => String(r['msg'])),
  }
}
