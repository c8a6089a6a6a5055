import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseEnv } from 'node:util'
import { ConfigError, type ConfigProblem } from '../domain/errors.js'

/**
 * Everything stancewatch reads from the environment. Secrets live only here (never in config/ or the
 * database); this is the one module that touches process.env.
 */
export interface Env {
  dbPath: string
  configPath: string
  logLevel: string
  x: { bearerToken: string | null; baseUrl: string }
  bluesky: { identifier: string | null; appPassword: string | null; service: string; publicApi: string }
  jetstreamUrl: string
  /** The optional labelling assistant: any OpenAI-compatible chat-completions endpoint (null when unset). */
  llm: { baseUrl: string | null; apiKey: string | null }
  /**
   * Any other variable by name, trimmed (null when unset or blank): notification channels name the
   * variable that holds their secret in the config. Not enumerable, so logging, serialising or comparing an
   * Env never walks the raw environment; absent on a spread copy (`{ ...env }`), which then reads nothing.
   */
  variable?: (name: string) => string | null
}

export const ENV_DEFAULTS = {
  STANCEWATCH_DB: 'db/stancewatch.sqlite',
  STANCEWATCH_CONFIG: 'config/stancewatch.yaml',
  X_API_BASE_URL: 'https://api.x.com',
  BSKY_SERVICE: 'https://bsky.social',
  BSKY_PUBLIC_API: 'https://public.api.bsky.app',
  JETSTREAM_URL: 'wss://jetstream2.us-east.bsky.network/subscribe',
} as const

/** Values that must never be logged, stored or exported. */
export const SECRET_ENV = ['X_BEARER_TOKEN', 'BSKY_APP_PASSWORD', 'LLM_API_KEY'] as const

/**
 * Load `.env` from the working directory if there is one. Variables already set in the real
 * environment win, so a deployment can override the file.
 */
export function loadDotEnv(target: NodeJS.ProcessEnv, cwd: string): string | null {
  const file = path.join(cwd, '.env')
  if (!existsSync(file)) return null
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) if (target[k] === undefined) target[k] = v
  return file
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const get = (k: string) => {
    const v = source[k]?.trim()
    return v ? v : null
  }
  const problems: ConfigProblem[] = []
  const url = (k: keyof typeof ENV_DEFAULTS, protocols: string[]) => {
    const v = get(k) ?? ENV_DEFAULTS[k]
    let parsed: URL | null = null
    try {
      parsed = new URL(v)
    } catch {
      /* reported below */
    }
    if (!parsed || !protocols.includes(parsed.protocol)) {
      problems.push({
        file: 'environment',
        key: k,
        message: `"${v}" is not a ${protocols.join(' or ')} URL`,
        fix: `set ${k} to a full URL such as ${ENV_DEFAULTS[k]}, or unset it to use that default`,
      })
    }
    return v.replace(/\/+$/, '')
  }
  // No default: the assistant is off unless someone points it at a server.
  const optionalUrl = (k: string) => {
    const v = get(k)
    if (v === null) return null
    if (!URL.canParse(v) || !['http:', 'https:'].includes(new URL(v).protocol)) {
      problems.push({
        file: 'environment',
        key: k,
        message: `"${v}" is not a http or https URL`,
        fix: `set ${k} to the API root of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1, or unset it`,
      })
    }
    return v.replace(/\/+$/, '')
  }
  const env: Env = {
    dbPath: get('STANCEWATCH_DB') ?? ENV_DEFAULTS.STANCEWATCH_DB,
    configPath: get('STANCEWATCH_CONFIG') ?? ENV_DEFAULTS.STANCEWATCH_CONFIG,
    logLevel: get('STANCEWATCH_LOG_LEVEL') ?? get('LOG_LEVEL') ?? '',
    x: { bearerToken: get('X_BEARER_TOKEN'), baseUrl: url('X_API_BASE_URL', ['http:', 'https:']) },
    bluesky: {
      identifier: get('BSKY_IDENTIFIER'),
      appPassword: get('BSKY_APP_PASSWORD'),
      service: url('BSKY_SERVICE', ['http:', 'https:']),
      publicApi: url('BSKY_PUBLIC_API', ['http:', 'https:']),
    },
    jetstreamUrl: url('JETSTREAM_URL', ['ws:', 'wss:']),
    llm: { baseUrl: optionalUrl('LLM_BASE_URL'), apiKey: get('LLM_API_KEY') },
  }
  if (problems.length > 0) throw new ConfigError(problems)
  Object.defineProperty(env, 'variable', { value: get, enumerable: false })
  return env
}
