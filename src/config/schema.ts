import { IANAZone } from 'luxon'
import { z } from 'zod'
import { UNCERTAIN } from '../domain/stance.js'
import { isValidCron } from './cron.js'
import { notifySchema } from './notify-schema.js'
import { duplicateIndexes, id, term } from './schema-parts.js'

/*
 * The shape of config/stancewatch.yaml. Every object is strict, so a misspelt key is reported rather
 * than silently ignored. Semantic checks that need more than one field live in validate.ts.
 */

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

/** A sub-theme of a topic (the fund, chips, talent…): a post on the topic is tagged with every theme it mentions. */
const themeSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** Same term semantics as keyword rules: any of these… */
  any: z.array(term).min(1),
  /** …and, if given, also one of these… */
  with: z.array(term).optional(),
  /** …and none of these. */
  not: z.array(term).optional(),
})

const stanceLabelSchema = z.strictObject({
  id,
  name: z.string().min(1),
  definition: z.string().min(1),
})

/** Engagement refresh: the most engaged recent posts get fresh counts on a schedule. */
const refreshSchema = z.strictObject({
  top_posts: z.number().int().min(0).default(100),
  days: z.number().min(0).default(3),
  every_hours: z.number().min(0).default(6),
})

/**
 * The optional labelling assistant (an OpenAI-compatible chat-completions endpoint, LLM_BASE_URL): off unless
 * enabled here, so no post of a topic is sent anywhere without that topic saying so.
 */
const assistantSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The model name the server knows (e.g. gpt-4o-mini, or what llama.cpp, Ollama or vLLM serve). */
  model: z.string().trim().min(1).optional(),
  /** Posts labelled in one `assist` run at most. */
  sample_size: z.number().int().min(1).max(100_000).default(100),
  /** A run stops before its input + output tokens would exceed this. */
  max_tokens_per_run: z.number().int().min(1).default(50_000),
  /** …or before its cost (from the prices below) would exceed this. */
  max_cost_usd_per_run: z.number().min(0).default(1),
  usd_per_1k_input_tokens: z.number().min(0).default(0),
  usd_per_1k_output_tokens: z.number().min(0).default(0),
  /** Train the topic's model on the assistant's labels too (never for a post a person labelled). */
  use_for_training: z.boolean().default(false),
  /** How much an assistant label weighs in training against a seed's 1. */
  training_weight: z.number().min(0.05).max(20).default(1),
  timeout_seconds: z.number().min(1).max(600).default(30),
  /** Retries of a request that failed on the way (connection, 408, 429 after its retry-after, 5xx). */
  max_retries: z.number().int().min(0).max(10).default(3),
})

const topicSchema = z
  .strictObject({
    id,
    name: z.string().min(1),
    articles: z.array(z.url({ protocol: /^https?$/ })).default([]),
    hashtags: z.array(term).default([]),
    keywords: z.array(keywordRuleSchema).default([]),
    /** Sub-themes: multi-label tags on the topic's posts; they never make a post join the topic. */
    themes: z.array(themeSchema).default([]),
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
    /** X bills per post read: a run stops before these are exceeded (UTC day, calendar month). */
    budget: z
      .strictObject({
        x_daily_post_reads: z.number().int().min(0).default(2000),
        x_monthly_post_reads: z.number().int().min(0).default(50000),
      })
      .prefault({}),
    stance: z.strictObject({
      labels: z.array(stanceLabelSchema).min(2),
      /** JSONL of {text, label} relative to the config file. */
      seeds: z.string().min(1),
      /** Below this probability the post is labelled `uncertain` instead of guessed. */
      min_confidence: z.number().min(0).max(1).default(0.45),
      /**
       * A model post is shown as an example of its label in digests only at this confidence or above (a
       * person's label always is). Higher than min_confidence: a post may count in the shares at 0.5 and
       * still be a poor example to put in front of a reader.
       */
      exemplar_confidence: z.number().min(0).max(1).default(0.6),
      /** `train` refuses to make active a model whose cross-validated macro-F1 is below this (`--force` overrides). */
      min_cv_macro_f1: z.number().min(0).max(1).default(0.45),
      /** How much a person's (or an imported) label weighs in training against a seed's 1. */
      people_label_weight: z.number().min(1).max(20).default(3),
      /** The scheduled classify job retrains once this many labels were given since the active model (0: never). */
      retrain_after_labels: z.number().int().min(0).default(20),
    }),
    assistant: assistantSchema.prefault({}),
  })
  .superRefine((topic, ctx) => {
    // Checks across a topic's fields; as refinements they are reported with every other schema problem.
    const problem = (path: PropertyKey[], message: string, fix: string) => ctx.addIssue({ code: 'custom', path, message, params: { fix } })
    if (topic.articles.length + topic.keywords.length + topic.hashtags.length + topic.accounts.x.length + topic.accounts.bluesky.length === 0) {
      problem([], `topic "${topic.id}" has nothing to match posts with`, 'add at least one of articles, keywords, hashtags or accounts')
    }
    for (const i of duplicateIndexes(topic.keywords.map((r) => r.id))) {
      problem(
        ['keywords', i, 'id'],
        `rule id "${topic.keywords[i]!.id}" is used twice in topic "${topic.id}"`,
        'give every keyword rule its own id (it is recorded with each match)',
      )
    }
    for (const i of duplicateIndexes(topic.themes.map((t) => t.id))) {
      problem(
        ['themes', i, 'id'],
        `theme id "${topic.themes[i]!.id}" is used twice in topic "${topic.id}"`,
        'give every theme its own id (it is stored with each post and used by `stance --theme`)',
      )
    }
    if (topic.assistant.enabled && !topic.assistant.model)
      problem(
        ['assistant', 'model'],
        'the assistant is enabled without a model',
        'name the model the server serves (e.g. model: gpt-4o-mini), or set assistant.enabled: false',
      )
    const labels = topic.stance.labels.map((l) => l.id)
    for (const i of duplicateIndexes(labels))
      problem(['stance', 'labels', i, 'id'], `label "${labels[i]}" is defined twice`, 'give every stance label its own id')
    const reserved = labels.indexOf(UNCERTAIN)
    if (reserved >= 0)
      problem(['stance', 'labels', reserved, 'id'], `the label id "${UNCERTAIN}" is reserved for posts the model cannot decide`, 'rename that label')
    if (topic.stance.exemplar_confidence < topic.stance.min_confidence)
      problem(
        ['stance', 'exemplar_confidence'],
        `${topic.stance.exemplar_confidence} is below min_confidence (${topic.stance.min_confidence}), so it would change nothing`,
        `set it to at least ${topic.stance.min_confidence} (0.6 by default), or lower min_confidence`,
      )
  })

// Single-field checks live in the schema, so they are reported together with every other schema problem.
const cron = z
  .string()
  .min(1)
  .refine(isValidCron, {
    error: (issue) => `"${String(issue.input)}" is not a valid cron expression`,
    params: { fix: 'use five fields (minute hour day month weekday), e.g. "*/15 * * * *" or "0 8 * * *" (six fields put seconds first)' },
  })

const timezone = z
  .string()
  .min(1)
  .refine((v) => IANAZone.isValidZone(v), {
    error: (issue) => `"${String(issue.input)}" is not a known IANA time zone`,
    params: { fix: 'use a name such as UTC, America/New_York, Europe/Paris or Asia/Shanghai' },
  })

export const configSchema = z.strictObject({
  /** IANA name; every time a person reads is in this zone, and named. */
  timezone,
  topics: z.array(topicSchema).min(1),
  schedules: z.strictObject({
    collect: cron,
    classify: cron,
    alerts: cron,
    digest: cron,
    /** Housekeeping: compress and expire old archive files. */
    maintenance: cron.default('17 3 * * *'),
  }),
  sources: z
    .strictObject({
      /** Sources the daemon runs; credentials decide which of them can actually run (Jetstream needs none). */
      enabled: z.array(z.enum(['x', 'bluesky', 'jetstream', 'replay'])).default(['jetstream', 'x', 'bluesky']),
      replay_files: z.array(z.string().min(1)).default([]),
      /**
       * A replayed line longer than this is skipped and counted (an API page is well under 1 MB): a broken
       * archive without line breaks must not exhaust memory, and V8 cannot make a string over 512 MB.
       */
      replay_max_line_mb: z.number().min(1).max(256).default(64),
      /** Every page a live collector receives is appended here as JSONL (replayable); relative to the config file's folder; null turns it off. */
      archive_dir: z.string().min(1).nullable().default('archive'),
      /** Daily archive files this many UTC days old are gzipped (today's and yesterday's never are). */
      archive_compress_after_days: z.number().int().min(2).default(2),
      /** Archive files more than this many days old are deleted, compressed or not; 0 keeps them forever. */
      archive_retention_days: z.number().int().min(0).default(0),
      x: z
        .strictObject({
          max_results: z.number().int().min(10).max(100).default(100),
          /**
           * A query's first run reaches this far back, newest first, within the budget; what the budget
           * cannot cover is a coverage gap later runs fill. Recent search reaches 7 days (168 hours).
           */
          first_run_lookback_hours: z.number().min(1).max(168).default(168),
          /** Pages per query and pass (new posts, then first-run history) in one run. */
          max_pages_per_query: z.number().int().min(1).default(25),
          /** Longer rate-limit waits end the run early (with a warning) instead of blocking it. */
          max_rate_limit_wait_seconds: z.number().min(0).default(900),
          max_retries: z.number().int().min(0).max(10).default(5),
          /** What X bills per post read (pay-per-use, 2026). */
          cost_per_post_usd: z.number().min(0).default(0.005),
          refresh: refreshSchema.prefault({}),
        })
        .prefault({}),
      bluesky: z
        .strictObject({
          limit: z.number().int().min(1).max(100).default(100),
          /** A query's first run reaches this far back, newest first; older windows: `backfill`. */
          first_run_lookback_hours: z.number().min(1).default(168),
          /** Each pass re-reads this much before the watermark: posts can reach the index late. */
          since_overlap_minutes: z.number().min(0).default(15),
          /** Pages per query and pass (new posts, then first-run history) in one run. */
          max_pages_per_query: z.number().int().min(1).default(50),
          max_rate_limit_wait_seconds: z.number().min(0).default(900),
          max_retries: z.number().int().min(0).max(10).default(5),
          /** createSession is limited to 30 per 5 minutes and 300 a day; stancewatch stops far below. */
          max_logins_per_day: z.number().int().min(1).max(300).default(10),
          refresh: refreshSchema.prefault({}),
        })
        .prefault({}),
      jetstream: z
        .strictObject({
          wanted_collections: z.array(z.string().min(1)).min(1).default(['app.bsky.feed.post']),
          /** Reconnects replay this much before the stored cursor. */
          cursor_margin_seconds: z.number().min(0).default(5),
          /** How far back the service keeps events; a longer outage is a coverage gap. */
          lookback_hours: z.number().min(1).default(24),
          /** A gap is repaired by Bluesky search over at most this many hours (the most recent ones). */
          repair_max_hours: z.number().min(0).default(72),
          batch_max_events: z.number().int().min(1).default(500),
          batch_max_wait_ms: z.number().int().min(10).default(1000),
          /** Above this many waiting events the socket is paused (never an event dropped). */
          max_buffered_events: z.number().int().min(100).default(5000),
          reconnect_base_ms: z.number().int().min(10).default(1000),
          reconnect_cap_ms: z.number().int().min(100).default(60000),
        })
        .prefault({}),
    })
    .prefault({}),
  alerts: z.strictObject({
    volume_spike: z.strictObject({
      /** The longest window under test: windows of 1 to this many hours ending at the check are all tested. */
      window_hours: z.number().int().min(1).max(48),
      /** Days of history the expected volume is learned from (same hours of day; same weekday when there are two). */
      baseline_days: z.number().int().min(2).max(60),
      /** Fewer posts than this in the window never alert. */
      min_posts: z.number().int().min(1),
      /** How far above expected (in standard deviations of an over-dispersed count) counts as a spike. */
      sensitivity: z.number().positive(),
      /** Observed must also be at least this multiple of expected. */
      min_ratio: z.number().min(1),
      /** The spike must hold at this many consecutive hourly checks before it alerts (1: at once). */
      confirm_hours: z.number().int().min(1).max(12).default(2),
      /** No second spike alert for the same topic and platform within this many hours. */
      cooldown_hours: z.number().min(0),
    }),
    stance_shift: z
      .strictObject({
        /** Hours in the window whose stance mix is compared with the same hours of the baseline days. */
        window_hours: z.number().int().min(1).max(48).default(6),
        baseline_days: z.number().int().min(2).max(60).default(14),
        /** Fewer classified posts than this in the window never alert. */
        min_posts: z.number().int().min(1).default(30),
        /** The share must also move by at least this much (0.15 = 15 percentage points). */
        min_change: z.number().min(0.01).max(0.9).default(0.15),
        /** Family-wise p-value over the labels tested (Bonferroni); smaller alerts less. */
        significance: z.number().min(1e-9).max(0.2).default(0.001),
        confirm_hours: z.number().int().min(1).max(12).default(2),
        cooldown_hours: z.number().min(0).default(12),
      })
      .prefault({}),
  }),
  digest: z.strictObject({
    /** Folder the digest files are written to, relative to the config file's folder (or absolute). */
    out_dir: z.string().min(1),
    formats: z
      .array(z.enum(['md', 'html', 'json']))
      .min(1)
      .default(['md', 'html', 'json']),
    top_posts: z.number().int().min(1).max(20).default(3),
    /** The daemon sends each new digest through the notify channels (files are always written). */
    deliver: z.boolean().default(true),
    /**
     * Also one digest of all topics side by side (combined/digest-DATE.*): written by the daemon and by
     * `digest` without --topic, and delivered like the others.
     */
    combined: z.boolean().default(false),
  }),
  notify: notifySchema.prefault({}),
  /** The daemon (`stancewatch start`): its own health, shutdown and catch-up. */
  daemon: z
    .strictObject({
      /** Failed runs in a row of one source or job before one operational alert (its recovery is announced once). */
      alert_after_failures: z.number().int().min(1).default(3),
      /** …or no successful collection from an enabled source that can run, for this long. */
      alert_after_hours_without_collection: z.number().positive().default(6),
      /** The live stream (Jetstream) unreachable for this long. */
      alert_after_minutes_disconnected: z.number().positive().default(10),
      /** SIGTERM/SIGINT let running jobs finish their batch for at most this long, then the daemon closes anyway. */
      shutdown_timeout_seconds: z.number().positive().max(600).default(30),
      /** Daily digests missed while the daemon was down that it writes when it is back (never before a topic's first collection). */
      digest_catch_up_days: z.number().int().min(1).max(31).default(7),
    })
    .prefault({}),
})

export type Config = z.infer<typeof configSchema>
export type TopicConfig = Config['topics'][number]
export type KeywordRule = TopicConfig['keywords'][number]
export type ThemeConfig = TopicConfig['themes'][number]
export type AssistantConfig = TopicConfig['assistant']
export type StanceLabelConfig = TopicConfig['stance']['labels'][number]
export type Language = z.infer<typeof languageSchema>
export type NotifyConfig = Config['notify']
export type ChannelConfig = NotifyConfig['channels'][number]
