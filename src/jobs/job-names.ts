import { missingCredentials } from '../config/source-check.js'
import type { AppContext } from '../context.js'
import type { SourceName } from './collect.js'

/** The jobs the daemon schedules, and what each source needs to run: known without loading any job. */
export const JOBS = ['collect', 'classify', 'alerts', 'digest', 'maintenance'] as const
export type JobName = (typeof JOBS)[number]

/** Why a source cannot run here (missing credentials, nothing to read), or null when it can. */
export function sourceUnavailable(ctx: AppContext, source: SourceName): string | null {
  if (source === 'replay' && ctx.config.sources.replay_files.length === 0) return 'no sources.replay_files configured'
  const missing = missingCredentials(source, ctx.env)
  return missing ? `no credentials: ${missing}` : null
}

/** The enabled sources that can run here: those whose silence means something. */
export function runnableSources(ctx: AppContext): SourceName[] {
  return ctx.config.sources.enabled.filter((s) => !sourceUnavailable(ctx, s))
}
