import { existsSync } from 'node:fs'
import { IANAZone } from 'luxon'
import { validate as validCron } from 'node-cron'
import type { Config } from './schema.js'
import { formatKey } from './key-path.js'

export interface SemanticProblem {
  path: PropertyKey[]
  key: string
  message: string
  fix: string
}

/** Checks that span fields or touch the outside world (time zones, cron syntax, files). */
export function semanticProblems(config: Config): SemanticProblem[] {
  const problems: SemanticProblem[] = []
  const add = (path: PropertyKey[], message: string, fix: string) => problems.push({ path, key: formatKey(path), message, fix })

  if (!IANAZone.isValidZone(config.timezone)) {
    add(['timezone'], `"${config.timezone}" is not a known IANA time zone`, 'use a name such as UTC, America/New_York, Europe/Paris or Asia/Shanghai')
  }
  for (const [name, expr] of Object.entries(config.schedules)) {
    if (!validCron(expr)) {
      add(['schedules', name], `"${expr}" is not a valid cron expression`, 'use five fields (minute hour day month weekday), e.g. "*/15 * * * *" or "0 8 * * *"')
    }
  }

  duplicates(config.topics.map((t) => t.id)).forEach((i) =>
    add(['topics', i, 'id'], `topic id "${config.topics[i]!.id}" is used twice`, 'give every topic its own id'),
  )

  config.topics.forEach((topic, t) => {
    const at = (...rest: PropertyKey[]) => ['topics', t, ...rest]
    if (topic.articles.length + topic.keywords.length + topic.hashtags.length + topic.accounts.x.length + topic.accounts.bluesky.length === 0) {
      add(at(), `topic "${topic.id}" has nothing to match posts with`, 'add at least one of articles, keywords, hashtags or accounts')
    }
    duplicates(topic.keywords.map((r) => r.id)).forEach((i) =>
      add(at('keywords', i, 'id'), `rule id "${topic.keywords[i]!.id}" is used twice in topic "${topic.id}"`, 'give every keyword rule its own id (it is recorded with each match)'),
    )
    const labels = topic.stance.labels.map((l) => l.id)
    duplicates(labels).forEach((i) => add(at('stance', 'labels', i, 'id'), `label "${labels[i]}" is defined twice`, 'give every stance label its own id'))
    if (labels.includes('uncertain')) {
      add(at('stance', 'labels'), 'the label id "uncertain" is reserved for posts the model cannot decide', 'rename that label')
    }
    if (!existsSync(topic.stance.seeds)) {
      add(at('stance', 'seeds'), `the seed label file ${topic.stance.seeds} does not exist`, 'point it at a JSONL file of {"text", "label"} lines, relative to the config file')
    }
  })
  return problems
}

/** Indexes of values that appeared earlier in the list. */
function duplicates(values: string[]): number[] {
  const seen = new Set<string>()
  const out: number[] = []
  values.forEach((v, i) => (seen.has(v) ? out.push(i) : seen.add(v)))
  return out
}
