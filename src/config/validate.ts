import { existsSync } from 'node:fs'
import type { Config } from './schema.js'
import { duplicateIndexes } from './schema-parts.js'
import { formatKey } from './key-path.js'

export interface SemanticProblem {
  path: PropertyKey[]
  key: string
  message: string
  fix: string
}

/** Checks that need the whole parsed config or the file system; everything else is in the schema. */
export function semanticProblems(config: Config): SemanticProblem[] {
  const problems: SemanticProblem[] = []
  const add = (path: PropertyKey[], message: string, fix: string) => problems.push({ path, key: formatKey(path), message, fix })

  duplicateIndexes(config.topics.map((t) => t.id)).forEach((i) =>
    add(['topics', i, 'id'], `topic id "${config.topics[i]!.id}" is used twice`, 'give every topic its own id'),
  )
  config.topics.forEach((topic, t) => {
    if (!existsSync(topic.stance.seeds)) {
      add(
        ['topics', t, 'stance', 'seeds'],
        `the seed label file ${topic.stance.seeds} does not exist`,
        'point it at a JSONL file of {"text", "label"} lines, relative to the config file',
      )
    }
  })
  return problems
}
