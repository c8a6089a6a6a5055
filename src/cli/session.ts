import { loadDotEnv, readEnv, SECRET_ENV } from '../config/env.js'
import { closeContext, createContext, type AppContext } from '../context.js'
import { ConfigError, UsageError } from '../domain/errors.js'
import { withJobLease } from '../jobs/leases.js'
import { createLogger, type Logger } from '../logger.js'
import { registerSecret } from '../util/secrets.js'
import type { Io } from './io.js'
import { logOutput } from './log-format.js'

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  config?: string
  db?: string
  logLevel?: string
  verbose?: boolean
  wait?: boolean
  /** --pretty / --no-pretty; undefined: decided by STANCEWATCH_LOG_FORMAT or the terminal. */
  pretty?: boolean
}

export interface SessionSettings {
  /** Log level when neither --log-level, -v nor STANCEWATCH_LOG_LEVEL says: `warn` for commands, `info` for the daemon. */
  logLevel?: string
  /** The command only reads: a database file that does not exist is a mistake, not something to create. */
  readOnly?: boolean
}

export function makeLogger(io: Io, opts: GlobalOptions, fallback: string): Logger {
  const level = opts.logLevel ?? (opts.verbose ? 'info' : fallback)
  return createLogger(level, { write: (s: string) => io.stderr(s) }, logOutput(io, opts.pretty))
}

/**
 * Build the context for one command: `.env`, environment, config, database. Config mistakes throw
 * ConfigError here, before anything runs. The database is closed however the command ends.
 */
export async function withContext<T>(io: Io, opts: GlobalOptions, fn: (ctx: AppContext) => Promise<T> | T, settings: SessionSettings = {}): Promise<T> {
  loadDotEnv(io.env, io.cwd)
  for (const k of SECRET_ENV) registerSecret(io.env[k])
  const env = readEnv(io.env)
  const log = makeLogger(io, opts, env.logLevel || settings.logLevel || 'warn')
  const dbPath = databasePath(opts.db, env.dbPath)
  const ctx = createContext({ env, log, configPath: opts.config, dbPath, dbMustExist: settings.readOnly })
  try {
    return await fn(ctx)
  } finally {
    closeContext(ctx)
  }
}

/**
 * The database a command uses. An empty path or `:memory:` would collect into a database that vanishes when
 * the command ends, and report success: refused.
 */
export function databasePath(flag: string | undefined, fromEnv: string): string {
  if (flag !== undefined) {
    if (isThrowaway(flag))
      throw new UsageError(`--db "${flag}" is not a database file: stancewatch keeps what it collects, so give a file path (e.g. --db db/stancewatch.sqlite)`)
    return flag
  }
  if (isThrowaway(fromEnv)) {
    throw new ConfigError([
      {
        file: 'environment',
        key: 'STANCEWATCH_DB',
        message: `"${fromEnv}" is not a database file`,
        fix: 'set it to a file path such as db/stancewatch.sqlite, or unset it for that default',
      },
    ])
  }
  return fromEnv
}

/**
 * Run a job's work holding its lease, as the daemon does: never beside the same job in another process.
 * Taken: refuse (exit 2) naming who holds it, or with --wait, wait for it.
 */
export function exclusive<T>(
  ctx: AppContext,
  io: Io,
  opts: GlobalOptions,
  job: string,
  command: string,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return withJobLease(
    ctx,
    job,
    { command, wait: opts.wait, signal, onWait: (h) => io.stderr(`waiting for ${job} to finish in pid ${h.pid} (${h.command})…\n`) },
    fn,
  )
}

function isThrowaway(p: string): boolean {
  const v = p.trim()
  return v === '' || v === ':memory:' || v.startsWith('file::memory:') || /[?&]mode=memory\b/.test(v)
}
