import { parse as parseYaml } from 'yaml'
import { configSchema, type TopicConfig } from '../../config/schema.js'
import type { AppContext } from '../../context.js'
import { compileTopics } from '../../match/matcher.js'
import { compileXQueries } from '../../sources/x/queries.js'
import { collectPlan } from './plan.js'

/*
 * What collecting a proposed topic would read and cost: `collect --dry-run` run over a context whose only
 * topic is the proposal, so the estimate is the new topic's alone. X needs its bearer token for the counts
 * endpoint; without it the queries are shown and the estimate says why it is unknown.
 */

export interface TopicEstimate {
  x: { queries: string[]; estimatedReads: number | null; estimatedCostUsd: number | null; costPerPostUsd: number; note: string | null }
  bluesky: { queries: number; note: string }
}

/** The proposal parsed as the config file will read it (defaults filled), from the config text that would be written. */
export function proposedTopicConfig(newText: string, id: string): TopicConfig {
  const parsed = configSchema.safeParse(parseYaml(newText))
  if (!parsed.success)
    throw new Error(
      `the proposed topic does not fit the configuration schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  const topic = parsed.data.topics.find((t) => t.id === id)
  if (!topic) throw new Error(`the proposed topic ${id} is missing from the new configuration`)
  return topic
}

export async function estimateTopic(ctx: AppContext, topic: TopicConfig): Promise<TopicEstimate> {
  const only: AppContext = { ...ctx, config: { ...ctx.config, topics: [topic] }, topics: compileTopics([topic]) }
  const cost = ctx.config.sources.x.cost_per_post_usd
  let x: TopicEstimate['x']
  if (!ctx.env.x.bearerToken) {
    x = {
      queries: compileXQueries(topic).map((q) => q.query),
      estimatedReads: null,
      estimatedCostUsd: null,
      costPerPostUsd: cost,
      note: 'X_BEARER_TOKEN is not set: no counts, so reads and cost are unknown (collect --source x --dry-run estimates them once it is)',
    }
  } else {
    const plan = await collectPlan(only, 'x')
    if (plan.source !== 'x') throw new Error('unreachable: the X plan is an X plan')
    const p = plan.plan
    const known = p.queries.every((q) => q.estimate !== null)
    x = {
      queries: p.queries.map((q) => q.query),
      estimatedReads: known ? p.estimatedReads : null,
      estimatedCostUsd: known ? p.estimatedCostUsd : null,
      costPerPostUsd: cost,
      note: p.note ?? (known ? null : 'some queries have no estimate (the counts endpoint did not answer for them)'),
    }
  }
  const bsky = await collectPlan(only, 'bluesky')
  const bskyQueries = bsky.source === 'bluesky' ? bsky.queries.length : 0
  return {
    x,
    bluesky: { queries: bskyQueries, note: `free but rate-limited; a first run reads up to ${ctx.config.sources.bluesky.first_run_lookback_hours} h back` },
  }
}
