import { ConfigError } from '../domain/errors.js'
import type { LogFormat, LogOutput } from '../logger.js'
import type { Io } from './io.js'

const FORMATS: readonly LogFormat[] = ['json', 'pretty']

/**
 * How logs look: `--pretty` / `--no-pretty` first, then STANCEWATCH_LOG_FORMAT, then pretty on a terminal
 * and JSON otherwise (a service's stderr goes to a journal or a collector, which wants JSON).
 */
export function logOutput(io: Io, pretty: boolean | undefined): LogOutput {
  const colorize = io.stderrIsTTY && !io.env.NO_COLOR
  if (pretty !== undefined) return { format: pretty ? 'pretty' : 'json', colorize }
  const raw = io.env.STANCEWATCH_LOG_FORMAT?.trim()
  const wanted = raw?.toLowerCase()
  if (wanted) {
    if (!(FORMATS as readonly string[]).includes(wanted)) {
      throw new ConfigError([
        {
          file: 'environment',
          key: 'STANCEWATCH_LOG_FORMAT',
          message: `"${raw}" is not a log format`,
          fix: `set it to ${FORMATS.join(' or ')}, or unset it (pretty on a terminal, JSON otherwise)`,
        },
      ])
    }
    return { format: wanted as LogFormat, colorize }
  }
  return { format: io.stderrIsTTY ? 'pretty' : 'json', colorize }
}
