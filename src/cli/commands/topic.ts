import { existsSync, readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { loadDotEnv, readEnv } from '../../config/env.js'
import { removeTopicFromText } from '../../config/edit-topics.js'
import { loadConfig } from '../../config/load.js'
import type { TopicConfig } from '../../config/schema.js'
import { UsageError } from '../../domain/errors.js'
import { openDb } from '../../store/db.js'
import { topicCounts } from '../../store/status.js'
import { writeCheckedConfig } from '../config-write.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf, positiveNumber } from '../options.js'
import { databasePath, type GlobalOptions } from '../session.js'
import { topicAdd } from './topic-add.js'

export function registerTopic(program: Command, io: Io): void {
  const topic = program
    .command('topic')
    .description('Add a topic from an article URL, list, show or remove topics (edits the config file, keeping its comments)')
    .addHelpText(
      'after',
      `
Examples:
  $ stancewatch topic add https://www.example.com/2025/07/16/article.html
  $ stancewatch topic list
  $ stancewatch topic show china-ai-fund --json
  $ stancewatch topic remove my-topic --yes`,
    )
  topic
    .command('add')
    .description(
      'Read an article page and propose a topic (URL rules, keywords, themes, languages, labels) with its collection estimate; add it on confirmation',
    )
    .argument('<url>', "the article's web address (http or https)")
    .option('--id <id>', 'the new topic id (a slug not used yet; default: from the headline)')
    .option('--labels <spec>', 'stance labels and their definitions: "a:definition;b:definition;…" (default: support / oppose / neutral, to review)')
    .option('-y, --yes', 'add it without asking')
    .option('--timeout <seconds>', 'give up reading the page after this long (default 30; connecting: at most 10)', positiveNumber)
    .option('--json', 'print the article, the proposal and the estimate as one JSON document (adds it only with --yes)')
    .addHelpText(
      'after',
      `
The page is fetched once (http(s), at most 5 redirects, 5 MB, an honest User-Agent) and read for its
canonical URL, Open Graph, Twitter card and JSON-LD metadata, language, AMP link and, where the page gives
it, the text; a paywalled page still gives its headline and description. The proposal is shown with what
\`collect --dry-run\` estimates collecting it would read and cost. Confirmed (y on a terminal, or --yes), it is
appended to the config file's topics with every comment kept, with an empty seed label file beside it, and
the file is checked as \`config check\` does: a failing check restores the file and exits 2.
Without --yes and without a terminal to ask, nothing is written.

Exit codes: 0 shown or added; 1 the page could not be read (network, timeout, error status, too large,
too many redirects); 2 bad input (not an http(s) URL, not an HTML page, --id taken, --labels malformed,
the config check failed).

Examples:
  $ stancewatch topic add https://www.nytimes.com/2025/07/16/technology/china-ai.html
  $ stancewatch topic add https://example.com/news/article.html --id chip-exports --yes
  $ stancewatch topic add https://example.com/a.html --labels "concern:Worries about the plan;praise:Welcomes it;neutral:Neither" --json`,
    )
    .action(async (url: string, _: unknown, cmd: Command) => topicAdd(io, url, optionsOf(cmd)))

  topic
    .command('list')
    .description('The topics in the config file, with their rules and (when the database exists) stored posts')
    .option('--json', 'print them as JSON')
    .addHelpText('after', '\nExamples:\n  $ stancewatch topic list\n  $ stancewatch topic list --json')
    .action((_: unknown, cmd: Command) => {
      const o = optionsOf<{ json?: boolean }>(cmd)
      const { config, file } = configOf(io, o)
      const posts = storedPosts(
        io,
        o,
        config.topics.map((t) => t.id),
      )
      const rows = config.topics.map((t) => ({ ...summary(t), posts: posts?.get(t.id) ?? null }))
      if (o.json) return printJson(io, { file, topics: rows })
      println(io, `${file}: ${rows.length} topic${rows.length === 1 ? '' : 's'}`)
      for (const r of rows)
        println(
          io,
          `  ${r.id}  ${r.name}  (${r.articles} article URL${r.articles === 1 ? '' : 's'}, ${r.keywordRules} keyword rules, ${r.themes} themes, labels ${r.labels.join('/')}${r.posts === null ? '' : `, ${r.posts} posts stored`})`,
        )
    })

  topic
    .command('show')
    .description("One topic's rules, themes and stance labels as the config file has them")
    .argument('<id>', 'the topic id (see `topic list`)')
    .option('--json', 'print it as JSON')
    .addHelpText('after', '\nExamples:\n  $ stancewatch topic show china-ai-fund\n  $ stancewatch topic show china-ai-fund --json')
    .action((id: string, _: unknown, cmd: Command) => {
      const o = optionsOf<{ json?: boolean }>(cmd)
      const { config, file } = configOf(io, o)
      const t = byId(config.topics, id, file)
      if (o.json) return printJson(io, { file, topic: t })
      println(io, `${t.id}: ${t.name}`)
      for (const a of t.articles) println(io, `  article ${a}`)
      for (const k of t.keywords)
        println(
          io,
          `  rule ${k.id}${k.lang ? ` [${k.lang}]` : ''}: any ${k.any.join(', ')}${k.with ? `; with ${k.with.join(', ')}` : ''}${k.not ? `; not ${k.not.join(', ')}` : ''}`,
        )
      if (t.hashtags.length) println(io, `  hashtags ${t.hashtags.join(', ')}`)
      for (const th of t.themes) println(io, `  theme ${th.id} (${th.name}): ${th.any.join(', ')}`)
      for (const l of t.stance.labels) println(io, `  label ${l.id} (${l.name}): ${l.definition}`)
      println(io, `  seeds ${t.stance.seeds}`)
    })

  topic
    .command('remove')
    .description('Remove a topic from the config file (comments kept): its collection stops, its stored posts stay in the database')
    .argument('<id>', 'the topic id (see `topic list`)')
    .option('-y, --yes', 'remove it without asking')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Only the config file changes: posts, labels, models and alerts of the topic stay in the database (add the
topic again to collect it once more). A running daemon stops collecting it when it re-reads the file:
\`stancewatch reload\`. The last topic cannot be removed (the daemon needs one).

Examples:
  $ stancewatch topic remove chip-exports
  $ stancewatch topic remove chip-exports --yes --json`,
    )
    .action(async (id: string, _: unknown, cmd: Command) => {
      const o = optionsOf<{ yes?: boolean; json?: boolean }>(cmd)
      const { config, file } = configOf(io, o)
      byId(config.topics, id, file)
      if (config.topics.length === 1) throw new UsageError(`"${id}" is the only topic in ${file}; add another one first (the daemon needs a topic)`)
      if (!o.yes) {
        if (!io.ask || o.json) throw new UsageError(`not removed: add --yes to remove topic "${id}" from ${file}`)
        const answer = await io.ask(`Remove topic "${id}" from ${file}? Its stored posts stay in the database. [y/N] `)
        if (!/^y(es)?$/i.test((answer ?? '').trim())) return println(io, 'Not removed.')
      }
      writeCheckedConfig(io, file, removeTopicFromText(readFileSync(file, 'utf8'), id))
      const posts = storedPosts(io, o, [id])?.get(id) ?? null
      if (o.json) return printJson(io, { removed: id, file, postsKept: posts })
      println(io, `Removed topic "${id}" from ${file}: it is no longer collected (a running daemon: \`stancewatch reload\`).`)
      println(io, `Its stored data stays in the database${posts === null ? '' : ` (${posts} posts)`}: posts, labels, models and alerts are kept.`)
    })
}

function configOf(io: Io, o: GlobalOptions): { config: ReturnType<typeof loadConfig>['config']; file: string } {
  loadDotEnv(io.env, io.cwd)
  const file = o.config ?? readEnv(io.env).configPath
  return { config: loadConfig(file).config, file }
}

function byId(topics: readonly TopicConfig[], id: string, file: string): TopicConfig {
  const t = topics.find((x) => x.id === id)
  if (!t) throw new UsageError(`no topic "${id}" in ${file}; topics: ${topics.map((x) => x.id).join(', ')}`)
  return t
}

function summary(t: TopicConfig) {
  return {
    id: t.id,
    name: t.name,
    articles: t.articles.length,
    keywordRules: t.keywords.length,
    themes: t.themes.length,
    labels: t.stance.labels.map((l) => l.id),
  }
}

/** Posts stored per topic, when the database exists (never created here: these commands edit only the config). */
function storedPosts(io: Io, o: GlobalOptions, ids: string[]): Map<string, number> | null {
  const file = databasePath(o.db, readEnv(io.env).dbPath)
  if (!existsSync(file)) return null
  const db = openDb(file, { mustExist: true })
  try {
    return new Map(ids.map((id) => [id, topicCounts(db, id).posts]))
  } catch {
    return null // a database from before post_topics existed: the counts are only a courtesy
  } finally {
    db.close()
  }
}
