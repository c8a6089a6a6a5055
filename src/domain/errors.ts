/**
 * Errors a person can fix by changing what they typed or configured. The CLI runner maps these to
 * exit code 2; anything else is a failure (exit 1).
 */
export class UserError extends Error {
  override name = 'UserError'
  readonly exitCode = 2
}

/** A command line that cannot be run as written. */
export class UsageError extends UserError {
  override name = 'UsageError'
}

/** Input data (a replay file, a label file) that cannot be read as the command expects. */
export class InputError extends UserError {
  override name = 'InputError'
}

/**
 * A failure the command has already shown in its output (a run that ended `failed`, printed with its
 * record): exit 1 with a line on stderr, and no second JSON document on stdout.
 */
export class ReportedFailure extends Error {
  override name = 'ReportedFailure'
}

export interface ConfigProblem {
  /** File the problem is in, or `environment` for an environment variable. */
  file: string
  /** Dotted key path, e.g. `topics[0].stance.labels[1].id`. */
  key: string
  /** 1-based line in the file, when known. */
  line?: number
  message: string
  fix: string
}

/** Configuration that cannot be used; carries every problem found, not just the first. */
export class ConfigError extends UserError {
  override name = 'ConfigError'
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'))
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}` : p.file
  return `${where}: ${p.key}: ${p.message}. Fix: ${p.fix}`
}
