import { z } from 'zod'
import { duplicateIndexes, id, term } from './schema-parts.js'

/*
 * Notification channels. Secrets (webhook URLs carry their token, SMTP URLs a password) are never written
 * here: a channel names the environment variable that holds them, and one whose variable is unset is
 * reported as "not configured" and skipped, never a crash.
 */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable (letters, digits and "_")')

/** No line breaks or control characters: these strings end up in mail headers. */
const headerText = z
  .string()
  .trim()
  .min(1)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a mail header must not hold
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: 'must be one line without control characters', params: { fix: 'write it on one line' } })

const mailbox = headerText.refine((v) => /^[^\s@<>,;"]+@[^\s@<>,;"]+$/.test(v), {
  error: (issue) => `"${String(issue.input)}" is not an e-mail address`,
  params: { fix: 'write one plain address per entry, e.g. analyst@example.org' },
})

const channelCommon = {
  id,
  /** What the channel receives: alerts (with the bot's operational alerts), digests, or only `ops` alerts. */
  send: z
    .array(z.enum(['alerts', 'digest', 'ops']))
    .min(1)
    .default(['alerts', 'digest']),
}

const channelSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...channelCommon, type: z.literal('log') }),
    z.strictObject({ ...channelCommon, type: z.literal('webhook'), url_env: envName.default('STANCEWATCH_WEBHOOK_URL') }),
    z.strictObject({ ...channelCommon, type: z.literal('slack'), url_env: envName.default('SLACK_WEBHOOK_URL') }),
    z.strictObject({ ...channelCommon, type: z.literal('discord'), url_env: envName.default('DISCORD_WEBHOOK_URL') }),
    z.strictObject({
      ...channelCommon,
      type: z.literal('email'),
      smtp_url_env: envName.default('SMTP_URL'),
      /** `bot@example.org` or `name <bot@example.org>`. */
      from: headerText.refine((v) => v.includes('@'), { error: 'must contain an e-mail address', params: { fix: 'e.g. "stancewatch <bot@example.org>"' } }),
      to: z.array(mailbox).min(1),
    }),
    z.strictObject({
      ...channelCommon,
      type: z.literal('bluesky'),
      /** `post`: a thread from the BSKY_IDENTIFIER account; `dm`: a direct message to `dm_to`. */
      mode: z.enum(['post', 'dm']).default('post'),
      /** Handle or DID that receives the direct messages (mode dm). */
      dm_to: term.optional(),
    }),
  ],
  { error: 'is not a known channel type (use one of: log, webhook, slack, discord, email, bluesky)' },
)

export const notifySchema = z
  .strictObject({
    /** Base URL where digest files are published; links in chat and social channels point there. */
    public_url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    /** Each HTTP request, SMTP conversation or Bluesky call gives up after this long. */
    timeout_seconds: z.number().positive().max(300).default(15),
    retry: z
      .strictObject({
        /** Tries per delivery round, with exponential backoff between them. */
        attempts: z.number().int().min(1).max(10).default(3),
        backoff_seconds: z.number().min(0).max(300).default(2),
        /** A round that failed is tried again this much later (doubling each round)… */
        later_minutes: z.number().min(0).default(15),
        /** …until this long after the first attempt; then it stays failed. */
        give_up_hours: z.number().min(0).default(48),
      })
      .prefault({}),
    channels: z.array(channelSchema).default([{ id: 'log', type: 'log', send: ['alerts', 'digest'] }]),
  })
  .superRefine((notify, ctx) => {
    const problem = (path: PropertyKey[], message: string, fix: string) => ctx.addIssue({ code: 'custom', path, message, params: { fix } })
    for (const i of duplicateIndexes(notify.channels.map((c) => c.id))) {
      problem(
        ['channels', i, 'id'],
        `channel id "${notify.channels[i]!.id}" is used twice`,
        'give every channel its own id (deliveries are recorded per channel id)',
      )
    }
    notify.channels.forEach((c, i) => {
      if (c.type === 'bluesky' && c.mode === 'dm' && !c.dm_to)
        problem(['channels', i, 'dm_to'], 'mode dm needs the recipient', 'add `dm_to: handle.bsky.social` (or a DID)')
    })
  })
