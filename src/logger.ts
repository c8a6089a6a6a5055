import pino, { type Logger } from 'pino'

export type { Logger }

/** Secret values known at run time; any log line containing one has it replaced. */
const secretValues = new Set<string>()

export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 4) secretValues.add(value)
}

/** Replace every registered secret in a string; used for logs and anything else that leaves the process. */
export function scrubSecrets(text: string): string {
  let out = text
  for (const s of secretValues) if (out.includes(s)) out = out.split(s).join('[REDACTED]')
  return out
}

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

/**
 * JSON logs on stderr, so stdout stays for the command's own output. Writes are synchronous so that
 * the last lines before an exit are never lost.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ fd: 2, sync: true })): Logger {
  return pino(
    {
      level,
      base: { app: 'stancewatch' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: scrubSecrets },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  )
}

/** A logger that drops everything: for tests and programmatic use. */
export const silentLogger: Logger = pino({ level: 'silent' })
