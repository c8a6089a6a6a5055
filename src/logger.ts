import { createRequire } from 'node:module'
import pino, { type Logger } from 'pino'
import type * as PinoPretty from 'pino-pretty'
import { scrubSecrets } from './util/secrets.js'

export type { Logger }

const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'appPassword',
  '*.appPassword',
  'bearerToken',
  '*.bearerToken',
  'accessJwt',
  '*.accessJwt',
  'refreshJwt',
  '*.refreshJwt',
]

/** `json`: one JSON object per line, for services and log collectors. `pretty`: for a person at a terminal. */
export type LogFormat = 'json' | 'pretty'

export interface LogOutput {
  format?: LogFormat
  /** ANSI colours in pretty output (a terminal that wants them). */
  colorize?: boolean
}

/**
 * Logs on stderr, so stdout stays for the command's own output. Writes are synchronous so that the last
 * lines before an exit are never lost. Pretty lines are made from the redacted, scrubbed JSON line and
 * scrubbed once more, since formatting unescapes what JSON had escaped.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ fd: 2, sync: true }), output: LogOutput = {}): Logger {
  return pino(
    {
      level,
      base: { app: 'stancewatch' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: scrubSecrets },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    output.format === 'pretty' ? prettyDestination(destination, output.colorize ?? false) : destination,
  )
}

function prettyDestination(destination: pino.DestinationStream, colorize: boolean): pino.DestinationStream {
  // Loaded only when wanted: ~40 ms and ~10 MB that a daemon logging JSON never needs.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty
  const pretty = prettyFactory({ colorize, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'app,pid,hostname', singleLine: true })
  return { write: (line: string) => destination.write(scrubSecrets(pretty(line))) }
}

/** A logger that drops everything: for tests and programmatic use. */
export const silentLogger: Logger = pino({ level: 'silent' })
