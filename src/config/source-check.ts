import { accessSync, constants, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Env } from './env.js'
import { formatKey } from './key-path.js'
import type { Config } from './schema.js'
import type { SemanticProblem } from './validate.js'

export type SourceId = Config['sources']['enabled'][number]

/** What a source needs from the environment that is missing, or null (Jetstream and replay need nothing). */
export function missingCredentials(source: SourceId, env: Env): string | null {
  switch (source) {
    case 'x':
      return env.x.bearerToken ? null : 'X_BEARER_TOKEN is not set'
    case 'bluesky':
      return env.bluesky.identifier && env.bluesky.appPassword ? null : 'BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set'
    case 'jetstream':
    case 'replay':
      return null
  }
}

export interface SourceCheck {
  /** Enabled sources that will be skipped for lack of credentials: the daemon runs without them. */
  warnings: string[]
  /** What keeps the daemon from collecting at all, or from writing what it produces. */
  problems: SemanticProblem[]
}

/**
 * Whether the enabled sources can run with this environment, and the output folders be written: the check
 * `config check` and `start` make before anything runs. A source without credentials is a warning; a
 * daemon that could collect nothing, or write nothing, is a problem.
 */
export function checkSources(config: Config, env: Env): SourceCheck {
  const problems: SemanticProblem[] = []
  const add = (p: PropertyKey[], message: string, fix: string) => problems.push({ path: p, key: formatKey(p), message, fix })
  const { enabled, replay_files: files } = config.sources
  const warnings = enabled.flatMap((s) => {
    const missing = missingCredentials(s, env)
    return missing ? [`source ${s} is enabled but will be skipped: ${missing}`] : []
  })
  if (enabled.length === 0)
    add(['sources', 'enabled'], 'no source is enabled: the daemon would collect nothing', 'enable jetstream (it needs no credentials), x or bluesky')
  const replay = enabled.indexOf('replay')
  if (replay >= 0 && files.length === 0)
    add(
      ['sources', 'enabled', replay],
      'replay is enabled but sources.replay_files lists no archive',
      'list the archives to read under sources.replay_files, or remove replay from sources.enabled',
    )
  files.forEach((f, i) => {
    if (!existsSync(f)) add(['sources', 'replay_files', i], `the archive ${f} does not exist`, 'correct the path (relative to the config file) or remove it')
  })
  const runnable = enabled.filter((s) => !missingCredentials(s, env) && (s !== 'replay' || files.length > 0))
  if (enabled.length > 0 && runnable.length === 0) {
    add(
      ['sources', 'enabled'],
      `none of the enabled sources can run here (${warnings.map((w) => w.replace(/^source (\S+) is enabled but will be skipped: /, '$1: ')).join('; ')})`,
      'set the credentials in the environment or .env, or enable jetstream, which needs none',
    )
  }
  const writable = (dir: string, key: PropertyKey[]) => {
    const existing = firstExisting(dir)
    if (!statSync(existing).isDirectory()) return add(key, `${dir} cannot be created: ${existing} is a file`, 'point it at a folder')
    try {
      accessSync(existing, constants.W_OK)
    } catch {
      add(key, `${dir} cannot be written (${existing} is not writable by this user)`, 'point it at a folder this user can write, or fix its permissions')
    }
  }
  writable(config.digest.out_dir, ['digest', 'out_dir'])
  if (config.sources.archive_dir) writable(config.sources.archive_dir, ['sources', 'archive_dir'])
  return { warnings, problems }
}

/** The folder itself, or the nearest parent that exists (where it would be created). */
function firstExisting(dir: string): string {
  let d = path.resolve(dir)
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d)
  return d
}
