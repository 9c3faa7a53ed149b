/**
 * The node's log: pino, one JSON object per line on stdout (DESIGN §4 "structured logs"), the
 * level from PARLEY_LOG_LEVEL. Writes are synchronous so that the `ready` line is on stdout
 * before anyone is told the node is up, and nothing is lost when the process exits.
 */
import pino from 'pino'
import type { DestinationStream, Logger as PinoLogger } from 'pino'
import type { LogLevel } from './env.js'

export type Logger = PinoLogger

export const createLogger = (level: LogLevel, destination: DestinationStream = pino.destination({ dest: 1, sync: true })): Logger =>
  pino(
    {
      name: 'parley',
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
