import { loadDotEnv, readEnv, SECRET_ENV } from '../config/env.js'
import { closeContext, createContext, type AppContext } from '../context.js'
import { createLogger, registerSecret, type Logger } from '../logger.js'
import type { Io } from './io.js'
import { logOutput } from './log-format.js'

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  config?: string
  db?: string
  logLevel?: string
  verbose?: boolean
  /** --pretty / --no-pretty; undefined: decided by STANCEWATCH_LOG_FORMAT or the terminal. */
  pretty?: boolean
}

export function makeLogger(io: Io, opts: GlobalOptions, fallback: string): Logger {
  const level = opts.logLevel ?? (opts.verbose ? 'info' : fallback)
  return createLogger(level, { write: (s: string) => io.stderr(s) }, logOutput(io, opts.pretty))
}

/**
 * Build the context for one command: `.env`, environment, config, database. Config mistakes throw
 * ConfigError here, before anything runs. The database is closed however the command ends.
 */
export async function withContext<T>(io: Io, opts: GlobalOptions, fn: (ctx: AppContext) => Promise<T> | T, logFallback = 'warn'): Promise<T> {
  loadDotEnv(io.env, io.cwd)
  for (const k of SECRET_ENV) registerSecret(io.env[k])
  const env = readEnv(io.env)
  const log = makeLogger(io, opts, env.logLevel || logFallback)
  const ctx = createContext({ env, log, configPath: opts.config, dbPath: opts.db })
  try {
    return await fn(ctx)
  } finally {
    closeContext(ctx)
  }
}
