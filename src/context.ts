import { loadConfig } from './config/load.js'
import type { Config } from './config/schema.js'
import type { Env } from './config/env.js'
import type { Logger } from './logger.js'
import { compileTopics, type CompiledTopic } from './match/matcher.js'
import { openDb, type Db } from './store/db.js'
import { migrate } from './store/migrate.js'

/** Everything a job needs, built once per command or daemon and passed explicitly. */
export interface AppContext {
  config: Config
  configFile: string
  env: Env
  db: Db
  log: Logger
  topics: CompiledTopic[]
  /** The clock; tests and backtests replace it. */
  now: () => Date
}

export interface ContextOptions {
  env: Env
  log: Logger
  configPath?: string
  dbPath?: string
  /** Refuse a database file that does not exist (read-only commands). */
  dbMustExist?: boolean
  now?: () => Date
}

/** Validate config, open and migrate the database. Config errors surface before any file is touched. */
export function createContext(opts: ContextOptions): AppContext {
  const configFile = opts.configPath ?? opts.env.configPath
  const { config } = loadConfig(configFile)
  const dbPath = opts.dbPath ?? opts.env.dbPath
  const db = openDb(dbPath, { mustExist: opts.dbMustExist })
  try {
    const applied = migrate(db)
    if (applied.length) opts.log.info({ applied, db: dbPath }, 'database migrated')
  } catch (e) {
    db.close()
    throw e
  }
  return { config, configFile, env: opts.env, db, log: opts.log, topics: compileTopics(config.topics), now: opts.now ?? (() => new Date()) }
}

/** The same context with its configuration read again from its file (validated: throws ConfigError). */
export function reloadContext(ctx: AppContext): AppContext {
  const { config } = loadConfig(ctx.configFile)
  return { ...ctx, config, topics: compileTopics(config.topics) }
}

export function closeContext(ctx: AppContext): void {
  if (ctx.db.open) ctx.db.close()
}
