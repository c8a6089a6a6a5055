import { z } from 'zod'

/*
 * The shape of config/stancewatch.yaml. Every object is strict, so a misspelt key is reported rather
 * than silently ignored. Semantic checks that need more than one field live in validate.ts.
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, "-" or "_", starting with a letter or digit')

const term = z.string().trim().min(1)

export const languageSchema = z.enum(['en', 'zh', 'fr', 'ja'])

const keywordRuleSchema = z.strictObject({
  id,
  /** Which language this rule is written for: collectors ask the platforms for it. The matcher tests every rule on every post. */
  lang: languageSchema.optional(),
  /** A post matches when it contains any of these terms... */
  any: z.array(term).min(1),
  /** ...and, if given, also one of these... */
  with: z.array(term).optional(),
  /** ...and none of these. */
  not: z.array(term).optional(),
})

const stanceLabelSchema = z.strictObject({
  id,
  name: z.string().min(1),
  definition: z.string().min(1),
})

const topicSchema = z.strictObject({
  id,
  name: z.string().min(1),
  articles: z.array(z.url({ protocol: /^https?$/ })).default([]),
  hashtags: z.array(term).default([]),
  keywords: z.array(keywordRuleSchema).default([]),
  accounts: z
    .strictObject({
      x: z.array(term).default([]),
      bluesky: z.array(term).default([]),
      /** A watched account's post belongs to the topic when it contains one of these (empty: every post). */
      require_any: z.array(term).default([]),
    })
    .default({ x: [], bluesky: [], require_any: [] }),
  queries: z
    .strictObject({
      x: z.array(z.string().min(1).max(512)).default([]),
      bluesky: z.array(z.string().min(1)).default([]),
    })
    .default({ x: [], bluesky: [] }),
  stance: z.strictObject({
    labels: z.array(stanceLabelSchema).min(2),
    /** JSONL of {text, label} relative to the config file. */
    seeds: z.string().min(1),
    /** Below this probability the post is labelled `uncertain` instead of guessed. */
    min_confidence: z.number().min(0).max(1).default(0.45),
  }),
})

const cron = z.string().min(1)

export const configSchema = z.strictObject({
  /** IANA name; every time a person reads is in this zone, and named. */
  timezone: z.string().min(1),
  topics: z.array(topicSchema).min(1),
  schedules: z.strictObject({
    collect: cron,
    classify: cron,
    alerts: cron,
    digest: cron,
  }),
  sources: z
    .strictObject({
      /** Sources the daemon's collect job runs; credentials decide which of them can actually run. */
      enabled: z.array(z.enum(['x', 'bluesky', 'jetstream', 'replay'])).default(['x', 'bluesky']),
      replay_files: z.array(z.string().min(1)).default([]),
    })
    .default({ enabled: ['x', 'bluesky'], replay_files: [] }),
  alerts: z.strictObject({
    volume_spike: z.strictObject({
      /** Hours in the window under test. */
      window_hours: z.number().int().min(1).max(48),
      /** Days of history the expected volume is learned from. */
      baseline_days: z.number().int().min(2).max(60),
      /** Fewer posts than this in the window never alert. */
      min_posts: z.number().int().min(1),
      /** How far above expected (in standard deviations of a Poisson count) counts as a spike. */
      sensitivity: z.number().positive(),
      /** Observed must also be at least this multiple of expected. */
      min_ratio: z.number().min(1),
      /** No second spike alert for the same topic and platform within this many hours. */
      cooldown_hours: z.number().min(0),
    }),
  }),
  digest: z.strictObject({
    /** Folder the digest files are written to, relative to the working directory. */
    out_dir: z.string().min(1),
    formats: z.array(z.enum(['md', 'html', 'json'])).min(1).default(['md', 'html', 'json']),
    top_posts: z.number().int().min(1).max(20).default(3),
  }),
})

export type Config = z.infer<typeof configSchema>
export type TopicConfig = Config['topics'][number]
export type KeywordRule = TopicConfig['keywords'][number]
export type StanceLabelConfig = TopicConfig['stance']['labels'][number]
export type Language = z.infer<typeof languageSchema>
